"""The `autograder` command as users run it: `python3 -m autograder ...`, every subcommand,
errors as one line on stderr and an exit code, never a traceback."""

import os
import stat
import subprocess
import sys

import pytest

from autograder.cli import main
from conftest import EXAMPLES, PROBLEMS, ROOT, load_results

QUIZ = PROBLEMS / "nn3-quiz"


def run(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=env)


def test_help_lists_every_command():
    done = run("--help")
    assert done.returncode == 0
    for command in ("grade", "validate", "build", "show", "new", "schema"):
        assert command in done.stdout


def test_grade_student_grades_that_students_variant(tmp_path, results_path):
    correct = EXAMPLES / "nn3-quiz" / "correct"   # the default variant's answers
    assert main(["grade", str(QUIZ), str(correct), "--results", str(results_path),
                 "--quiet"]) == 0
    default = {t["name"]: t["status"] for t in load_results(results_path)["tests"]}
    assert set(default.values()) == {"passed"}
    assert main(["grade", str(QUIZ), str(correct), "--results", str(results_path), "--quiet",
                 "--student", "alice@example.edu"]) == 0
    alice = {t["name"]: t["status"] for t in load_results(results_path)["tests"]}
    assert [name for name, status in alice.items() if status == "failed"] == [
        "Chain rule: your own numbers"]


def test_grade_with_unreadable_metadata_still_writes_results(tmp_path, results_path):
    (tmp_path / "metadata.json").write_text("{not json")
    assert main(["grade", str(QUIZ), str(EXAMPLES / "nn3-quiz" / "correct"), "--results",
                 str(results_path), "--quiet", "--metadata", str(tmp_path / "metadata.json")]) == 2
    assert "cannot be read" in load_results(results_path)["output"]


@pytest.mark.parametrize("args, words", [
    (["validate", "problems/nowhere"], "no assignment.yaml in problems/nowhere"),
    (["show", "problems/nowhere"], "no assignment.yaml"),
    (["build", "problems/nowhere", "--student", "-o", "x.zip"], "no assignment.yaml"),
    (["new", "problems/nn3-quiz"], "already exists"),
])
def test_input_errors_are_one_line_and_exit_2(args, words):
    done = run(*args)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and words in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("make", ["nothing", "a file"])
def test_grading_a_missing_submission_folder_is_exit_2_not_a_graded_0(tmp_path, make):
    """A wrong path on the command line is the caller's mistake, not a student's empty work."""
    submission = tmp_path / "submission"
    if make == "a file":
        submission.write_text("answers")
    results = tmp_path / "results.json"
    done = run("grade", QUIZ, submission, "--results", results)
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith("error: ") and str(submission) in done.stderr
    written = load_results(results)
    assert written["score"] == 0 and written["tests"][0]["status"] == "failed"
    assert str(submission) in written["tests"][0]["output"]


def test_an_empty_submission_folder_is_graded(tmp_path):
    """The counterpart: a folder that exists but holds nothing is a submission, scored 0."""
    (tmp_path / "submission").mkdir()
    done = run("grade", QUIZ, tmp_path / "submission", "--results", tmp_path / "results.json",
               "--quiet")
    assert done.returncode == 0, done.stderr
    assert load_results(tmp_path / "results.json")["score"] == 0


def test_validate_exits_1_when_the_spec_has_a_problem(tmp_path):
    spec = (QUIZ / "assignment.yaml").read_text()
    (tmp_path / "quiz").mkdir()
    (tmp_path / "quiz" / "assignment.yaml").write_text(spec)   # no solution/: code-free, valid
    assert run("validate", tmp_path / "quiz").returncode == 0
    loose = spec.replace("answer: 1.5^100\n    sigfigs: 3", "answer: 1.5^100\n    rtol: 10")
    assert loose != spec
    (tmp_path / "quiz" / "assignment.yaml").write_text(loose)
    done = run("validate", tmp_path / "quiz")
    assert done.returncode == 1, done.stdout
    assert "a wrong answer gets full marks" in done.stdout


def test_an_internal_error_is_exit_3_with_results_still_written(tmp_path, monkeypatch):
    from autograder import engine

    def broken(assignment, submission):
        raise RuntimeError("a bug of ours")
    monkeypatch.setattr(engine, "grade", broken)
    results = tmp_path / "results.json"
    assert main(["grade", str(QUIZ), str(EXAMPLES / "nn3-quiz" / "correct"), "--results",
                 str(results), "--quiet"]) == 3
    assert "internal error" in load_results(results)["output"]


def test_build_needs_a_target_and_an_output():
    done = run("build", "problems/nn3-quiz")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--gradescope" in done.stderr


def test_grade_output_arrives_whole_before_the_fast_exit(tmp_path):
    """run() ends the process with os._exit; what grade printed to a pipe (block-buffered)
    must still arrive in full, and the exit code must be main()'s."""
    results = tmp_path / "results.json"
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = run("grade", QUIZ, EXAMPLES / "nn3-quiz" / "correct", "--results", results,
               env=buffered)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(f"results written to {results}")
    assert load_results(results)["tests"]


def test_the_command_asks_for_one_blas_thread_unless_told_otherwise(monkeypatch):
    """OpenBLAS's start-up threads spin, and slowed the grader's numpy import beside a worker's."""
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert main(["schema"]) == 0
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["OMP_NUM_THREADS"] == "4"


@pytest.mark.parametrize("command", ["grade", "build"])
def test_output_that_is_not_a_file_is_written_into_never_replaced(tmp_path, command):
    """`--results /dev/null` (or `-o`) must not replace the device with a file: as root that
    leaves the whole machine a root-only regular /dev/null. A FIFO stands in for the device."""
    import threading

    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    if command == "grade":
        args = ["grade", str(QUIZ), str(EXAMPLES / "nn3-quiz" / "correct"), "--results",
                str(fifo), "--quiet"]
    else:
        args = ["build", str(QUIZ), "--gradescope", "--no-verify", "-o", str(fifo)]
    assert main(args) == 0
    reader.join(timeout=10)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and (received[0].startswith(b"{") if command == "grade"
                         else received[0].startswith(b"PK"))
