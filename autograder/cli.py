"""The `autograder` command: the one place where errors become messages and exit codes.

  grade      grade one submission; write results.json
  validate   check a spec: its key gets full marks, blank and wrong answers lose every item
  build      the Gradescope autograder zip (--gradescope) or the students' handout (--student)
  show       one student's variant of the prompts, as Markdown
  preview    every question as one self-contained HTML page, math typeset
  new        a new assignment with a commented spec that validates
  schema     the JSON Schema of assignment.yaml, for editors
  regrade    grade a Gradescope export: every results.json, a gradebook and a summary
  doctor     which sandbox protections this machine gives student code

Exit codes: 0 the command did its job (for `grade`: grading completed, whatever the score;
for `validate`: the spec is valid); 1 `validate` found problems; 2 the input was wrong (a spec
error, a missing folder); 3 an internal error. `grade` writes a valid results.json in every case.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import AutograderError

EXIT_OK, EXIT_INVALID, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def main(argv: list | None = None, *, entry_point: bool = False) -> int:
    """entry_point: this call is the process's own start (run()), so nothing secret has been
    read in it yet: `grade` may then fork the sandbox's keeper from it."""
    _one_blas_thread()
    parser = _parser()
    args = parser.parse_args(argv)
    args.entry_point = entry_point
    try:
        return args.run(args)
    except AutograderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:
        import traceback
        print(f"internal error in the autograder:\n{traceback.format_exc()}", file=sys.stderr)
        return EXIT_INTERNAL


def _one_blas_thread() -> None:
    """Ask numpy's BLAS for one thread, before numpy is imported (unless the user chose).

    The grader's matrices are tiny, and OpenBLAS's threads spin while they start: next to a
    worker importing numpy on the other core, they made the grader's own import of numpy take
    90-100 ms instead of 53 (with one thread, 53 ms next to it as well as alone).
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def run() -> None:
    """The process's entry point: main(), then exit at once.

    By the time main() returns, results.json is written and every worker has been stopped; the
    interpreter's teardown would only free memory the kernel frees anyway, and it takes a tenth
    of a whole `grade` (35-40 ms of finalizing numpy and our modules, measured).
    """
    code = main(entry_point=True)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing left to say on it
            pass
    os._exit(code)


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
    who = grade.add_mutually_exclusive_group()
    who.add_argument("--student", default="", metavar="ID",
                     help="grade this student's variant (their email) when the spec has params")
    who.add_argument("--metadata", type=Path, metavar="PATH",
                     help="Gradescope's submission_metadata.json, to tell whose variant to grade")
    grade.set_defaults(run=_grade)

    validate_command = commands.add_parser(
        "validate", help="check a spec against its key, a blank and wrong answers")
    validate_command.add_argument("assignment", type=Path, help="folder holding assignment.yaml")
    validate_command.set_defaults(run=_validate)

    build_command = commands.add_parser(
        "build", help="build the Gradescope zip or the student handout")
    build_command.add_argument("assignment", type=Path, help="folder holding assignment.yaml")
    target = build_command.add_mutually_exclusive_group(required=True)
    target.add_argument("--gradescope", action="store_true",
                        help="the autograder zip to upload to Gradescope")
    target.add_argument("--student", action="store_true",
                        help="the handout: starter files, prompts and the self-check")
    build_command.add_argument("-o", "--output", type=Path, required=True, help="the zip to write")
    build_command.add_argument("--no-verify", action="store_true",
                               help="with --gradescope: skip grading the solution through the "
                                    "zip before writing it")
    build_command.set_defaults(run=_build)

    show_command = commands.add_parser("show", help="print a student's variant of the prompts")
    show_command.add_argument("assignment", type=Path, help="folder holding assignment.yaml")
    show_command.add_argument("--student", default="", metavar="ID",
                              help="whose variant: the student's email (default: none)")
    show_command.set_defaults(run=_show)

    preview_command = commands.add_parser(
        "preview", help="one self-contained HTML page of every question, math typeset")
    preview_command.add_argument("assignment", type=Path, help="folder holding assignment.yaml")
    preview_command.add_argument("-o", "--output", type=Path, required=True,
                                 help="the HTML file to write")
    preview_command.add_argument("--student", default="", metavar="ID",
                                 help="show this student's values of the params (default: ⟨name⟩)")
    preview_command.set_defaults(run=_preview)

    new_command = commands.add_parser("new", help="scaffold an assignment with a commented spec")
    new_command.add_argument("folder", type=Path, help="the assignment's folder, e.g. problems/hw7")
    new_command.add_argument("--code", action="store_true",
                             help="a code assignment: solution, reference, support file, check")
    new_command.set_defaults(run=_new)

    schema_command = commands.add_parser("schema", help="print the JSON Schema of assignment.yaml")
    schema_command.set_defaults(run=_schema)

    regrade = commands.add_parser(
        "regrade", help="grade a Gradescope export; write every results.json, a gradebook "
                        "and a summary")
    regrade.add_argument("assignment", type=Path, help="folder holding assignment.yaml")
    regrade.add_argument("export", type=Path,
                         help="Gradescope's Export Submissions folder (submission_<id>/ folders "
                              "and submission_metadata.yml)")
    regrade.add_argument("-o", "--output", type=Path, required=True,
                         help="where to write <id>/results.json, gradebook.csv and summary.md")
    regrade.add_argument("--force", action="store_true",
                         help="grade every submission again, even those unchanged since last run")
    regrade.add_argument("--jobs", type=int, default=None, metavar="N",
                         help="grader processes (default: one per core)")
    regrade.set_defaults(run=_regrade)

    doctor = commands.add_parser(
        "doctor", help="say which sandbox protections are active here, and why others are not")
    doctor.set_defaults(run=_doctor)
    return parser


def _grade(args) -> int:
    _start_worker_early(args.submission, args.entry_point)
    from . import engine
    from .results import render_table, setup_failure, write_results

    student, report = args.student, None
    if args.metadata is not None:
        from .submission import student_from_metadata
        try:
            student = student_from_metadata(args.metadata)
        except AutograderError as exc:
            print(f"error: {exc}", file=sys.stderr)
            report = setup_failure(args.assignment.name, str(exc))
    if report is None:
        from .sandbox.sandbox import protect
        protect(args.assignment, *([args.metadata] if args.metadata else []))
        report = engine.grade_folder(args.assignment, args.submission, student=student)
    for line in report.log:  # the instructor's log: on Gradescope, its stdout of the run
        print(line, file=sys.stderr)
    write_results(report, args.results)
    if not args.quiet:
        print(render_table(report))
        print(f"\nresults written to {args.results}")
    return {None: EXIT_OK, "input": EXIT_INPUT, "internal": EXIT_INTERNAL}[report.failure]


def _start_worker_early(submission: Path, entry_point: bool) -> None:
    """Start the sandbox's keeper now, before anything secret is read, if the submission holds
    code. As the process's entry point, by forking this process once it has imported numpy
    (which is most of a keeper's start-up: one import of it instead of two, measured 80 ms of
    CPU less per grade); otherwise (main() called from a program that may hold anything) as a
    fresh interpreter, started before this process imports numpy so that the two overlap.

    Decided from the submission's files rather than the spec, whose reading would come first
    and take as long; a spare the spec turns out not to need exits when the grader does.
    """
    from .sandbox import launch

    if submission.is_dir() and any(path.suffix in (".py", ".ipynb")
                                   for path in submission.iterdir()):
        if not (entry_point and launch.fork_spare()):
            launch.start_spare()


# The commands below import what they need when they run, so `grade` loads no more than it uses.

def _regrade(args) -> int:
    from .regrade import run
    return run(args)


def _doctor(args) -> int:
    from .sandbox.sandbox import describe_protections
    from .kinds.code.student_code import STUDENT_LIMITS
    text, can_grade = describe_protections(STUDENT_LIMITS)
    print(text)
    return EXIT_OK if can_grade else EXIT_INVALID


def _validate(args) -> int:
    from .validate import render, validate
    outcome = validate(args.assignment, show_progress=True)
    print(render(outcome))
    return EXIT_OK if outcome.ok else EXIT_INVALID


def _build(args) -> int:
    if args.gradescope:
        from .gradescope import build_zip
        contents = build_zip(args.assignment, args.output, verify=not args.no_verify)
        proof = "" if args.no_verify else "; the solution gets full marks through its run_autograder"
    else:
        from .handout import build_handout
        contents, proof = build_handout(args.assignment, args.output), ""
    print(f"wrote {args.output} ({len(contents)} files){proof}")
    return EXIT_OK


def _show(args) -> int:
    from .preview import render_markdown
    from .spec import load_assignment
    print(render_markdown(load_assignment(args.assignment, student=args.student)))
    return EXIT_OK


def _preview(args) -> int:
    from .preview import write_preview
    problems = write_preview(args.assignment, args.output, student=args.student)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    print(f"wrote {args.output}")
    return EXIT_OK


def _new(args) -> int:
    from .scaffold import new_assignment
    spec = new_assignment(args.folder, code=args.code)
    written = sorted(str(path) for path in spec.parent.rglob("*") if path.is_file())
    print(f"wrote {', '.join(written)}\nnext: python3 -m autograder validate {args.folder}")
    return EXIT_OK


def _schema(args) -> int:
    from .schema import schema_text
    sys.stdout.write(schema_text())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
