"""Grading one submission: spec -> submission -> checks -> Report.

The engine loops over the assignment's questions and asks each one's Check for a Verdict; it
knows the Check interface (kinds/base.py), not the kinds. One question's failure, expected or not,
never stops the others: it becomes that question's failing test with a message. A failure of
ours is never the student's 0: a GraderFault (the sandbox could not do its job) leaves the whole
submission not graded; a bug of ours (any other exception) that item, and the report says the
submission must be regraded.
"""

from __future__ import annotations

import time
from pathlib import Path

from .errors import AutograderError, GraderFault
from .kinds.base import Verdict
from .results import NOT_GRADED, Report, TestResult, setup_failure
from .spec import Assignment, load_assignment
from .submission import Submission


def grade_folder(assignment_dir: Path | str, submission_dir: Path | str, *, student: str = "",
                 pool=None, load=load_assignment) -> Report:
    """Grade a submission folder against an assignment folder, whatever goes wrong.

    A broken spec or folder, or a bug of ours, becomes a failing report (report.failure says
    which) and a message on stderr, never an exception. student: whose variant (spec params);
    pool: a sandbox WorkerPool to fork workers from; load(folder, student): how to load the spec
    (regrade caches it).
    """
    title = Path(assignment_dir).name
    try:
        assignment = load(assignment_dir, student)
        title = assignment.title
        if not Path(submission_dir).is_dir():
            # Nothing was submitted to grade: the command was given a wrong path, which is not
            # the student's 0 (exit 2, like a broken spec).
            raise AutograderError(f"the submission folder {submission_dir} does not exist"
                                  if not Path(submission_dir).exists() else
                                  f"the submission {submission_dir} is not a folder")
        submission = Submission(submission_dir, assignment.answers_file, assignment.code_files,
                                support=assignment.support, pool=pool)
        return grade(assignment, submission)
    except GraderFault as exc:  # ours, not the submission's: not graded, to be graded again
        return _logged(setup_failure(title, str(exc), failure="internal"), f"error: {exc}")
    except AutograderError as exc:
        return _logged(setup_failure(title, str(exc), failure="input"), f"error: {exc}")
    except Exception:
        return _logged(setup_failure(title, "internal error in the autograder",
                                     failure="internal"), f"internal error:\n{_traceback()}")


def _logged(report: Report, line: str) -> Report:
    report.log.append(line)
    return report


def grade(assignment: Assignment, submission: Submission) -> Report:
    started = time.perf_counter()
    report = Report(assignment.title)
    submission.start()
    try:
        for question in assignment.questions:
            verdict, feedback = _grade_one(question, submission, report.log)
            report.tests.append(TestResult(
                number=question.number, name=question.title,
                score=round(verdict.fraction * question.points, 6), max_score=question.points,
                output=feedback, visibility=question.visibility, answer=verdict.answer,
                mistakes=verdict.mistakes, broken=verdict.mistakes == (INTERNAL_ERROR,)))
    finally:
        submission.close()
    if any(test.broken for test in report.tests):
        report.failure = "internal"
    report.notes += submission.notes
    report.log += submission.log
    if submission.answers_error is not None:
        report.notes.append(f"Your answers could not be read: {submission.answers_error.message}")
    report.execution_time = time.perf_counter() - started
    return report


def _grade_one(question, submission: Submission, log: list) -> tuple:
    """(verdict, feedback) for one question, whatever its check does; a bug of ours gives the
    verdict whose mistake is INTERNAL_ERROR (the item is not graded, its traceback goes to the
    instructor's log); a GraderFault goes up."""
    try:
        verdict = question.check.grade(question.id, submission)
        return verdict, question.check.explain(verdict, question.reveal)
    except GraderFault:  # the whole submission is not graded (grade_folder reports it)
        raise
    except AutograderError as exc:
        return Verdict(0.0, exc.message, mistakes=(UNREADABLE_SUBMISSION,)), exc.message
    except Exception:  # a bug of ours must cost the student nothing: the item is regraded
        log.append(f"{internal_error_heading(question.id)}\n{_traceback()}")
        return Verdict(0.0, NOT_GRADED, mistakes=(INTERNAL_ERROR,)), NOT_GRADED


def internal_error_heading(question_id: str) -> str:
    """The first line of an item's internal error in the instructor's log (validate finds it)."""
    return f"internal error grading {question_id}:"


UNREADABLE_SUBMISSION = "the submission could not be read"
INTERNAL_ERROR = "internal error of the autograder"


def _traceback() -> str:
    """The exception being handled, for an internal error (traceback is imported only then)."""
    import traceback
    return traceback.format_exc()
