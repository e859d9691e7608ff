"""`autograder build --student`: the handout students download.

The handout holds:
  README.md         what to do, and the one-command self-check
  ASSIGNMENT.md     every question as Markdown (preview.py; LaTeX math left as it is written)
  answers.yaml      a template listing every question id (when the assignment has an answers file)
  <starter files>   each code file students submit (hw6.py, cs231n/layers.py): generated from
                    the marked solution, or the assignment folder's hand-written copy (starter.py
                    says which), or those of the spec it extends
  <support files>   the instructor's `support:` files, at the paths the student's code imports
  selfcheck/        the self-check: selfcheck.py with copies of the grader modules it runs, a
                    public.json of each question's public projection (ids, kinds, letters,
                    variable names; a code question's visible cases with the reference's
                    outputs on them) and the files of the visible custom checks

What it never holds: the spec itself (answers, hidden cases and checks), solution/, the
reference package, the grading secret. The self-check is built from the spec's public parts only.
"""

from __future__ import annotations

import inspect
import json
import re
import zipfile
from pathlib import Path

from . import kinds
from .errors import SpecError
from .selfcheck import ASSIGNMENT_FILES
from .spec import Assignment, load_assignment
from .starter import assignment_starters

PACKAGE = Path(__file__).resolve().parent
SELFCHECK = "selfcheck"
# The grader modules the self-check imports, copied to the same places under selfcheck/ (their
# imports are relative, or made so), with the packages they sit in:
SELFCHECK_MODULES = ("errors.py", "yamlio.py", "notebook.py", "untrusted.py", "check_api.py",
                     "sandbox/codec.py", "sandbox/tracebacks.py", "kinds/base.py",
                     "kinds/formula/__init__.py", "kinds/formula/parser.py",
                     "kinds/formula/sampling.py",
                     "kinds/code/__init__.py", "kinds/code/view.py", "kinds/code/inputs.py",
                     "kinds/code/gradcheck.py", "kinds/code/mismatch.py", "kinds/code/compare.py",
                     "kinds/code/calls.py", "kinds/code/local_code.py",
                     "kinds/unit_tests/__init__.py", "kinds/unit_tests/runner.py")
# and every registered kind's module at its place, found by this registry (MODULES filled in):
KINDS_REGISTRY = '''"""The question kinds, as the self-check finds them."""

import importlib

MODULES = {modules!r}


def kind(name: str):
    return importlib.import_module(f"{{__name__}}.{{MODULES[name]}}")
'''
_REFERENCE_IMPORT = re.compile(r"^\s*(from|import)\s+(reference|solution)\b", re.MULTILINE)
_GRADER_IMPORT = re.compile(r"^(\s*)from autograder(\.| import)", re.MULTILINE)

README = """\
# {title}

Files:
- `ASSIGNMENT.md`: the questions.
{file_lines}
## Check your work before you submit

From this folder, with Python 3.10 or newer and numpy and pyyaml installed:

```bash
python3 -m selfcheck
```

{checks} Fix every line marked ✗, then run it again.

## Submit

Upload {uploads} to the assignment on Gradescope, keeping the file names. Your score and
feedback appear once the autograder has run (a minute or so); you may resubmit until the
deadline, and by default your last submission is the one graded. Feedback on each item says
what was checked and, where it failed, an input on which your answer differs.
"""


def build_handout(assignment_folder: Path | str, output: Path | str) -> list:
    """Write the handout zip; return the names it holds."""
    assignment = load_assignment(assignment_folder)
    files = handout_files(assignment)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{assignment.id}/{name}", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return sorted(files)


def handout_files(assignment: Assignment) -> dict:
    """{path inside the handout: bytes}."""
    from .preview import render_markdown   # (preview.py imports this module's helpers)
    files = {"ASSIGNMENT.md": render_markdown(assignment, placeholders="generic")}
    file_lines = []
    if assignment.has_answers_file:
        files[assignment.answers_file] = answers_template(assignment)
        file_lines.append(f"- `{assignment.answers_file}`: write your answers here.")
    for name, starter in assignment_starters(assignment).items():
        files[name] = starter
        file_lines.append(f"- `{name}`: fill in the functions.")
    for support in assignment.support:
        files[support.name] = support.path.read_bytes()
        file_lines.append(f"- `{support.name}`: provided by the course; your code may import "
                          "it (the grader uses its own copy).")
    file_lines.append("- `selfcheck/`: the self-check (below); you need not read it.")
    to_upload = " and ".join(f"`{name}`" for name in uploads(assignment))
    checks = []
    if assignment.has_answers_file:
        checks.append("It checks that every answer is in a form the grader can read: choice "
                      "letters that exist, numbers that parse, formulas that use only the allowed "
                      "variables; it does not tell you whether an answer is right.")
    if assignment.code_files:
        checks.append("It runs the grader's own checks of your functions on the public test "
                      "cases (the same comparisons and messages as Gradescope), and checks your "
                      "gradients against finite differences of your own loss; Gradescope also "
                      "grades your code on inputs of its own.")
    files["README.md"] = README.format(title=assignment.title, uploads=to_upload,
                                       checks="\n".join(checks),
                                       file_lines="\n".join(file_lines) + "\n")
    files.update(selfcheck_files(assignment))
    return {name: data.encode("utf-8") if isinstance(data, str) else data
            for name, data in files.items()}


def uploads(assignment: Assignment) -> list:
    names = list(assignment.code_files)
    if assignment.has_answers_file:
        names.insert(0, assignment.answers_file)
    return names


def selfcheck_files(assignment: Assignment) -> dict:
    kind_files = _kind_files()
    files = {f"{SELFCHECK}/__init__.py": '"""This handout\'s self-check: python3 -m selfcheck"""\n',
             f"{SELFCHECK}/kinds/__init__.py": KINDS_REGISTRY.format(modules={
                 name: path.removeprefix("kinds/").removesuffix(".py").replace("/", ".")
                 for name, (path, _) in kind_files.items()}),
             f"{SELFCHECK}/sandbox/__init__.py": "",
             f"{SELFCHECK}/__main__.py": (PACKAGE / "selfcheck.py").read_text(encoding="utf-8"),
             f"{SELFCHECK}/public.json": json.dumps(public_description(assignment), indent=1,
                                                    ensure_ascii=False) + "\n"}
    for module in SELFCHECK_MODULES:
        files[f"{SELFCHECK}/{module}"] = _as_selfcheck_module((PACKAGE / module).read_text(
            encoding="utf-8"))
    for path, source in kind_files.values():
        files[f"{SELFCHECK}/{path}"] = _as_selfcheck_module(source.read_text(encoding="utf-8"))
    for question in assignment.questions:
        if question.visibility == "visible":
            for name, path in question.check.public_files().items():
                text = path.read_text(encoding="utf-8")
                if _REFERENCE_IMPORT.search(text):
                    raise SpecError(f"{name} imports the reference, and a visible check's file "
                                    "is shipped in the handout: mark the check "
                                    "`{function: ..., visibility: hidden}`",
                                    file=question.file, line=question.line, key="check")
                files[f"{SELFCHECK}/{ASSIGNMENT_FILES}/{name}"] = _as_selfcheck_module(text)
    return files


def _kind_files() -> dict:
    """{kind: (where its module goes under selfcheck/, its source file)}: where it is in the
    grader, or for a kind registered from outside the package (a course's own), kinds/<name>.py."""
    found = {}
    for name, module in kinds.all_kinds().items():
        source = Path(inspect.getsourcefile(module)).resolve()
        found[name] = (source.relative_to(PACKAGE).as_posix() if source.is_relative_to(PACKAGE)
                       else f"kinds/{name}.py", source)
    return found


def _as_selfcheck_module(text: str) -> str:
    """A grader module's (or a custom check's) text importing the handout's copies."""
    return _GRADER_IMPORT.sub(r"\1from selfcheck\2", text)


def public_description(assignment: Assignment) -> dict:
    """What the self-check may know of each question: nothing that gives an answer away.

    Each question carries its kind's public projection (Check.public): a question whose results
    are hidden, only what its kind shows of one (a code question: its function's name).
    """
    questions = [{"id": question.id, "number": question.number, "title": question.title,
                  "kind": question.kind, "answered_in_file": question.check.answered_in_file,
                  **question.check.public(question.id, question.visibility == "visible")}
                 for question in assignment.questions]
    return {"title": assignment.title, "answers_file": assignment.answers_file,
            "code_files": list(assignment.code_files),
            "has_answers": assignment.has_answers_file, "questions": questions}


def answers_template(assignment: Assignment) -> str:
    """answers.yaml with every question id and a comment on how to answer it."""
    lines = [f"# {assignment.title}: your answers, one per question id.",
             "# Write each answer after the colon; quote it if it starts with [ { * & ! or %.",
             "# Check the form of your answers with: python3 -m selfcheck", ""]
    for question in assignment.questions:
        if not question.check.answered_in_file:
            continue
        lines.append(f"# {question.number}. {question.title}: {question.check.answer_hint()}")
        lines.append(f"{question.id}:")
        lines.append("")
    return "\n".join(lines)
