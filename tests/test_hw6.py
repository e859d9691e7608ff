"""HW6 graded end to end on the corpus: correct variants, one-bug submissions, hostile code.

Each corpus file says in its docstring which functions must lose points (tests/corpus/hw6/README.md);
these tests hold the grader to that, so no expected score here is hand-written.
"""

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from autograder.engine import grade
from autograder.results import write_results
from autograder.spec import load_assignment
from autograder.submission import Submission
from conftest import PROBLEMS, ROOT, load_results

CORPUS = ROOT / "tests" / "corpus" / "hw6"
HW6 = PROBLEMS / "hw6"


@pytest.fixture(scope="module")
def hw6():
    return load_assignment(HW6)


def grade_file(assignment, source: Path, tmp_path, results_path=None):
    """Grade `source` as a student's hw6.py; returns ({function: (score, max, output)}, results)."""
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    shutil.copy(source, folder / "hw6.py")
    report = grade(assignment, Submission(folder, assignment.answers_file, assignment.code_files))
    results_path = results_path or tmp_path / "results.json"
    write_results(report, results_path)
    results = load_results(results_path)
    by_function = {q.check.function: (t["score"], t["max_score"], t["output"])
                   for q, t in zip(assignment.questions, results["tests"])}
    return by_function, results


def failed(by_function) -> set:
    return {name for name, (score, top, _) in by_function.items() if score < top}


def tagged(source: Path, tag: str) -> set:
    match = re.search(rf"^(?:\"\"\")?{tag}:\s*(.*)$", source.read_text(), re.MULTILINE)
    if not match:
        return set()
    names = match.group(1).split(":")[0] if tag == "BUG" else match.group(1)
    return {name.strip() for name in names.split(",") if name.strip()}


def test_solution_gets_full_marks(hw6, tmp_path):
    by_function, results = grade_file(hw6, HW6 / "solution" / "hw6.py", tmp_path)
    assert failed(by_function) == set()
    assert results["score"] == sum(q.points for q in hw6.questions)


@pytest.mark.parametrize("source", sorted((CORPUS / "correct").glob("*.py")), ids=lambda p: p.stem)
def test_correct_variants_get_full_marks(hw6, tmp_path, source):
    by_function, _ = grade_file(hw6, source, tmp_path)
    assert failed(by_function) == set(), {f: by_function[f][2] for f in failed(by_function)}


@pytest.mark.parametrize("source", sorted((CORPUS / "buggy").glob("*.py")), ids=lambda p: p.stem)
def test_each_bug_costs_exactly_its_functions(hw6, tmp_path, source):
    by_function, _ = grade_file(hw6, source, tmp_path)
    must_fail = tagged(source, "BUG")
    may_fail = tagged(source, "ALSO")
    assert must_fail, "corpus file without a BUG line"
    assert must_fail <= failed(by_function)
    assert failed(by_function) <= must_fail | may_fail, {
        f: by_function[f][2] for f in failed(by_function) - must_fail - may_fail}


def test_partial_submission_gets_points_for_what_it_implements(hw6, tmp_path):
    by_function, _ = grade_file(hw6, CORPUS / "partial" / "only_activations.py", tmp_path)
    activations = {"sigmoid", "sigmoid_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad"}
    assert set(by_function) - failed(by_function) == activations
    assert "not implemented yet" in by_function["softmax"][2]


SOLUTION_FORWARD = """    H = np.asarray(H, dtype=np.float64)
    mask = rng.random(H.shape) >= p
    return H * mask / (1.0 - p), mask
"""
SOLUTION_BACKWARD = "    return dout * mask / (1.0 - p)\n"


def solution_with(tmp_path, old: str, new: str) -> Path:
    """The solution's hw6.py with one function body replaced."""
    text = (HW6 / "solution" / "hw6.py").read_text()
    assert text.count(old) == 1
    path = tmp_path / "variant.py"
    path.write_text(text.replace(old, new))
    return path


def test_dropout_backward_is_graded_without_the_students_forward(hw6, tmp_path):
    """The skeleton promises every function is graded on its own: a correct backward earns its
    point with forward missing, since the grader draws the mask itself."""
    variant = solution_with(tmp_path, SOLUTION_FORWARD, "    raise NotImplementedError\n")
    by_function, _ = grade_file(hw6, variant, tmp_path)
    # loss_and_grads is the whole network, dropout included (its gradient check has p = 0.3)
    assert failed(by_function) == {"dropout_forward", "loss_and_grads"}
    assert by_function["dropout_backward"][0] == by_function["dropout_backward"][1] == 1


@pytest.mark.parametrize("body", [
    "    dH = np.array(dout, dtype=np.float64)\n    dH[~mask] = 0\n    return dH / (1.0 - p)\n",
    "    return (dout - dout * (1 - mask)) / (1.0 - p)\n",
], ids=["boolean-mask-only", "numeric-mask-only"])
def test_dropout_backward_may_handle_only_its_own_forwards_mask_format(hw6, tmp_path, body):
    """The contract allows a mask of booleans or of 0/1 numbers: a backward written for either
    format (`~mask` fails on floats, `1 - mask` on booleans) is correct."""
    by_function, _ = grade_file(hw6, solution_with(tmp_path, SOLUTION_BACKWARD, body), tmp_path)
    assert failed(by_function) == set(), {f: by_function[f][2] for f in failed(by_function)}


@pytest.mark.parametrize("bug, words", [
    ("dW_transposed", "transpose of the expected result"),
    ("ce_grad_missing_1_over_n", "times N = "),
    ("ce_grad_sign", "-1 (a sign error)"),
    ("dropout_backward_missing_scale", "1 - p"),
    ("softmax_no_shift", "non-finite value"),
    ("db_wrong_axis", "wrong axis"),
    ("softmax_in_place", "modified its input"),
    ("missing_sigmoid_derivative", "disagrees with your own forward pass"),
    ("dropout_p_as_keep", "not the keep one"),
    ("dropout_shared_mask", "drops the same units"),
    ("init_equal_weights", "symmetry"),
    ("predict_probs", "integer labels"),
])
def test_feedback_names_the_mistake(hw6, tmp_path, bug, words):
    by_function, _ = grade_file(hw6, CORPUS / "buggy" / f"{bug}.py", tmp_path)
    feedback = "\n".join(by_function[f][2] for f in failed(by_function))
    assert words in feedback


@pytest.mark.parametrize("folder, line", [("syntax_error", "line 18"), ("import_error", "line 7")])
def test_file_that_does_not_import_scores_zero_with_the_error(hw6, tmp_path, folder, line):
    by_function, results = grade_file(hw6, CORPUS / folder / "hw6.py", tmp_path)
    assert results["score"] == 0 and len(results["tests"]) == len(hw6.questions)
    assert all(line in output for _, _, output in by_function.values())


def test_missing_file_scores_zero_and_says_so(hw6, tmp_path):
    (tmp_path / "empty").mkdir()
    report = grade(hw6, Submission(tmp_path / "empty", hw6.answers_file, hw6.code_files))
    assert report.score == 0
    assert all("hw6.py was not found" in test.output for test in report.tests)


def test_renamed_upload_is_recognised(hw6, tmp_path):
    folder = tmp_path / "renamed"
    folder.mkdir()
    shutil.copy(HW6 / "solution" / "hw6.py", folder / "hw6 (1).py")
    report = grade(hw6, Submission(folder, hw6.answers_file, hw6.code_files))
    assert report.score == report.max_score


def leftover_processes(tag: str, patience: float = 3.0) -> list:
    """Processes whose command line has `tag`, once killed ones have had `patience` s to go."""
    deadline = time.monotonic() + patience
    while True:
        found = _processes_with(tag)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _processes_with(tag: str) -> list:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if tag in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


# Contained only by running student code as another user, which needs a root grader: as an
# ordinary user the grader's files are the student's to read, and kill(-1) reaches the grader.
NEEDS_ANOTHER_USER = {"kill_grader", "read_grader_source"}
HOSTILE = [pytest.param(path, marks=pytest.mark.skipif(
               os.geteuid() != 0 and path.stem in NEEDS_ANOTHER_USER,
               reason="only a root grader runs student code as another user"))
           for path in sorted((CORPUS / "hostile").glob("*.py"))]


@pytest.mark.parametrize("source", HOSTILE, ids=lambda p: p.stem)
def test_hostile_submission_gets_an_honest_score_and_leaves_nothing(hw6, tmp_path, source):
    results_path = tmp_path / "results" / "results.json"
    by_function, results = grade_file(hw6, source, tmp_path, results_path)
    correct = re.search(r"^Correct:\s*(.*)$", source.read_text(), re.MULTILINE).group(1).strip()
    everything = set(by_function)
    if correct == "all":
        expected_failures = set()
    elif correct == "none":
        expected_failures = everything
    else:
        expected_failures = {name.strip() for name in correct.split("except")[1].split(",")}
    assert failed(by_function) == expected_failures
    assert results["score"] <= sum(q.points for q in hw6.questions)
    assert not leftover_processes("hw6-hostile-sleeper")
    assert os.getpid() > 0  # this process survived kill attempts


def test_notebook_is_graded_and_the_report_says_so(hw6, tmp_path):
    folder = tmp_path / "notebook"
    folder.mkdir()
    source = (HW6 / "solution" / "hw6.py").read_text()
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": ["%matplotlib inline\n"]},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": source.splitlines(keepends=True)}]
    (folder / "hw6.ipynb").write_text(json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    report = grade(hw6, Submission(folder, hw6.answers_file, hw6.code_files))
    assert report.score == report.max_score
    assert "hw6.ipynb was graded as hw6.py" in report.summary()
