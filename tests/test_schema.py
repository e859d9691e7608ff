"""`autograder schema`: the JSON Schema editors use to check specs agrees with the loader."""

import copy
import json

import jsonschema
import pytest

from autograder.cli import main
from autograder.kinds import kind as kind_module, names
from autograder.kinds.base import key_names
from autograder.schema import SCHEMA_FILE, assignment_schema, schema_text
from autograder.spec import COMMON_QUESTION_KEYS
from autograder.yamlio import load_spec_file
from conftest import PROBLEMS, ROOT

SHIPPED = sorted(PROBLEMS.glob("*/assignment.yaml"))


@pytest.fixture(scope="module")
def validator():
    schema = assignment_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_schema_command_prints_the_committed_file(capsys):
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == assignment_schema()
    assert (ROOT / SCHEMA_FILE).read_text() == printed, (
        f"{SCHEMA_FILE} is out of date: python3 -m autograder schema > {SCHEMA_FILE}")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_every_shipped_spec_is_valid_and_points_at_the_schema(validator, path):
    # The grader's own loader: it reads 2e-3 as a number, as YAML 1.2 editors do.
    spec = load_spec_file(path)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(spec)]
    assert not errors
    reference = path.parent / spec["$schema"]
    assert reference.resolve() == (ROOT / SCHEMA_FILE).resolve()
    assert f"# yaml-language-server: $schema={spec['$schema']}" in path.read_text()


@pytest.mark.parametrize("kind", sorted(names()))
def test_each_kind_allows_exactly_the_keys_its_loader_accepts(kind):
    question = assignment_schema()["definitions"]["question"]
    then = next(rule["then"] for rule in question["allOf"]
                if rule["if"]["properties"]["kind"]["const"] == kind)
    declared = kind_module(kind).KEYS
    assert set(then["properties"]) == COMMON_QUESTION_KEYS | key_names(declared)
    assert set(then["required"]) == {key.name for key in declared if key.required}
    for key in declared:   # made from the declaration, with its description
        assert then["properties"][key.name]["description"].startswith(key.what)


def _quiz():
    return load_spec_file(PROBLEMS / "nn3-quiz" / "assignment.yaml")


BREAKAGES = [
    (lambda s: s["questions"][1].update(colour="red"), "'colour' was unexpected"),
    (lambda s: s["questions"][1].update(kind="guess"), "'guess' is not one of"),
    (lambda s: s["questions"][1].pop("answer"), "'answer' is a required property"),
    (lambda s: s["questions"][1].update(points="two"), "'two' is not of type 'number'"),
    (lambda s: s["questions"][1].update(visibility="secret"), "'secret' is not one of"),
    (lambda s: s["questions"][0].update(variables={"x1": [1]}), "is not valid under any"),
    (lambda s: s.pop("title"), "'title' is a required property"),
    (lambda s: s.update(params={"x": {"range": [0, 1], "step": 2}}), "is not valid under any"),
]


@pytest.mark.parametrize("breakage, words", BREAKAGES)
def test_broken_copies_of_the_quiz_fail_the_schema(validator, breakage, words):
    spec = copy.deepcopy(_quiz())
    breakage(spec)
    messages = [error.message for error in validator.iter_errors(spec)]
    assert any(words in message for message in messages), messages


def test_schema_text_is_stable():
    assert schema_text() == schema_text()
    assert schema_text().endswith("}\n")
