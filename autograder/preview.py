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
from dataclasses import dataclass
from pathlib import Path

from .errors import AutograderError
from .handout import uploads
from .kinds.code.view import CodeView
from .spec import Assignment, load_assignment, raw_questions, substitute
from .starter import assignment_starters

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
RESULTS_SHOWN = {"visible": "results shown at once",
                 "hidden": "results hidden from students",
                 "after_due_date": "results shown after the due date",
                 "after_published": "results shown once grades are published"}


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
    code: CodeView | None     # a function to write (kinds/code/view.py)

    @property
    def points_text(self) -> str:
        return f"{self.points:g} point" + ("" if self.points == 1 else "s")


def question_views(assignment: Assignment, placeholders: str = "values") -> list:
    """Every question as students see it. placeholders: "values" shows this variant's numbers
    (assignment.params); "generic" shows each {{name}} as ⟨name⟩, for a handout all share."""
    written = raw_questions(assignment.folder)
    starters = _parsed_starters(assignment)
    default_file = next(iter(assignment.required_code_files), "")
    views = []
    for question in assignment.questions:
        # an item of an expanded question (a unittest file's test) is written as its question
        raw = written.get(question.id) or next(
            entry for entry_id, entry in written.items() if question.id.startswith(entry_id + "."))
        raw = _generic(raw) if placeholders == "generic" else substitute(raw, assignment.params)
        hint = question.check.answer_hint()
        if hint:
            hint = f"Answer in `{assignment.answers_file}` as `{question.id}: ...`: {hint}."
        views.append(QuestionView(
            number=question.number, id=question.id, title=question.title, kind=question.kind,
            points=question.points, visibility=question.visibility,
            prompt=str(raw.get("prompt", "")).strip() if question.prompt else "",
            choices=question.check.choices_view(raw),
            hint=hint, code=question.check.code_view(question, starters, default_file)))
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
