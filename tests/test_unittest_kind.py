"""`kind: unittest` (issue 15, part 5): a course's existing gradescope-utils test file, brought
along unchanged. Each test is one item with its @weight, @visibility, @number and partial
credit; it runs in the sandbox beside the student's file; a hidden file stays out of the
handout and of feedback, and a test file that tries to read what it must not finds nothing."""

import json
import os
import secrets
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.engine import grade, grade_folder
from autograder.errors import SpecError
from autograder.handout import build_handout
from autograder.results import to_gradescope
from autograder.spec import load_assignment
from autograder.submission import Submission
from conftest import PROBLEMS, ROOT

EXAMPLE = PROBLEMS / "hw6-unittest"
SOLUTION = PROBLEMS / "hw6" / "solution" / "hw6.py"
CORPUS = ROOT / "tests" / "corpus" / "hw6"


def graded(assignment_folder: Path, source_text: str, tmp_path: Path) -> dict:
    """{number: (score, max score, visibility, output)} of results.json's tests."""
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / "hw6.py").write_text(source_text)
    report = grade_folder(assignment_folder, folder)
    return {test["number"]: (test["score"], test["max_score"], test.get("visibility"),
                             test.get("output", "")) for test in to_gradescope(report)["tests"]}


def test_each_test_is_an_item_with_its_weight_visibility_number_and_title():
    items = load_assignment(EXAMPLE).questions
    assert [(q.number, q.points, q.visibility) for q in items] == [
        ("1.1", 1, "visible"), ("1.2", 1, "visible"), ("2.1", 2, "visible"),
        ("2.2", 2, "after_due_date"), ("3.1", 3, "visible"), ("3.2", 3, "visible"),
        ("4.1", 2, "hidden")]
    assert items[0].id == "unit.TestActivations.test_sigmoid"
    assert items[0].title == "sigmoid: 1 / (1 + e^-z), and no overflow at ±1000"


def test_the_solution_passes_every_test(tmp_path):
    results = graded(EXAMPLE, SOLUTION.read_text(), tmp_path)
    assert all(score == top for score, top, _, _ in results.values()), results
    assert sum(top for _, top, _, _ in results.values()) == 14


def test_a_bug_fails_the_tests_that_see_it_with_the_assertions_message(tmp_path):
    results = graded(EXAMPLE, (CORPUS / "buggy" / "softmax_no_shift.py").read_text(), tmp_path)
    failed = {number for number, (score, top, _, _) in results.items() if score < top}
    assert failed == {"2.1"}, results
    assert "Test failed:" in results["2.1"][3]
    assert "Traceback" not in results["2.1"][3] and "test_hw6.py" not in results["2.1"][3]


def test_partial_credit_is_what_the_test_set_with_set_score(tmp_path):
    wrong_db = SOLUTION.read_text().replace("db = dZ.sum(axis=0)", "db = 2 * dZ.sum(axis=0)")
    assert wrong_db != SOLUTION.read_text()
    score, top, _, output = graded(EXAMPLE, wrong_db, tmp_path)["3.1"]
    assert (score, top) == (2, 3) and "dX, dW, db right: [True, True, False]" in output


def test_the_starter_fails_every_test_and_hidden_errors_hide_the_message(tmp_path):
    folder = tmp_path / "course"
    shutil.copytree(EXAMPLE, folder, symlinks=False)
    tests = (folder / "test_hw6.py").read_text()
    (folder / "test_hw6.py").write_text(tests.replace(
        '    @weight(1)\n    @number("1.2")',
        '    @weight(1)\n    @number("1.2")\n    @hide_errors("relu is wrong somewhere")').replace(
        "from gradescope_utils.autograder_utils.decorators import (",
        "from gradescope_utils.autograder_utils.decorators import (hide_errors, "))
    starter = "def relu(z):\n    raise NotImplementedError\n"
    results = graded(folder, starter, tmp_path)
    assert all(score == 0 for score, _, _, _ in results.values())
    assert "could not be loaded" in results["1.1"][3]  # the tests import names it lacks
    relu_only = SOLUTION.read_text().replace("return np.maximum(z, 0.0)", "return z")
    assert relu_only != SOLUTION.read_text()
    assert graded(folder, relu_only, tmp_path)["1.2"][3] == "Test failed: relu is wrong somewhere"


def test_weights_must_add_up_to_the_points_and_decorators_must_be_plain(tmp_path):
    folder = tmp_path / "course"
    shutil.copytree(EXAMPLE, folder)
    spec = folder / "assignment.yaml"
    spec.write_text(spec.read_text().replace("points: 14", "points: 12"))
    with pytest.raises(SpecError) as raised:
        load_assignment(folder)
    assert "assignment.yaml:" in str(raised.value) and "points: the weights of the tests in " \
        "test_hw6.py add up to 14, not 12" in str(raised.value)
    spec.write_text(spec.read_text().replace("points: 12", "points: 14"))
    tests = folder / "test_hw6.py"
    tests.write_text(tests.read_text().replace("@weight(3)", "@weight(WEIGHT)"))
    with pytest.raises(SpecError) as raised:
        load_assignment(folder)
    assert "tests: test_hw6.py:" in str(raised.value) and "@weight of " \
        "TestBackward.test_loss_and_grads must be given a plain value" in str(raised.value)


def test_a_hidden_test_file_is_not_in_the_handout_and_a_public_one_runs_in_the_self_check(
        tmp_path):
    build_handout(EXAMPLE, tmp_path / "hidden.zip")
    with zipfile.ZipFile(tmp_path / "hidden.zip") as archive:
        assert not any(name.endswith("test_hw6.py") for name in archive.namelist())
    folder = tmp_path / "course"
    shutil.copytree(EXAMPLE, folder)
    spec = folder / "assignment.yaml"
    spec.write_text(spec.read_text().replace("tests: test_hw6.py", "tests: test_hw6.py\n"
                                                                   "    public: true"))
    build_handout(folder, tmp_path / "public.zip")
    with zipfile.ZipFile(tmp_path / "public.zip") as archive:
        archive.extractall(tmp_path / "public")
    handout = tmp_path / "public" / "hw6-unittest"
    assert (handout / "selfcheck" / "assignment" / "test_hw6.py").is_file()
    buggy = (CORPUS / "buggy" / "softmax_no_shift.py").read_bytes()
    (handout / "hw6.py").write_bytes(buggy)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-m", "selfcheck", "--json"], cwd=handout, env=env,
                         capture_output=True, text=True, timeout=300)
    items = {item["id"]: item for item in json.loads(run.stdout)["items"]}
    graded_here = {q.id: t.score == t.max_score for q, t in zip(
        load_assignment(folder).questions,
        grade(load_assignment(folder), Submission(handout, "answers.yaml", ("hw6.py",))).tests)}
    visible = {q.id for q in load_assignment(folder).questions if q.visibility == "visible"}
    assert {qid for qid, item in items.items() if item["status"] != "hidden"} == visible
    for question_id in visible:  # the self-check says what the grader says
        assert (items[question_id]["status"] == "pass") == graded_here[question_id]
    assert items["unit.TestOutput.test_softmax"]["status"] == "fail"


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox's isolation is the root grader's")
def test_a_test_file_that_reads_what_it_must_not_finds_nothing(tmp_path):
    marker = secrets.token_hex(6)
    folder = tmp_path / "course"
    (folder / "solution").mkdir(parents=True)
    (folder / "solution" / "hw6.py").write_text(f"# SOLUTION-{marker}\ndef f():\n    return 1\n")
    (folder / "assignment.yaml").write_text(
        f"# SPEC-{marker}\nid: nosy\ntitle: Nosy tests\nsubmit:\n  code: hw6.py\nquestions:\n"
        "  - id: unit\n    kind: unittest\n    tests: test_nosy.py\n    points: 1\n")
    targets = [str(folder / "solution" / "hw6.py"), str(folder / "assignment.yaml"),
               "/etc/shadow", str(ROOT / "reference" / "__init__.py")]
    (folder / "test_nosy.py").write_text(f"""\
import unittest
from gradescope_utils.autograder_utils.decorators import weight
from hw6 import f


class TestNosy(unittest.TestCase):
    @weight(1)
    def test_reads(self):
        found = []
        for path in {targets!r}:
            try:
                with open(path) as stolen:
                    found.append(stolen.read())
            except OSError:
                pass
        self.assertEqual(found, [], msg="".join(found))
        self.assertEqual(f(), 1)
""")
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "hw6.py").write_text("def f():\n    return 1\n")
    results = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder),
                           str(tmp_path / "student"), "--results", str(results)],
                          capture_output=True, text=True, timeout=300, cwd="/",
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    text = results.read_text()
    assert done.returncode == 0, done.stderr
    assert marker not in text
    assert not any(line in text for line in Path("/etc/shadow").read_text().splitlines()
                   if len(line) > 8)
    assert json.loads(text)["score"] == 1, text  # it found nothing, so it passed
