"""The reference layers and network: every gradient against the checker, values against plain
formulas, and the edge cases (batch of 1, logits of +-1000, weight decay, dropout) without any
numpy warning."""

import numpy as np
import pytest

import reference as ref
from autograder.kinds.code.gradcheck import (PASSED, check_gradient, draw_clear_of_kinks,
                                             kink_margin, through_upstream)

pytestmark = pytest.mark.filterwarnings("error")

N, D, M, K = 5, 4, 7, 3  # all different, so a transposed or mis-summed axis cannot pass


def assert_passes(f, grad, params, seed=0, reset=None):
    report = check_gradient(f, grad, params, np.random.default_rng(seed), reset=reset)
    assert report.status == PASSED, report.message


# --- activations -----------------------------------------------------------------------------

def test_sigmoid_is_exact_and_silent_at_the_extremes():
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    s = ref.sigmoid(z)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    moderate = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(ref.sigmoid(moderate), 1 / (1 + np.exp(-moderate)), rtol=1e-15)
    np.testing.assert_allclose(ref.sigmoid(-moderate), 1 - ref.sigmoid(moderate), atol=1e-16)


@pytest.mark.parametrize("forward, derivative", [
    (ref.sigmoid, ref.sigmoid_grad), (ref.relu, ref.relu_grad),
    (ref.leaky_relu, ref.leaky_relu_grad)])
def test_activation_derivatives_match_the_checker(forward, derivative):
    rng = np.random.default_rng(1)
    z = draw_clear_of_kinks(lambda r: 3 * r.standard_normal((N, M)), lambda z: z, rng,
                            margin=kink_margin(np.eye(1)))
    dout = rng.standard_normal((N, M))
    assert_passes(through_upstream(forward, dout), lambda v: dout * derivative(v), z)


def test_activation_derivatives_at_and_around_zero():
    z = np.array([-2.0, 0.0, 3.0])
    assert ref.relu_grad(z).tolist() == [0.0, 0.0, 1.0]
    assert ref.leaky_relu_grad(z).tolist() == [0.1, 1.0, 1.0]  # the lecture: f'(0) = 1
    assert ref.leaky_relu(z).tolist() == [-0.2, 0.0, 3.0]
    assert ref.leaky_relu(z, alpha=0.01).tolist() == [-0.02, 0.0, 3.0]
    assert ref.sigmoid_grad(np.array([0.0, 1000.0, -1000.0])).tolist() == [0.25, 0.0, 0.0]
    assert np.all(ref.sigmoid_grad(np.linspace(-10, 10, 101)) <= 0.25)


# --- softmax and cross-entropy ---------------------------------------------------------------

def test_softmax_rows_are_probabilities_even_for_huge_logits():
    F = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 1000.0], [0.1, 0.2, 0.3]])
    P = ref.softmax(F)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(P[1], 1 / 3, rtol=1e-15)
    np.testing.assert_allclose(P[2], np.exp(F[2]) / np.exp(F[2]).sum(), rtol=1e-15)
    np.testing.assert_array_equal(P[0], [1.0, 0.0, 0.0])


def test_cross_entropy_is_exact_for_logits_of_1000():
    F = np.array([[1000.0, 1000.0, -1000.0], [1000.0, -1000.0, -1000.0]])
    # row 1: -log(1/2); row 2 with label 1: log-sum-exp is 1000 (other terms below 1e-800),
    # so the loss is 1000 - (-1000) = 2000 exactly. A log(p + 1e-20) would give 46.05 here.
    assert ref.cross_entropy(F, np.array([0, 1])) == pytest.approx((np.log(2) + 2000) / 2,
                                                                   rel=1e-15)
    assert ref.cross_entropy(F[:1], np.array([1])) == pytest.approx(np.log(2), rel=1e-12)


def test_cross_entropy_matches_the_plain_formula():
    rng = np.random.default_rng(2)
    F, y = rng.standard_normal((N, K)), rng.integers(0, K, N)
    plain = -np.mean([np.log(np.exp(F[n, y[n]]) / np.exp(F[n]).sum()) for n in range(N)])
    assert ref.cross_entropy(F, y) == pytest.approx(plain, rel=1e-14)


@pytest.mark.parametrize("rows, scale", [(N, 1.0), (1, 1.0), (N, 1000.0), (1, 1000.0)])
def test_cross_entropy_gradient_matches_the_checker(rows, scale):
    rng = np.random.default_rng(3)
    F, y = scale * rng.choice([-1.0, 1.0, 0.5], size=(rows, K)), rng.integers(0, K, rows)
    assert_passes(lambda F: ref.cross_entropy(F, y), lambda F: ref.cross_entropy_grad(F, y), F)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    rng = np.random.default_rng(4)
    F, y = rng.standard_normal((N, K)), rng.integers(0, K, N)
    np.testing.assert_allclose(ref.cross_entropy_grad(F, y),
                               (ref.softmax(F) - np.eye(K)[y]) / N, rtol=1e-15)


# --- linear, dropout, weight decay -----------------------------------------------------------

@pytest.mark.parametrize("rows", [N, 1])
def test_linear_backward_matches_the_checker(rows):
    rng = np.random.default_rng(5)
    params = {"X": rng.standard_normal((rows, D)), "W": rng.standard_normal((D, M)),
              "b": rng.standard_normal(M)}
    dZ = rng.standard_normal((rows, M))
    f = through_upstream(lambda p: ref.linear_forward(p["X"], p["W"], p["b"]), dZ)

    def grad(p):
        dX, dW, db = ref.linear_backward(dZ, p["X"], p["W"])
        return {"X": dX, "W": dW, "b": db}

    assert_passes(f, grad, params)


def test_dropout_backward_matches_the_checker_with_the_mask_reseeded():
    rng = np.random.default_rng(6)
    H, dout, p = rng.random((N, M)), rng.standard_normal((N, M)), 0.3
    state = {}

    def reset():
        state["rng"] = np.random.default_rng(99)

    def grad(H):
        _, mask = ref.dropout_forward(H, p, state["rng"])
        return ref.dropout_backward(dout, mask, p)

    f = through_upstream(lambda H: ref.dropout_forward(H, p, state["rng"])[0], dout)
    assert_passes(f, grad, H, reset=reset)


def test_dropout_is_inverted_and_drops_with_probability_p():
    H, p = np.full((400, 500), 2.0), 0.3
    out, mask = ref.dropout_forward(H, p, np.random.default_rng(7))
    assert mask.dtype == bool
    np.testing.assert_array_equal(out[mask], 2.0 / 0.7)
    assert np.all(out[~mask] == 0.0)
    # 200,000 draws: the dropped fraction has standard deviation ~0.001
    assert abs((~mask).mean() - p) < 0.005
    assert abs(out.mean() - 2.0) < 0.02  # E[out] = H
    # masks are drawn per unit, not shared across the batch
    assert not np.all(mask == mask[0])


def test_dropout_with_p_zero_is_the_identity_and_p_one_is_refused():
    H = np.random.default_rng(8).standard_normal((N, M))
    out, mask = ref.dropout_forward(H, 0.0, None)
    np.testing.assert_array_equal(out, H)
    assert mask.all()
    with pytest.raises(ValueError):
        ref.dropout_forward(H, 1.0, np.random.default_rng(0))


def test_dropout_mask_comes_from_the_generator():
    H = np.ones((N, M))
    first = ref.dropout_forward(H, 0.5, np.random.default_rng(3))[1]
    second = ref.dropout_forward(H, 0.5, np.random.default_rng(3))[1]
    np.testing.assert_array_equal(first, second)


def test_l2_penalty_and_its_gradient():
    rng = np.random.default_rng(9)
    W1, W2, lam = rng.standard_normal((D, M)), rng.standard_normal((M, K)), 0.3
    plain = lam / 2 * (sum(w * w for w in W1.ravel()) + sum(w * w for w in W2.ravel()))
    assert ref.l2_penalty([W1, W2], lam) == pytest.approx(plain, rel=1e-14)
    assert ref.l2_penalty([W1], 0.0) == 0.0
    assert_passes(lambda W: ref.l2_penalty([W], lam), lambda W: ref.l2_grad(W, lam), W1)


# --- the network -----------------------------------------------------------------------------

def random_params(rng, D=D, M=M, K=K):
    return {"W1": rng.standard_normal((D, M)), "b1": rng.standard_normal(M),
            "W2": rng.standard_normal((M, K)), "b2": rng.standard_normal(K)}


@pytest.mark.parametrize("rows, lam, p", [(N, 0.0, 0.0), (1, 0.0, 0.0), (N, 0.1, 0.0),
                                          (N, 0.0, 0.5), (1, 0.1, 0.5)])
def test_network_gradients_match_the_checker(rows, lam, p):
    rng = np.random.default_rng(10)
    params = random_params(rng)
    X, y = rng.standard_normal((rows, D)), rng.integers(0, K, rows)
    state = {"rng": None}

    def reset():
        state["rng"] = np.random.default_rng(11)

    def run(params):
        return ref.loss_and_grads(params, X, y, lam, p, state["rng"])

    assert_passes(lambda prm: run(prm)[0], lambda prm: run(prm)[1], params, reset=reset)


def test_network_with_logits_of_1000_is_silent_and_checked():
    rng = np.random.default_rng(12)
    params = random_params(rng)
    params["W2"] *= 500.0  # hidden units in (0, 1): logits of several hundred to a thousand
    X, y = rng.standard_normal((N, D)), rng.integers(0, K, N)
    F = ref.linear_forward(ref.sigmoid(ref.linear_forward(X, params["W1"], params["b1"])),
                           params["W2"], params["b2"])
    assert np.max(np.abs(F)) > 500
    loss, grads = ref.loss_and_grads(params, X, y)
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())
    assert_passes(lambda prm: ref.loss_and_grads(prm, X, y)[0],
                  lambda prm: ref.loss_and_grads(prm, X, y)[1], params)


def test_network_loss_matches_the_plain_formula():
    rng = np.random.default_rng(13)
    params = random_params(rng)
    X, y, lam = rng.standard_normal((N, D)), rng.integers(0, K, N), 0.2
    H = 1 / (1 + np.exp(-(X @ params["W1"] + params["b1"])))
    F = H @ params["W2"] + params["b2"]
    P = np.exp(F) / np.exp(F).sum(axis=1, keepdims=True)
    plain = (-np.mean(np.log(P[np.arange(N), y]))
             + lam / 2 * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)))
    loss, grads = ref.loss_and_grads(params, X, y, lam=lam)
    assert loss == pytest.approx(plain, rel=1e-13)
    assert {k: g.shape for k, g in grads.items()} == {k: v.shape for k, v in params.items()}
    # output-layer gradient by the lecture's formula: H^T (P - Y) / N + lam W2
    np.testing.assert_allclose(grads["W2"], H.T @ (P - np.eye(K)[y]) / N + lam * params["W2"],
                               rtol=1e-12)


def test_dropout_without_a_generator_is_refused():
    rng = np.random.default_rng(14)
    with pytest.raises(ValueError):
        ref.loss_and_grads(random_params(rng), rng.standard_normal((N, D)),
                           rng.integers(0, K, N), p=0.5)


def test_no_function_modifies_its_inputs():
    rng = np.random.default_rng(15)
    params = random_params(rng)
    X, y = rng.standard_normal((N, D)), rng.integers(0, K, N)
    saved = {k: v.copy() for k, v in params.items()}
    saved_X, saved_y = X.copy(), y.copy()
    loss, grads = ref.loss_and_grads(params, X, y, lam=0.1, p=0.5, rng=rng)
    saved_grads = {k: v.copy() for k, v in grads.items()}
    new = ref.sgd_step(params, grads, 0.1)
    ref.predict(params, X)
    F = X @ params["W1"][:, :K]
    saved_F = F.copy()
    ref.softmax(F), ref.cross_entropy(F, y), ref.cross_entropy_grad(F, y)
    np.testing.assert_array_equal(F, saved_F)
    for k in params:
        np.testing.assert_array_equal(params[k], saved[k])
        np.testing.assert_array_equal(grads[k], saved_grads[k])
        np.testing.assert_allclose(new[k], saved[k] - 0.1 * saved_grads[k], rtol=1e-15)
    np.testing.assert_array_equal(X, saved_X)
    np.testing.assert_array_equal(y, saved_y)


def test_init_params_shapes_scale_and_reproducibility():
    params = ref.init_params(30, 20, 4, np.random.default_rng(0))
    assert {k: v.shape for k, v in params.items()} == {"W1": (30, 20), "b1": (20,),
                                                        "W2": (20, 4), "b2": (4,)}
    assert np.all(params["b1"] == 0) and np.all(params["b2"] == 0)
    again = ref.init_params(30, 20, 4, np.random.default_rng(0))
    assert all(np.array_equal(params[k], again[k]) for k in params)
    # scaled by 1/sqrt(fan-in): 600 entries of variance 1/30 have a standard deviation near 0.18
    assert 0.15 < params["W1"].std() < 0.21


def two_blobs(seed, n=200):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])
    return centres[y] + 0.5 * rng.standard_normal((n, 2)), y


def test_training_lowers_the_loss_and_learns_separable_data():
    X, y = two_blobs(0)
    params, losses = ref.train(X, y, M=8, lr=0.5, epochs=30, batch_size=16)
    assert len(losses) == 30
    assert losses[-1] < 0.5 * losses[0]
    predictions = ref.predict(params, X)
    assert predictions.shape == (200,) and np.issubdtype(predictions.dtype, np.integer)
    assert np.mean(predictions == y) > 0.95
    # the last epoch's mean loss is close to the loss of the trained net on all data
    assert losses[-1] == pytest.approx(ref.loss_and_grads(params, X, y)[0], rel=0.5)


def test_training_is_reproducible_and_depends_on_the_seed():
    X, y = two_blobs(1, n=50)
    first = ref.train(X, y, 5, 0.3, 3, 7, lam=0.01, p=0.2, seed=4)
    second = ref.train(X, y, 5, 0.3, 3, 7, lam=0.01, p=0.2, seed=4)
    other = ref.train(X, y, 5, 0.3, 3, 7, lam=0.01, p=0.2, seed=5)
    assert first[1] == second[1]
    assert first[1] != other[1]


def test_training_with_batch_size_one_takes_n_steps_per_epoch():
    X, y = two_blobs(2, n=6)
    params, losses = ref.train(X, y, M=3, lr=0.1, epochs=1, batch_size=1)
    # one epoch of 6 single-example steps from the seed-0 initialisation, redone by hand
    rng = np.random.default_rng(0)
    expected = ref.init_params(2, 3, 3, rng)
    total = 0.0
    for row in rng.permutation(6):
        loss, grads = ref.loss_and_grads(expected, X[row:row + 1], y[row:row + 1])
        expected = ref.sgd_step(expected, grads, 0.1)
        total += loss
    assert losses == [pytest.approx(total / 6, rel=1e-15)]
    assert all(np.array_equal(params[k], expected[k]) for k in params)


@pytest.mark.parametrize("train, val, verdict", [
    ([2.0, 1.5, 1.2], [2.0, 1.6, 1.3], "underfitting"),
    ([1.0, 0.3, 0.1], [1.0, 0.5, 0.6], "overfitting"),
    ([1.0, 0.4, 0.3], [1.0, 0.5, 0.45], "good fit"),
    ([1.0, 0.4, 1.0], [1.0, 0.5, 1.3], "overfitting"),  # exactly at `high` is not underfitting
])
def test_diagnose_reads_the_final_losses(train, val, verdict):
    assert ref.diagnose(train, val) == verdict


def test_diagnose_thresholds_are_parameters():
    assert ref.diagnose([0.5], [0.6], high=0.4) == "underfitting"
    assert ref.diagnose([0.5], [0.6], gap=0.05) == "overfitting"
    assert ref.diagnose([0.5], [0.6]) == "good fit"
