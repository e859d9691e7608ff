"""Time our gradient checker against the full per-coordinate check, and compare what each detects.

Network 784-64-10 (50,890 parameters), batch 8, float64, the reference sigmoid net. Each check
runs on the correct gradient and on one with a 5% error in a single entry of W1 (784 x 64).
The full check is CS231n's: a central difference with h = 1e-5 for every parameter, relative
error |a - n| / max(1e-8, |a| + |n|) per entry, "wrong" above 1e-2.

Run from the repository root: python3 benchmarks/gradcheck.py
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograder.kinds.code.gradcheck import FAILED, check_gradient  # noqa: E402
from reference import (cross_entropy, init_params, linear_forward, loss_and_grads,  # noqa: E402
                       sigmoid)

N, D, M, K = 8, 784, 64, 10
STEP = 1e-5
WRONG_ABOVE = 1e-2
REPEATS = 20
POWER_SEEDS = 300


def make_problem(seed):
    rng = np.random.default_rng(seed)
    params = init_params(D, M, K, rng)
    params["b1"] = 0.1 * rng.standard_normal(M)
    return params, rng.standard_normal((N, D)), rng.integers(0, K, N), rng


def forward_loss(params, X, y):
    H = sigmoid(linear_forward(X, params["W1"], params["b1"]))
    return cross_entropy(linear_forward(H, params["W2"], params["b2"]), y)


def with_wrong_entry(grads, entry):
    W1 = grads["W1"].copy()
    W1.flat[entry] *= 1.05
    return dict(grads, W1=W1)


def full_numeric_gradient(f, params, h=STEP):
    """Every coordinate, perturbed in place and restored (CS231n's way). Returns the gradients."""
    params = {k: v.copy() for k, v in params.items()}
    numeric = {}
    for name, x in params.items():
        grad = np.zeros_like(x)
        for i in range(x.size):
            kept = x.flat[i]
            x.flat[i] = kept + h
            plus = f(params)
            x.flat[i] = kept - h
            minus = f(params)
            x.flat[i] = kept
            grad.flat[i] = (plus - minus) / (2 * h)
        numeric[name] = grad
    return numeric


def worst_relative_error(numeric, analytic):
    """(largest relative error, tensor, index) over all entries."""
    worst = (0.0, "", ())
    for name in numeric:
        n, a = numeric[name], analytic[name]
        rel = np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))
        k = int(np.argmax(rel))
        if rel.flat[k] > worst[0]:
            worst = (float(rel.flat[k]), name, np.unravel_index(k, n.shape))
    return worst


def describe_full(worst):
    rel, name, index = worst
    verdict = "wrong" if rel > WRONG_ABOVE else "passed"
    where = f" at {name}[{', '.join(str(int(i)) for i in index)}]" if rel > WRONG_ABOVE else ""
    return f"{verdict} (max rel. err {rel:.1e}{where})"


def describe_ours(report):
    if report.status != FAILED:
        return report.status
    bad = [name for name, t in report.tensors.items() if t.status == FAILED]
    return f"failed ({', '.join(bad)})"


def main():
    params, X, y, rng = make_problem(0)
    f = lambda prm: forward_loss(prm, X, y)  # noqa: E731
    grads = loss_and_grads(params, X, y)[1]
    magnitude = np.abs(grads["W1"]).ravel()
    entry = int(rng.choice(np.flatnonzero(magnitude >= np.median(magnitude))))
    wrong = with_wrong_entry(grads, entry)
    n_params = sum(v.size for v in params.values())

    start = time.perf_counter()
    for _ in range(REPEATS):
        forward_loss(params, X, y)
    forward_time = (time.perf_counter() - start) / REPEATS

    ours = {}
    for label, g in (("correct", grads), ("wrong", wrong)):
        times = []
        for repeat in range(REPEATS):
            start = time.perf_counter()
            report = check_gradient(f, lambda prm, g=g: g, params,
                                    np.random.default_rng(repeat))
            times.append(time.perf_counter() - start)
        ours[label] = (float(np.median(times)), report)

    start = time.perf_counter()
    numeric = full_numeric_gradient(f, params)
    full_time = time.perf_counter() - start
    full_correct = worst_relative_error(numeric, grads)
    full_wrong = worst_relative_error(numeric, wrong)

    our_time = ours["correct"][0]
    row = "| {:<34} | {:>11} | {:>9} | {:<34} | {:<45} |"
    print(f"784-64-10 sigmoid net, batch {N}, float64, {n_params:,} parameters; "
          f"one forward {forward_time * 1e6:.0f} us.")
    print(f"Bug: W1[{', '.join(str(int(i)) for i in np.unravel_index(entry, (D, M)))}] "
          f"(gradient {grads['W1'].flat[entry]:.3g}) off by 5%.\n")
    print(row.format("check", "evaluations", "time", "correct gradient", "one W1 entry +5%"))
    print(row.format("-" * 34, "-" * 11, "-" * 9, "-" * 34, "-" * 45))
    print(row.format("ours (4 directions / <=32 coords)", ours["correct"][1].evaluations,
                     f"{our_time * 1e3:.2f} ms", describe_ours(ours["correct"][1]),
                     describe_ours(ours["wrong"][1])))
    print(row.format("full per-coordinate, h=1e-5", 2 * n_params, f"{full_time:.2f} s",
                     describe_full(full_correct), describe_full(full_wrong)))
    print(f"\nours is {full_time / our_time:,.0f}x faster (median of {REPEATS} runs of ours, "
          f"{ours['wrong'][0] * 1e3:.2f} ms on the wrong gradient, "
          f"{ours['wrong'][1].evaluations} evaluations).")

    caught = {"typical entry (|grad| >= median)": 0, "any entry (uniform)": 0}
    false_failures = 0
    for seed in range(POWER_SEEDS):
        params, X, y, rng = make_problem(seed)
        f = lambda prm: forward_loss(prm, X, y)  # noqa: E731
        grads = loss_and_grads(params, X, y)[1]
        magnitude = np.abs(grads["W1"]).ravel()
        false_failures += check_gradient(f, lambda prm: grads, params, rng).status == FAILED
        for kind in caught:
            pool = (np.flatnonzero(magnitude >= np.median(magnitude)) if kind.startswith("typ")
                    else np.arange(magnitude.size))
            bad = with_wrong_entry(grads, int(rng.choice(pool)))
            caught[kind] += check_gradient(f, lambda prm: bad, params, rng).status == FAILED
    print(f"\nOver {POWER_SEEDS} seeds (new data, weights and directions each): correct gradient "
          f"failed {false_failures} times; 5% error in one W1 entry caught: "
          + "; ".join(f"{kind} {n}/{POWER_SEEDS}" for kind, n in caught.items()) + ".")


if __name__ == "__main__":
    main()
