"""The conventional gradescope-utils autograder of benchmarks/peer_gsutils/ is a fair yardstick:
it gives the solution and every correct variant full marks and every one-bug submission less.

It runs student code in its own process (that is what it is there to measure), so each file is
graded in a subprocess, from a copy in a temporary folder; hostile files are never given to it.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROBLEMS, ROOT

HARNESS = ROOT / "benchmarks" / "peer_gsutils" / "run_tests.py"
CORPUS = ROOT / "tests" / "corpus" / "hw6"
FULL_MARKS = 27  # the points of problems/hw6/assignment.yaml, which the harness mirrors


def peer_grade(source: Path, tmp_path: Path) -> dict:
    submission = tmp_path / "submission"
    submission.mkdir()
    shutil.copy(source, submission / "hw6.py")
    results = tmp_path / "results.json"
    subprocess.run([sys.executable, str(HARNESS), str(submission), "--results", str(results)],
                   check=True, cwd=tmp_path, capture_output=True, timeout=120)
    # Not conftest.load_results: gradescope-utils writes execution_time as a string ("0.05"),
    # which Gradescope accepts and our stricter schema does not.
    return json.loads(results.read_text())


def test_its_points_are_the_assignments():
    import yaml
    spec = yaml.safe_load((PROBLEMS / "hw6" / "assignment.yaml").read_text())
    assert sum(question["points"] for question in spec["questions"]) == FULL_MARKS


@pytest.mark.parametrize("source", [PROBLEMS / "hw6" / "solution" / "hw6.py",
                                    *sorted((CORPUS / "correct").glob("*.py"))],
                         ids=lambda path: path.parent.name + "/" + path.name)
def test_full_marks_for_correct_code(source, tmp_path):
    results = peer_grade(source, tmp_path)
    assert len(results["tests"]) == 20
    assert results["score"] == FULL_MARKS, [t for t in results["tests"]
                                            if t["score"] < t["max_score"]]


@pytest.mark.parametrize("source", sorted((CORPUS / "buggy").glob("*.py")),
                         ids=lambda path: path.name)
def test_less_for_each_buggy_file(source, tmp_path):
    results = peer_grade(source, tmp_path)
    assert len(results["tests"]) == 20
    assert results["score"] < FULL_MARKS
