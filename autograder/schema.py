"""A JSON Schema of assignment.yaml, so that editors can complete and check specs as they are typed.

The schema is built from the same constants spec.py and the kinds check (their key sets), so a key
added to a kind shows up here, with a description when this module knows one. It is looser than
the loader in one way only: it cannot check formulas, `{{param}}` placeholders or cross-references
(an `answer` letter that is not a choice); `autograder validate` does.

`python3 -m autograder schema` prints it; docs/assignment.schema.json is that output, and the
shipped specs point their editors at it.
"""

from __future__ import annotations

import json

from . import spec
from . import kinds

DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILE = "docs/assignment.schema.json"

_FORMULA = {"type": ["string", "number"],
            "description": "a formula such as `x1*(1 - sigmoid(w1*x1))`: the syntax students use"}
_NUMBER_OR_ARITHMETIC = {"type": ["number", "string"],
                         "description": "a number, or arithmetic such as `1.5^100`"}
_RANGE = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
          "description": "[low, high], low < high"}
_VARIABLES = {
    "type": "object", "minProperties": 1,
    "description": "the variables answers may use, each sampled uniformly from its range",
    "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
    "additionalProperties": {"oneOf": [
        _RANGE,
        {"type": "object", "required": ["range"], "additionalProperties": False,
         "properties": {"range": _RANGE, "integer": {"type": "boolean"}}},
    ]},
}
_DEFINE = {"type": "object", "additionalProperties": _FORMULA,
           "description": "named sub-expressions, such as `yhat: sigmoid(w11*x1 + w12*x2)`, that "
                          "the key and the students' answers may use"}
_SAMPLES = {"type": "integer", "minimum": 5, "maximum": 10000,
            "description": "how many random points formulas are compared at (default 40)"}
_RTOL = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1,
         "description": "relative tolerance"}

# What this module can say about each kind's keys; keys it does not know are still allowed.
KIND_KEYS = {
    "choice": {
        "choices": {"type": "object", "minProperties": 2,
                    "propertyNames": {"pattern": "^[A-Z]$"},
                    "additionalProperties": {"type": ["string", "number"]},
                    "description": "letter -> the choice's text (Markdown)"},
        "answer": {"oneOf": [{"type": "string", "pattern": "^[A-Z]$"},
                             {"type": "array", "minItems": 1, "uniqueItems": True,
                              "items": {"type": "string", "pattern": "^[A-Z]$"}}],
                   "description": "the right letter, or a list of the right letters"},
        "scoring": {"enum": ["all-or-nothing", "partial"],
                    "description": "partial: (right picks - wrong picks) / right letters, "
                                   "floored at 0"},
    },
    "numeric": {
        "answer": _NUMBER_OR_ARITHMETIC,
        "sigfigs": {"type": "integer", "minimum": 1, "maximum": 15,
                    "description": "right within half a unit of this significant figure"},
        "rtol": {"type": "number", "minimum": 0, "description": "relative tolerance (1e-3)"},
        "atol": {"type": "number", "minimum": 0, "description": "absolute tolerance (0)"},
    },
    "expression": {
        "variables": _VARIABLES, "define": _DEFINE, "answer": _FORMULA,
        "samples": _SAMPLES, "rtol": _RTOL,
    },
    "derivative": {
        "variables": _VARIABLES, "define": _DEFINE,
        "given": {"type": "object", "additionalProperties": {"type": "number"},
                  "description": "variables held fixed, such as `y: 1`"},
        "function": dict(_FORMULA, description="the function to differentiate"),
        "wrt": {"type": "string", "description": "the variable to differentiate by"},
        "samples": _SAMPLES, "rtol": _RTOL,
    },
    "code": {
        "function": {"type": "string", "pattern": r"^([A-Za-z_]\w*(\.[A-Za-z_]\w*)*:)?[A-Za-z_]\w*$",
                     "description": "the student's function name, or module:function "
                                    "(cs231n.layers:affine_forward) in a package submission"},
        "file": {"type": "string", "description": "the submitted file holding it (default: the "
                                                  "module of `function`, else the first of "
                                                  "submit.code)"},
        "reference": {"type": "string",
                      "description": "module:function or file.py:function to compare with "
                                     "(default reference:<function>); `then` and `before` "
                                     "steps default to the same module"},
        "cases": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "properties": {"args": {"type": "array"}, "kwargs": {"type": "object"},
                           "name": {"type": "string"}, "then": {"type": "object"},
                           "before": {"type": "object", "description": "a setup call (e.g. "
                                      "the forward) whose result the args use as {result: i}"},
                           "visibility": {"enum": ["visible", "hidden"], "description":
                                          "hidden: graded, never in the handout; failing it "
                                          "tells only the case's name"}}},
            "description": "inputs (see autograder/inputs.py) the student's function and the "
                           "reference are called with"},
        "outputs": {"type": "array", "items": {"type": "integer"},
                    "description": "which items of a tuple result to compare"},
        "rtol": {"type": "number", "minimum": 0}, "atol": {"type": "number", "minimum": 0},
        "may_modify": {"type": "array", "items": {"type": ["integer", "string"]},
                       "description": "arguments the function may change in place"},
        "gradient": {"type": "object", "required": ["args"],
                     "description": "check the student's gradients against central differences "
                                    "of the student's own loss"},
        "check": {"oneOf": [
            {"type": "string"},
            {"type": "object", "additionalProperties": False, "required": ["function"],
             "properties": {"function": {"type": "string"},
                            "visibility": {"enum": ["visible", "hidden"]}}}],
            "description": "file.py:function, an instructor's own check (run by the self-check "
                           "too); {function, visibility: hidden} keeps it on Gradescope"},
    },
}
REQUIRED = {"choice": ["choices", "answer"], "numeric": ["answer"], "code": ["function"],
            "expression": ["variables", "answer"],
            "derivative": ["variables", "function", "wrt"]}

_COMMON_KEYS = {
    "id": {"type": ["string", "integer"], "pattern": "^[A-Za-z0-9_.-]+$",
           "description": "a short identifier, unique in the assignment: the key in answers.yaml"},
    "kind": {"enum": sorted(kinds.NAMES)},
    "points": {"type": "number", "minimum": 0},
    "title": {"type": "string", "description": "shown as the test's name on Gradescope"},
    "prompt": {"type": "string", "description": "Markdown with $LaTeX$ math; {{param}} allowed"},
    "visibility": {"enum": list(spec.VISIBILITIES), "description": "default: visible"},
    "reveal": {"type": "boolean",
               "description": "may feedback show the expected answer? (default false)"},
}

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
    common = _known(spec.COMMON_QUESTION_KEYS, _COMMON_KEYS)
    by_kind = []
    for name, kind in sorted(kinds.all_kinds().items()):
        own = _known(kind.KEYS, KIND_KEYS.get(name, {}))
        by_kind.append({
            "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
            "then": {"properties": {**{key: True for key in common}, **own},
                     "required": REQUIRED.get(name, []), "additionalProperties": False},
        })
    return {"type": "object", "required": ["id", "kind", "points"], "properties": common,
            "allOf": by_kind}


def _known(keys, described: dict) -> dict:
    """{key: its schema} for every key the loader accepts; {} (anything) where none is written."""
    return {key: described.get(key, {}) for key in sorted(keys)}


def schema_text() -> str:
    return json.dumps(assignment_schema(), indent=2, ensure_ascii=False) + "\n"
