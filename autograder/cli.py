"""The `autograder` command: the one place where errors become messages and exit codes.

Exit codes: 0 the command did its job (for `grade`: grading completed, whatever the score);
2 the input was wrong (a spec error, a missing folder); 3 an internal error. `grade` writes a valid
results.json in every case.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from . import __version__, engine
from .errors import AutograderError
from .results import render_table, setup_failure, write_results
from .spec import load_assignment
from .submission import Submission

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 3


def main(argv: list | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except AutograderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one submission; write results.json")
    grade.add_argument("assignment", type=Path, help="folder holding assignment.yaml")
    grade.add_argument("submission", type=Path, help="folder holding the student's files")
    grade.add_argument("--results", type=Path, default=Path("results.json"),
                       help="where to write Gradescope's results.json (default ./results.json)")
    grade.add_argument("--quiet", action="store_true", help="do not print the score table")
    grade.set_defaults(run=_grade)
    return parser


def _grade(args) -> int:
    title = args.assignment.name
    try:
        assignment = load_assignment(args.assignment)
        title = assignment.title
        submission = Submission(args.submission, assignment.answers_file, assignment.code_files)
        report = engine.grade(assignment, submission)
        status = EXIT_OK
    except AutograderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        report, status = setup_failure(title, str(exc)), EXIT_INPUT
    except Exception:
        print(f"internal error:\n{traceback.format_exc()}", file=sys.stderr)
        report, status = setup_failure(title, "internal error in the autograder"), EXIT_INTERNAL
    write_results(report, args.results)
    if not args.quiet:
        print(render_table(report))
        print(f"\nresults written to {args.results}")
    return status


if __name__ == "__main__":
    sys.exit(main())
