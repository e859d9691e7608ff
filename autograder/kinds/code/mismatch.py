"""Naming the mistake behind a wrong array: feedback that helps a student find the bug.

`explain(got, want)` compares a student's array with the reference's (both float64, any shape)
and recognises the common patterns: a transposed result, a shape that suggests a sum over the
wrong axis, a constant factor (2, 1/2, -1, the batch size N, 1/N, 1 - p or 1/(1 - p)),
non-finite values (an unstable exp or log), and otherwise the worst entries. Expected values
appear only with reveal=True (a question's `reveal: true`): hidden by default.
`diagnose(got, want)` gives the same sentences with a short name of the mistake ("times N",
"transposed"), which regrade's item analysis counts over a class.
"""

from __future__ import annotations

import numpy as np


NON_FINITE = "nan or inf"
WRONG_VALUES = "wrong values"


def explain(got: np.ndarray, want: np.ndarray, *, batch: int | None = None,
            drop: float | None = None, reveal: bool = False) -> str:
    """One or two sentences on how `got` differs from `want`.

    got, want: arrays of any shape; batch: the batch size N of the case, if any; drop: the
    dropout probability p of the case, if any (to name factors of N and 1/(1 - p)); reveal:
    whether the sentences may show expected values (a question's `reveal: true`), otherwise
    they say only where and how the result is wrong, and the student's own values.
    """
    return diagnose(got, want, batch=batch, drop=drop, reveal=reveal)[1]


def diagnose(got: np.ndarray, want: np.ndarray, *, batch: int | None = None,
             drop: float | None = None, reveal: bool = False) -> tuple:
    """(mistake, explanation): the short name of the mistake and explain()'s sentences."""
    if got.shape != want.shape:
        return _shape_message(got, want)
    finite = np.isfinite(got)
    if not finite.all():
        bad = np.argwhere(~finite)[0]
        expected = (f", where the expected value is {float(want[tuple(bad)]):.6g}" if reveal
                    else "")
        return NON_FINITE, (
            f"Your result has {int((~finite).sum())} non-finite value(s) (nan or inf), first "
            f"at {_index(bad)}{expected}. An exp or log that overflows for large inputs? Shift "
            "by the max, or use a formulation that stays finite.")
    factor = constant_factor(got, want)
    if factor is not None:
        short, name = _name_factor(factor, batch, drop)
        return f"times {short}", f"Your result is the expected one times {name}."
    return WRONG_VALUES, worst_entries(got, want, reveal=reveal)


def constant_factor(got: np.ndarray, want: np.ndarray) -> float | None:
    """k when got ≈ k·want for a constant k != 1 (least squares, then checked entrywise)."""
    norm = float(np.vdot(want, want))
    if norm == 0 or want.size < 1:
        return None
    k = float(np.vdot(want, got)) / norm
    if abs(k - 1) < 1e-6 or k == 0:
        return None
    residual = np.abs(got - k * want)
    if residual.max() <= 1e-6 * max(1.0, float(np.abs(got).max())):
        return k
    return None


def worst_entries(got: np.ndarray, want: np.ndarray, count: int = 3,
                  reveal: bool = False) -> str:
    """How many entries differ, and where the worst are: the student's values there, and the
    expected ones only when reveal."""
    error = np.abs(got - want)
    order = np.argsort(error, axis=None)[::-1][:count]
    parts = []
    for flat in order:
        index = np.unravel_index(flat, got.shape)
        expected = f", expected {float(want[index]):.6g}" if reveal else ""
        parts.append(f"at {_index(index)} yours {float(got[index]):.6g}{expected}")
    wrong = int((error > 1e-7 * np.maximum(1, np.abs(want))).sum())
    return f"{wrong} of {got.size} entries differ; the worst: " + "; ".join(parts) + "."


def _shape_message(got: np.ndarray, want: np.ndarray) -> tuple:
    message = f"Your result has shape {got.shape}; expected {want.shape}."
    if got.ndim == 2 and got.shape == want.shape[::-1]:
        if np.allclose(got.T, want, rtol=1e-7, atol=1e-9):
            return "transposed", message + " It is the transpose of the expected result."
        return "wrong shape (transposed?)", message + " Transposed?"
    if got.ndim == want.ndim == 1 or (got.size == 1 and want.size > 1):
        return "wrong axis", message + " A sum or mean over the wrong axis?"
    if got.size == want.size:
        return "reshaped", message + " Right number of entries: reshaped or flattened by mistake?"
    return "wrong shape", message


def _name_factor(k: float, batch: int | None, drop: float | None) -> tuple:
    """(short name, name with a hint) of the factor k: ("N", "N = 8 (a sum where ...)")."""
    known = {2.0: ("2", "2"), 0.5: ("1/2", "1/2"), -1.0: ("-1", "-1 (a sign error)"),
             -2.0: ("-2", "-2"), -0.5: ("-1/2", "-1/2")}
    if batch and batch > 1:
        known[float(batch)] = ("N", f"N = {batch} (a sum where a mean belongs?)")
        known[1.0 / batch] = ("1/N", f"1/N = 1/{batch} (divided by the batch size once too "
                                     "often?)")
    if drop:
        known[1 - drop] = ("1 - p", f"1 - p = {1 - drop:g} (the 1/(1 - p) scaling is missing?)")
        known[1 / (1 - drop)] = ("1/(1 - p)", f"1/(1 - p) = {1 / (1 - drop):.4g} (scaled twice?)")
    for value, names in known.items():
        if abs(k - value) <= 1e-6 * abs(value):
            return names
    return "a constant", f"{k:.6g}"


def _index(index) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"
