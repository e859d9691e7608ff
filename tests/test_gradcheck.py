"""The gradient checker: it never fails a correct gradient, and it catches the bugs students make.

The power tests run a small network built from the reference layers, with one switch per bug,
over 300 seeds each; every seed draws new shapes (N, D, M, K all different), data and weights.
"""

import itertools

import numpy as np
import pytest

from autograder.kinds.code.gradcheck import (FAILED, INCONCLUSIVE, PASSED, check_gradient,
                                             clear_of_kinks, draw_clear_of_kinks, kink_margin,
                                             through_upstream)
from reference.layers import (cross_entropy, cross_entropy_grad, dropout_backward,
                              dropout_forward, l2_grad, l2_penalty, leaky_relu,
                              leaky_relu_grad, linear_backward, linear_forward, relu, relu_grad,
                              sigmoid, sigmoid_grad)

pytestmark = pytest.mark.filterwarnings("error")

SEEDS = range(300)
ACTIVATIONS = {"sigmoid": (sigmoid, sigmoid_grad), "relu": (relu, relu_grad),
               "leaky": (leaky_relu, leaky_relu_grad)}
BUGS = ["ce_missing_1/N", "l2_doubled", "bias_averaged", "dropout_unscaled", "leaky_as_relu",
        "sigmoid_at_output"]


def net(params, X, y, act, lam, p, rng, bug=None, backward=True):
    """The lecture's two-layer net with a chosen activation, and optionally one student bug.

    Returns (loss, grads) like reference.network.loss_and_grads; only the loss if not backward
    (the checker calls the loss dozens of times, so the power tests stay fast).
    """
    forward, derivative = ACTIVATIONS[act]
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    Z1 = linear_forward(X, W1, b1)
    H = forward(Z1)
    H_drop, mask = dropout_forward(H, p, rng)
    F = linear_forward(H_drop, W2, b2)
    loss = cross_entropy(F, y) + l2_penalty([W1, W2], lam)
    if not backward:
        return loss

    dF = cross_entropy_grad(F, y) * (len(y) if bug == "ce_missing_1/N" else 1)
    dH_drop, dW2, db2 = linear_backward(dF, H_drop, W2)
    dH = dH_drop * mask if bug == "dropout_unscaled" else dropout_backward(dH_drop, mask, p)
    if bug == "leaky_as_relu":
        derivative = relu_grad
    dZ1 = dH * (sigmoid_grad(H) if bug == "sigmoid_at_output" else derivative(Z1))
    _, dW1, db1 = linear_backward(dZ1, X, W1)
    if bug == "bias_averaged":
        db1, db2 = db1 / len(y), db2 / len(y)
    decay = 2 if bug == "l2_doubled" else 1
    grads = {"W1": dW1 + decay * l2_grad(W1, lam), "b1": db1,
             "W2": dW2 + decay * l2_grad(W2, lam), "b2": db2}
    return loss, grads


def draw_problem(seed, act, lam, p):
    """Shapes, data and weights for one seed; ReLU-type nets drawn clear of kinks."""
    rng = np.random.default_rng(seed)
    N, D, M, K = (int(v) for v in rng.choice(np.arange(2, 7), size=4, replace=False))

    def draw(rng):
        return {"params": {"W1": rng.standard_normal((D, M)), "b1": rng.standard_normal(M),
                           "W2": rng.standard_normal((M, K)), "b2": rng.standard_normal(K)},
                "X": rng.standard_normal((N, D)), "y": rng.integers(0, K, N)}

    if act == "sigmoid":
        problem = draw(rng)
    else:
        problem = draw_clear_of_kinks(
            draw, lambda pr: pr["X"] @ pr["params"]["W1"] + pr["params"]["b1"], rng,
            margin=lambda pr: kink_margin(pr["X"]))
    return problem, rng


def run_check(problem, rng, act, lam, p, bug=None):
    """Check the net's gradient; dropout is re-seeded through the reset hook."""
    state = {"rng": None}

    def reset():
        state["rng"] = np.random.default_rng(12345)

    def run(params, backward):
        return net(params, problem["X"], problem["y"], act, lam, p, state["rng"], bug, backward)

    return check_gradient(lambda prm: run(prm, False), lambda prm: run(prm, True)[1],
                          problem["params"], rng, reset=reset if p > 0 else None)


@pytest.mark.slow
def test_no_correct_gradient_fails_over_300_seeds():
    statuses = []
    for seed in SEEDS:
        act = ["sigmoid", "relu", "leaky"][seed % 3]
        lam, p = [(0.0, 0.0), (0.05, 0.0), (0.0, 0.4), (0.05, 0.4)][seed % 4]
        problem, rng = draw_problem(seed, act, lam, p)
        statuses.append(run_check(problem, rng, act, lam, p).status)
    assert statuses.count(FAILED) == 0
    # drawn clear of kinks and smooth elsewhere, nothing should even be inconclusive
    assert statuses.count(PASSED) == len(statuses)


BUG_SETTINGS = {  # (activation, lam, p) under which each bug changes the gradient
    "ce_missing_1/N": ("sigmoid", 0.0, 0.0),
    "l2_doubled": ("sigmoid", 0.05, 0.0),
    "bias_averaged": ("relu", 0.0, 0.0),
    "dropout_unscaled": ("sigmoid", 0.0, 0.4),
    "leaky_as_relu": ("leaky", 0.0, 0.0),
    "sigmoid_at_output": ("sigmoid", 0.0, 0.0),
}


@pytest.mark.slow
@pytest.mark.parametrize("bug", BUGS)
def test_every_bug_is_caught_over_300_seeds(bug):
    act, lam, p = BUG_SETTINGS[bug]
    missed, checked = [], 0
    for seed in itertools.count():
        problem, rng = draw_problem(seed, act, lam, p)
        correct = net(problem["params"], problem["X"], problem["y"], act, lam, p,
                      np.random.default_rng(0))[1]
        buggy = net(problem["params"], problem["X"], problem["y"], act, lam, p,
                    np.random.default_rng(0), bug)[1]
        # a draw where the bug does not change the gradient (a leaky net whose pre-activations
        # are all positive, or whose negative units get no gradient) proves nothing: skip it
        if all(np.max(np.abs(correct[k] - buggy[k])) <= 1e-4 * np.max(np.abs(correct[k]))
               for k in correct):
            continue
        report = run_check(problem, rng, act, lam, p, bug)
        if report.status != FAILED:
            missed.append((seed, report.message))
        checked += 1
        if checked == len(SEEDS):
            break
    assert seed < 2 * len(SEEDS)
    assert missed == []


def forward_loss(params, X, y):
    return cross_entropy(linear_forward(sigmoid(linear_forward(X, params["W1"], params["b1"])),
                                        params["W2"], params["b2"]), y)


@pytest.mark.slow
def test_catches_a_5_percent_error_in_one_entry_of_a_784x64_matrix():
    """784-64-10 net, batch 8. The wrong entry is drawn among those whose gradient is at least
    the median magnitude: 5% of a vanishing entry is below any directional tolerance (that case is
    measured in benchmarks/gradcheck.py)."""
    N, D, M, K = 8, 784, 64, 10
    missed, evaluations = [], []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        params = {"W1": rng.standard_normal((D, M)) / np.sqrt(D),
                  "b1": 0.1 * rng.standard_normal(M),
                  "W2": rng.standard_normal((M, K)) / np.sqrt(M), "b2": np.zeros(K)}
        X, y = rng.standard_normal((N, D)), rng.integers(0, K, N)
        right = net(params, X, y, "sigmoid", 0.0, 0.0, None)[1]
        magnitude = np.abs(right["W1"]).ravel()
        entry = rng.choice(np.flatnonzero(magnitude >= np.median(magnitude)))
        wrong_W1 = right["W1"].copy()
        wrong_W1.flat[entry] *= 1.05
        wrong = dict(right, W1=wrong_W1)
        report = check_gradient(lambda prm: forward_loss(prm, X, y), lambda prm: wrong,
                                params, rng)
        evaluations.append(report.evaluations)
        if report.tensors["W1"].status != FAILED or report.status != FAILED:
            missed.append(seed)
        assert [report.tensors[k].status for k in ("b1", "W2", "b2")] == [PASSED] * 3
    assert missed == []
    # two calls at x; 4 directions (8 calls) for W1, b1 and W2, plus 6 for each direction of W1
    # re-measured until one is confirmed; every entry of b2 (20 calls)
    assert max(evaluations) <= 2 + (8 + 4 * 6) + 8 + 8 + 20


# --- kinks -----------------------------------------------------------------------------------

@pytest.mark.parametrize("offset", [0.0, 0.1, 0.3, 0.5, 0.9, -0.1, -0.3, -0.5, -0.9])
def test_kink_within_the_step_is_inconclusive_not_failed(offset):
    """f = sum relu(x) + sum x^2 / 2 with one entry of x placed offset * h from the kink."""
    x = np.array([1.5, -0.7, 0.3, offset * 1e-5, -2.0])
    report = check_gradient(lambda v: np.sum(relu(v)) + 0.5 * np.sum(v ** 2),
                            lambda v: relu_grad(v) + v, x, np.random.default_rng(0))
    assert report.status == INCONCLUSIVE
    assert "inconclusive" in report.message


@pytest.mark.slow
def test_many_kinks_within_the_step_are_never_failed():
    """Up to 8 entries of x sit within the step of a leaky-ReLU kink, in coordinate mode (n = 5,
    20) and direction mode (n = 200, where a unit direction moves an entry by ~h / sqrt(n))."""
    statuses = []
    for seed in range(300):
        rng = np.random.default_rng(seed)
        n = [5, 20, 200][seed % 3]
        x, w = rng.standard_normal(n), rng.standard_normal(n)
        near = rng.choice(n, size=int(rng.integers(1, 9)) if n > 5 else 2, replace=False)
        reach = 1e-5 if n <= 32 else 3e-5 / np.sqrt(n)
        x[near] = rng.uniform(-1, 1, size=len(near)) * reach
        if seed % 7 == 0:
            x[near[0]] = 0.0
        report = check_gradient(lambda v: np.sum(leaky_relu(v) * w) + np.sum(np.sin(v)),
                                lambda v: leaky_relu_grad(v) * w + np.cos(v), x, rng)
        statuses.append(report.status)
    assert FAILED not in statuses
    assert statuses.count(INCONCLUSIVE) > 250  # the kinks were really within reach


def test_relu_net_with_preactivations_exactly_at_zero_is_not_failed():
    rng = np.random.default_rng(3)
    params = {"W1": rng.standard_normal((4, 6)), "b1": np.zeros(6),
              "W2": rng.standard_normal((6, 3)), "b2": np.zeros(3)}
    X = rng.standard_normal((5, 4))
    X[2] = 0.0  # this row's pre-activations are exactly b1 = 0: relu sits on its kink
    y = rng.integers(0, 3, 5)
    run = lambda prm: net(prm, X, y, "relu", 0.0, 0.0, None)  # noqa: E731
    report = check_gradient(lambda prm: run(prm)[0], lambda prm: run(prm)[1], params, rng)
    assert report.tensors["b1"].status == INCONCLUSIVE
    assert report.status != FAILED


def test_draw_clear_of_kinks_redraws_until_the_margin_holds():
    draws = iter([np.array([0.5, 1e-9]), np.array([0.5, -3e-4]), np.array([0.5, 2.0])])
    drawn = draw_clear_of_kinks(lambda rng: next(draws), lambda z: z, None, margin=1e-3)
    assert drawn.tolist() == [0.5, 2.0]
    assert clear_of_kinks([np.array([1.0]), np.array([-0.5])], 0.1)
    assert not clear_of_kinks([np.array([1.0]), np.array([-0.05])], 0.1)
    with pytest.raises(ValueError):
        draw_clear_of_kinks(lambda rng: np.zeros(2), lambda z: z, None, margin=1e-3,
                            max_tries=5)


def test_kink_margin_bounds_how_far_a_unit_step_moves_a_linear_layer():
    rng = np.random.default_rng(0)
    X, h = rng.standard_normal((6, 5)), 1e-5
    for _ in range(100):
        d = rng.standard_normal((5, 3))
        d /= np.linalg.norm(d)
        assert np.max(np.abs(X @ (h * d))) <= kink_margin(X, h) / 2
    assert kink_margin(np.zeros((2, 3)), h) == 2 * h  # a bias step moves Z by up to h


# --- hygiene ---------------------------------------------------------------------------------

def small_problem(seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.standard_normal((4, 9)), "b1": rng.standard_normal(9),
              "W2": rng.standard_normal((9, 3)), "b2": rng.standard_normal(3)}
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    return params, X, y


def test_code_that_edits_its_inputs_cannot_corrupt_the_check():
    params, X, y = small_problem()
    kept = {k: v.copy() for k, v in params.items()}

    def f(prm):
        loss = net(prm, X, y, "sigmoid", 0.0, 0.0, None)[0]
        for value in prm.values():
            value[...] = 0.0  # like a softmax that overwrites the caller's logits
        return loss

    def grad(prm):
        grads = net(prm, X, y, "sigmoid", 0.0, 0.0, None)[1]
        prm["W1"] *= 3.0
        return grads

    report = check_gradient(f, grad, params, np.random.default_rng(1))
    assert report.status == PASSED
    assert all(np.array_equal(params[k], kept[k]) for k in params)

    def f_that_reshapes_and_freezes(prm):
        loss = net(prm, X, y, "sigmoid", 0.0, 0.0, None)[0]
        prm["W1"].shape = (9, 4)
        prm["b1"].flags.writeable = False
        return loss

    report = check_gradient(f_that_reshapes_and_freezes, grad, params, np.random.default_rng(1))
    assert report.status == PASSED


def test_non_deterministic_backward_is_reported():
    params, X, y = small_problem()
    noise = np.random.default_rng()  # deliberately not re-seeded

    def grad(prm):
        grads = net(prm, X, y, "sigmoid", 0.0, 0.5, noise)[1]
        return grads

    report = check_gradient(lambda prm: net(prm, X, y, "sigmoid", 0.0, 0.0, None)[0], grad,
                            params, np.random.default_rng(1))
    assert report.status == FAILED
    assert all(t.status == FAILED for t in report.tensors.values())
    assert "backward is not deterministic" in report.message


def test_non_deterministic_loss_is_reported():
    params, X, y = small_problem()
    noise = np.random.default_rng()
    report = check_gradient(lambda prm: net(prm, X, y, "sigmoid", 0.0, 0.5, noise)[0],
                            lambda prm: net(prm, X, y, "sigmoid", 0.0, 0.0, None)[1],
                            params, np.random.default_rng(1))
    assert report.status == FAILED
    assert "loss is not deterministic" in report.message


def test_dropout_reseeded_through_the_reset_hook_passes():
    params, X, y = small_problem()
    state = {}
    run = lambda prm: net(prm, X, y, "sigmoid", 0.0, 0.5, state["rng"])  # noqa: E731
    report = check_gradient(lambda prm: run(prm)[0], lambda prm: run(prm)[1], params,
                            np.random.default_rng(1),
                            reset=lambda: state.update(rng=np.random.default_rng(7)))
    assert report.status == PASSED


def correct_grad(X, y):
    return lambda prm: net(prm, X, y, "sigmoid", 0.0, 0.0, None)[1]


def with_change(grad, name, change):
    def changed(prm):
        grads = grad(prm)
        grads[name] = change(grads[name])
        return grads
    return changed


@pytest.mark.parametrize("change, words", [
    (lambda g: g.T, "shape (3, 9) (transposed?)"),
    (lambda g: g[:, :2], "shape (9, 2)"),
    (lambda g: np.where(g > 0, np.nan, g), "NaN or infinite"),
    (lambda g: g.astype(complex), "dtype complex128"),
    (lambda g: None, "no entry for `W2`"),
])
def test_unusable_gradients_fail_with_a_message(change, words):
    params, X, y = small_problem()
    report = check_gradient(lambda prm: net(prm, X, y, "sigmoid", 0.0, 0.0, None)[0],
                            with_change(correct_grad(X, y), "W2", change), params,
                            np.random.default_rng(1))
    assert report.tensors["W2"].status == FAILED
    assert report.tensors["W2"].mode == "not checked"
    assert words in report.tensors["W2"].message
    assert report.tensors["W1"].status == PASSED


def test_a_loss_that_is_not_one_number_fails_every_tensor():
    params, X, y = small_problem()
    report = check_gradient(lambda prm: np.ones(3), correct_grad(X, y), params,
                            np.random.default_rng(1))
    assert {t.status for t in report.tensors.values()} == {FAILED}
    assert "expected one real number" in report.message


def test_float32_gradient_is_cast_and_checked():
    params, X, y = small_problem()
    grad = with_change(correct_grad(X, y), "b2", lambda g: g.astype(np.float32))
    report = check_gradient(lambda prm: net(prm, X, y, "sigmoid", 0.0, 0.0, None)[0], grad,
                            params, np.random.default_rng(1))
    assert report.tensors["b2"].mode == "coordinates"  # checked, not rejected
    assert report.tensors["W1"].status == PASSED


def test_report_points_at_the_wrong_entries_and_counts_evaluations():
    params, X, y = small_problem()
    calls = []

    def f(prm):
        calls.append(1)
        return net(prm, X, y, "sigmoid", 0.0, 0.0, None)[0]

    def off_by_one_entry(g):
        g = g.copy()
        g[1, 2] += 0.1
        return g

    report = check_gradient(f, with_change(correct_grad(X, y), "W2", off_by_one_entry),
                            params, np.random.default_rng(1))
    W2 = report.tensors["W2"]
    assert W2.status == FAILED and W2.mode == "coordinates"
    assert [e.index for e in W2.worst][0] == (1, 2)
    assert W2.worst[0].analytic == pytest.approx(W2.worst[0].numeric + 0.1, abs=1e-6)
    assert "`W2[1, 2]`" in W2.message
    assert W2.numeric.shape == (27,) and W2.analytic.shape == (27,)
    assert report.evaluations == len(calls)
    # 2 per entry, 6 more to re-measure the disagreeing entry along its line; 2 calls at x
    assert W2.evaluations == 2 * 27 + 6
    assert report.evaluations == 2 + sum(t.evaluations for t in report.tensors.values())


def test_constant_factor_is_named_in_the_message():
    params, X, y = small_problem()
    report = check_gradient(lambda prm: net(prm, X, y, "sigmoid", 0.0, 0.0, None)[0],
                            with_change(correct_grad(X, y), "b1", lambda g: g * 5),
                            params, np.random.default_rng(1))
    assert "yours is 5 times the numeric value" in report.tensors["b1"].message


def test_tolerance_follows_the_size_of_the_loss():
    """A loss of 1e6 carries roundoff ~1e-5 in each central difference, so a fixed atol of 1e-10
    would fail this correct gradient; an error far above that roundoff is still caught."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(50)
    f = lambda v: 1e6 + np.sum(np.sin(v))  # noqa: E731
    for _ in range(20):
        assert check_gradient(f, np.cos, x, rng).status == PASSED
        assert check_gradient(f, lambda v: 1.1 * np.cos(v), x, rng).status == FAILED


def test_vector_valued_function_through_an_upstream_gradient():
    rng = np.random.default_rng(0)
    X, W, b = rng.standard_normal((3, 40)), rng.standard_normal((40, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((3, 5))
    params = {"X": X, "W": W, "b": b}
    f = through_upstream(lambda prm: linear_forward(prm["X"], prm["W"], prm["b"]), dout)

    def grad(prm):
        dX, dW, db = linear_backward(dout, prm["X"], prm["W"])
        return {"X": dX, "W": dW, "b": db}

    report = check_gradient(f, grad, params, rng)
    assert report.status == PASSED
    assert report.tensors["X"].mode == "directions" and report.tensors["b"].mode == "coordinates"

    wrong_shape = through_upstream(lambda prm: prm["X"] @ prm["W"][:, :4], dout)
    report = check_gradient(wrong_shape, grad, params, rng)
    assert report.status == FAILED and "forward pass returned shape (3, 4)" in report.message


def test_same_directions_for_the_same_generator_seed():
    params, X, y = small_problem()
    f = lambda prm: net(prm, X, y, "sigmoid", 0.0, 0.0, None)[0]  # noqa: E731
    first = check_gradient(f, correct_grad(X, y), params, np.random.default_rng(5))
    second = check_gradient(f, correct_grad(X, y), params, np.random.default_rng(5))
    assert np.array_equal(first.tensors["W1"].numeric, second.tensors["W1"].numeric)


def test_f_many_gives_the_same_report_in_one_call_per_tensor():
    """An f in another process is called through f_many: each tensor's steps (and each
    re-measurement) in one call, with the very numbers the one-at-a-time check computes."""
    params, X, y = small_problem()
    f = lambda prm: net(prm, X, y, "sigmoid", 0.0, 0.0, None)[0]  # noqa: E731
    batches = []

    def f_many(points):
        batches.append(len(points))
        return [f(point) for point in points]

    grad = with_change(correct_grad(X, y), "W2", lambda g: g + 0.1 * (g > 0))
    alone = check_gradient(f, grad, params, np.random.default_rng(3))
    batched = check_gradient(f, grad, params, np.random.default_rng(3), f_many=f_many)
    assert alone.status == batched.status == FAILED
    for name, tensor in alone.tensors.items():
        assert np.array_equal(tensor.numeric, batched.tensors[name].numeric)
        assert tensor.evaluations == batched.tensors[name].evaluations
    # two calls at x; one call per tensor; one re-measurement (6 points) of W2's worst entry
    assert batches == [2] + [2 * t.numeric.size for t in alone.tensors.values()] + [6]
    assert sum(batches) == batched.evaluations == alone.evaluations
