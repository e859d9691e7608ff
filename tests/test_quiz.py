"""The nn3 quiz end to end, and each answer-file kind on right, wrong and hostile answers."""

import json
import math
import time

import pytest
import yaml

from autograder.cli import main
from autograder.engine import grade
from autograder.errors import SpecError
from autograder.spec import load_assignment
from autograder.submission import Submission
from conftest import EXAMPLES, PROBLEMS, load_results

QUIZ = PROBLEMS / "nn3-quiz"


@pytest.fixture(scope="module")
def quiz():
    return load_assignment(QUIZ)


def grade_answers(assignment, tmp_path, answers) -> dict:
    """Grade an answers mapping (or raw text); returns {question id: fraction of its points}."""
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    text = answers if isinstance(answers, (str, bytes)) else yaml.safe_dump(answers,
                                                                            allow_unicode=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(folder / assignment.answers_file, mode) as out:
        out.write(text)
    report = grade(assignment, Submission(folder, assignment.answers_file))
    return {q.id: (t.score / t.max_score, t.output) for q, t in zip(assignment.questions,
                                                                      report.tests)}


def test_quiz_has_every_lecture_question(quiz):
    kinds = {q.id: q.kind for q in quiz.questions}
    # The lecture has ten quiz breaks: nine multiple choice and the free-form derivative (Q1).
    assert sum(kind == "choice" for kind in kinds.values()) == 9
    assert kinds["dropout-choice"] == "choice" and kinds["dropout-formula"] == "expression"
    assert kinds["logistic-derivative"] == "derivative"
    assert kinds["exploding-number"] == kinds["vanishing-number"] == "numeric"
    assert kinds["parameter-count"] == "expression"
    multi = {q.id for q in quiz.questions if q.kind == "choice" and len(q.check.answer) > 1}
    assert multi == {"vanishing-true", "more-layers"}


def test_correct_example_gets_full_marks(results_path, capsys):
    status = main(["grade", str(QUIZ), str(EXAMPLES / "nn3-quiz" / "correct"),
                   "--results", str(results_path)])
    results = load_results(results_path)
    assert status == 0
    assert results["score"] == sum(test["max_score"] for test in results["tests"])
    assert all(test["status"] == "passed" for test in results["tests"])
    total = f"{results['score']:g}"
    assert f"Total: {total} / {total}" in capsys.readouterr().out


def test_partly_wrong_example_scores_what_its_comments_say(quiz, results_path):
    main(["grade", str(QUIZ), str(EXAMPLES / "nn3-quiz" / "partly-wrong"),
          "--results", str(results_path), "--quiet"])
    tests = {q.id: t for q, t in zip(quiz.questions, load_results(results_path)["tests"])}
    fraction = {qid: test["score"] / test["max_score"] for qid, test in tests.items()}
    wrong = {"logistic-derivative", "million-images", "softmax-ce-choice", "dropout-choice",
             "dropout-formula", "chain-x1", "chain-number", "exploding-number", "parameter-count"}
    assert {qid for qid, f in fraction.items() if f == 0} == wrong
    # partial scoring: (right picks - wrong picks) / number of right letters
    assert fraction["vanishing-true"] == pytest.approx((2 - 1) / 2)
    assert fraction["more-layers"] == pytest.approx((2 - 0) / 3)
    full = set(fraction) - wrong - {"vanishing-true", "more-layers"}
    assert all(fraction[qid] == 1 for qid in full)


LOGISTIC_RIGHT = [
    "x1*(1-sigmoid(w1*x1+w2*x2))",
    "x1*exp(-(w1*x1+w2*x2))/(1+exp(-(w1*x1+w2*x2)))",
    "x1 - x1 σ(w1 x1 + w2 x2)",
    "x1/(1 + e^(w1 x1 + w2 x2))",
    "x1*sigma(-w1*x1 - w2*x2)",
    "(1 - 1/(1+exp(-(x1 w1 + x2 w2)))) x1",
]
LOGISTIC_WRONG = [
    "x1*sigmoid(w1*x1+w2*x2)",
    "(1-sigmoid(w1*x1+w2*x2))",
    "x2*(1-sigmoid(w1*x1+w2*x2))",
    "sigmoid(w1*x1+w2*x2)*(1-sigmoid(w1*x1+w2*x2))*x1",
    "x1*(1-sigmoid(w1*x1+w2*x2)) + 1e-4",
    "-x1*(1-sigmoid(w1*x1+w2*x2))",
]


@pytest.mark.parametrize("formula", LOGISTIC_RIGHT)
def test_derivative_accepts_any_correct_form(quiz, tmp_path, formula):
    fraction, output = grade_answers(quiz, tmp_path, {"logistic-derivative": formula})[
        "logistic-derivative"]
    assert fraction == 1, output


@pytest.mark.parametrize("formula", LOGISTIC_WRONG)
def test_derivative_rejects_wrong_forms_and_says_where(quiz, tmp_path, formula):
    fraction, output = grade_answers(quiz, tmp_path, {"logistic-derivative": formula})[
        "logistic-derivative"]
    assert fraction == 0
    assert "differs from the expected answer at x1=" in output
    assert "expected" not in output.split("differs from the expected answer")[1]  # no reveal


def test_reveal_shows_expected_only_when_the_spec_allows(quiz, tmp_path):
    outcome = grade_answers(quiz, tmp_path, {"gd-computes": "B", "sigmoid-vs-relu": "A"})
    assert "Expected: A" in outcome["gd-computes"][1]           # reveal: true
    assert "Expected" not in outcome["sigmoid-vs-relu"][1]      # reveal defaults to false


@pytest.mark.parametrize("question, right, wrong", [
    ("dropout-formula", ["h/(1-p)", "h (1-p)^-1", "-h/(p-1)", "h/(1 − p)"],
     ["h*(1-p)", "h/p", "h"]),
    ("parameter-count", ["(d+1)m + (m+1)k", "m(d+k+1)+k", "d*m+m*k+m+k"],
     ["(d+1)*m + m*k", "d*m + m*k"]),
    ("softmax-ce-formula", ["yhat - y", "-(y-yhat)"], ["y - yhat", "yhat"]),
    ("chain-w11", ["(yhat-y)x1", "x1*(sigmoid(w11 x1 + w12 x2) - y)"], ["(y-yhat)*x1"]),
    ("chain-x1", ["(yhat - y) w11", "w11 yhat - w11 y"], ["(yhat - y) x1"]),
    ("chain-deeper", ["(yhat-y)*w2_11*a11*(1-a11)*x1",
                      "(sigmoid(w2_11 a11 + w2_12 a12) - y) w2_11 x1 a11 - (yhat - y) w2_11 x1 a11^2"],
     ["(yhat-y)*w2_11*a11*x1", "(yhat-y)*w2_11*a11*(1-a11)"]),
])
def test_formula_kinds(quiz, tmp_path, question, right, wrong):
    for formula in right:
        fraction, output = grade_answers(quiz, tmp_path, {question: formula})[question]
        assert fraction == 1, (formula, output)
    for formula in wrong:
        fraction, output = grade_answers(quiz, tmp_path, {question: formula})[question]
        assert fraction == 0, (formula, output)


@pytest.mark.parametrize("answer, right", [
    (4.07e17, True), ("4.07e17", True), ("4.0656e17", True), ("1.5^100", True),
    ("4.07*10^17", True), ("4.065611775e17", True), ("4.1e17", False), ("4.06e17", False),
    ("4e17", False), ("lots", False), (True, False), ([1, 2], False), ("inf", False),
])
def test_numeric_sigfigs(quiz, tmp_path, answer, right):
    fraction, output = grade_answers(quiz, tmp_path, {"exploding-number": answer})[
        "exploding-number"]
    assert fraction == (1 if right else 0), output


@pytest.mark.parametrize("answer, fraction", [
    ("A, B", 1), ("b a", 1), (["B", "A"], 1), ("AB", 1), ("A and B", 1),
    ("A", 0.5), ("A, B, C", 0.5), ("A, C", 0), ("C, D", 0), ("A, B, C, D", 0),
    ("Z", 0), ("", 0), (None, 0), (7, 0), ({"A": 1}, 0), (["A"] * 50, 0),
])
def test_multi_select_partial_credit(quiz, tmp_path, answer, fraction):
    got, output = grade_answers(quiz, tmp_path, {"vanishing-true": answer})["vanishing-true"]
    assert got == pytest.approx(fraction), output


def test_single_choice_rejects_several_letters(quiz, tmp_path):
    got, output = grade_answers(quiz, tmp_path, {"dropout-choice": "B, C"})["dropout-choice"]
    assert got == 0 and "Pick one letter" in output


HOSTILE_FORMULAS = [
    "__import__('os').system('touch /tmp/pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "9**9**9**9",
    "(" * 10_000 + "x1" + ")" * 10_000,
    "x1+" * 300_000 + "1",
    "lambda: 1",
    "[x for x in range(10**9)]",
    "open('/etc/passwd').read()",
    "x1 if w1 else w2",
    "f'{x1}'",
]


@pytest.mark.parametrize("formula", HOSTILE_FORMULAS)
def test_hostile_formulas_score_zero_quickly(quiz, tmp_path, formula):
    started = time.process_time()
    fraction, output = grade_answers(quiz, tmp_path, {"logistic-derivative": formula})[
        "logistic-derivative"]
    assert time.process_time() - started < 5  # the grader's CPU seconds, not the wall's
    assert fraction == 0 and output
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("text, words", [
    (b"\xff\xfe not utf8", "not UTF-8"),
    ("gd-computes: [A\n", "not valid YAML at line"),
    ("- A\n- B\n", "must map each question id"),
    ("!!python/object/apply:os.system ['echo pwned']\n", "not valid YAML"),
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "gd-computes: *d\n", "Answer with letters"),
    ("x" * 300_000, "bytes; at most"),
])
def test_unreadable_answers_file_scores_zero_with_one_message(quiz, tmp_path, results_path,
                                                               text, words):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "answers.yaml").write_bytes(text if isinstance(text, bytes) else text.encode())
    assert main(["grade", str(QUIZ), str(folder), "--results", str(results_path), "--quiet"]) == 0
    results = load_results(results_path)
    assert results["score"] == 0
    assert words in json.dumps(results, ensure_ascii=False)


def test_missing_answers_file(quiz, tmp_path, results_path):
    (tmp_path / "sub").mkdir()
    main(["grade", str(QUIZ), str(tmp_path / "sub"), "--results", str(results_path), "--quiet"])
    results = load_results(results_path)
    assert results["score"] == 0
    assert "answers.yaml was not found" in results["output"]


def test_roundoff_in_a_correct_formula_never_costs_points(tmp_path):
    """1 - sigmoid(z) near z = 27 keeps few digits in float64; the extended re-check saves it."""
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "assignment.yaml").write_text(
        "id: t\ntitle: T\nquestions:\n"
        "  - {id: tail, kind: expression, points: 1, variables: {z: [25, 28]},"
        " answer: 1 - sigmoid(z)}\n")
    assignment = load_assignment(folder)
    assert grade_answers(assignment, tmp_path, {"tail": "exp(-z)/(1 + exp(-z))"})["tail"][0] == 1
    assert grade_answers(assignment, tmp_path, {"tail": "1/(1 + exp(z))"})["tail"][0] == 1
    assert grade_answers(assignment, tmp_path, {"tail": "1.001*exp(-z)"})["tail"][0] == 0


def test_each_student_gets_their_own_numbers(tmp_path):
    variants = {sid: load_assignment(QUIZ, student=sid) for sid in ("alice", "bob", "carol")}
    assert load_assignment(QUIZ, student="alice").params == variants["alice"].params
    assert len({tuple(v.params.items()) for v in variants.values()}) == 3
    for sid, variant in variants.items():
        question = next(q for q in variant.questions if q.id == "chain-number")
        assert f"$x_1 = {variant.params['x1']}$" in question.prompt
        p = variant.params
        own = (1 / (1 + math.exp(-(p["w11"] * p["x1"] + p["w12"] * p["x2"]))) - p["label"]) * p["x1"]
        assert grade_answers(variant, tmp_path, {"chain-number": f"{own:.3g}"})["chain-number"][0] == 1
        for other, other_variant in variants.items():
            theirs = next(q for q in other_variant.questions if q.id == "chain-number").check.answer
            if other != sid and abs(theirs - own) > 0.01:
                assert grade_answers(variant, tmp_path,
                                     {"chain-number": f"{theirs:.3g}"})["chain-number"][0] == 0


def test_unknown_placeholder_is_a_spec_error(tmp_path):
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "assignment.yaml").write_text(
        "id: t\ntitle: T\nparams:\n  x: {range: [0, 1]}\nquestions:\n"
        "  - id: q\n    kind: numeric\n    points: 1\n    answer: '{{y}} + 1'\n")
    with pytest.raises(SpecError) as caught:
        load_assignment(folder)
    assert (caught.value.line, caught.value.key) == (9, "answer")
    assert "{{y}} is not one of the params (x)" in caught.value.message
