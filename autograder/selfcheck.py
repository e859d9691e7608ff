"""The students' self-check: the grader's own checks, run on what the handout may know.

This module is copied into every handout as `selfcheck/__main__.py` (handout.py), beside copies of
the grader modules it imports and a `public.json`: the public projection of each question. Nothing
here compares anything itself: each question's kind checks it from its projection alone (its
module's self_check, kinds/base.py):
- a code question's projection is its visible cases with the reference's outputs on their public
  inputs (stored as data), its gradient check and its visible custom checks (their files copied
  beside this one); kinds/code.from_public rebuilds the grader's Code check from it, and the
  self-check grades the student's file with that check, run in this process (local_code.py):
  the same calls, input-mutation rule, comparisons, messages and numbering as on Gradescope.
  What the instructor marked `visibility: hidden` stays on Gradescope, as do the grader's own
  random inputs, drawn from a secret seed;
- an answer's projection holds no key, so only its form is checked (choice letters that exist,
  numbers that parse, formulas in the allowed variables), with the grader's own readers and
  their messages.

Run from the handout's folder: `python3 -m selfcheck [--json] [folder]`. Each item is `pass`,
`fail`, `unanswered` or `hidden` (checked on Gradescope only); the exit status is 1 when any item
fails or is unanswered.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .errors import SubmissionError
from .kinds import kind
from .kinds.base import is_blank
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
        if not question["answered_in_file"]:
            if submission is None:
                from .kinds.code.local_code import LocalSubmission
                submission = LocalSubmission(folder, tuple(public["code_files"]))
            status, message = check_item(question, submission, here)
        elif answers_problem is not None:
            status, message = "fail", answers_problem
        elif is_blank(answers.get(question["id"])):
            status, message = "unanswered", "not answered yet"
        else:
            status, message = check_item(question, answers[question["id"]], here)
        items.append({"id": question["id"], "number": question["number"],
                      "title": question["title"], "status": status, "message": message})
    known = {question["id"] for question in public["questions"]}
    for unknown in sorted(set(answers) - known):
        items.append({"id": unknown, "number": "", "title": "", "status": "fail",
                      "message": f"{unknown!r} in {public['answers_file']} is not a question id "
                                 "(a typo?); the ids are in ASSIGNMENT.md"})
    return items


def check_item(question: dict, answer, here: Path) -> tuple:
    """(status, message) of one question: its kind's self_check of the answer (an entry of
    the answers file, or the submission for a question answered in code)."""
    return kind(question["kind"]).self_check(question, answer, here / ASSIGNMENT_FILES)


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
