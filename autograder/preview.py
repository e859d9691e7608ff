"""What students read of an assignment: ASSIGNMENT.md (Markdown) and `autograder preview`'s HTML.

Both come from one description of every question (`question_views`): number, title, points,
when its results show, the prompt, the choices, how to answer, and for code the function's
signature and docstring (from the starter students get), the public cases as calls, and what
else Gradescope grades it on (hidden cases, a gradient check, the assignment's own check),
never a hidden case's inputs.

The HTML page is self-contained: Markdown rendered by Python-Markdown, every `$...$` and
`$$...$$` typeset as MathML by latex2mathml (browsers lay MathML out natively), styles inline,
nothing fetched. Those two libraries are the optional extra `[preview]`: the grader never needs
them.
"""

from __future__ import annotations

import ast
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AutograderError
from .handout import answer_hint, uploads
from .spec import SPEC_FILE, Assignment, load_assignment, substitute
from .starter import assignment_starters
from .yamlio import load_spec_file

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
RESULTS_SHOWN = {"visible": "results shown at once",
                 "hidden": "results hidden from students",
                 "after_due_date": "results shown after the due date",
                 "after_published": "results shown once grades are published"}


@dataclass
class CodeView:
    function: str
    file: str
    signature: str            # `def softmax(F):`, or "" when no starter defines it
    docstring: str
    cases: list               # [(name, the call as text)] of the cases the self-check runs
    also: list = field(default_factory=list)   # what else Gradescope grades, in words

    def source(self) -> str:
        """The signature and the docstring, as the starter has them (without the body)."""
        if not self.docstring:
            return self.signature
        lines = ['"""' + self.docstring.splitlines()[0], *self.docstring.splitlines()[1:], '"""']
        return "\n".join([self.signature] + [("    " + line).rstrip() for line in lines])


@dataclass
class QuestionView:
    number: str
    id: str
    title: str
    kind: str
    points: float
    visibility: str
    prompt: str               # Markdown with LaTeX math
    choices: list             # [(letter, Markdown text)]
    hint: str                 # how to answer in the answers file ("" for code)
    code: CodeView | None

    @property
    def points_text(self) -> str:
        return f"{self.points:g} point" + ("" if self.points == 1 else "s")


def question_views(assignment: Assignment, placeholders: str = "values") -> list:
    """Every question as students see it. placeholders: "values" shows this variant's numbers
    (assignment.params); "generic" shows each {{name}} as ⟨name⟩, for a handout all share."""
    raw_questions = load_spec_file(assignment.folder / SPEC_FILE)["questions"]
    starters = _parsed_starters(assignment)
    views = []
    for question, raw in zip(assignment.questions, raw_questions):
        raw = _generic(raw) if placeholders == "generic" else substitute(raw, assignment.params)
        choices = [(str(letter), str(text)) for letter, text in raw.get("choices", {}).items()] \
            if question.kind == "choice" else []
        hint = answer_hint(question)
        if hint:
            hint = f"Answer in `{assignment.answers_file}` as `{question.id}: ...`: {hint}."
        views.append(QuestionView(
            number=question.number, id=question.id, title=question.title, kind=question.kind,
            points=question.points, visibility=question.visibility,
            prompt=str(raw.get("prompt", "")).strip(), choices=choices, hint=hint,
            code=_code_view(assignment, question, starters) if question.kind == "code" else None))
    return views


def _generic(value):
    """A spec value with each {{name}} written as ⟨name⟩."""
    if isinstance(value, dict):
        return {key: _generic(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_generic(item) for item in value]
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda match: f"⟨{match.group(1)}⟩", value)
    return value


def _parsed_starters(assignment: Assignment) -> dict:
    """{code file name: {function name: ast.FunctionDef}} of the starters students get."""
    parsed = {}
    for name, data in assignment_starters(assignment).items():
        try:
            tree = ast.parse(data.decode("utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue   # a hand-written starter that does not parse: shown without signatures
        parsed[name] = {node.name: node for node in ast.walk(tree)
                        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return parsed


def _code_view(assignment: Assignment, question, starters: dict) -> CodeView:
    check = question.check
    function = check.function.rpartition(":")[2]
    file = check.file or next(iter(assignment.required_code_files), "")
    node = starters.get(file, {}).get(function)
    signature = f"def {function}({ast.unparse(node.args)}):" if node is not None else ""
    docstring = (ast.get_docstring(node) or "") if node is not None else ""
    if question.visibility != "visible":
        return CodeView(function, file, signature, docstring, [],
                        ["every check runs on Gradescope only"])
    cases = [(case.name, _case_text(function, case)) for case in check.cases if not case.hidden]
    hidden = sum(case.hidden for case in check.cases)
    also = []
    if hidden:
        also.append(f"{hidden} hidden case{'s' if hidden > 1 else ''}")
    if check.gradient is not None:
        also.append("a gradient check: your gradients against central differences of your own "
                    "loss")
    if getattr(check, "custom", None) is not None:
        also.append("the assignment's own check of it")
    return CodeView(function, file, signature, docstring, cases, also)


def _case_text(function: str, case) -> str:
    """A public case as the calls it makes: a `before` step first, a `then` step after."""
    call = _call_text(function, case.args, case.kwargs)
    if case.before is not None:
        call = f"{_call_text(case.before.function, case.before.args, case.before.kwargs)}; {call}"
    if case.then is not None:
        call = f"{call}; {_call_text(case.then.function, case.then.args, case.then.kwargs)}"
    return call


def _call_text(function: str, args, kwargs) -> str:
    parts = [describe_input(arg) for arg in args]
    parts += [f"{key}={describe_input(value)}" for key, value in kwargs.items()]
    return f"{function}({', '.join(parts)})"


def describe_input(description) -> str:
    """An input description (inputs.py) in a few words: `normal(4×3)·3`, `labels(6, of 4)`."""
    if isinstance(description, dict):
        if "normal" in description or "uniform" in description:
            kind = "normal" if "normal" in description else "uniform"
            text = f"{kind}({_shape_text(description[kind])})"
            if kind == "uniform":
                text = (f"uniform({_shape_text(description[kind])}, "
                        f"{description.get('low', -1.0):g}..{description.get('high', 1.0):g})")
            scale = description.get("scale")
            return text + (f"·{scale:g}" if scale is not None and scale != 1 else "")
        if "labels" in description:
            return f"labels({_shape_text(description['labels'])}, of {description['classes']})"
        if "array" in description:
            return f"{_literal(description['array'])} as {description.get('dtype', 'float64')}"
        if "rng" in description:
            return f"default_rng({description['rng']})"
        if "dict" in description:
            return "{" + ", ".join(f"{key}: {describe_input(value)}"
                                   for key, value in description["dict"].items()) + "}"
        if "list" in description:
            return "[" + ", ".join(describe_input(value) for value in description["list"]) + "]"
        if "result" in description:
            index = description["result"]
            return "the previous result" + (f"[{index}]" if index is not None else "")
    return _literal(description)


def _shape_text(shape) -> str:
    return "×".join(str(n) for n in shape) if isinstance(shape, list) else str(shape)


def _literal(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e16 else repr(value)
    return repr(value)


# ------------------------------------------------------------------------------ Markdown

def render_markdown(assignment: Assignment, placeholders: str = "values") -> str:
    """Every question as Markdown (ASSIGNMENT.md, `show`); math stays LaTeX as written."""
    lines = [f"# {assignment.title}", ""]
    files = ", ".join(f"`{name}`" for name in uploads(assignment))
    lines += [f"{len(assignment.questions)} questions, {assignment.total_points:g} points. "
              f"Submit {files}.", ""]
    if placeholders == "generic" and assignment.params:
        lines += ["Values written ⟨like this⟩ are your own: each student gets different "
                  "numbers, which your instructor gives you.", ""]
    for view in question_views(assignment, placeholders):
        shown = "" if view.visibility == "visible" else f"; {RESULTS_SHOWN[view.visibility]}"
        lines += [f"## {view.number}. {view.title} ({view.points_text}{shown})", ""]
        if view.prompt:
            lines += [view.prompt, ""]
        if view.choices:
            lines += [f"- **{letter}.** {text}" for letter, text in view.choices] + [""]
        if view.hint:
            lines += [f"*{view.hint}*", ""]
        if view.code is not None:
            lines += _code_markdown(view.code)
    return "\n".join(lines).rstrip() + "\n"


def _code_markdown(code: CodeView) -> list:
    lines = [f"Write `{code.function}` in `{code.file}`" + (":" if code.signature else "."), ""]
    if code.signature:
        lines += ["```python", code.signature]
        lines += [code.source()[len(code.signature) + 1:]] if code.docstring else []
        lines += ["```", ""]
    if code.cases:
        lines += ["Public cases (`python3 -m selfcheck` runs them):", ""]
        lines += [f"- {name + ': ' if name else ''}`{call}`" for name, call in code.cases] + [""]
    if code.also:
        lines += [f"Also graded on Gradescope: {'; '.join(code.also)}.", ""]
    return lines


# ---------------------------------------------------------------------------------- HTML

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1d1d1f; }
header p { color: #555; }
section { border-top: 1px solid #ddd; padding: 0.6rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 0.4rem 0; }
.badges span { display: inline-block; font-size: 0.8rem; padding: 0 0.5rem; margin-right: 0.3rem;
               border-radius: 0.7rem; background: #eef; color: #223; }
.badges .not-visible { background: #fde8c8; }
ul.choices { list-style: none; padding-left: 0.5rem; }
pre { background: #f6f6f8; padding: 0.6rem; overflow-x: auto; }
code { font-family: ui-monospace, monospace; font-size: 0.92em; }
.hint { font-style: italic; color: #444; }
math { font-size: 1.12em; }
math[display="block"] { margin: 0.6rem 0; }
.math-error { color: #b00; }
"""

_CODE_SPANS = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$(?=\S)([^$\n]*?\S)\$(?!\w)", re.DOTALL)


class MathRenderer:
    """Markdown with LaTeX math to HTML; the TeX it could not typeset is kept in `problems`."""

    def __init__(self):
        try:
            import latex2mathml.converter
            import markdown
        except ImportError:
            raise AutograderError(
                "autograder preview needs the markdown and latex2mathml packages: "
                "pip install 'markdown>=3.4' 'latex2mathml>=3.75' (the [preview] extra)") from None
        self._markdown = markdown
        self._convert = latex2mathml.converter.convert
        self.problems: list = []

    def block(self, text: str, where: str) -> str:
        """Markdown (paragraphs, lists, code) with math, as HTML."""
        maths: list = []
        protected = "".join(piece if index % 2 else _MATH.sub(
            lambda found: self._hold(found, maths, where), piece)
            for index, piece in enumerate(_CODE_SPANS.split(text)))
        rendered = self._markdown.markdown(protected, extensions=["fenced_code", "tables"])
        return re.sub(r"MATHSLOT(\d+)X", lambda found: maths[int(found.group(1))], rendered)

    def inline(self, text: str, where: str) -> str:
        """One line of Markdown with math (a choice), without its paragraph."""
        rendered = self.block(text, where).strip()
        if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
            rendered = rendered[3:-4]
        return rendered

    def _hold(self, found, maths: list, where: str) -> str:
        display = found.group(1) is not None
        tex = found.group(1) if display else found.group(2)
        try:
            maths.append(self._convert(tex.strip(), display="block" if display else "inline"))
        except Exception as exc:   # latex2mathml raises its own kinds: say which TeX, go on
            self.problems.append(f"{where}: cannot typeset ${tex}$ ({type(exc).__name__}: {exc})")
            maths.append(f'<code class="math-error">{html.escape(tex)}</code>')
        return f"MATHSLOT{len(maths) - 1}X"


def render_html(assignment: Assignment, placeholders: str = "generic") -> tuple:
    """(the preview page, the math it could not typeset)."""
    math = MathRenderer()
    escape = html.escape
    files = ", ".join(f"<code>{escape(name)}</code>" for name in uploads(assignment))
    parts = [f"<header><h1>{escape(assignment.title)}</h1>",
             f"<p>{len(assignment.questions)} questions, {assignment.total_points:g} points. "
             f"Submit {files}.</p></header>"]
    for view in question_views(assignment, placeholders):
        where = f"question {view.number} ({view.id})"
        visibility = "" if view.visibility == "visible" else " not-visible"
        parts += [f'<section id="{escape(view.id)}" class="question kind-{view.kind}">',
                  f"<h2>{view.number}. {escape(view.title)}</h2>",
                  f'<p class="badges"><span>{view.kind}</span><span>{view.points_text}</span>'
                  f'<span class="visibility{visibility}">{RESULTS_SHOWN[view.visibility]}</span>'
                  f"</p>"]
        if view.prompt:
            parts.append(f'<div class="prompt">{math.block(view.prompt, where)}</div>')
        if view.choices:
            parts.append('<ul class="choices">' + "".join(
                f"<li><b>{escape(letter)}.</b> {math.inline(text, where)}</li>"
                for letter, text in view.choices) + "</ul>")
        if view.hint:
            parts.append(f'<p class="hint">{math.inline(view.hint, where)}</p>')
        if view.code is not None:
            parts.append(_code_html(view.code))
        parts.append("</section>")
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(assignment.title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(parts) + "\n</body></html>\n")
    return page, math.problems


def _code_html(code: CodeView) -> str:
    escape = html.escape
    parts = [f'<div class="code"><p>Write <code>{escape(code.function)}</code> in '
             f"<code>{escape(code.file)}</code>" + (":" if code.signature else ".") + "</p>"]
    if code.signature:
        parts.append(f'<pre class="signature"><code>{escape(code.source())}</code></pre>')
    if code.cases:
        parts.append("<p>Public cases (<code>python3 -m selfcheck</code> runs them):</p><ul>"
                     + "".join(f"<li>{escape(name) + ': ' if name else ''}"
                               f"<code>{escape(call)}</code></li>" for name, call in code.cases)
                     + "</ul>")
    if code.also:
        parts.append(f"<p>Also graded on Gradescope: {escape('; '.join(code.also))}.</p>")
    return "\n".join(parts) + "</div>"


def write_preview(folder: Path | str, output: Path | str, student: str = "") -> list:
    """Write the preview page of the assignment at `folder` (a student's variant when given);
    return the math it could not typeset."""
    assignment = load_assignment(folder, student=student)
    page, problems = render_html(assignment, "values" if student else "generic")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return problems
