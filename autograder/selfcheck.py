"""The students' self-check: are my answers in a form the grader can read?

This module is copied into every handout as `selfcheck/__main__.py` (handout.py), beside copies of
the few grader modules it imports and a `public.json` of what may be told: the question ids,
kinds, choice letters and the names a formula may use. No answer is in there, so the check is
about form only: choice letters that exist, numbers that parse, formulas that parse in the
allowed variables. The grader reads answers with the very same code, so a well-formed answer
here is a readable one on Gradescope.

Run from the handout's folder: `python3 -m selfcheck` (or `python3 -m selfcheck path/to/folder`).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from .errors import FormulaError, SubmissionError
from .formula import parse, parse_number
from .kinds.choice import parse_picks
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


def main(argv: list | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = Path(argv[0]) if argv else Path.cwd()
    public = json.loads((Path(__file__).parent / PUBLIC_FILE).read_text(encoding="utf-8"))
    print(f"Self-check of {public['title']} in {folder.resolve()}")
    print(f"{public['answers_file']}:")
    lines, problems = check_answers(public, folder)
    print("\n".join(lines))
    print()
    if problems:
        print(f"{problems} answer(s) to fix or fill in before you submit.")
    else:
        print("Every answer is in a form the grader reads.")
    print("This checks the form of your answers, not whether they are right.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
