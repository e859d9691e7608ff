"""`expression`: a formula in given variables, right whenever it equals the answer's values.

The student's formula is compared with the answer at random points (sampling.py), so `h/(1-p)`
and `h*(1-p)^-1` are the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import sampling
from ...errors import FormulaError
from .parser import Formula, parse
from ...yamlio import Node
from ..base import UNREADABLE, Check, Key, Verdict, is_blank, no_answer, read_keys

MIN_DEFINED_FRACTION = 0.5
FORMULA_TYPES = ("string", "number")
_RANGE = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
# The keys the formula kinds share (derivative.py adds its own).
VARIABLES = Key("variables", ("object",), "the variables answers may use, each {name: [low, "
                "high]} or {name: {range: [low, high], integer: true}}, sampled uniformly",
                schema={"minProperties": 1,
                        "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                        "additionalProperties": {"oneOf": [_RANGE, {
                            "type": "object", "required": ["range"],
                            "additionalProperties": False,
                            "properties": {"range": _RANGE, "integer": {"type": "boolean"}}}]}})
DEFINE = Key("define", ("object",), "named sub-expressions, such as `yhat: sigmoid(w11*x1 + "
             "w12*x2)`, that the key and the students' answers may use", default=None,
             schema={"additionalProperties": {"type": list(FORMULA_TYPES)}})
SAMPLES = Key("samples", ("integer",), "how many random points formulas are compared at",
              default=sampling.DEFAULT_SAMPLES, minimum=5, maximum=10_000)
RTOL = Key("rtol", ("number",), "the relative tolerance of the comparison at each point",
           default=sampling.DEFAULT_RTOL, minimum=0, maximum=1, exclusive_minimum=True,
           exclusive_maximum=True)
KEYS = (VARIABLES, DEFINE,
        Key("answer", FORMULA_TYPES, "a formula such as `x1*(1 - sigmoid(w1*x1))`, in the "
            "syntax students use"),
        SAMPLES, RTOL)


class FormulaAnswer(Check):
    """What the formula kinds (this one and derivative) share: a formula in names() answers."""

    def names(self) -> list:
        """The names an answer may use."""
        raise NotImplementedError

    def answer_hint(self) -> str:
        return f"a formula in {', '.join(self.names())}"

    def public(self, question_id: str, visible: bool) -> dict:
        return {"names": self.names()}

    def wrong_answer(self, right):
        # key + 1 + |key| differs from the key everywhere, by at least 1 and at least 2x.
        return f"({right}) + 1 + abs({right})"


@dataclass(frozen=True)
class Expression(FormulaAnswer):
    variables: tuple
    definitions: sampling.Definitions
    answer: Formula
    samples: int
    rtol: float

    def grade(self, question_id: str, submission) -> Verdict:
        return grade_formula(
            submission.answer(question_id), question_id,
            names=allowed_names(self.variables, self.definitions),
            expected=lambda at: self.answer.evaluate(self.definitions.extend(at)),
            expected_text=f"`{self.answer.text}`", definitions=self.definitions,
            points=sampling.sample_points(self.variables, self.samples, question_id),
            rtol=self.rtol)

    def same_answer(self, question_id: str, left: str, right: str) -> bool:
        return same_formula(left, right, allowed_names(self.variables, self.definitions),
                            self.definitions,
                            sampling.sample_points(self.variables, self.samples, question_id),
                            self.rtol)

    def names(self) -> list:
        return allowed_names(self.variables, self.definitions)

    def key_answer(self):
        return self.answer.text


def load(node: Node, folder: Path) -> Expression:
    read_keys(node, KEYS)
    variables = sampling.load_variables(node)
    definitions = sampling.load_definitions(node, [variable.name for variable in variables])
    answer = load_formula(node, "answer", allowed_names(variables, definitions))
    samples, rtol = load_sampling_options(node)
    points = definitions.extend(sampling.sample_points(variables, samples, "spec-check"))
    require_mostly_defined(node, "answer", answer.evaluate(points))
    return Expression(variables, definitions, answer, samples, rtol)


def allowed_names(variables: tuple, definitions: sampling.Definitions) -> list:
    return [variable.name for variable in variables] + definitions.names


def load_formula(node: Node, key: str, names: list) -> Formula:
    text = node.require(key, (str, int, float), "a formula")
    try:
        return parse(str(text), names)
    except FormulaError as exc:
        raise node.error(key, exc.message) from None


def load_sampling_options(node: Node) -> tuple:
    return SAMPLES.read(node), float(RTOL.read(node))


def require_mostly_defined(node: Node, key: str, values) -> None:
    defined = np.isfinite(np.asarray(values, dtype=float))
    if defined.mean() < MIN_DEFINED_FRACTION:
        raise node.error(key, f"is undefined (nan or inf) at {int((~defined).sum())} of "
                              f"{defined.size} sample points; narrow the variables' ranges")


def read_formula(raw, names: list) -> tuple:
    """(the Formula a student's answer reads as, "") or (None, why it cannot be read)."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return None, "Answer with a formula written as text, such as `x1*(1 - w1)`."
    try:
        return parse(str(raw), names), ""
    except FormulaError as exc:
        return None, f"Could not read your formula: {exc.message}"


def self_check(public: dict, raw, folder: Path) -> tuple:
    """Whether the answer reads as a formula in the allowed names (never whether it is right):
    the formula kinds' self-check."""
    formula, problem = read_formula(raw, public["names"])
    if problem:
        return "fail", problem
    return "pass", f"reads as `{formula.text}` (uses only {', '.join(public['names'])})"


def grade_formula(raw, question_id: str, names: list, expected, expected_text: str,
                  definitions: sampling.Definitions, points: dict, rtol: float,
                  slack=None) -> Verdict:
    """Grade a student's formula against `expected` at `points`: shared by the formula kinds."""
    if is_blank(raw):
        return no_answer(question_id)
    formula, problem = read_formula(raw, names)
    if problem:
        return Verdict(0.0, problem, mistakes=(UNREADABLE,))
    answer = " ".join(formula.text.split())

    def yours(at):
        return formula.evaluate(definitions.extend(at))

    result = sampling.compare(expected, yours, points, rtol=rtol, slack=slack)
    if result.agrees:
        return Verdict(1.0, f"Correct: `{formula.text}` agrees with the expected answer at "
                            f"{result.checked} random points.", answer=answer)
    index = (result.undefined_in_yours or result.disagree)[0]
    where = sampling.describe_point(points, index)
    wrong = len(result.undefined_in_yours) + len(result.disagree)
    if result.undefined_in_yours:
        feedback = f"Your formula `{formula.text}` is undefined at {where}, where the answer is not."
    else:
        value = sampling.value_at(yours(points), index)
        feedback = (f"Your formula `{formula.text}` differs from the expected answer at {where}: "
                    f"yours is {value:.6g}.")
    feedback += f" It disagrees at {wrong} of the {result.checked} points checked."
    want = sampling.value_at(expected(points), index)
    return Verdict(0.0, feedback, f"{want:.6g} at that point; the answer is {expected_text}",
                   answer=answer)


def same_formula(left: str, right: str, names: list, definitions: sampling.Definitions,
                 points: dict, rtol: float) -> bool:
    """Whether two students' formulas are one answer: each agrees with the other at the points,
    by the comparison that grades a formula against its key (so `x1*(1-s)` and `x1 - x1*s` are
    one answer). A formula that does not parse is the same only as its own text."""
    if left == right:
        return True
    try:
        first, second = parse(left, names), parse(right, names)
    except FormulaError:
        return False

    def values(formula):
        return lambda at: formula.evaluate(definitions.extend(at))

    return (sampling.compare(values(first), values(second), points, rtol=rtol).agrees
            and sampling.compare(values(second), values(first), points, rtol=rtol).agrees)
