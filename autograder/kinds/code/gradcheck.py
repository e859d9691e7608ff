"""Numeric gradient checking that does not fail a correct gradient and catches real bugs.

Use: `check_gradient(f, grad, params, rng)` where f(params) -> float and grad(params) -> dict of
arrays with the keys and shapes of params (params may also be a single array; then f and grad take
and return arrays). f and grad are plain callables, so they may forward to student code running
in another process; the checker calls f as few times as it can and reports how often it did.
A vector-valued function is checked through an upstream gradient: `through_upstream(g, dout)` is
the scalar <g(params), dout>, whose gradient is g's backward pass applied to dout.

How each tensor is checked (central differences in float64, step h = 1e-5):
- Tensors of at most MAX_COORDINATES = 32 entries: every coordinate, so feedback can name the
  entries that are wrong. It costs 2 evaluations of f per entry; 32 entries (64 evaluations)
  covers the biases and output layers of homework-sized nets and stays cheap even when every
  evaluation is a round trip to a sandboxed worker.
- Larger tensors: DIRECTIONS = 4 random Gaussian unit directions d, comparing
  (f(x + h d) - f(x - h d)) / 2h with <grad, d>: 8 evaluations whatever the size. A gradient
  error e is missed by one direction only if |<e, d>| falls under the tolerance, which happens
  with probability about tol * sqrt(n) / ||e||; independent directions multiply that away.
  (Uniform non-negative directions, as in torch's fast mode, cancel much less well and let
  single-entry errors through.)

Tolerance, derived from roundoff rather than fixed. f is computed with a relative error of a few
ulps; when a value has been through sums of many terms it can be some tens: call the error of
one evaluation at most c * eps * max(1, |f|), c = 30 (eps = 2.2e-16; max(1, .) because sums of
order-1 terms keep an absolute error of order eps even when they cancel to a small f). The
central difference divides the difference of two such values by 2h, so its roundoff is at most
    atol = 30 * eps * max(1, |f(x)|) / h       (about 6.7e-10 * max(1, |f|) at h = 1e-5).
The truncation error h^2 |f'''| / 6 is ~1e-10 relative for well-scaled losses; the relative
allowance rtol (1e-6 along directions, 1e-5 per coordinate, where a single entry's derivative
can be small next to the terms it is computed from) covers it with a wide margin. An entry or
direction passes when |numeric - analytic| <= atol + rtol * max(|numeric|, |analytic|).
A fixed atol (say 1e-10) falsely fails correct gradients whenever |f| or the step makes roundoff
larger than that, and misses bugs when it is too loose.

Kinks (ReLU, max, abs): near a kink the central difference is not the derivative, whatever the
code. Two defences. (1) Draw inputs away from kinks: `draw_clear_of_kinks` redraws until every
pre-activation is farther than a margin from 0 (`kink_margin` gives one for a linear layer).
(2) A difference larger than the tolerance is re-measured before it counts: f is sampled at
x + j (h/4) d for j = -4..4 (six more evaluations, spent only on a disagreement). Two signs that
f is not smooth within the step make the verdict "inconclusive: redraw the inputs", never
"failed":
  - D(h) and D(h/2) differ by more than roundoff (3 atol) and by more than a quarter of the
    observed error; for a smooth f they agree to roundoff, a kink moves them apart;
  - a fourth difference of the nine samples exceeds its roundoff bound (16 atol h) and 1/16 of
    the observed error times h. A cubic has zero fourth differences, and over h = 1e-5 a smooth
    f is a cubic to far below roundoff; a single kink that causes an error e in D(h) gives a
    fourth difference of at least (2/7) e h wherever it lies in (-h, h) (checked numerically),
    and several kinks would have to cancel in all five windows at once to hide.
Only a disagreement with a smooth f is "failed". Once one entry or direction of a tensor is
confirmed failed, the remaining disagreements of that tensor are not re-measured. (A kink whose
effect is itself within a few atol can still pass for a bug of that tiny size; that is what (1)
is for.)

Hygiene: every call gets fresh float64 copies of the parameters (rewritten into reused buffers
for f, newly allocated for grad), so code that edits its inputs cannot corrupt the check; the
caller's `reset` hook (re-seed, e.g.) runs before every call of f and grad, so dropout draws the
same mask at x + h d and x - h d; grad runs twice and must return identical arrays; f runs twice
at x and must return the same number; shapes, dtypes and finiteness are checked and reported in
words.

Limit: directions see an error through <e, d>, so an error far below rtol * ||grad|| escapes
them. A 5% error in one entry of a 784 x 64 matrix is caught whenever that entry's gradient is
of typical size; with the entry drawn uniformly it was missed once in 300 (an entry whose
gradient is a tiny fraction of the median; benchmarks/gradcheck.py). The per-coordinate check
of small tensors has no such limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

EPS = float(np.finfo(np.float64).eps)
DEFAULT_STEP = 1e-5
ROUNDOFF_FACTOR = 30.0
RTOL_DIRECTION = 1e-6
RTOL_COORDINATE = 1e-5
MAX_COORDINATES = 32
DIRECTIONS = 4

PASSED, FAILED, INCONCLUSIVE = "passed", "failed", "inconclusive"


class InvalidValue(ValueError):
    """A value returned by the checked code cannot be used; the check reports it as a failure."""


@dataclass
class Entry:
    """One checked coordinate or direction.

    index: tuple of ints into the tensor (coordinate mode) or the direction number (direction
    mode); numeric: central difference; analytic: the gradient's entry or <grad, d>;
    error: |numeric - analytic|.
    """
    index: Any
    numeric: float
    analytic: float
    error: float


@dataclass
class TensorReport:
    """Outcome for one parameter tensor.

    status: "passed", "failed" or "inconclusive"; mode: "coordinates", "directions" or
    "not checked" (the gradient was unusable). numeric/analytic: per entry (flattened, coordinate
    mode) or per direction (direction mode); None when not checked. tolerance: the allowance of
    each. worst: the entries furthest outside (or closest to) their tolerance, worst first.
    evaluations: calls of f spent on this tensor. message: plain Markdown sentence(s).
    """
    name: str
    status: str
    mode: str
    message: str
    numeric: np.ndarray | None = None
    analytic: np.ndarray | None = None
    tolerance: np.ndarray | None = None
    worst: list[Entry] = field(default_factory=list)
    evaluations: int = 0


@dataclass
class GradCheckReport:
    """Outcome of a whole check: the worst tensor status, one report per tensor (by name), the
    total number of calls of f, and a Markdown message that sums it up."""
    status: str
    tensors: dict[str, TensorReport]
    evaluations: int
    message: str


# --- public helpers --------------------------------------------------------------------------

def through_upstream(forward: Callable, dout) -> Callable:
    """Scalar f(params) = sum(forward(params) * dout) for checking a vector-valued function.

    forward: params -> array of dout's shape; dout: upstream gradient (any shape, copied now).
    The gradient of f is the backward pass of `forward` applied to dout, so check it with
    grad = lambda params: backward(dout, ...).
    """
    dout = np.array(dout, dtype=np.float64)

    def f(params):
        out = np.asarray(forward(params))
        if out.shape != dout.shape:
            raise InvalidValue(f"The forward pass returned shape {out.shape}, "
                               f"expected {dout.shape}.")
        return float(np.sum(out.astype(np.float64) * dout))
    return f


def kink_margin(X, h: float = DEFAULT_STEP) -> float:
    """Distance from 0 that keeps the pre-activations Z = X W + b of a linear layer clear of a kink
    while W or b moves by a step of Euclidean length up to h (a coordinate or a unit direction).

    X: (N, D) layer input. Such a step moves Z[n, j] by at most h * max(1, ||X[n]||); the margin
    is twice that, so the halved-step re-measurement stays clear too.
    """
    X = np.asarray(X, dtype=np.float64)
    return 2.0 * h * max(1.0, float(np.max(np.linalg.norm(X, axis=1), initial=0.0)))


def clear_of_kinks(preactivations, margin: float) -> bool:
    """True when every entry of the array (or list of arrays) is farther than margin from 0."""
    arrays = preactivations if isinstance(preactivations, (list, tuple)) else [preactivations]
    return all(np.min(np.abs(np.asarray(z, dtype=np.float64)), initial=np.inf) > margin
               for z in arrays)


def draw_clear_of_kinks(draw: Callable, preactivations: Callable, rng, margin,
                        max_tries: int = 100):
    """Draw inputs until no ReLU-type pre-activation lies within `margin` of its kink at 0.

    draw(rng) -> inputs (anything); preactivations(inputs) -> array or list of arrays;
    margin: a float, or a function of the inputs (e.g. lambda inp: kink_margin(inp["X"])).
    Returns the first inputs that are clear; raises ValueError after max_tries draws.
    """
    for _ in range(max_tries):
        inputs = draw(rng)
        needed = margin(inputs) if callable(margin) else margin
        if clear_of_kinks(preactivations(inputs), needed):
            return inputs
    raise ValueError(f"no draw in {max_tries} kept the pre-activations clear of kinks")


# --- the check -------------------------------------------------------------------------------

def check_gradient(f: Callable, grad: Callable, params, rng: np.random.Generator, *,
                   reset: Callable[[], None] | None = None, h: float = DEFAULT_STEP,
                   directions: int = DIRECTIONS, max_coordinates: int = MAX_COORDINATES,
                   worst: int = 3, f_many: Callable | None = None) -> GradCheckReport:
    """Compare grad(params) with central differences of f, tensor by tensor.

    f: params -> float; grad: params -> {name: array shaped like params[name]};
    params: {name: array} (or one array, then f and grad take/return arrays);
    rng: numpy Generator for the random directions; reset: called before every call of f and
    grad (re-seed stochastic code there); h: step; directions: random directions per large
    tensor; max_coordinates: largest tensor checked entry by entry; worst: entries to report.
    f_many: [params, ...] -> [f(params), ...], used instead of f where several evaluations are
    known in advance (a tensor's steps, a re-measurement): one round trip each, for an f that
    runs in another process. Its evaluations must be independent by themselves (reset is not
    called between them); f_many may raise InvalidValue as f may.
    Exceptions raised by f or grad propagate (the caller's sandbox turns them into messages),
    except InvalidValue, which becomes a failed report.
    """
    if not isinstance(params, Mapping):
        many = None if f_many is None else lambda points: f_many([p["x"] for p in points])
        return check_gradient(lambda p: f(p["x"]), lambda p: {"x": grad(p["x"])},
                              {"x": params}, rng, reset=reset, h=h, directions=directions,
                              max_coordinates=max_coordinates, worst=worst, f_many=many)
    base = {name: _as_float64(name, value) for name, value in params.items()}
    loss = _CountedLoss(f, f_many, base, reset)

    try:
        fx, again = loss.many([(None, None, 0.0)] * 2)
        problem = _loss_problem(fx, again)
        if not problem:
            grads, grad_problems = _analytic_gradient(grad, base, reset)
    except InvalidValue as err:
        problem = str(err)
    if problem:
        reports = {name: TensorReport(name, FAILED, "not checked", problem) for name in base}
        return _summary(reports, loss.evaluations)

    reports = {}
    for name, x in base.items():
        if name in grad_problems:
            reports[name] = TensorReport(name, FAILED, "not checked", grad_problems[name])
            continue
        before = loss.evaluations
        try:
            reports[name] = _check_tensor(loss, name, x, grads[name], fx, rng, h, directions,
                                          max_coordinates, worst)
        except InvalidValue as err:
            reports[name] = TensorReport(name, FAILED, "not checked", f"`{name}`: {err}")
        reports[name].evaluations = loss.evaluations - before
    return _summary(reports, loss.evaluations)


class _CountedLoss:
    """Calls f on fresh float64 values of the parameters, after reset, and counts the calls.

    For f, the values are written into buffers that are reused from call to call (a copy into
    memory that is already mapped costs far less than a new large array); f's result is turned
    into a float at once, so nothing f returns can alias them. Whatever f did to the buffers
    (wrote into them, reshaped them, made them read-only) is undone before the next call.
    f_many, which takes several points at once, gets new arrays for each.
    """

    def __init__(self, f, f_many, base, reset):
        self.f, self.f_many, self.base, self.reset = f, f_many, base, reset
        self.buffers = {key: array.copy() for key, array in base.items()}
        self.evaluations = 0

    def many(self, moves) -> list:
        """f at each move (name, direction, step), in order: see `at`."""
        if self.f_many is None:
            return [self.at(*move) for move in moves]
        self.evaluations += len(moves)
        points = [{key: value + step * direction if key == name else value.copy()
                   for key, value in self.base.items()} for name, direction, step in moves]
        return [_as_loss_value(value) for value in self.f_many(points)]

    def at(self, name=None, direction=None, step=0.0) -> float:
        """f at the parameters with params[name] moved by step * direction (or unmoved)."""
        args = {}
        for key, value in self.base.items():
            buffer = self.buffers[key]
            if buffer.shape != value.shape or not buffer.flags.writeable:
                buffer = self.buffers[key] = np.empty_like(value)
            if key == name:
                np.multiply(direction, step, out=buffer)
                np.add(buffer, value, out=buffer)
            else:
                np.copyto(buffer, value)
            args[key] = buffer
        if self.reset is not None:
            self.reset()
        self.evaluations += 1
        return _as_loss_value(self.f(args))


def _as_loss_value(value) -> float:
    out = np.asarray(value)
    if out.size != 1 or not np.issubdtype(out.dtype, np.number) or np.iscomplexobj(out):
        raise InvalidValue(f"The loss returned {_describe(out)}, expected one real number.")
    return float(out.reshape(()))


def _as_float64(name, value):
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise ValueError(f"parameter {name!r} has dtype {array.dtype}, expected real numbers")
    return array.astype(np.float64)  # a copy: the caller's arrays are never touched


def _describe(array):
    if array.size == 1:
        return f"a value of dtype {array.dtype}"
    return f"an array of shape {array.shape}"


def _loss_problem(first, second):
    if not np.isfinite(first):
        return f"Your loss is {first} at the given parameters, so no gradient can be checked."
    if first != second:
        return ("Your loss is not deterministic: two calls with the same parameters (and the "
                f"same seed) returned {first!r} and {second!r}. Draw any randomness from the "
                "generator you are given.")
    return ""


def _analytic_gradient(grad, base, reset):
    """Run grad twice on copies; return (float64 gradients, {name: problem message})."""
    runs = []
    for _ in range(2):
        if reset is not None:
            reset()
        out = grad({key: array.copy() for key, array in base.items()})
        if not isinstance(out, Mapping):
            raise InvalidValue(f"The gradient function returned {type(out).__name__}, "
                               f"expected a dict with the keys {sorted(base)}.")
        runs.append(out)
    grads, problems = {}, {}
    for name, x in base.items():
        problem = _gradient_problem(name, x, runs[0].get(name), runs[1].get(name))
        if problem:
            problems[name] = problem
        else:
            grads[name] = np.asarray(runs[0][name]).astype(np.float64)
    return grads, problems


def _gradient_problem(name, x, first, second):
    if first is None:
        return f"`{name}`: the gradient function returned no entry for `{name}`."
    first, second = np.asarray(first), np.asarray(second)
    if not np.issubdtype(first.dtype, np.number) or np.iscomplexobj(first):
        return f"`{name}`: the gradient has dtype {first.dtype}; expected real numbers (float64)."
    if first.shape != x.shape:
        hint = " (transposed?)" if first.shape == x.shape[::-1] else ""
        return (f"`{name}`: the gradient has shape {first.shape}{hint}; it must have the shape "
                f"of `{name}`, {x.shape}.")
    bad = ~np.isfinite(first)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        return (f"`{name}`: the gradient has {int(bad.sum())} NaN or infinite entries "
                f"(first at {list(where)}).")
    if second.shape != first.shape or not np.array_equal(first, second):
        diff = (float(np.max(np.abs(first.astype(np.float64) - second)))
                if second.shape == first.shape else "shape changed")
        return (f"`{name}`: backward is not deterministic: two calls with the same parameters "
                f"(and the same seed) returned different gradients (largest difference {diff}). "
                "Draw any randomness from the generator you are given.")
    return ""


def _check_tensor(loss, name, x, g, fx, rng, h, directions, max_coordinates, worst):
    if x.size <= max_coordinates:
        mode, rtol = "coordinates", RTOL_COORDINATE
        steps = [np.eye(1, x.size, i).reshape(x.shape) for i in range(x.size)]
        labels = [tuple(int(i) for i in np.unravel_index(k, x.shape)) for k in range(x.size)]
    else:
        mode, rtol = "directions", RTOL_DIRECTION
        steps = []
        for _ in range(directions):
            d = rng.standard_normal(x.shape)
            d /= np.sqrt(_dot(d, d))
            steps.append(d)
        labels = list(range(1, directions + 1))

    atol = ROUNDOFF_FACTOR * EPS * max(1.0, abs(fx)) / h
    numeric, analytic, tolerance, ends = [], [], [], []
    values = loss.many([(name, d, sign * h) for d in steps for sign in (1, -1)])
    for d, plus, minus in zip(steps, values[0::2], values[1::2]):
        D = (plus - minus) / (2 * h)
        a = _dot(g, d)
        numeric.append(D)
        analytic.append(a)
        tolerance.append(atol + rtol * max(abs(D), abs(a)))
        ends.append((minus, plus))
    numeric, analytic, tolerance = np.array(numeric), np.array(analytic), np.array(tolerance)
    errors = np.abs(numeric - analytic)
    order = np.argsort(-np.nan_to_num(errors / tolerance, nan=np.inf), kind="stable")

    verdicts = [PASSED if err <= tol else "nonfinite" if not np.isfinite(D) else None
                for D, err, tol in zip(numeric, errors, tolerance)]
    confirmed = False
    for k in order:
        if verdicts[k] is None:
            # once one disagreement is confirmed the tensor has failed; re-measuring the others
            # would only spend evaluations
            verdicts[k] = FAILED if confirmed else _settle(
                loss, name, steps[k], h, fx, ends[k], numeric[k], errors[k], atol)
            confirmed = confirmed or verdicts[k] == FAILED

    entries = [Entry(labels[k], float(numeric[k]), float(analytic[k]), float(errors[k]))
               for k in order[:worst]]
    if FAILED in verdicts or "nonfinite" in verdicts:
        status = FAILED
    elif INCONCLUSIVE in verdicts:
        status = INCONCLUSIVE
    else:
        status = PASSED
    wrong = [Entry(labels[k], float(numeric[k]), float(analytic[k]), float(errors[k]))
             for k in order if verdicts[k] in (FAILED, "nonfinite")][:worst]
    message = _tensor_message(name, x, status, mode, verdicts, wrong, numeric, analytic,
                              tolerance, h)
    return TensorReport(name, status, mode, message, numeric, analytic, tolerance, entries)


def _dot(a, b):
    """Sum of a * b over all entries. einsum, not np.dot or np.linalg.norm: their BLAS calls can
    wait milliseconds for threads on a busy machine, longer than the whole check."""
    return float(np.einsum("i,i->", a.ravel(), b.ravel()))


FOURTH_DIFFERENCE = np.array([1.0, -4.0, 6.0, -4.0, 1.0])


def _settle(loss, name, d, h, fx, ends, D, error, atol):
    """Failed only if f is smooth along d within the step; see the module docstring for the rule.

    Samples f at x + j (h/4) d, j = -4..4 (six new evaluations; j = -4, 0, 4 are known).
    """
    offsets = (-3, -2, -1, 1, 2, 3)
    inner = dict(zip(offsets, loss.many([(name, d, j * h / 4) for j in offsets])))
    line = np.array([ends[0], inner[-3], inner[-2], inner[-1], fx,
                     inner[1], inner[2], inner[3], ends[1]])
    if not np.all(np.isfinite(line)):
        return "nonfinite"
    D_half = (inner[2] - inner[-2]) / h
    roughness = float(np.max(np.abs(np.convolve(line, FOURTH_DIFFERENCE, mode="valid"))))
    # roundoff bounds: D(h/2) carries 2 atol, a fourth difference 16 atol * h
    if abs(D - D_half) > max(3 * atol, error / 4):
        return INCONCLUSIVE
    if roughness > max(16 * atol * h, error * h / 16):
        return INCONCLUSIVE
    return FAILED


# --- messages --------------------------------------------------------------------------------

def _where(name, mode, index):
    if mode == "coordinates":
        return f"`{name}[{', '.join(str(i) for i in index)}]`"
    return f"direction {index}"


def _tensor_message(name, x, status, mode, verdicts, wrong, numeric, analytic, tolerance, h):
    checked = (f"all {x.size} entries" if mode == "coordinates"
               else f"{len(verdicts)} random directions (it has {x.size} entries, "
                    f"too many to check one by one)")
    if status == PASSED:
        used = float(np.max(np.abs(numeric - analytic) / tolerance))
        return (f"`{name}`: passed ({checked}; the largest difference is {used:.1%} of its "
                "tolerance).")
    if status == INCONCLUSIVE:
        return (f"`{name}`: inconclusive. Where your gradient and the numeric derivative "
                f"disagree, the function is not smooth within the step ({h:g}): the numeric "
                "derivative changes with the step size, as it does next to the kink of a ReLU, "
                "max or abs. This says nothing against your gradient; the check must be "
                "repeated at other inputs.")
    bad = sum(v in (FAILED, "nonfinite") for v in verdicts)
    what = "entries" if mode == "coordinates" else "directions"
    lines = [f"`{name}`: **wrong gradient**. Checked {checked}: {bad} of {len(verdicts)} "
             f"{what} differ from the numeric derivative"
             + ("" if mode == "coordinates" else " (yours is <gradient, direction>)") + "."]
    if "nonfinite" in verdicts:
        lines.append(f"The loss is not finite a step of {h:g} away from these parameters.")
    lines += [f"- {_where(name, mode, e.index)}: numeric {e.numeric:.6g}, yours "
              f"{e.analytic:.6g}" for e in wrong]
    ratio = _constant_ratio(numeric, analytic, tolerance)
    if ratio is not None:
        lines.append(f"Everywhere it was checked, yours is {ratio:.4g} times the numeric value: "
                     "a constant factor is off (a missing 1/N, a doubled term, a wrong scale).")
    return "\n".join(lines)


def _constant_ratio(numeric, analytic, tolerance):
    """analytic / numeric when it is the same (to 1%) on every clearly non-zero value, else None."""
    usable = np.abs(numeric) > 10 * tolerance
    if usable.sum() < 2 or not np.all(np.isfinite(numeric)):
        return None
    ratios = analytic[usable] / numeric[usable]
    ratio = float(np.median(ratios))
    if abs(ratio - 1) < 0.01 or np.any(np.abs(ratios - ratio) > 0.01 * abs(ratio)):
        return None
    return ratio


def _summary(reports, evaluations):
    statuses = [r.status for r in reports.values()]
    status = (FAILED if FAILED in statuses else INCONCLUSIVE if INCONCLUSIVE in statuses
              else PASSED)
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in (PASSED, FAILED, INCONCLUSIVE)
                       if s in statuses)
    head = f"Gradient check {status}: {counts} ({evaluations} evaluations of the loss)."
    body = list(dict.fromkeys(r.message for r in reports.values()))  # one problem, said once
    return GradCheckReport(status, reports, evaluations, "\n\n".join([head] + body))
