"""A JSON Schema of assignment.yaml, so that editors can complete and check specs as they are typed.

A question's keys are made from their one declaration (kinds/base.Key): the common ones in
spec.QUESTION_KEYS, each kind's in its module's KEYS, so a key added to a kind shows up here with
its type, range and description. It is looser than the loader in one way only: it cannot check
formulas, `{{param}}` placeholders or cross-references (an `answer` letter that is not a choice);
the loader and `autograder validate` do.

`python3 -m autograder schema` prints it; docs/assignment.schema.json is that output, and the
shipped specs point their editors at it.
"""

from __future__ import annotations

import json

from . import spec
from . import kinds

DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILE = "docs/assignment.schema.json"

_RANGE = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
          "description": "[low, high], low < high"}

_ASSIGNMENT_KEYS = {
    "$schema": {"type": "string", "description": "where editors find this schema"},
    "id": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"},
    "title": {"type": "string"},
    "description": {"type": "string"},
    "submit": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "answers": {"type": "string", "description": "the answers file (answers.yaml)"},
            "code": {"oneOf": [{"type": "string"},
                               {"type": "array", "items": {"type": "string"}, "minItems": 1}],
                     "description": "the code file(s) students submit: hw6.py, paths with "
                                    "folders (cs231n/layers.py), globs (cs231n/*.py)"},
        },
    },
    "params": {
        "type": "object",
        "description": "per-student values, seeded by the student's identity; use as {{name}}",
        "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
        "additionalProperties": {"oneOf": [
            {"type": "object", "required": ["range"], "additionalProperties": False,
             "properties": {"range": _RANGE, "round": {"type": "integer"}}},
            {"type": "object", "required": ["choices"], "additionalProperties": False,
             "properties": {"choices": {"type": "array", "minItems": 1,
                                        "items": {"type": ["number", "string"]}}}},
        ]},
    },
    "questions": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/question"},
                  "description": "with `extends`: the questions replaced (same id) or added"},
    "support": {"type": "array", "items": {"type": "string"},
                "description": "instructor's files and folders (relative to this spec) placed "
                               "beside the student's files, importable by student code, the "
                               "reference and checks"},
    "extends": {"type": "string",
                "description": "another assignment folder (../base) whose spec this one builds on"},
}


def assignment_schema() -> dict:
    """The JSON Schema (draft-07, what YAML editors support) of an assignment.yaml."""
    return {
        "$schema": DRAFT,
        "$id": "https://nn-autograder.invalid/assignment.schema.json",
        "title": "nn-autograder assignment.yaml",
        "type": "object",
        "required": ["id", "title"],
        "additionalProperties": False,
        "properties": _known(spec.ASSIGNMENT_KEYS, _ASSIGNMENT_KEYS),
        "definitions": {"question": _question_schema()},
    }


def _question_schema() -> dict:
    common = {key.name: key.json_schema() for key in spec.QUESTION_KEYS}
    common["kind"] = dict(common["kind"], enum=sorted(kinds.names()))
    del common["kind"]["type"]
    by_kind = []
    for name, kind in sorted(kinds.all_kinds().items()):
        own = {key.name: key.json_schema() for key in kind.KEYS}
        by_kind.append({
            "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
            "then": {"properties": {**{key: True for key in common}, **own},
                     "required": [key.name for key in kind.KEYS if key.required],
                     "additionalProperties": False},
        })
    return {"type": "object", "required": [key.name for key in spec.QUESTION_KEYS
                                           if key.required],
            "properties": common, "allOf": by_kind}


def _known(keys, described: dict) -> dict:
    """{key: its schema} for every key the loader accepts; {} (anything) where none is written."""
    return {key: described.get(key, {}) for key in sorted(keys)}


def schema_text() -> str:
    return json.dumps(assignment_schema(), indent=2, ensure_ascii=False) + "\n"
