"""The students' self-check: the grader's own checks, run on what the handout may know.

This module is copied into every handout as `selfcheck/__main__.py` (handout.py), beside copies of
the grader modules it imports and a `public.json`: the public projection of each question. Nothing
here compares anything itself:
- a code question's projection is its visible cases with the reference's outputs on their public
  inputs (stored as data), its gradient check and its visible custom checks (their files copied
  beside this one); kinds/code.from_public rebuilds the grader's Code check from it, and the
  self-check grades the student's file with that check, run in this process (local_code.py):
  the same calls, input-mutation rule, comparisons, messages and numbering as on Gradescope.
  What the instructor marked `visibility: hidden` stays on Gradescope, as do the grader's own
  random inputs, drawn from a secret seed;
- an answer's projection holds no key, so only its form is checked (choice letters that exist,
  numbers that parse, formulas in the allowed variables), with the grader's own parsers.

Run from the handout's folder: `python3 -m selfcheck [--json] [folder]`. Each item is `pass`,
`fail`, `unanswered` or `hidden` (checked on Gradescope only); the exit status is 1 when any item
fails or is unanswered.
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
ASSIGNMENT_FILES = "assignment"   # the instructor's files a visible custom check needs
MARKS = {"pass": "✓", "fail": "✗", "unanswered": "✗", "hidden": "·"}


def check_folder(public: dict, folder: Path, here: Path | None = None) -> list:
    """Every item of the assignment: [{id, number, title, status, message}], in spec order.

    here: the self-check's own folder (the custom checks' files are under it).
    """
    here = Path(__file__).parent if here is None else here
    answers, answers_problem = {}, None
    if public["has_answers"]:
        try:
            answers = load_answers_file(folder / public["answers_file"])
        except SubmissionError as exc:
            answers_problem = exc.message
    submission = None
    items = []
    for question in public["questions"]:
        if question["kind"] == "code":
            if submission is None:
                from .local_code import LocalSubmission
                submission = LocalSubmission(folder, tuple(public["code_files"]))
            status, message = check_code(question, submission, here)
        elif answers_problem is not None:
            status, message = "fail", answers_problem
        else:
            status, message = check_answer(question, answers.get(question["id"]))
        items.append({"id": question["id"], "number": question["number"],
                      "title": question["title"], "status": status, "message": message})
    known = {question["id"] for question in public["questions"]}
    for unknown in sorted(set(answers) - known):
        items.append({"id": unknown, "number": "", "title": "", "status": "fail",
                      "message": f"{unknown!r} in {public['answers_file']} is not a question id "
                                 "(a typo?); the ids are in ASSIGNMENT.md"})
    return items


def check_code(question: dict, submission, here: Path) -> tuple:
    """(status, message): the grader's check of this question, on its public projection."""
    from .kinds.code import from_public
    projection = question.get("code")
    if projection is None:
        return "hidden", "checked on Gradescope only"
    check = from_public(projection, here / ASSIGNMENT_FILES)
    if not (check.cases or check.gradient or check.custom):
        return "hidden", "checked on Gradescope only"
    verdict = check.grade(question["id"], submission)
    later = (f" ({check.hidden_units} more check(s) on Gradescope)"
             if check.hidden_units else "")
    if verdict.fraction == 1.0:
        return "pass", verdict.feedback + later
    return ("unanswered" if verdict.unanswered else "fail"), verdict.feedback


def check_answer(question: dict, raw) -> tuple:
    """(status, message) for one answer: is it in a form the grader reads? Never whether it is
    right: the projection holds no key."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return "unanswered", "not answered yet"
    kind = question["kind"]
    if kind == "choice":
        picks, problem = parse_picks(raw, tuple(question["letters"]))
        return ("fail", problem) if problem else ("pass", f"reads as {', '.join(sorted(picks))}")
    if kind == "numeric":
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return "fail", "answer with a single number"
        try:
            value = parse_number(raw)
        except FormulaError as exc:
            return "fail", f"not a number: {exc.message}"
        if not math.isfinite(value):
            return "fail", f"{raw} is not a finite number"
        return "pass", f"reads as {value:.6g}"
    if kind in ("expression", "derivative"):
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return "fail", "answer with a formula written as text"
        try:
            formula = parse(str(raw), question["names"])
        except FormulaError as exc:
            return "fail", f"cannot be read: {exc.message}"
        return "pass", f"reads as `{formula.text}` (uses only {', '.join(question['names'])})"
    return "hidden", "checked on Gradescope only"


def table(items: list) -> str:
    """The items as the terminal shows them: one line each, a message's later lines indented."""
    lines = []
    for item in items:
        label = f"{item['number']:>3}. {item['id']}" if item["number"] else item["id"]
        message = item["message"].strip().replace("\n", "\n      ")
        lines.append(f"  {MARKS[item['status']]} {label}: {message}")
    return "\n".join(lines)


def main(argv: list | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    as_json = "--json" in argv
    argv = [arg for arg in argv if arg != "--json"]
    folder = Path(argv[0]) if argv else Path.cwd()
    public = json.loads((Path(__file__).parent / PUBLIC_FILE).read_text(encoding="utf-8"))
    items = check_folder(public, folder)
    to_fix = sum(item["status"] in ("fail", "unanswered") for item in items)
    if as_json:
        print(json.dumps({"items": [{key: item[key] for key in ("id", "status", "message")}
                                    for item in items]}, indent=1, ensure_ascii=False))
        return 1 if to_fix else 0
    print(f"Self-check of {public['title']} in {folder.resolve()}")
    print(table(items))
    print()
    if to_fix:
        print(f"{to_fix} item(s) to fix or fill in before you submit.")
    else:
        print("Every item passes the self-check.")
    print("Answers are checked for their form only, not whether they are right; code on the "
          "public cases, Gradescope also grades it on inputs of its own.")
    return 1 if to_fix else 0


if __name__ == "__main__":
    sys.exit(main())
