"""Formula parser: forms students write, hostile input, and that nothing is ever eval'd."""

import ast
import builtins
import time
import warnings

import numpy as np
import pytest

from autograder.kinds.formula import parser as formula
from autograder.errors import FormulaError
from autograder.kinds.formula.parser import CONSTANTS, FUNCTIONS, parse, parse_number

LOGISTIC = ["x1", "x2", "w1", "w2"]


def sample(names, n=200, seed=0):
    """Random points in [-2, 2] for each name, each an array of shape (n,)."""
    rng = np.random.default_rng(seed)
    return {name: rng.uniform(-2, 2, size=n) for name in names}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# (formula, variables, the same thing written in numpy)
EQUIVALENT = [
    ("x1*(1-sigmoid(w1*x1+w2*x2))", LOGISTIC,
     lambda v: v["x1"] * (1 - sigmoid(v["w1"] * v["x1"] + v["w2"] * v["x2"]))),
    ("x1*exp(-(w1*x1+w2*x2))/(1+exp(-(w1*x1+w2*x2)))", LOGISTIC,
     lambda v: v["x1"] * (1 - sigmoid(v["w1"] * v["x1"] + v["w2"] * v["x2"]))),
    ("x1 - x1 σ(w1 x1 + w2 x2)", LOGISTIC,
     lambda v: v["x1"] * (1 - sigmoid(v["w1"] * v["x1"] + v["w2"] * v["x2"]))),
    ("x1 · (1 − sigma(w1x1 + w2x2))", LOGISTIC,
     lambda v: v["x1"] * (1 - sigmoid(v["w1"] * v["x1"] + v["w2"] * v["x2"]))),
    ("h/(1-p)", ["h", "p"], lambda v: v["h"] / (1 - v["p"])),
    ("(d+1)m + (m+1)k", ["d", "m", "k"], lambda v: (v["d"] + 1) * v["m"] + (v["m"] + 1) * v["k"]),
    ("2x", ["x"], lambda v: 2 * v["x"]),
    ("2 x", ["x"], lambda v: 2 * v["x"]),
    ("x1(1-x1)", ["x1"], lambda v: v["x1"] * (1 - v["x1"])),
    ("w1x1", ["w1", "x1"], lambda v: v["w1"] * v["x1"]),
    ("xy", ["x", "y"], lambda v: v["x"] * v["y"]),
    ("x y", ["x", "y"], lambda v: v["x"] * v["y"]),
    ("(x)(y)", ["x", "y"], lambda v: v["x"] * v["y"]),
    ("2(x+1)", ["x"], lambda v: 2 * (v["x"] + 1)),
    ("(x+1)y", ["x", "y"], lambda v: (v["x"] + 1) * v["y"]),
    ("2sigmoid(z)", ["z"], lambda v: 2 * sigmoid(v["z"])),
    ("e^x", ["x"], lambda v: np.exp(v["x"])),
    ("2e^x", ["x"], lambda v: 2 * np.exp(v["x"])),
    ("x^2 + x**3", ["x"], lambda v: v["x"] ** 2 + v["x"] ** 3),
    ("x×y ⋅ 2 ∗ x ÷ 4", ["x", "y"], lambda v: v["x"] * v["y"] * 2 * v["x"] / 4),
    ("-x^2", ["x"], lambda v: -v["x"] ** 2),
    ("ln(abs(x)) + log(x^2)", ["x"], lambda v: np.log(np.abs(v["x"])) + np.log(v["x"] ** 2)),
    ("sqrt(abs(x)) + tanh(x) + relu(x)", ["x"],
     lambda v: np.sqrt(np.abs(v["x"])) + np.tanh(v["x"]) + np.maximum(v["x"], 0)),
    ("max(x, y) - min(x, y)", ["x", "y"], lambda v: np.abs(v["x"] - v["y"])),
    ("2πr", ["r"], lambda v: 2 * np.pi * v["r"]),
    ("(ŷ - y)x1", ["ŷ", "y", "x1"], lambda v: (v["ŷ"] - v["y"]) * v["x1"]),
    ("(y\u0302 - y)x1", ["ŷ", "y", "x1"], lambda v: (v["ŷ"] - v["y"]) * v["x1"]),
    ("(y_hat - y)*w11", ["y_hat", "y", "w11"], lambda v: (v["y_hat"] - v["y"]) * v["w11"]),
    # Declared variables shadow the function and the constant of the same name.
    ("sigma(x+1) + 2e", ["sigma", "x", "e"], lambda v: v["sigma"] * (v["x"] + 1) + 2 * v["e"]),
    ("x1 *\n  (1 - x1)", ["x1"], lambda v: v["x1"] * (1 - v["x1"])),
    ("x(1)y(2)", ["x", "y"], lambda v: v["x"] * v["y"] * 2),   # variables before '(' multiply
]


@pytest.mark.parametrize("text, variables, expected", EQUIVALENT, ids=[row[0] for row in EQUIVALENT])
def test_forms_students_write_evaluate_like_numpy(text, variables, expected):
    values = sample(variables)
    result = parse(text, variables).evaluate(values)
    assert result.dtype == np.float64 and result.shape == (200,)
    np.testing.assert_allclose(result, expected(values), rtol=1e-12, atol=1e-12)


def test_names_are_the_variables_used_as_declared():
    f = parse("2x1 + w1x1", ["x1", "x2", "w1", "w2"])
    assert f.names == frozenset({"x1", "w1"})
    assert f.text == "2x1 + w1x1"
    assert parse("(y\u0302 - y)", ["ŷ", "y"]).names == frozenset({"ŷ", "y"})


NUMBERS = [
    ("1.5^100", 1.5 ** 100),
    ("0.8^100", 0.8 ** 100),
    ("4.07e17", 4.07e17),
    ("2e-3", 0.002),
    ("2.5E3", 2500.0),
    ("2e", 2 * np.e),            # no digits after the e: two times e
    ("2/3", 2 / 3),
    ("(1+1)*3", 6.0),
    ("2(3)", 6.0),
    ("-pi", -np.pi),
    ("  7 ", 7.0),
    (3, 3.0),
    (0.25, 0.25),
    (np.float32(0.5), 0.5),
    (10 ** 400, np.inf),
    ("9**9**9**9", np.inf),
]


@pytest.mark.parametrize("given, expected", NUMBERS, ids=[repr(row[0])[:20] for row in NUMBERS])
def test_parse_number(given, expected):
    assert parse_number(given) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("given", ["x", "2x", "", None, True, [1, 2], {"a": 1}, "1,5"])
def test_parse_number_refuses_what_is_not_a_constant(given):
    with pytest.raises(FormulaError):
        parse_number(given)


def test_a_number_is_a_constant_formula_broadcast_to_the_points():
    values = sample(["x"], n=7)
    f = parse(2, ["x"])
    assert f.names == frozenset()
    np.testing.assert_array_equal(f.evaluate(values), np.full(7, 2.0))
    assert parse("x + 1", ["x"]).evaluate({"x": 1}).shape == ()


def test_values_broadcast_together():
    f = parse("x + y", ["x", "y"])
    result = f.evaluate({"x": np.arange(3.0)[:, None], "y": np.arange(4)})
    assert result.shape == (3, 4) and result.dtype == np.float64
    np.testing.assert_array_equal(result, np.arange(3.0)[:, None] + np.arange(4))


def test_undefined_points_give_nan_or_inf_without_warnings():
    x = np.array([-1.0, 0.0, 1000.0, -1000.0])
    f = parse("log(x) + sqrt(x) + 1/x + 0^x + exp(x) + sigmoid(x)", ["x"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = f.evaluate({"x": x})
        assert np.isnan(result[0])              # log and sqrt of -1
        assert not np.isfinite(result[1])       # log(0) = -inf, 1/0 = inf: nan or inf
        assert result[2] == np.inf              # exp(1000) overflows
        assert np.isnan(result[3])              # log(-1000)
        sig = parse("sigmoid(x)", ["x"]).evaluate({"x": x})
    np.testing.assert_allclose(sig, [sigmoid(-1.0), 0.5, 1.0, 0.0])


def test_missing_value_is_a_programming_error():
    with pytest.raises(KeyError, match="y"):
        parse("x + y", ["x", "y"]).evaluate({"x": 1.0})


# (formula, a fragment the student-facing message must contain)
REFUSED = [
    ("__import__('os')", "unknown function '__import__'"),
    ("__import__('os').system('ls')", "attribute access"),
    ("().__class__", "attribute access"),
    ("().__class__.__base__.__subclasses__()", "attribute access"),
    ("x.real", "attribute access"),
    ("lambda: 1", "'lambda' is not allowed"),
    ("(lambda x: x)(2)", "'lambda' is not allowed"),
    ("[x for x in (1, 2)]", "comprehension"),
    ("sum(x for x in (1, 2))", "unknown function 'sum'"),
    ("(x for x in (1, 2))", "comprehension"),
    ("f'{x}'", "f-string"),
    ("(x := 2)", "':='"),
    ("x := 2", "without '='"),
    ("y = 2x", "without '='"),
    ("exp(x=1)", "keyword arguments"),
    ("exp(*[x])", "unpacking"),
    ("exp(x, x)", "exp takes 1 argument (got 2)"),
    ("max(x)", "max takes 2 arguments (got 1)"),
    ("exp()", "exp takes 1 argument (got 0)"),
    ("'x'", "quotes"),
    ("b'x'", "quotes"),
    ("f'(x)", "quotes"),
    ("x[0]", "indexing"),
    ("[x]", "list"),
    ("{x}", "set"),
    ("1,5", "decimals with a point"),
    ("x % 2", "'%'"),
    ("x // 2", "'//'"),
    ("~x", "'~'"),
    ("not x", "'not'"),
    ("x < 1", "comparison"),
    ("x and 1", "'and' / 'or'"),
    ("x if x else 1", "'if ... else'"),
    ("True", "'True'"),
    ("None", "'None'"),
    ("1j", "unknown name 'j'"),
    ("z", "unknown name 'z' — allowed: x, y; constants e, pi, π; functions exp, ln, log"),
    ("2z", "unknown name 'z'"),
    ("foo(x)", "unknown function 'foo'"),
    ("exp", "'exp' is a function: write exp(...)"),
    ("exp x", "'exp' is a function"),
    ("x²", "write powers with ^"),
    ("x # 1", "'#'"),
    ("x 2", "could not read the formula"),
    ("2 3", "could not read the formula"),
    ("1.5.5", "could not read the formula"),
    ("(x", "never closed"),
    ("x)", "unmatched ')'"),
    ("x +", "could not read the formula"),
    ("x\x00", "could not read the formula"),
    ("", "formula is empty"),
    ("   \n\t", "formula is empty"),
    (None, "formula is empty"),
    (["x"], "not a list"),
    ({"x": 1}, "not a mapping"),
    (True, "not true/false"),
    (object(), "not a object"),
    ("x" * 2 ** 20, "formula is too long (1,048,576 characters; at most 2,000)"),
    ("(" * 10_000 + "x" + ")" * 10_000, "formula is too long (20,001 characters"),
    ("(" * 999 + "x" + ")" * 999, "nested too deeply (999 levels of brackets; at most 100)"),
    ("[" * 999 + "x" + "]" * 999, "nested too deeply"),
    ("-" * 1999 + "x", "nested too deeply"),
    ("x**" * 600 + "x", "nested too deeply"),
    # 11 sums of 60 terms: 11 * (60 names + 59 additions) + 10 additions between them.
    ("+".join(["(" + "+".join(["x"] * 60) + ")"] * 11),
     f"too complicated ({11 * (60 + 59) + 10:,} parts; at most 500)"),
]


@pytest.mark.parametrize("text, message", REFUSED, ids=[repr(row[0])[:30] for row in REFUSED])
def test_refused_with_a_clear_message_quickly(text, message):
    start = time.process_time()
    with pytest.raises(FormulaError) as refused:
        parse(text, ["x", "y"])
    assert time.process_time() - start < 1.0  # CPU seconds: a load elsewhere cannot fail it
    assert message in refused.value.message


def test_huge_power_is_inf_not_a_hang():
    start = time.process_time()
    assert parse("9**9**9**9", []).evaluate({}) == np.inf
    assert parse("9^9^9^9", []).evaluate({}) == np.inf
    assert parse("9" * 1999, []).evaluate({}) == np.inf
    assert time.process_time() - start < 1.0  # CPU seconds: a load elsewhere cannot fail it


def test_ambiguous_juxtaposition_names_both_readings():
    with pytest.raises(FormulaError, match="'aba' is ambiguous: it could be a·ba or ab·a"):
        parse("aba", ["a", "ab", "ba"])


def test_a_name_both_declared_and_constant_splits_once():
    values = sample(["e", "x"])
    np.testing.assert_allclose(parse("ex", ["e", "x"]).evaluate(values), values["e"] * values["x"])


def test_long_ambiguous_name_gets_a_short_message():
    start = time.process_time()
    with pytest.raises(FormulaError) as refused:
        parse("x" * 1999, ["x", "xx"])
    assert time.process_time() - start < 1.0  # CPU seconds: a load elsewhere cannot fail it
    assert "more than one way" in refused.value.message and len(refused.value.message) < 200


def test_bracket_depth_is_checked_before_python_parses(monkeypatch):
    monkeypatch.setattr(formula, "MAX_LENGTH", 10 ** 6)
    called = []
    monkeypatch.setattr(formula.ast, "parse", lambda *args, **kwargs: called.append(args))
    with pytest.raises(FormulaError, match="10,000 levels of brackets"):
        parse("(" * 10_000 + "x" + ")" * 10_000, ["x"])
    assert called == []


def test_python_parser_limits_are_caught(monkeypatch):
    # Without our own caps CPython refuses (or overflows its stack); that too is a FormulaError.
    monkeypatch.setattr(formula, "MAX_LENGTH", 10 ** 6)
    monkeypatch.setattr(formula, "MAX_DEPTH", 10 ** 6)
    monkeypatch.setattr(formula, "MAX_PARTS", 10 ** 6)
    for text in ["(" * 10_000 + "x" + ")" * 10_000, "-" * 100_000 + "x"]:
        with pytest.raises(FormulaError, match="could not read"):
            parse(text, ["x"])


def test_invalid_variable_declarations_are_refused():
    for bad in ["x-1", "1x", "lambda", 3]:
        with pytest.raises(FormulaError, match="not a valid name"):
            parse("1", [bad])


def test_nothing_is_evaluated_or_compiled_to_code(monkeypatch):
    real_compile = builtins.compile
    flags_seen = []

    def refuse(*args, **kwargs):
        raise AssertionError("eval/exec called on a formula")

    def only_syntax_trees(source, filename, mode, flags=0, *args, **kwargs):
        flags_seen.append(flags)
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError("formula compiled to code")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", only_syntax_trees)
    values = sample(LOGISTIC)
    for text, variables, expected in EQUIVALENT[:4]:
        parse(text, variables).evaluate(values)
    for text, _ in REFUSED[:12]:
        with pytest.raises(FormulaError):
            parse(text, ["x"])
    assert parse_number("1.5^100") > 0
    assert flags_seen and all(flags & ast.PyCF_ONLY_AST for flags in flags_seen)


def test_tables_are_documented_names():
    assert {"exp", "ln", "log", "sqrt", "sigmoid", "sigma", "σ", "tanh", "relu", "abs"} <= set(FUNCTIONS)
    assert {"e", "pi", "π"} <= set(CONSTANTS)
