"""Checks of the CS231n-style layers that have no single right output: dropout in training mode
(a random mask) and a backward pass against numerical gradients of the student's own forward.

Each is check(student, rng) -> (fraction, feedback) and imports only the public check API and
the course's support package (cs231n.gradient_check), as an instructor's check should. Both
variants of the assignment use this file: cs231n (p is the keep probability, as in CS231n) and
cs231n-drop (p is the drop probability).
"""

import numpy as np

from autograder.check_api import StudentError, compare, describe_mismatch
from cs231n.gradient_check import eval_numerical_gradient_array, rel_error

# Dropout statistics are checked at SIGMAS standard deviations of the binomial draw: a correct
# dropout fails with probability ~1e-9, p read the other way round misses by over 100 sigmas.
SIGMAS = 6.0
SHAPE = (200, 150)


def dropout_keeps_p(student, rng):
    """cs231n: p is the probability of keeping a unit."""
    return _dropout_statistics(student, rng, p=0.7, keep=0.7)


def dropout_drops_p(student, rng):
    """cs231n-drop: p is the probability of dropping a unit."""
    return _dropout_statistics(student, rng, p=0.3, keep=0.7)


def _dropout_statistics(student, rng, p, keep):
    x = rng.uniform(0.5, 1.5, size=SHAPE)
    seed = int(rng.integers(1 << 31))
    param = {"p": p, "mode": "train", "seed": seed}
    out, _ = student.call("dropout_forward", x, param)
    out = np.asarray(out, dtype=np.float64)
    if out.shape != x.shape:
        return 0.0, f"`dropout_forward` returned shape {out.shape} for an input of shape {x.shape}."
    kept = out != 0
    problems = []
    sigma = np.sqrt(keep * (1 - keep) / x.size)
    if abs(kept.mean() - keep) > SIGMAS * sigma:
        meaning = "keeping" if keep == p else "dropping"
        problems.append(f"with p = {p} it kept {kept.mean():.3f} of the units; about {keep} "
                        f"should be kept, since p is the probability of {meaning} a unit")
    if not kept.any():
        problems.append("it dropped every unit")
    elif compare(out[kept], x[kept] / keep, rtol=1e-9):
        ratio = float(np.median(out[kept] / x[kept]))
        problems.append(f"kept units are x times {ratio:.4g}; inverted dropout scales them by "
                        f"1/{keep} = {1 / keep:.4g}, so that the expected output is x")
    rows_alike = np.mean([np.array_equal(kept[0], row) for row in kept[1:]])
    if rows_alike > 0.5:
        problems.append("every row drops the same units: draw one mask entry per unit")
    again, _ = student.call("dropout_forward", x, param)
    if not np.array_equal(np.asarray(again, dtype=np.float64), out):
        problems.append("two calls with the same seed gave different outputs: seed numpy's "
                        "generator with dropout_param['seed'] when it is given")
    checks = 4
    feedback = "`dropout_forward` in training mode: " + "; ".join(problems) + "." \
        if problems else ""
    return (checks - len(problems)) / checks, feedback


def dropout_backward_matches_forward(student, rng):
    """Training mode, whatever the cache holds: dx = dout * out / x, where out is what the
    student's own dropout_forward returned (the kept units' scale, 0 for dropped ones). p = 0.5
    reads the same as a keep or a drop probability, so both variants share this check."""
    x = rng.uniform(0.5, 1.5, size=(6, 7))
    dout = rng.standard_normal((6, 7))
    param = {"p": 0.5, "mode": "train", "seed": int(rng.integers(1 << 31))}
    try:
        out, cache = student.call("dropout_forward", x, param)
    except StudentError as exc:
        raise StudentError("`dropout_backward` in training mode could not be checked, because "
                           f"it needs your `dropout_forward`'s cache: {exc.message}") from None
    dx = student.call("dropout_backward", dout, cache)
    expected = dout * np.asarray(out, dtype=np.float64) / x
    problem = compare(dx, expected)
    if problem is None:
        return 1.0, ""
    if np.shape(dx) == expected.shape:
        problem = describe_mismatch(dx, expected, drop=0.5)
    return 0.0, ("`dropout_backward` in training mode (p = 0.5), with the cache of your own "
                 f"`dropout_forward`: {problem}")


# The numerical gradient of affine + ReLU is exact up to roundoff (the function is piecewise
# linear) unless a step crosses a kink: inputs are redrawn until every pre-activation is farther
# than KINK from 0, and roundoff stays below 1e-8 relative at H = 1e-5.
H = 1e-5
KINK = 1e-3
TOLERANCE = 1e-6


def affine_relu_numerical_gradient(student, rng):
    """affine_relu_backward against central differences of the student's own forward."""
    while True:
        x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5)
        if np.abs(x @ w + b).min() > KINK:
            break
    dout = rng.standard_normal((3, 5))
    _, cache = student.call("affine_relu_forward", x, w, b)
    analytic = student.call("affine_relu_backward", dout, cache)
    if not isinstance(analytic, (tuple, list)) or len(analytic) != 3:
        return 0.0, "`affine_relu_backward` should return (dx, dw, db)."

    def forward(x_, w_, b_):
        return np.asarray(student.call("affine_relu_forward", x_, w_, b_)[0], dtype=np.float64)

    numerical = {
        "dx": eval_numerical_gradient_array(lambda v: forward(v, w, b), x, dout, H),
        "dw": eval_numerical_gradient_array(lambda v: forward(x, v, b), w, dout, H),
        "db": eval_numerical_gradient_array(lambda v: forward(x, w, v), b, dout, H),
    }
    wrong = []
    for (name, want), got in zip(numerical.items(), analytic):
        got = np.asarray(got, dtype=np.float64)
        if got.shape != want.shape or rel_error(got, want) > TOLERANCE:
            wrong.append(f"{name}: {describe_mismatch(got, want)}")
    if wrong:
        return 0.0, ("`affine_relu_backward` disagrees with numerical gradients of your own "
                     "`affine_relu_forward`: " + " ".join(wrong))
    return 1.0, ""
