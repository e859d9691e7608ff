"""The engine when the grader itself fails: a bug of ours costs one item's automatic grade, or
turns the whole run into a report that says so; it never stops results.json being written."""

import dataclasses

import pytest

from autograder.engine import grade, grade_folder
from autograder.kinds.base import Check, Verdict
from autograder.results import to_gradescope
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
    broken = quiz.questions[0]._replace(check=check)
    quiz = dataclasses.replace(quiz, questions=(broken,) + quiz.questions[1:])
    report = grade(quiz, Submission(CORRECT, quiz.answers_file, quiz.code_files))
    first, *others = report.tests
    assert first.broken and first.status == "failed" and "Not graded" in first.output
    assert "must be regraded" in first.output and "must be regraded" in report.summary()
    assert report.failure == "internal"
    assert all(test.score == test.max_score and not test.broken for test in others)
    # The instructor's log gets the traceback (the CLI prints it); the student does not.
    assert any("ZeroDivisionError: a bug in the grader" in line for line in report.log)
    assert "ZeroDivisionError" not in first.output and "ZeroDivisionError" not in str(
        to_gradescope(report))
    assert capsys.readouterr().err == ""  # a library prints nothing


def test_an_internal_error_before_grading_is_a_failed_report(capsys):
    def load(folder, student):
        raise KeyError("a bug while loading")

    report = grade_folder(QUIZ, CORRECT, load=load)
    assert report.failure == "internal" and report.score == 0
    assert any("KeyError: 'a bug while loading'" in line for line in report.log)
    assert capsys.readouterr().err == ""


def test_a_sandbox_that_cannot_start_leaves_the_submission_not_graded(monkeypatch, tmp_path,
                                                                     capsys):
    """A failure of ours (here: no space left for the worker's folder) is never the student's 0:
    results.json says the submission was not graded and must be regraded."""
    import errno
    import shutil

    from autograder.kinds.code import student_code
    from autograder.results import write_results
    from conftest import load_results

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(student_code, "Sandbox", no_space)
    (tmp_path / "sub").mkdir()
    shutil.copy(PROBLEMS / "hw6" / "solution" / "hw6.py", tmp_path / "sub" / "hw6.py")
    report = grade_folder(PROBLEMS / "hw6", tmp_path / "sub")
    assert report.failure == "internal"
    write_results(report, tmp_path / "results.json")
    results = load_results(tmp_path / "results.json")
    [test] = results["tests"]
    assert "not graded" in test["output"] and "must be regraded" in test["output"]
    assert "No space left on device" in test["output"]
    assert test["extra_data"] == {"not_graded": True}
    assert any("No space left" in line for line in report.log)
    assert capsys.readouterr().err == ""
