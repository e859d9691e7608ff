"""`derivative`: the student gives ∂function/∂wrt as a formula; no closed form needed in the spec.

The expected values are central differences of `function`, improved by one Richardson step:
D(h) = (f(x+h) - f(x-h)) / 2h has error h²f'''/6 + O(ε|f|/h); R = (4 D(h/2) - D(h)) / 3 removes
the h² term. With h = 1e-3·max(1, |x|) the remaining error of R is far below |R - D(h/2)|, which
estimates D(h/2)'s own truncation error; that estimate plus the roundoff bound 10·ε·|f|/h is the
per-point slack added to the relative tolerance. Points where f is undefined nearby are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import sampling
from .parser import Formula
from ...yamlio import Node
from ..base import Key, Verdict, read_keys
from .expression import (DEFINE, FORMULA_TYPES, RTOL, SAMPLES, VARIABLES, FormulaAnswer,
                         allowed_names, grade_formula, load_formula, load_sampling_options,
                         require_mostly_defined, same_formula)
from .expression import self_check  # noqa: F401  (a derivative's answer is read as a formula)

KEYS = (VARIABLES,
        Key("given", ("object",), "variables held fixed, such as `y: 1`", default=None,
            schema={"additionalProperties": {"type": "number"}}),
        DEFINE,
        Key("function", FORMULA_TYPES, "the function to differentiate, a formula"),
        Key("wrt", ("string",), "the variable to differentiate by, one of the variables"),
        SAMPLES, RTOL)
RELATIVE_STEP = 1e-3


@dataclass(frozen=True)
class Derivative(FormulaAnswer):
    variables: tuple
    given: dict
    definitions: sampling.Definitions
    function: Formula
    wrt: str
    samples: int
    rtol: float

    def names(self) -> list:
        return allowed_names(self.variables, self.definitions) + list(self.given)

    def points(self, seed_text: str) -> dict:
        points = sampling.sample_points(self.variables, self.samples, seed_text)
        count = self.samples
        points.update({name: np.full(count, value) for name, value in self.given.items()})
        return points

    def grade(self, question_id: str, submission) -> Verdict:
        points = self.points(question_id)
        _, slack = self.difference(points)
        return grade_formula(submission.answer(question_id), question_id, self.names(),
                             expected=lambda at: self.difference(at)[0],
                             expected_text=f"∂/∂{self.wrt} of `{self.function.text}`",
                             definitions=self.definitions, points=points, rtol=self.rtol,
                             slack=slack)

    def same_answer(self, question_id: str, left: str, right: str) -> bool:
        return same_formula(left, right, self.names(), self.definitions,
                            self.points(question_id), self.rtol)

    def difference(self, points: dict) -> tuple:
        """Richardson-improved central difference of the function wrt `wrt` at the points.

        points: {name: (n,) array}. Returns (derivative (n,), error bound (n,)), both in the
        points' dtype (float64, or longdouble when re-checking a disputed point).
        """
        x = points[self.wrt]
        step = RELATIVE_STEP * np.maximum(1, np.abs(x))
        eps = np.finfo(x.dtype).eps

        def central(h):
            with np.errstate(all="ignore"):
                ahead = self.evaluate({**points, self.wrt: x + h})
                behind = self.evaluate({**points, self.wrt: x - h})
                return (ahead - behind) / (2 * h), np.maximum(np.abs(ahead), np.abs(behind))

        coarse, size = central(step)
        fine, _ = central(step / 2)
        with np.errstate(all="ignore"):
            extrapolated = (4 * fine - coarse) / 3
            bound = np.abs(extrapolated - fine) + 10 * eps * size / step
        return extrapolated, bound

    def evaluate(self, points: dict):
        return self.function.evaluate(self.definitions.extend(points))


def load(node: Node, folder: Path) -> Derivative:
    values = read_keys(node, KEYS)
    variables = sampling.load_variables(node)
    given = values["given"] or Node()
    sampled = {variable.name for variable in variables}
    for name, value in given.items():
        if not isinstance(name, str) or not name.isidentifier() or name in sampled:
            raise given.error(str(name), "must be a variable name not also in `variables`")
        given.typed(name, (int, float), "a number")
    definitions = sampling.load_definitions(node, [variable.name for variable in variables] + list(given))
    function = load_formula(node, "function", allowed_names(variables, definitions) + list(given))
    wrt = values["wrt"]
    if wrt not in sampled:
        raise node.error("wrt", f"'{wrt}' is not one of the sampled variables "
                                f"{', '.join(sorted(sampled))}")
    samples, rtol = load_sampling_options(node)
    check = Derivative(variables, {name: float(v) for name, v in given.items()}, definitions,
                       function, wrt, samples, rtol)
    derivative, _ = check.difference(check.points("spec-check"))
    require_mostly_defined(node, "function", derivative)
    return check
