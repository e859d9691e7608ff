"""Broken specs: every mistake is reported with file, line and key, never a traceback."""

import textwrap

import pytest

from autograder.cli import main
from autograder.errors import SpecError
from autograder.spec import load_assignment
from conftest import EXAMPLES, load_results

GOOD_QUESTION = """\
  - id: q1
    kind: choice
    points: 1
    choices: {A: right, B: wrong}
    answer: A
"""


def write_spec(folder, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assignment.yaml").write_text(textwrap.dedent(text))
    return folder


def spec_with(question: str) -> str:
    return "id: t\ntitle: T\nquestions:\n" + GOOD_QUESTION + textwrap.indent(
        textwrap.dedent(question), "  ")


# (question text appended after a good one, expected line, expected key, words in the message)
BROKEN = [
    ("- id: q2\n  kind: choice\n  points: 1\n  choices: {A: x, B: y}\n  answer: A\n  colour: red\n",
     14, "colour", "unknown key"),
    ("- id: q2\n  kind: choice\n  points: two\n  choices: {A: x, B: y}\n  answer: A\n",
     11, "points", "must be a number"),
    ("- id: q2\n  kind: choice\n  points: 1\n  choices: {A: x, B: y}\n",
     9, "answer", "missing required key 'answer'"),
    ("- id: q2\n  kind: choice\n  points: 1\n  choices: {A: x, B: y}\n  answer: E\n",
     13, "answer", "'E' is not one of the choices"),
    ("- id: q1\n  kind: choice\n  points: 1\n  choices: {A: x, B: y}\n  answer: A\n",
     9, "id", "duplicate question id 'q1'"),
    ("- id: q2\n  kind: guess\n  points: 1\n", 10, "kind", "unknown kind 'guess'"),
    ("- id: q2\n  kind: expression\n  points: 1\n  variables: {x: [0, 1]}\n  answer: x +* 2\n",
     13, "answer", ""),
    ("- id: q2\n  kind: expression\n  points: 1\n  variables: {x: [0, 1]}\n  answer: x + z\n",
     13, "answer", "z"),
    ("- id: q2\n  kind: expression\n  points: 1\n  variables: {x: [1, 0]}\n  answer: x\n",
     12, "x", "low < high"),
    ("- id: q2\n  kind: derivative\n  points: 1\n  variables: {x: [0, 1]}\n  function: x^2\n"
     "  wrt: y\n", 14, "wrt", "'y' is not one of the sampled variables"),
    ("- id: q2\n  kind: numeric\n  points: 1\n  answer: lots\n", 12, "answer", "cannot be read"),
    ("- id: q2\n  kind: numeric\n  points: 1\n  answer: 3\n  sigfigs: 3\n  rtol: 0.1\n",
     13, "sigfigs", "either sigfigs or rtol"),
    ("- id: q2\n  kind: choice\n  points: 1\n  visibility: secret\n  choices: {A: x, B: y}\n"
     "  answer: A\n", 12, "visibility", "'secret' is not one of"),
    ("- id: q2\n  kind: choice\n  points: 1\n  choices: {A: x, B: y}\n  answer: A\n  answer: B\n",
     14, "answer", "duplicate key"),
    ("- id: q2\n  kind: expression\n  points: 1\n  variables: {x: [-1, 1]}\n  answer: log(x - 5)\n",
     13, "answer", "undefined"),
]


@pytest.mark.parametrize("question, line, key, words", BROKEN)
def test_broken_spec_names_file_line_and_key(tmp_path, question, line, key, words):
    folder = write_spec(tmp_path / "a", spec_with(question))
    with pytest.raises(SpecError) as caught:
        load_assignment(folder)
    error = caught.value
    assert error.file == str(folder / "assignment.yaml")
    assert error.line == line, str(error)
    assert error.key == key, str(error)
    assert words in error.message
    assert str(error).startswith(f"{folder / 'assignment.yaml'}:{line}: ")


def test_yaml_syntax_error_has_its_line(tmp_path):
    folder = write_spec(tmp_path / "a", "id: t\ntitle: T\nquestions:\n  - id: [unclosed\n")
    with pytest.raises(SpecError) as caught:
        load_assignment(folder)
    assert caught.value.line in (4, 5)
    assert "not valid YAML" in caught.value.message


@pytest.mark.parametrize("text, words", [
    ("- just a list\n", "must be a mapping"),
    ("id: t\ntitle: T\n", "missing required key 'questions'"),
    ("id: t\ntitle: T\nquestions: []\n", "no questions"),
    ("id: t\ntitle: T\nquestions:\n  - 7\n", "question 1 must be a mapping"),
    ("id: t\ntitle: T\nsubmit: {answers: ../x.yaml}\nquestions: []\n", "plain file name"),
])
def test_broken_assignment_level(tmp_path, text, words):
    folder = write_spec(tmp_path / "a", text)
    with pytest.raises(SpecError) as caught:
        load_assignment(folder)
    assert words in str(caught.value)


def test_grade_with_broken_spec_still_writes_valid_results(tmp_path, results_path, capsys):
    folder = write_spec(tmp_path / "a", spec_with(
        "- id: q2\n  kind: choice\n  points: 1\n  choices: {A: x, B: y}\n  answer: Z\n"))
    status = main(["grade", str(folder), str(EXAMPLES / "nn3-quiz" / "correct"),
                   "--results", str(results_path)])
    assert status == 2
    results = load_results(results_path)
    assert results["score"] == 0
    assert results["tests"][0]["status"] == "failed"
    assert "assignment.yaml:13: answer:" in results["tests"][0]["output"]
    err = capsys.readouterr().err
    assert "Traceback" not in err and "assignment.yaml:13" in err


def test_missing_assignment_folder_is_a_message(tmp_path, results_path, capsys):
    status = main(["grade", str(tmp_path / "nowhere"), str(tmp_path), "--results",
                   str(results_path)])
    assert status == 2
    assert load_results(results_path)["score"] == 0
    assert "no assignment.yaml" in capsys.readouterr().err


def test_instructor_check_module_that_fails_to_import_is_a_spec_error(tmp_path):
    folder = write_spec(tmp_path / "a", "id: t\ntitle: T\nsubmit: {code: hw.py}\nquestions:\n"
                        "  - {id: q, kind: code, points: 1, function: f, check: checks.py:c}\n")
    (folder / "checks.py").write_text("import numpy\nundefined_name + 1\n")
    with pytest.raises(SpecError) as caught:
        load_assignment(folder)
    assert (caught.value.line, caught.value.key) == (5, "check")
    assert "NameError" in caught.value.message


@pytest.mark.parametrize("case, line, words", [
    ("{args: [{result: 0}]}", 10, "only in a `then` step"),
    ("{args: [{normal: [2]}], then: {function: relu, args: [{normal: [-1]}]}}", 10,
     "a shape is a whole number"),
])
def test_code_case_inputs_are_checked_where_they_stand(tmp_path, case, line, words):
    folder = write_spec(tmp_path / "a", "id: t\ntitle: T\nsubmit: {code: hw.py}\nquestions:\n"
                        "  - id: q\n    kind: code\n    points: 1\n    function: relu\n"
                        f"    cases:\n      - {case}\n")
    with pytest.raises(SpecError) as caught:
        load_assignment(folder)
    assert caught.value.line == line and words in caught.value.message
