"""The engine when the grader itself fails: a bug of ours costs one item's automatic grade, or
turns the whole run into a report that says so; it never stops results.json being written."""

import dataclasses

import pytest

from autograder.engine import grade, grade_folder
from autograder.kinds.base import Check, Verdict
from autograder.spec import load_assignment
from autograder.submission import Submission
from conftest import EXAMPLES, PROBLEMS

QUIZ = PROBLEMS / "nn3-quiz"
CORRECT = EXAMPLES / "nn3-quiz" / "correct"


class _BrokenGrade(Check):
    def grade(self, question_id, submission):
        raise ZeroDivisionError("a bug in the grader")


class _BrokenExplain(Check):
    def grade(self, question_id, submission):
        return Verdict(1.0, "fine")

    def explain(self, verdict, reveal):
        raise ZeroDivisionError("a bug in the grader")


@pytest.mark.parametrize("check", [_BrokenGrade(), _BrokenExplain()])
def test_an_internal_error_costs_only_its_item(capsys, check):
    quiz = load_assignment(QUIZ)
    broken = dataclasses.replace(quiz.questions[0], check=check)
    quiz = dataclasses.replace(quiz, questions=(broken,) + quiz.questions[1:])
    report = grade(quiz, Submission(CORRECT, quiz.answers_file, quiz.code_files))
    first, *others = report.tests
    assert first.score == 0 and "internal error" in first.output
    assert "grade it by hand" in first.output
    assert all(test.score == test.max_score for test in others)
    # The instructor gets the traceback; the student does not.
    assert "ZeroDivisionError: a bug in the grader" in capsys.readouterr().err
    assert "ZeroDivisionError" not in first.output


def test_an_internal_error_before_grading_is_a_failed_report(capsys):
    def load(folder, student):
        raise KeyError("a bug while loading")

    report = grade_folder(QUIZ, CORRECT, load=load)
    assert report.failure == "internal" and report.score == 0
    assert "KeyError: 'a bug while loading'" in capsys.readouterr().err
