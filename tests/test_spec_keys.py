"""Every key of every kind, given a malformed value, is a `file:line: key: message`: at load, or
at `validate` (check_spec) for what only running the reference shows; never a traceback.

The malformed values of each key are made from its declaration (kinds/base.Key: its types, range
and allowed values), so a key added to a kind is covered here without a new line; the table below
adds what a declaration cannot say (what is wrong inside a list or a mapping)."""

import pytest
import yaml

from autograder import kinds
from autograder.errors import SpecError
from autograder.spec import QUESTION_KEYS, load_assignment
from autograder.validate import check_spec

# A valid question of each kind, which each test breaks in one key.
VALID = {
    "choice": {"choices": {"A": "x", "B": "y"}, "answer": "A"},
    "numeric": {"answer": 3},
    "expression": {"variables": {"x": [0, 1]}, "answer": "2*x"},
    "derivative": {"variables": {"x": [0, 1]}, "function": "x^3", "wrt": "x"},
    "code": {"function": "pair", "reference": "ref.py:pair", "cases": [{"args": [{"normal": [3]}]}]},
    "unittest": {"tests": "test_unit.py"},
}
UNIT_TESTS = ("import unittest\nfrom gradescope_utils.autograder_utils.decorators import weight"
              "\n\n\nclass TestPair(unittest.TestCase):\n    @weight(1)\n    def test_pair(self):"
              "\n        pass\n")
REFERENCE = "def pair(x, y=None):\n    return x * 2, x\n\n\ndef double(x):\n    return x * 2\n"
SAMPLES = {"string": "text", "integer": 7, "number": 1.5, "boolean": True, "array": [1],
           "object": {"a": 1}, "null": None}


def _is(value, json_type) -> bool:
    if json_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return {"string": str, "integer": int, "boolean": bool, "array": list,
            "object": dict}[json_type] is type(value)


def generated_cases():
    """(kind, key, a malformed value) for every declared key, from its declaration."""
    for kind, module in sorted(kinds.all_kinds().items()):
        for key in (*QUESTION_KEYS, *module.KEYS):
            for sample in SAMPLES.values():
                if not any(_is(sample, json_type) for json_type in key.types):
                    yield kind, key.name, sample
            if key.minimum is not None:
                yield kind, key.name, key.minimum if key.exclusive_minimum else key.minimum - 1
            if key.maximum is not None:
                yield kind, key.name, key.maximum if key.exclusive_maximum else key.maximum + 1
            if "number" in key.types or "integer" in key.types:
                yield kind, key.name, float("inf")
            if key.allowed:
                yield kind, key.name, "no-such-value"


# (kind, key, value, words in the message): what is wrong inside a value.
INSIDE = [
    ("choice", "choices", {"a": "x", "B": "y"}, "single capital letters"),
    ("choice", "choices", {"A": "x"}, "at least two"),
    ("choice", "choices", {"A": [1], "B": "y"}, "must be"),
    ("choice", "answer", [], "at least one"),
    ("choice", "answer", ["A", "A"], "twice"),
    ("choice", "answer", [["A"]], "is not one of the choices"),
    ("choice", "answer", "E", "is not one of the choices"),
    ("numeric", "answer", "lots", "cannot be read"),
    ("expression", "variables", {}, "at least one"),
    ("expression", "variables", {"x": [1]}, "low < high"),
    ("expression", "variables", {"x": [0, float("inf")]}, "low < high"),
    ("expression", "variables", {"1x": [0, 1]}, "identifier"),
    ("expression", "variables", {"x": {"range": [0, 1], "step": 2}}, "unknown key"),
    ("expression", "define", {"y": "x +* 1"}, ""),
    ("expression", "define", {"x": "1"}, "new name"),
    ("expression", "define", {"y": [1]}, "must be a formula"),
    ("expression", "answer", "x + z", "z"),
    ("expression", "answer", "log(x - 5)", "undefined"),
    ("derivative", "given", {"x": 1}, "not also in"),
    ("derivative", "given", {"y": "a"}, "must be a number"),
    ("derivative", "wrt", "z", "not one of the sampled"),
    ("code", "function", "not a name", "not a Python function name"),
    ("code", "function", "a-b:f", "not a module name"),
    ("code", "file", "other.py", "not among the files"),
    ("code", "reference", "nocolon", "module:function"),
    ("code", "reference", "ref.py:missing", "cannot load"),
    ("code", "reference", "nowhere.py:pair", "cannot load"),
    ("code", "cases", [7], "must be a mapping"),
    ("code", "cases", [{"args": 7}], "must be a list"),
    ("code", "cases", [{"args": [{"normal": "x"}]}], "a shape"),
    ("code", "cases", [{"args": [{"result": 0}]}], "only in a `then` step"),
    ("code", "cases", [{"args": [{"normal": [3]}], "colour": 1}], "unknown key"),
    ("code", "cases", [{"args": [{"normal": [3]}], "visibility": "secret"}], "not one of"),
    ("code", "cases", [{"args": [{"normal": [3]}], "then": {"args": []}}], "missing required"),
    ("code", "cases", [{"args": [{"normal": [3]}], "then": 7}], "must be"),
    ("code", "outputs", [-1], "positions"),
    ("code", "outputs", ["a"], "positions"),
    ("code", "outputs", [True], "positions"),
    ("code", "may_modify", [{"a": 1}], "argument positions"),
    ("code", "may_modify", [-1], "argument positions"),
    ("code", "may_modify", [[0]], "argument positions"),
    ("code", "gradient", {}, "missing required key 'args'"),
    ("code", "gradient", {"args": [{"normal": [3]}], "wrt": 2}, "not among"),
    ("code", "gradient", {"args": [{"normal": [3]}], "wrt": "x"}, "must be"),
    ("code", "gradient", {"args": [{"normal": [3]}], "directions": 99}, "between"),
    ("code", "gradient", {"args": [{"normal": [3]}], "colour": 1}, "unknown key"),
    ("code", "check", "nofile.py:c", "cannot load"),
    ("code", "check", {"visibility": "hidden"}, "missing required key 'function'"),
    ("code", "check", {"function": "ref.py:pair", "visibility": "secret"}, "not one of"),
    ("unittest", "tests", "missing.py", "no Python file"),
    ("unittest", "tests", "ref.py", "has no test methods"),
    # Seen only when the reference runs: at validate time.
    ("code", "outputs", [7], "the reference returns a tuple of 2 items"),
    ("code", "cases", [{"args": [{"normal": [3]}],
                        "then": {"function": "double", "args": [{"result": 5}]}}],
     "{result: 5} is beyond the first call's result"),
    ("code", "cases", [{"before": {"function": "double", "args": [{"normal": [3]}]},
                        "args": [{"result": 1}]}], "picks an item of the `before` step's result"),
    ("code", "cases", [{"args": [1, 2, 3]}], "the reference fails on this case"),
]


def flow(name: str, value) -> str:
    """`name: value` on one line (the value in YAML's flow style), so each key has its own line."""
    return yaml.safe_dump({name: value}, default_flow_style=True, width=10**6).strip()[1:-1]


def spec_error(tmp_path, kind: str, key: str, value):
    """(the SpecError the spec with question q's `key` set to value raises, the line of `key`)."""
    question = {"id": "q", "kind": kind, "points": 1, **VALID[kind], key: value}
    spec = {"id": "t", "title": "T", "submit": {"code": "hw.py"}, "questions": [question]}
    text = yaml.safe_dump({name: spec[name] for name in ("id", "title", "submit")}) + \
        "questions:\n" + "".join(f"  {'-' if at == 0 else ' '} {flow(name, value)}\n"
                                  for at, (name, value) in enumerate(question.items()))
    (tmp_path / "assignment.yaml").write_text(text)
    (tmp_path / "ref.py").write_text(REFERENCE)
    (tmp_path / "test_unit.py").write_text(UNIT_TESTS)
    rows = text.splitlines()
    start = rows.index("questions:")
    line = next(number for number, row in enumerate(rows[start:], start=start + 1)
                if row.lstrip(" -").startswith(f"{key}:"))
    with pytest.raises(SpecError) as caught:
        check_spec(load_assignment(tmp_path))
    return caught.value, line


@pytest.mark.parametrize("kind", sorted(kinds.names()))
def test_the_valid_question_of_each_kind_loads_and_runs(tmp_path, kind):
    question = {"id": "q", "kind": kind, "points": 1, **VALID[kind]}
    spec = {"id": "t", "title": "T", "submit": {"code": "hw.py"}, "questions": [question]}
    (tmp_path / "assignment.yaml").write_text(yaml.safe_dump(spec))
    (tmp_path / "ref.py").write_text(REFERENCE)
    (tmp_path / "test_unit.py").write_text(UNIT_TESTS)
    check_spec(load_assignment(tmp_path))


@pytest.mark.parametrize("kind, key, value", list(generated_cases()),
                         ids=lambda value: repr(value)[:30])
def test_a_value_the_declaration_rules_out_is_named_where_it_stands(tmp_path, kind, key, value):
    error, line = spec_error(tmp_path, kind, key, value)
    assert error.file == str(tmp_path / "assignment.yaml")
    assert (error.line, error.key) == (line, key), str(error)
    assert str(error).startswith(f"{tmp_path / 'assignment.yaml'}:{line}: {key}: ")


@pytest.mark.parametrize("kind, key, value, words", INSIDE, ids=lambda value: repr(value)[:30])
def test_what_is_wrong_inside_a_value_is_named_at_its_key(tmp_path, kind, key, value, words):
    error, line = spec_error(tmp_path, kind, key, value)
    assert error.file == str(tmp_path / "assignment.yaml") and error.line >= line, str(error)
    assert error.key is not None, str(error)
    assert words in error.message, str(error)


def test_every_declared_key_has_malformed_values():
    covered = {(kind, key) for kind, key, _ in generated_cases()}
    for kind, module in kinds.all_kinds().items():
        assert {(kind, key.name) for key in module.KEYS} <= covered
