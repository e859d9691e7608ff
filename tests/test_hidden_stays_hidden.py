"""What a student sees at once never tells what is hidden: the always-visible summary counts only
visible items, and code feedback shows the reference's values only where the question has
`reveal: true`. Graded through the real CLI."""

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import EXAMPLES, PROBLEMS, ROOT, load_results

QUIZ, HW6 = PROBLEMS / "nn3-quiz", PROBLEMS / "hw6"
BUGGY = ROOT / "tests" / "corpus" / "hw6" / "buggy"


def grade(assignment, folder, tmp_path) -> dict:
    results = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(assignment),
                           str(folder), "--results", str(results), "--quiet"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return load_results(results)


def with_keys(assignment, tmp_path, keys: dict):
    """A copy of the assignment whose questions get extra keys: {question id: "key: value"}."""
    copy = tmp_path / assignment.name
    shutil.copytree(assignment, copy)
    spec = copy / "assignment.yaml"
    text = spec.read_text()
    for question, line in keys.items():
        text, found = re.subn(rf"^(  - id: {re.escape(question)}\n)", rf"\g<1>    {line}\n", text,
                              flags=re.MULTILINE)
        assert found == 1, question
    spec.write_text(text)
    return copy


def test_the_summary_counts_only_the_items_visible_now(tmp_path):
    quiz = with_keys(QUIZ, tmp_path, {"gd-computes": "visibility: hidden",
                                      "million-images": "visibility: after_due_date"})
    answers = yaml.safe_load((EXAMPLES / "nn3-quiz" / "correct" / "answers.yaml").read_text())
    answers["gd-computes"] = answers["million-images"] = None   # both wrong: 0 points each
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "answers.yaml").write_text(yaml.safe_dump(answers))
    results = grade(quiz, tmp_path / "sub", tmp_path)
    tests = {test["name"]: test for test in results["tests"]}
    later = [test for test in results["tests"] if test["visibility"] != "visible"]
    assert len(later) == 2 and all(test["score"] == 0 for test in later)
    shown = [test for test in results["tests"] if test["visibility"] == "visible"]
    points = sum(test["max_score"] for test in shown)
    assert all(test["score"] == test["max_score"] for test in shown)
    first_line = results["output"].split("\n\n")[0]
    # full marks on what is shown, nothing said of the two items that lost points
    assert f"{points:g} / {points:g} points; {len(shown)} of {len(shown)} items fully correct" \
        in first_line
    assert "2 more item(s) are shown later" in first_line
    assert not any(name in results["output"] for name in tests
                   if tests[name]["visibility"] != "visible")


@pytest.mark.parametrize("bug, question, hidden, shown", [
    ("sgd_step_adds", "sgd-step", re.compile(r", expected -?\d"), "yours"),
    ("softmax_no_shift", "softmax", re.compile(r"where the expected value is"), "non-finite"),
    ("diagnose_swapped", "diagnose", re.compile(r"expected '"), "not the expected answer"),
])
def test_code_feedback_shows_expected_values_only_with_reveal(tmp_path, bug, question, hidden,
                                                              shown):
    (tmp_path / "sub").mkdir()
    shutil.copy(BUGGY / f"{bug}.py", tmp_path / "sub" / "hw6.py")
    secret = {test["name"]: test["output"] for test in grade(HW6, tmp_path / "sub",
                                                             tmp_path)["tests"]}[question]
    assert shown in secret and not hidden.search(secret), secret
    revealing = with_keys(HW6, tmp_path, {question: "reveal: true"})
    told = {test["name"]: test["output"] for test in grade(revealing, tmp_path / "sub",
                                                           tmp_path)["tests"]}[question]
    assert hidden.search(told), told
