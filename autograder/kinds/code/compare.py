"""Comparing a student's result with the reference's, in the words every face uses.

A result matches when it has the reference's structure (tuples, lists, dicts) and its numbers are
within rtol and atol (scaled by max(1, max|expected|)); otherwise the first difference is named
where it is ("`dw` (item 2 of the result)", "key 'W1', item 2") and mismatch.py says what the
mistake looks like. Expected values are shown only when the question has `reveal: true`.
"""

from __future__ import annotations

import numpy as np

from ...sandbox.codec import Handle
from . import inputs, mismatch
from .calls import NOT_IMPLEMENTED_MISTAKE, result_label

# Short names of mistakes for regrade's item analysis.
WRONG_LABELS = "wrong labels"
WRONG_TYPE = "wrong type of result"


def compare(got, want, outputs, rtol: float, atol: float, context=(), *,
            reveal: bool = False, names=()) -> tuple | None:
    """None when the student's result matches the reference's; otherwise (mistake, what
    differs): the mistake's short name and the sentence for the student, which shows the
    reference's values only when reveal (the question's `reveal: true`). names: what the
    reference calls its tuple's items, for naming them (calls.result_label)."""
    if outputs is None and isinstance(want, (tuple, list)) and isinstance(got, (tuple, list)) \
            and len(got) == len(want):
        outputs = range(len(want))  # a whole tuple: each item named as `outputs` names them
    if outputs is not None:
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return WRONG_TYPE, f"expected a tuple of {len(want)} items, got {what_it_is(got)}."
        for position in outputs:
            if got[position] is None and want[position] is not None:
                return NOT_IMPLEMENTED_MISTAKE, (f"{result_label(position, names)} is None: "
                                                 "not implemented yet.")
            problem = compare(got[position], want[position], None, rtol, atol, context,
                              reveal=reveal)
            if problem:
                mistake, message = problem
                return mistake, f"{result_label(position, names)}: {message}"
        return None
    return _compare(got, want, rtol, atol, context, "", reveal)


def _compare(got, want, rtol, atol, context, path, reveal) -> tuple | None:
    """path: where in this part of the result the difference is, in the words of every face
    ("key 'W1', item 2")."""
    at = f" (in {path})" if path else ""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return WRONG_TYPE, (f"expected a dict with keys {sorted(want)}, "
                                f"got {what_it_is(got)}{at}.")
        if set(got) != set(want):
            return WRONG_TYPE, f"expected keys {sorted(want)}, got {sorted(map(str, got))}{at}."
        for key in want:
            problem = _compare(got[key], want[key], rtol, atol, context,
                               _within(path, f"key {key!r}"), reveal)
            if problem:
                return problem
        return None
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return WRONG_TYPE, f"expected {len(want)} items, got {what_it_is(got)}{at}."
        for position, (g, w) in enumerate(zip(got, want)):
            problem = _compare(g, w, rtol, atol, context, _within(path, f"item {position + 1}"),
                               reveal)
            if problem:
                return problem
        return None
    if isinstance(want, str):
        if got == want:
            return None
        yours = f"{got[:80]!r}" if isinstance(got, str) else what_it_is(got)
        if reveal:
            return mismatch.WRONG_VALUES, f"expected {want!r}, got {yours}{at}."
        return mismatch.WRONG_VALUES, f"got {yours}{at}, which is not the expected answer."
    return _compare_numbers(got, want, rtol, atol, context, at, reveal)


def _compare_numbers(got, want, rtol, atol, context, at, reveal) -> tuple | None:
    want = np.asarray(want)
    if isinstance(got, (str, dict)) or got is None:
        return WRONG_TYPE, f"expected a number or array, got {what_it_is(got)}{at}."
    if isinstance(got, Handle):  # what the worker could not send as plain numbers
        return WRONG_TYPE, (f"expected {'a number' if want.ndim == 0 else 'an array'}, got "
                            f"{what_it_is(got)}{at}; return real numbers as a float, an int or a "
                            "plain numpy array (np.asarray(result, dtype=float) makes one).")
    try:
        raw = np.asarray(got)
        values = raw.astype(np.float64)
    except (TypeError, ValueError):
        return WRONG_TYPE, f"expected numbers, got {what_it_is(got)}{at}."
    if want.dtype.kind in "iu":
        if raw.dtype.kind not in "iu":
            return WRONG_TYPE, f"expected integer labels, got an array of dtype {raw.dtype}{at}."
        if raw.shape != want.shape:
            return _located(mismatch.diagnose(values, want.astype(np.float64), reveal=reveal), at)
        wrong = int((raw != want).sum())
        return None if wrong == 0 else (WRONG_LABELS, f"{wrong} of {want.size} labels differ{at}.")
    if want.ndim == 0 and values.size == 1:
        values = values.reshape(())
    want = want.astype(np.float64)
    if values.shape == want.shape and np.isfinite(values).all():
        scale = max(1.0, float(np.abs(want).max())) if want.size else 1.0
        if np.all(np.abs(values - want) <= atol * scale + rtol * np.abs(want)):
            return None
    return _located(mismatch.diagnose(values, want, batch=_batch_size(context), reveal=reveal),
                    at)


def _within(path: str, part: str) -> str:
    return f"{path}, {part}" if path else part


def _located(diagnosis: tuple, at: str) -> tuple:
    mistake, message = diagnosis
    return mistake, message + at


def _batch_size(context) -> int | None:
    for value in context:
        if isinstance(value, np.ndarray) and value.ndim == 2:
            return value.shape[0]
    return None


def describe(args, kwargs) -> str:
    parts = [short_value(a) for a in args] + [f"{k}={short_value(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def short_value(value) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 4:
            return np.array2string(value, precision=4, separator=", ")
        return f"array{value.shape}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {short_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, inputs.RngSeed):
        return f"rng(seed={value.seed})"
    return repr(value)


def what_it_is(value) -> str:
    if isinstance(value, Handle):
        return "a complex number" if value.type_name == "complex" else f"a {value.type_name}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"
