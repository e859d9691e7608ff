"""Comparing two functions of a few variables at random points: formula questions' engine.

A student's formula is right when it agrees with the expected values at every sampled point where
the expected value is defined, whatever its written form. Points are drawn from a generator seeded
by the question id, so a regrade sees the same points.

Tolerance. Two correct float64 evaluations of one function differ by roundoff that cancellation can
amplify (1 - sigmoid(z) near z = 30 loses most digits). So a point only counts as a disagreement if
it survives a re-evaluation in extended precision (numpy's longdouble): where the two formulas agree
in extended precision the float64 gap was roundoff, not a wrong answer.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from ...errors import FormulaError
from .parser import parse
from ...yamlio import Node

DEFAULT_SAMPLES = 40
DEFAULT_RTOL = 1e-6


@dataclass(frozen=True)
class Variable:
    name: str
    low: float
    high: float
    integer: bool = False


def load_variables(node: Node, key: str = "variables") -> tuple:
    """`variables: {x1: [-2, 2], d: {range: [1, 100], integer: true}}` -> Variables."""
    raw = node.require(key, Node, "a mapping from variable name to its sampling range [low, high]")
    if not raw:
        raise node.error(key, "declare at least one variable")
    variables = []
    for name, spec in raw.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise raw.error(str(name), "a variable name must be an identifier such as x1 or w_11")
        integer = False
        if isinstance(spec, Node):
            spec.reject_unknown_keys({"range", "integer"}, f"variable '{name}'")
            integer = spec.optional("integer", bool, "true or false", False)
            spec = spec.require("range", list, "[low, high]")
        if (not isinstance(spec, list) or len(spec) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                           and math.isfinite(v) for v in spec)
                or not spec[0] < spec[1]):
            raise raw.error(name, "the range must be [low, high] with low < high")
        variables.append(Variable(name, float(spec[0]), float(spec[1]), integer))
    return tuple(variables)


@dataclass(frozen=True)
class Definitions:
    """Named sub-expressions (`define: {yhat: sigmoid(w1*x1 + w2*x2)}`) that answers may use.

    Each is computed from the sampled variables (and earlier definitions) wherever a formula is
    evaluated, so a derivative's shifted points shift them too.
    """

    formulas: tuple = ()

    @property
    def names(self) -> list:
        return [name for name, _ in self.formulas]

    def extend(self, values: Mapping[str, np.ndarray]) -> dict:
        extended = dict(values)
        for name, formula in self.formulas:
            with np.errstate(all="ignore"):
                extended[name] = formula.evaluate(extended)
        return extended


def load_definitions(node: Node, names: list, key: str = "define") -> Definitions:
    """`define: {name: formula}`, each formula over the variables and the definitions before it."""
    raw = node.optional(key, Node, "a mapping from a name to its formula", None)
    if raw is None:
        return Definitions()
    known = list(names)
    formulas = []
    for name, text in raw.items():
        if not isinstance(name, str) or not name.isidentifier() or name in known:
            raise raw.error(str(name), "must be a new name (an identifier not already a variable)")
        raw.typed(name, (str, int, float), "a formula")
        try:
            formulas.append((name, parse(str(text), known)))
        except FormulaError as exc:
            raise raw.error(name, exc.message) from None
        known.append(name)
    return Definitions(tuple(formulas))


def sample_points(variables: tuple, count: int, seed_text: str) -> dict:
    """`count` points drawn uniformly from each variable's range: {name: (count,) array}."""
    rng = np.random.default_rng(zlib.crc32(seed_text.encode("utf-8")))
    points = {}
    for variable in variables:
        if variable.integer:
            values = rng.integers(int(variable.low), int(variable.high), count, endpoint=True)
            points[variable.name] = values.astype(np.float64)
        else:
            points[variable.name] = rng.uniform(variable.low, variable.high, count)
    return points


@dataclass(frozen=True)
class Comparison:
    """Where the student's values disagree with the expected ones."""

    checked: int
    undefined_in_yours: tuple    # indices where expected is finite, yours is not
    disagree: tuple              # indices where both are finite but differ beyond tolerance

    @property
    def agrees(self) -> bool:
        return not self.undefined_in_yours and not self.disagree


Evaluate = Callable[[Mapping[str, np.ndarray]], np.ndarray]


def compare(expected: Evaluate, yours: Evaluate, points: Mapping[str, np.ndarray],
            rtol: float = DEFAULT_RTOL, slack: np.ndarray | None = None) -> Comparison:
    """Compare two vectorised functions at the points.

    expected, yours: take {name: (n,) array} and return an (n,) array (non-finite = undefined).
    slack: optional (n,) extra absolute tolerance per point (e.g. a finite difference's error bound).
    """
    want = _as_values(expected(points), points)
    got = _as_values(yours(points), points)
    defined = np.isfinite(want)
    undefined_in_yours = defined & ~np.isfinite(got)
    both = defined & np.isfinite(got)
    tolerance = rtol * np.maximum(np.abs(want), np.abs(got))
    if slack is not None:
        tolerance = tolerance + slack
    with np.errstate(invalid="ignore"):
        suspect = both & ~(np.abs(got - want) <= tolerance)
    if suspect.any():
        suspect &= ~_agree_in_extended_precision(expected, yours, points, suspect, rtol, slack)
    return Comparison(checked=int(defined.sum()),
                      undefined_in_yours=tuple(np.flatnonzero(undefined_in_yours)),
                      disagree=tuple(np.flatnonzero(suspect)))


def _agree_in_extended_precision(expected: Evaluate, yours: Evaluate, points, mask, rtol, slack):
    """Re-evaluate the suspect points in longdouble; True where they then agree."""
    extended = {name: values[mask].astype(np.longdouble) for name, values in points.items()}
    with np.errstate(all="ignore"):
        want = np.asarray(expected(extended), dtype=np.longdouble)
        got = np.asarray(yours(extended), dtype=np.longdouble)
        tolerance = rtol * np.maximum(np.abs(want), np.abs(got))
        if slack is not None:
            tolerance = tolerance + slack[mask]
        close = np.abs(got - want) <= tolerance
    agree = np.zeros(mask.shape, dtype=bool)
    agree[mask] = np.broadcast_to(close, (int(mask.sum()),))
    return agree


def _as_values(values, points) -> np.ndarray:
    count = len(next(iter(points.values())))
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(values, dtype=np.float64), (count,))


def value_at(values, index: int) -> float:
    values = np.asarray(values, dtype=float)
    return float(values if values.ndim == 0 else values[index])


def describe_point(points: Mapping[str, np.ndarray], index: int) -> str:
    return ", ".join(f"{name}={float(values[index]):.4g}" for name, values in points.items())
