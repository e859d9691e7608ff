"""The students' self-check: are my answers readable, and does my code pass the public cases?

This module is copied into every handout as `selfcheck/__main__.py` (handout.py), beside copies of
the few grader modules it imports and a `public.json` of what may be told: the question ids,
kinds, choice letters and the names a formula may use. No answer is in there, so for answers the
check is about form only: choice letters that exist, numbers that parse, formulas that parse in
the allowed variables. The grader reads answers with the very same code, so a well-formed answer
here is a readable one on Gradescope.

For code, public.json holds the visible questions' cases (their inputs are rebuilt here from the
same seeds as on Gradescope) with the reference's outputs on them, and the gradient check, which
compares the student's gradients with central differences of the student's own loss. Hidden
questions and the instructor's own checks run on Gradescope only. The student's code runs here,
in this process: it is their own code on their own machine.

Run from the handout's folder: `python3 -m selfcheck` (or `python3 -m selfcheck path/to/folder`).
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import re
import traceback
import types

import numpy as np

from . import gradcheck, inputs
from .errors import FormulaError, SubmissionError
from .formula import parse, parse_number
from .kinds.choice import parse_picks
from .notebook import MAX_NOTEBOOK_BYTES, notebook_to_python
from .untrusted import MAX_CODE_BYTES, read_file
from .yamlio import load_answers_file

PUBLIC_FILE = "public.json"


def check_answers(public: dict, folder: Path) -> tuple:
    """Check the answers file in `folder` against the public description of the questions.

    Returns (lines, problems): one line per question for the terminal, and how many answers
    are blank or cannot be read.
    """
    name = public["answers_file"]
    try:
        answers = load_answers_file(folder / name)
    except SubmissionError as exc:
        return [f"  ✗ {exc.message}"], len(public["questions"])
    lines, problems = [], 0
    for question in public["questions"]:
        ok, message = check_one(question, answers.get(question["id"]))
        problems += not ok
        lines.append(f"  {'✓' if ok else '✗'} {question['number']:>3}. {question['id']}: "
                     f"{message}")
    known = {question["id"] for question in public["questions"]}
    for unknown in sorted(set(answers) - known):
        problems += 1
        lines.append(f"  ✗ {unknown!r} in {name} is not a question id (a typo?); "
                     f"the ids are in ASSIGNMENT.md")
    return lines, problems


def check_one(question: dict, raw) -> tuple:
    """(well formed?, a message) for one answer; the message never says whether it is right."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return False, "not answered yet"
    kind = question["kind"]
    if kind == "choice":
        picks, problem = parse_picks(raw, tuple(question["letters"]))
        return (False, problem) if problem else (True, f"reads as {', '.join(sorted(picks))}")
    if kind == "numeric":
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return False, "answer with a single number"
        try:
            value = parse_number(raw)
        except FormulaError as exc:
            return False, f"not a number: {exc.message}"
        if not math.isfinite(value):
            return False, f"{raw} is not a finite number"
        return True, f"reads as {value:.6g}"
    if kind in ("expression", "derivative"):
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return False, "answer with a formula written as text"
        try:
            formula = parse(str(raw), question["names"])
        except FormulaError as exc:
            return False, f"cannot be read: {exc.message}"
        return True, f"reads as `{formula.text}` (uses only {', '.join(question['names'])})"
    return True, "checked on Gradescope only"


# ---------------------------------------------------------------------------------- code

def check_code(public: dict, folder: Path) -> tuple:
    """Run the student's functions on the public cases and the gradient check.

    Returns (lines, problems), as check_answers does.
    """
    lines, problems, modules = [], 0, {}
    for question in public["questions"]:
        if question["kind"] != "code":
            continue
        name = question["file"]
        if name not in modules:
            modules[name] = load_module(folder, name)
        module, load_problem = modules[name]
        label = f"{question['number']:>3}. {question['id']}"
        if load_problem:
            problems += 1
            lines.append(f"  ✗ {label}: {load_problem}")
            continue
        units = [run_case(module, question["function"], case)
                 for case in question["public_cases"]]
        if question["gradient_check"]:
            units.append(run_gradient_check(module, question["function"],
                                            question["gradient_check"]))
        if not units:
            lines.append(f"  · {label}: checked on Gradescope only")
            continue
        failed = list(dict.fromkeys(message for ok, message in units if not ok))
        problems += bool(failed)
        if failed:
            lines.append(f"  ✗ {label}: " + "\n      ".join(failed))
        else:
            lines.append(f"  ✓ {label}: {len(units)} public check(s) pass")
    return lines, problems


def load_module(folder: Path, name: str) -> tuple:
    """(module, None) for the student's file, or (None, what went wrong). A notebook will do."""
    path = folder / name
    notebook = path.with_suffix(".ipynb")
    try:
        if os.path.lexists(path):
            source = read_file(folder, name, MAX_CODE_BYTES).decode("utf-8")
        elif os.path.lexists(notebook):
            source, _ = notebook_to_python(read_file(folder, notebook.name, MAX_NOTEBOOK_BYTES),
                                           notebook.name)
        else:
            return None, f"{name} was not found in {folder}"
        module = types.ModuleType(path.stem)
        module.__file__ = str(path)
        exec(compile(source, str(path), "exec"), module.__dict__)
    except SubmissionError as exc:
        return None, exc.message
    except Exception as exc:
        return None, f"importing {name} failed: {_last_frame(exc)}"
    return module, None


def run_case(module, function: str, case: dict) -> tuple:
    """(passed, message) for one public case."""
    rng = np.random.default_rng(case["seed"])
    args, kwargs = inputs.build_call(case["args"], case["kwargs"], rng)
    label = f"{function} on {case['name'] or 'a public case'}"
    try:
        got = getattr(module, function)(*inputs.fresh(args), **inputs.fresh(kwargs))
    except NotImplementedError:
        return False, f"{function}: not implemented yet"
    except Exception as exc:
        return False, f"{label}: raised {_last_frame(exc)}"
    want = decode(case["expected"])
    if case["outputs"] is not None and isinstance(want, tuple):
        if not isinstance(got, (tuple, list)) or len(got) < len(want):
            return False, f"{label}: expected a tuple of {len(want)} items"
        got = tuple(got[i] for i in case["outputs"])
        want = tuple(want[i] for i in case["outputs"])
    problem = differs(got, want, case["rtol"], case["atol"])
    return (False, f"{label}: {problem}") if problem else (True, "")


def run_gradient_check(module, function: str, spec: dict) -> tuple:
    """(passed, message): the student's gradients against differences of their own loss."""
    rng = np.random.default_rng(spec["seed"])
    args, kwargs = inputs.build_call(spec["args"], spec["kwargs"], rng)

    def run(params, pick):
        called = list(args)
        called[spec["wrt"]] = params
        value = getattr(module, function)(*inputs.fresh(called), **inputs.fresh(kwargs))
        return value if pick is None else value[pick]

    try:
        options = ({} if spec.get("directions") is None
                   else {"max_coordinates": 0, "directions": spec["directions"]})
        report = gradcheck.check_gradient(lambda p: float(run(p, spec["loss"])),
                                          lambda p: run(p, spec["grads"]), args[spec["wrt"]],
                                          rng, **options)
    except NotImplementedError:
        return False, f"gradient check of {function}: not implemented yet"
    except Exception as exc:
        return False, f"gradient check of {function}: raised {_last_frame(exc)}"
    if report.status == gradcheck.FAILED:
        return False, (f"gradient check of {function}: your gradients disagree with central "
                       f"differences of your own loss.\n{report.message}")
    return True, ""


def differs(got, want, rtol: float, atol: float, where: str = "") -> str | None:
    """None when got matches want within the tolerances; otherwise the first difference."""
    if isinstance(want, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return f"expected a tuple of {len(want)} items{where}"
        for index, (mine, theirs) in enumerate(zip(got, want)):
            problem = differs(mine, theirs, rtol, atol, f"{where} in item {index + 1}")
            if problem:
                return problem
        return None
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return f"expected a dict with keys {sorted(want)}{where}"
        for key in want:
            problem = differs(got[key], want[key], rtol, atol, f"{where} at key {key!r}")
            if problem:
                return problem
        return None
    if isinstance(want, str) or want is None:
        return None if got == want else f"returned {got!r}, expected {want!r}{where}"
    try:
        mine = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"returned {type(got).__name__}, expected numbers{where}"
    theirs = np.asarray(want, dtype=np.float64)
    if mine.shape != theirs.shape:
        return f"shape {mine.shape}, expected {theirs.shape}{where}"
    scale = max(1.0, float(np.max(np.abs(theirs), initial=0.0, where=np.isfinite(theirs))))
    close = np.isclose(mine, theirs, rtol=rtol, atol=atol * scale, equal_nan=True)
    if close.all():
        return None
    at = tuple(int(i) for i in np.argwhere(~close)[0])
    return (f"differs at {list(at) if at else 'the value'}{where}: yours {mine[at]:.6g}, "
            f"expected {theirs[at]:.6g} ({int((~close).sum())} of {close.size} entries differ)")


def decode(value):
    """The inverse of handout.encode."""
    if isinstance(value, dict):
        if "ndarray" in value:
            return np.array(value["ndarray"], dtype=value["dtype"]).reshape(value["shape"])
        if "tuple" in value:
            return tuple(decode(item) for item in value["tuple"])
        return {key: decode(item) for key, item in value["dict"].items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def _last_frame(exc: BaseException) -> str:
    """`Error: message (file, line n)` for the innermost frame of the student's own code."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
              if not re.search(r"[/\\]selfcheck[/\\]", frame.filename)]
    where = f" ({Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def main(argv: list | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = Path(argv[0]) if argv else Path.cwd()
    public = json.loads((Path(__file__).parent / PUBLIC_FILE).read_text(encoding="utf-8"))
    print(f"Self-check of {public['title']} in {folder.resolve()}")
    problems = 0
    if public.get("has_answers", True):
        print(f"{public['answers_file']}:")
        lines, answer_problems = check_answers(public, folder)
        print("\n".join(lines))
        problems += answer_problems
    if public.get("code_files"):
        print(f"{', '.join(public['code_files'])}:")
        lines, code_problems = check_code(public, folder)
        print("\n".join(lines))
        problems += code_problems
    print()
    if problems:
        print(f"{problems} item(s) to fix or fill in before you submit.")
    else:
        print("Every item passes the self-check.")
    print("This checks the form of your answers, not whether they are right, and your code on "
          "the public cases only.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
