"""Test inputs for student functions, described in YAML and generated from a seed.

A spec describes an argument as plain YAML, and `build` turns it into a value:
  1.5, "text", true                   itself
  [[0, 1000], [-1000, 1]]             a float64 array (a list of numbers, nested)
  {normal: [4, 3], scale: 2}          standard normal entries times scale, shape (4, 3)
  {uniform: [4, 3], low: -1, high: 1} uniform entries
  {labels: 4, classes: 3}             int64 labels in [0, classes), shape (4,)
  {array: [1, 2], dtype: int64}       a literal array of another dtype
  {rng: 7}                            a fresh numpy Generator seeded with 7 in each call
  {dict: {W1: {normal: [4, 5]}}}      a dict of such values (dict-valued parameters)
  {list: [{normal: [2, 2]}, ...]}     a list of such values
  {result: 1}                         (in a `then` step, or a case after its `before` step) item 1
                                      of the previous call's result
Random draws come from a Generator seeded by the question and case, so every run sees the same
inputs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from ...errors import SpecError

GENERATORS = {"normal", "uniform", "labels", "array", "rng", "dict", "list", "result"}
_OPTIONS = {"normal": {"scale"}, "uniform": {"low", "high"}, "labels": {"classes"},
            "array": {"dtype"}}
MAX_ENTRIES = 1_000_000


@dataclass(frozen=True)
class RngSeed:
    """A Generator to be made fresh for each call (so repeated calls draw the same numbers)."""

    seed: int


@dataclass(frozen=True)
class PreviousResult:
    """Item `index` of the previous step's result (None: the whole result)."""

    index: int | None


def check(description, where: SpecError, *, after_a_call: bool = False) -> None:
    """Raise a copy of `where` (a SpecError naming file, line, key) if the description is bad.

    after_a_call: the description belongs to a `then` step, where `{result: i}` may stand.
    """
    try:
        build(description, np.random.default_rng(0), after_a_call=after_a_call)
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise SpecError(f"{where.message}: {exc}", file=where.file, line=where.line,
                        key=where.key) from None


def build_call(args, kwargs, rng: np.random.Generator, *, after_a_call: bool = False) -> tuple:
    """A call's arguments: (list of positional values, dict of keyword values), drawn from rng
    in that order, so the grader, the handout and the self-check all draw the same numbers."""
    return ([build(a, rng, after_a_call=after_a_call) for a in args],
            {key: build(v, rng, after_a_call=after_a_call) for key, v in kwargs.items()})


def build(description, rng: np.random.Generator, after_a_call: bool = False):
    """The value an argument description stands for (see the module docstring)."""
    if isinstance(description, bool) or description is None or isinstance(description, str):
        return description
    if isinstance(description, (int, float)):
        return description
    if isinstance(description, list):
        return _array(description, np.float64)
    if not isinstance(description, dict):
        raise TypeError(f"cannot build an input from {type(description).__name__}")
    generator = [key for key in description if key in GENERATORS]
    if len(generator) != 1:
        raise ValueError(f"an input needs exactly one of {', '.join(sorted(GENERATORS))}")
    kind = generator[0]
    unknown = set(description) - {kind} - _OPTIONS.get(kind, set())
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(sorted(map(str, unknown)))} for {kind}")
    value = description[kind]
    if kind == "normal":
        return description.get("scale", 1.0) * rng.standard_normal(_shape(value))
    if kind == "uniform":
        return rng.uniform(description.get("low", -1.0), description.get("high", 1.0),
                           _shape(value))
    if kind == "labels":
        classes = description.get("classes")
        if not isinstance(classes, int) or classes < 1:
            raise ValueError("labels need classes: a whole number >= 1")
        return rng.integers(0, classes, _shape(value)).astype(np.int64)
    if kind == "array":
        return _array(value, np.dtype(description.get("dtype", "float64")))
    if kind == "rng":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError("rng takes a seed: a whole number >= 0")
        return RngSeed(value)
    if kind == "dict":
        if not isinstance(value, dict):
            raise ValueError("dict takes a mapping of names to inputs")
        return {str(name): build(item, rng, after_a_call) for name, item in value.items()}
    if kind == "list":
        if not isinstance(value, list):
            raise ValueError("list takes a list of inputs")
        return [build(item, rng, after_a_call) for item in value]
    if not after_a_call:
        raise ValueError("result refers to a previous call: only in a `then` step or a case "
                         "with a `before` step")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise ValueError("result takes the index of an item of the previous result, or null")
    return PreviousResult(value)


def _shape(value) -> tuple:
    shape = (value,) if isinstance(value, int) and not isinstance(value, bool) else value
    if (not isinstance(shape, (list, tuple))
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)):
        raise ValueError(f"a shape is a whole number or a list of them, not {value!r}")
    if int(np.prod(shape)) > MAX_ENTRIES:
        raise ValueError(f"shape {list(shape)} has more than {MAX_ENTRIES:,} entries")
    return tuple(shape)


def _array(values, dtype) -> np.ndarray:
    array = np.array(values, dtype=dtype)
    if array.dtype == object:
        raise ValueError("a literal array must be numbers in a regular nested list")
    return array


def fresh(value):
    """A private copy of built inputs for one call in this process (the reference's, or the
    self-check's), with a new Generator for each RngSeed, so every call draws the same numbers."""
    if isinstance(value, RngSeed):
        return np.random.default_rng(value.seed)
    if isinstance(value, dict):
        return {key: fresh(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(fresh(item) for item in value)
    return copy.deepcopy(value)
