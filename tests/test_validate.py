"""`autograder validate` and `autograder new`: a right spec passes, a wrong one says what is wrong."""

import shutil

import pytest

from autograder.cli import main
from autograder.validate import render, synthesize_key, validate, wrong_answers
from autograder.spec import load_assignment
from autograder.validate import load_key_file
from conftest import PROBLEMS

QUIZ = PROBLEMS / "nn3-quiz"


@pytest.fixture
def quiz_copy(tmp_path):
    folder = tmp_path / "nn3-quiz"
    shutil.copytree(QUIZ, folder)
    return folder


def edit(folder, old, new):
    spec = folder / "assignment.yaml"
    text = spec.read_text()
    assert old in text, old
    spec.write_text(text.replace(old, new, 1))


def test_the_quiz_is_valid_on_one_screen(capsys):
    assert main(["validate", str(QUIZ)]) == 0
    out = capsys.readouterr().out
    assert "Valid" in out and "FAIL" not in out
    assert len(out.splitlines()) <= 40
    outcome = validate(QUIZ)
    assert outcome.ok and outcome.variants == 3  # the quiz has params: three variants checked
    assert all(item.key == 1 and item.blank == 0 and item.wrong == 0 for item in outcome.items)


def test_the_synthesized_key_and_wrong_answers_cover_every_quiz_item():
    quiz = load_assignment(QUIZ)
    key = synthesize_key(quiz, load_key_file(QUIZ))
    assert set(key) == {q.id for q in quiz.questions}
    wrong = wrong_answers(quiz, key)
    assert set(wrong) == set(key)
    for question in quiz.questions:
        assert wrong[question.id] != key[question.id]


@pytest.mark.parametrize("old, new, item, words", [
    # a tolerance so loose that any number passes
    ("    answer: 1.5^100\n    sigfigs: 3\n",
     "    answer: 1.5^100\n    rtol: 0.9\n    atol: 1e30\n",
     "exploding-number", "a wrong answer gets full marks"),
    ("    points: 1\n    reveal: true\n    prompt: |\n      Gradient descent",
     "    points: 0\n    reveal: true\n    prompt: |\n      Gradient descent", "gd-computes",
     "0 points"),
])
def test_items_that_cannot_fail_are_reported(quiz_copy, capsys, old, new, item, words):
    edit(quiz_copy, old, new)
    outcome = validate(quiz_copy)
    failing = {i.id: i.problems for i in outcome.items if i.problems}
    assert set(failing) == {item}, failing
    assert any(words in problem for problem in failing[item])
    assert main(["validate", str(quiz_copy)]) == 1
    assert f"FAIL {item}" in capsys.readouterr().out


def test_a_key_file_that_disagrees_with_the_spec_is_reported(quiz_copy, capsys):
    key = quiz_copy / "solution" / "answers.yaml"
    key.write_text(key.read_text().replace("chain-x1: (yhat - y)*w11", "chain-x1: (yhat - y)*x1")
                   + "no-such-question: 1\n")
    outcome = validate(quiz_copy)
    problems = {i.id: i.problems for i in outcome.items if i.problems}
    assert list(problems) == ["chain-x1"]
    assert "the key scores 0%" in problems["chain-x1"][0]
    assert "differs from the expected answer" in problems["chain-x1"][0]
    assert any("no-such-question" in p for p in outcome.problems)


def test_a_missing_derivative_key_is_a_note_not_a_failure(quiz_copy):
    (quiz_copy / "solution" / "answers.yaml").unlink()
    outcome = validate(quiz_copy)
    assert outcome.ok
    noted = {item.id for item in outcome.items if item.notes}
    assert noted == {q.id for q in load_assignment(QUIZ).questions if q.kind == "derivative"}
    assert "not checked against a key" in render(outcome)


@pytest.mark.parametrize("old, new, words", [
    ("    wrt: w11\n", "    wrt: w13\n", "wrt: 'w13' is not one of the sampled variables"),
    ("    answer: C\n", "    answer: F\n", "answer: 'F' is not one of the choices"),
    ("  - id: gd-computes\n", "  - id: gd-computes\n    colour: red\n", "colour: unknown key"),
    ("label: {choices: [0, 1]}", "label: {choices: []}", "choices: must be a non-empty list"),
    ("+ ({{w12}})*({{x2}})", "+ ({{w13}})*({{x2}})", "{{w13}} is not one of the params"),
])
def test_broken_copies_of_the_quiz_fail_with_file_and_line(quiz_copy, capsys, old, new, words):
    edit(quiz_copy, old, new)
    assert main(["validate", str(quiz_copy)]) == 2
    err = capsys.readouterr().err
    text = (quiz_copy / "assignment.yaml").read_text()
    # the line of the change (or of its question's key, for a key the loader checks there)
    changed = text[:text.index(new)].count("\n") + 1 + new.strip("\n").count("\n")
    assert err.startswith(f"error: {quiz_copy / 'assignment.yaml'}:")
    line = int(err[len(f"error: {quiz_copy / 'assignment.yaml'}:"):].split(":")[0])
    assert changed - 12 <= line <= changed, (changed, err)
    assert words in err
    assert "Traceback" not in err


def test_a_yaml_syntax_error_fails_with_its_line(quiz_copy, capsys):
    edit(quiz_copy, "    answer: [A, B, D]\n", "    answer: [A, B, D\n")
    assert main(["validate", str(quiz_copy)]) == 2
    err = capsys.readouterr().err
    assert "not valid YAML" in err and err.startswith(f"error: {quiz_copy / 'assignment.yaml'}:1")


def test_missing_folder_is_an_input_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    assert "no assignment.yaml" in capsys.readouterr().err


def test_new_scaffolds_a_commented_spec_that_validates(tmp_path, capsys):
    folder = tmp_path / "problems" / "hw7"
    assert main(["new", str(folder)]) == 0
    spec = (folder / "assignment.yaml").read_text()
    assert spec.count("\n  # ") >= 4 and "kind: derivative" in spec and "params:" in spec
    assert main(["validate", str(folder)]) == 0
    assert "Valid" in capsys.readouterr().out
    assert load_assignment(folder).id == "hw7"
    assert main(["new", str(folder)]) == 2          # never overwrites
    assert "already exists" in capsys.readouterr().err


def test_new_refuses_a_bad_name(tmp_path, capsys):
    assert main(["new", str(tmp_path / "hw 7!")]) == 2
    assert "not a usable assignment name" in capsys.readouterr().err


# ------------------------------------------------------------------------------------ HW6 (code)

HW6 = PROBLEMS / "hw6"
CORPUS = PROBLEMS.parent / "tests" / "corpus" / "hw6"


@pytest.fixture
def hw6_copy(tmp_path):
    folder = tmp_path / "hw6"
    shutil.copytree(HW6, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_hw6_is_valid_its_solution_full_marks_its_starter_nothing():
    outcome = validate(HW6)
    assert outcome.ok, render(outcome)
    assert all(item.key == 1 and item.blank == 0 for item in outcome.items)


def test_hw6_with_a_buggy_solution_fails_on_the_buggy_functions(hw6_copy, capsys):
    shutil.copy(CORPUS / "buggy" / "dW_transposed.py", hw6_copy / "solution" / "hw6.py")
    assert main(["validate", str(hw6_copy)]) == 1
    failing = {item.id for item in validate(hw6_copy).items if item.problems}
    assert {"linear-backward", "loss-and-grads"} <= failing <= {"linear-backward",
                                                                 "loss-and-grads", "train"}
    assert "the key scores" in capsys.readouterr().out


def test_hw6_whose_starter_is_the_solution_cannot_fail(hw6_copy):
    # A hand-written starter that is the solution (its markers gone, so it is the only starter).
    solution = hw6_copy / "solution" / "hw6.py"
    solution.write_text(solution.read_text().replace("# BEGIN ", "# ").replace("# END ", "# "))
    shutil.copy(solution, hw6_copy / "hw6.py")
    outcome = validate(hw6_copy)
    assert not outcome.ok
    assert all("a blank submission scores 100%" in item.problems[0] for item in outcome.items)


def test_hw6_without_a_solution_says_where_it_goes(hw6_copy):
    (hw6_copy / "solution" / "hw6.py").unlink()
    outcome = validate(hw6_copy)
    assert all(any("no solution to grade" in p for p in item.problems) for item in outcome.items)


def test_broken_copy_of_hw6_fails_with_file_and_line(hw6_copy, capsys):
    edit(hw6_copy, "    function: linear_backward\n", "    function: linear_backwards\n")
    assert main(["validate", str(hw6_copy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {hw6_copy / 'assignment.yaml'}:")
    assert "linear_backwards" in err and "Traceback" not in err
