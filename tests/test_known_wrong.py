"""Known-wrong submissions (wrong/): validate grades each and fails the assignment when one gets
full marks, or loses points elsewhere than on the items it lists."""

import shutil

import pytest

from autograder.cli import main
from autograder.validate import validate
from conftest import PROBLEMS

HW6, QUIZ = PROBLEMS / "hw6", PROBLEMS / "nn3-quiz"


@pytest.fixture
def hw6_copy(tmp_path):
    folder = tmp_path / "hw6"
    shutil.copytree(HW6, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_hw6_known_wrong_submissions_each_fail_exactly_their_items(capsys):
    outcome = validate(HW6)
    assert outcome.ok
    assert len(outcome.known_wrong) >= 5
    for graded in outcome.known_wrong:
        assert graded.lost == [qid for qid in (q.id for q in outcome.assignment.questions)
                               if qid in graded.fails], graded
    assert main(["validate", str(HW6)]) == 0
    out = capsys.readouterr().out
    assert "ok   wrong/softmax_without_shift.py" in out and "softmax, cross-entropy-grad" in out


def test_a_known_wrong_submission_with_full_marks_fails_validate_and_is_named(hw6_copy, capsys):
    solution = (hw6_copy / "solution" / "hw6.py").read_text()
    (hw6_copy / "wrong" / "not_wrong_at_all.py").write_text("# fails: [softmax]\n" + solution)
    outcome = validate(hw6_copy)
    assert not outcome.ok
    [graded] = [g for g in outcome.known_wrong if g.problems]
    assert graded.name == "wrong/not_wrong_at_all.py" and graded.lost == []
    assert main(["validate", str(hw6_copy)]) == 1
    out = capsys.readouterr().out
    assert "FAIL wrong/not_wrong_at_all.py" in out
    assert "wrong/not_wrong_at_all.py gets full marks: the checks do not catch its mistake" in out


def test_a_known_wrong_submission_failing_other_items_than_listed_is_reported(hw6_copy):
    path = hw6_copy / "wrong" / "relu_grad_one_at_zero.py"
    path.write_text(path.read_text().replace("# fails: [relu-grad]", "# fails: [softmax]"))
    [graded] = [g for g in validate(hw6_copy).known_wrong if g.problems]
    assert graded.lost == ["relu-grad"]
    assert graded.problems == [
        "wrong/relu_grad_one_at_zero.py gets full marks on softmax, which it must fail: the "
        "checks there miss its mistake",
        "wrong/relu_grad_one_at_zero.py also loses points on relu-grad, which it is not listed "
        "to fail: a check blames code the mistake did not touch, or `fails:` is incomplete"]


def test_a_folder_with_fails_yaml_is_a_submission_completed_from_the_key(hw6_copy):
    for path in (hw6_copy / "wrong").iterdir():
        path.unlink()
    folder = hw6_copy / "wrong" / "sigmoid_sign"
    folder.mkdir()
    solution = (hw6_copy / "solution" / "hw6.py").read_text()
    right = "    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
    assert right in solution
    (folder / "hw6.py").write_text(solution.replace(right, "    return 1.0 / (1.0 + np.exp(z))"))
    # sigmoid(-z) has the same derivative formula s (1 - s): sigmoid_grad stays right.
    (folder / "fails.yaml").write_text("fails: [sigmoid, loss-and-grads, train, predict]\n")
    [graded] = validate(hw6_copy).known_wrong
    assert graded.name == "wrong/sigmoid_sign"
    assert graded.lost == ["sigmoid", "loss-and-grads", "train", "predict"]
    assert not graded.problems


def test_a_quiz_known_wrong_answer_is_the_key_with_that_answer_replaced():
    [graded] = validate(QUIZ).known_wrong
    assert graded.name == "wrong/chain_rule_drops_the_input.yaml"
    assert graded.lost == ["chain-w11"] and not graded.problems


@pytest.mark.parametrize("name, text, line, words", [
    ("no_header.py", "import numpy as np\n# fails: [softmax]\n", 1, "say which items"),
    ("typo.py", "# a bug\n# fails: [sofmax]\n", 2, "'sofmax' is not a question id"),
    ("empty.py", "# fails: []\n", 1, "must list the question ids"),
    ("answers.json", "# fails: [softmax]\n", None, "a single known-wrong file must be"),
])
def test_a_bad_known_wrong_entry_is_a_spec_error_with_file_and_line(hw6_copy, capsys, name,
                                                                    text, line, words):
    path = hw6_copy / "wrong" / name
    path.write_text(text)
    assert main(["validate", str(hw6_copy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}" + (f":{line}:" if line else ":")), err
    assert words in err and "Traceback" not in err


def test_a_folder_without_fails_yaml_is_a_spec_error(hw6_copy, capsys):
    (hw6_copy / "wrong" / "folder").mkdir()
    assert main(["validate", str(hw6_copy)]) == 2
    assert "fails.yaml" in capsys.readouterr().err
