"""Grading one submission: spec -> submission -> checks -> Report.

The engine loops over the assignment's questions and asks each one's Check for a Verdict; it
knows the Check interface (kinds/base.py), not the kinds. One question's failure, expected or not,
never stops the others: it becomes that question's failing test with a message.
"""

from __future__ import annotations

import sys
import time
import traceback

from .errors import AutograderError
from .kinds.base import Verdict
from .results import Report, TestResult
from .spec import Assignment
from .submission import Submission


def grade(assignment: Assignment, submission: Submission) -> Report:
    started = time.perf_counter()
    report = Report(assignment.title)
    submission.start()
    try:
        for question in assignment.questions:
            verdict = _grade_one(question, submission)
            feedback = question.check.explain(verdict, question.reveal)
            report.tests.append(TestResult(
                number=question.number, name=question.title,
                score=round(verdict.fraction * question.points, 6), max_score=question.points,
                output=feedback, visibility=question.visibility))
    finally:
        submission.close()
    report.notes += submission.notes
    if submission.answers_error is not None:
        report.notes.append(f"Your answers could not be read: {submission.answers_error.message}")
    report.execution_time = time.perf_counter() - started
    return report


def _grade_one(question, submission: Submission) -> Verdict:
    try:
        return question.check.grade(question.id, submission)
    except AutograderError as exc:
        return Verdict(0.0, exc.message)
    except Exception:  # a bug of ours must cost the student nothing but this item's automatic grade
        print(f"internal error grading {question.id}:\n{traceback.format_exc()}", file=sys.stderr)
        return Verdict(0.0, "The autograder hit an internal error on this item; your instructor "
                            "has the details and will grade it by hand.")
