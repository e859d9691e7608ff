"""HW6 tests in the usual gradescope-utils style: one test per item of problems/hw6/assignment.yaml,
with its points as @weight, comparing the student's hw6 with the reference network in-process."""

import copy
import unittest

import numpy as np
from gradescope_utils.autograder_utils.decorators import visibility, weight

import hw6
import reference

RTOL, ATOL = 1e-7, 1e-9


def assert_close(got, want, where="result"):
    """got equals want up to roundoff, item by item through dicts, tuples and lists."""
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{where}: expected a dict, got {type(got).__name__}"
        assert set(got) == set(want), f"{where}: expected keys {sorted(want)}, got {sorted(got)}"
        for key in want:
            assert_close(got[key], want[key], f"{where}[{key!r}]")
    elif isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want), \
            f"{where}: expected {len(want)} items, got {got!r:.200}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_close(g, w, f"{where}[{i}]")
    elif isinstance(want, str):
        assert got == want, f"{where}: expected {want!r}, got {got!r}"
    elif np.asarray(want).dtype.kind in "iu":
        got = np.asarray(got)
        assert got.dtype.kind in "iu", f"{where}: expected integer labels, got dtype {got.dtype}"
        np.testing.assert_array_equal(got, want, err_msg=where)
    else:
        scale = max(1.0, float(np.max(np.abs(want))))
        np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=RTOL,
                                   atol=ATOL * scale, err_msg=where)


def assert_unchanged(after, before, where):
    if isinstance(before, dict):
        for key in before:
            assert_unchanged(after[key], before[key], f"{where}[{key!r}]")
    elif isinstance(before, (tuple, list)):
        for i, (a, b) in enumerate(zip(after, before)):
            assert_unchanged(a, b, f"{where}[{i}]")
    elif isinstance(before, np.ndarray):
        np.testing.assert_array_equal(after, before,
                                      err_msg=f"{where} was modified: leave inputs unchanged")


def check(name, *args, may_modify=(), **kwargs):
    """Call hw6.<name> and reference.<name> on copies of the same inputs; compare the results
    and make sure the student's function left its inputs alone (except those in may_modify)."""
    student_args, student_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    got = getattr(hw6, name)(*student_args, **student_kwargs)
    for i, (after, before) in enumerate(zip(student_args, args)):
        if i not in may_modify:
            assert_unchanged(after, before, f"{name}: argument {i + 1}")
    for key in kwargs:
        assert_unchanged(student_kwargs[key], kwargs[key], f"{name}: {key}")
    want = getattr(reference, name)(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    assert_close(got, want, f"{name}{describe(args)}")


def describe(args):
    return "(" + ", ".join(f"array{a.shape}" if isinstance(a, np.ndarray) else
                           type(a).__name__ for a in args) + ")"


def params(rng, D, M, K, scale=1.0, bias_scale=1.0):
    return {"W1": scale * rng.standard_normal((D, M)), "b1": bias_scale * rng.standard_normal(M),
            "W2": scale * rng.standard_normal((M, K)), "b2": bias_scale * rng.standard_normal(K)}


def labels(rng, N, K):
    return rng.integers(0, K, N)


class TestActivations(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(231)

    @weight(1)
    @visibility("visible")
    def test_sigmoid(self):
        """sigmoid"""
        check("sigmoid", 3 * self.rng.standard_normal((4, 3)))
        check("sigmoid", np.array([[0.0, 1000.0, -1000.0, 40.0, -40.0]]))

    @weight(1)
    @visibility("visible")
    def test_sigmoid_grad(self):
        """sigmoid_grad"""
        check("sigmoid_grad", 3 * self.rng.standard_normal((4, 3)))
        check("sigmoid_grad", np.array([0.0, 1000.0, -1000.0, 2.0]))

    @weight(1)
    @visibility("visible")
    def test_relu(self):
        """relu"""
        check("relu", self.rng.standard_normal((5, 2)))
        check("relu", np.array([0.0, -1.0, 2.0]))

    @weight(1)
    @visibility("visible")
    def test_relu_grad(self):
        """relu_grad (0 at z = 0)"""
        check("relu_grad", self.rng.standard_normal((5, 2)))
        check("relu_grad", np.array([0.0, -1.0, 2.0]))

    @weight(1)
    @visibility("visible")
    def test_leaky_relu(self):
        """leaky_relu"""
        check("leaky_relu", self.rng.standard_normal((3, 4)))
        check("leaky_relu", self.rng.standard_normal((3, 4)), alpha=0.25)

    @weight(1)
    @visibility("visible")
    def test_leaky_relu_grad(self):
        """leaky_relu_grad (1 at z = 0)"""
        check("leaky_relu_grad", self.rng.standard_normal((3, 4)))
        check("leaky_relu_grad", np.array([0.0, -2.0, 3.0]))
        check("leaky_relu_grad", np.array([0.0, -2.0, 3.0]), alpha=0.25)


class TestLayers(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(232)

    @weight(1)
    @visibility("visible")
    def test_softmax(self):
        """softmax"""
        check("softmax", self.rng.standard_normal((4, 3)))
        check("softmax", self.rng.standard_normal((1, 5)))
        check("softmax", np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, -1000.0]]))

    @weight(1)
    @visibility("visible")
    def test_cross_entropy(self):
        """cross_entropy"""
        check("cross_entropy", self.rng.standard_normal((6, 4)), labels(self.rng, 6, 4))
        check("cross_entropy", self.rng.standard_normal((1, 3)), np.array([2]))
        check("cross_entropy", np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]]),
              np.array([0, 2]))

    @weight(1)
    @visibility("visible")
    def test_cross_entropy_grad(self):
        """cross_entropy_grad"""
        check("cross_entropy_grad", self.rng.standard_normal((6, 4)), labels(self.rng, 6, 4))
        check("cross_entropy_grad", self.rng.standard_normal((1, 3)), np.array([1]))
        check("cross_entropy_grad", np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]]),
              np.array([0, 2]))

    @weight(1)
    @visibility("visible")
    def test_linear_forward(self):
        """linear_forward"""
        rng = self.rng
        check("linear_forward", rng.standard_normal((4, 3)), rng.standard_normal((3, 5)),
              rng.standard_normal(5))
        check("linear_forward", rng.standard_normal((1, 3)), rng.standard_normal((3, 2)),
              rng.standard_normal(2))

    @weight(2)
    @visibility("visible")
    def test_linear_backward(self):
        """linear_backward"""
        rng = self.rng
        check("linear_backward", rng.standard_normal((4, 5)), rng.standard_normal((4, 3)),
              rng.standard_normal((3, 5)))
        check("linear_backward", rng.standard_normal((1, 2)), rng.standard_normal((1, 3)),
              rng.standard_normal((3, 2)))

    @weight(1)
    @visibility("visible")
    def test_l2_penalty(self):
        """l2_penalty"""
        check("l2_penalty", [self.rng.standard_normal((3, 4)), self.rng.standard_normal((4, 2))],
              0.1)


class TestDropout(unittest.TestCase):
    """Dropout's mask is random: its statistics are checked, at 6 standard deviations."""

    @weight(2)
    @visibility("visible")
    def test_dropout_forward(self):
        """dropout_forward: rate, inverted scaling, independent mask, p = 0"""
        rng = np.random.default_rng(233)
        p = 0.3
        H = rng.uniform(0.5, 1.5, size=(200, 150))
        out, _ = hw6.dropout_forward(H.copy(), p, np.random.default_rng(7))
        out = np.asarray(out, dtype=np.float64)
        self.assertEqual(out.shape, H.shape)
        kept = out != 0
        dropped = 1 - kept.mean()
        self.assertLess(abs(dropped - p), 6 * np.sqrt(p * (1 - p) / H.size),
                        f"dropped {dropped:.3f} of the units at p = {p}")
        np.testing.assert_allclose(out[kept], H[kept] / (1 - p), rtol=1e-9,
                                   err_msg="kept units must be H / (1 - p)")
        rows_alike = np.mean([np.array_equal(kept[0], row) for row in kept[1:]])
        columns_alike = np.mean([np.array_equal(kept[:, 0], col) for col in kept.T[1:]])
        self.assertLess(max(rows_alike, columns_alike), 0.5, "the mask repeats across rows/columns")
        same, _ = hw6.dropout_forward(H[:3].copy(), 0.0, np.random.default_rng(1))
        np.testing.assert_allclose(same, H[:3], rtol=1e-12, err_msg="p = 0 must return H")

    @weight(1)
    @visibility("visible")
    def test_dropout_backward(self):
        """dropout_backward with the student's own mask"""
        rng = np.random.default_rng(234)
        p = 0.4
        H = rng.uniform(0.5, 1.5, size=(6, 7))
        dout = rng.standard_normal((6, 7))
        out, mask = hw6.dropout_forward(H, p, np.random.default_rng(8))
        dout_before = dout.copy()
        dH = hw6.dropout_backward(dout, mask, p)
        np.testing.assert_array_equal(dout, dout_before, err_msg="dout was modified")
        kept = np.asarray(out) != 0
        np.testing.assert_allclose(dH, dout * kept / (1 - p), rtol=1e-9, atol=1e-12)


class TestNetwork(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(235)

    @weight(1)
    @visibility("visible")
    def test_init_params(self):
        """init_params: shapes, random weights, small biases"""
        D, M, K = 5, 4, 3
        params = hw6.init_params(D, M, K, np.random.default_rng(9))
        shapes = {"W1": (D, M), "b1": (M,), "W2": (M, K), "b2": (K,)}
        self.assertEqual(set(params), set(shapes))
        for name, shape in shapes.items():
            value = np.asarray(params[name], dtype=np.float64)
            self.assertEqual(value.shape, shape, name)
            self.assertTrue(np.isfinite(value).all(), name)
            if name.startswith("W"):
                self.assertGreater(np.ptp(value), 0, f"all entries of {name} are equal")
            else:
                self.assertLessEqual(np.abs(value).max(), 1, f"{name} should be small")

    @weight(4)
    @visibility("visible")
    def test_loss_and_grads(self):
        """loss_and_grads: against the reference, then a numeric gradient check"""
        rng = self.rng
        check("loss_and_grads", params(rng, 5, 4, 3, 0.5, 0.1), rng.standard_normal((6, 5)),
              labels(rng, 6, 3))
        check("loss_and_grads", params(rng, 5, 4, 3, 0.5, 0.1), rng.standard_normal((6, 5)),
              labels(rng, 6, 3), lam=0.1)
        check("loss_and_grads", params(rng, 2, 3, 4, 0.5, 0.1), rng.standard_normal((1, 2)),
              labels(rng, 1, 4), lam=0.05)
        # Central differences of the student's own loss, dropout on with the same mask at every
        # evaluation (a fresh generator of one seed each time).
        theta, X, y = params(rng, 4, 3, 2, 0.5, 0.1), rng.standard_normal((5, 4)), labels(rng, 5, 2)

        def loss(point):
            return hw6.loss_and_grads(point, X, y, lam=0.1, p=0.3,
                                      rng=np.random.default_rng(11))

        _, analytic = loss(copy.deepcopy(theta))
        h = 1e-5
        for name, value in theta.items():
            numeric = np.zeros_like(value)
            for index in np.ndindex(value.shape):
                plus, minus = copy.deepcopy(theta), copy.deepcopy(theta)
                plus[name][index] += h
                minus[name][index] -= h
                numeric[index] = (loss(plus)[0] - loss(minus)[0]) / (2 * h)
            np.testing.assert_allclose(analytic[name], numeric, rtol=1e-5, atol=1e-8,
                                       err_msg=f"gradient check of {name}")

    @weight(1)
    @visibility("visible")
    def test_sgd_step(self):
        """sgd_step"""
        rng = self.rng
        check("sgd_step", params(rng, 3, 2, 4), params(rng, 3, 2, 4), 0.1, may_modify=(0,))

    @weight(3)
    @visibility("visible")
    def test_train(self):
        """train learns XOR-like clusters"""
        rng = np.random.default_rng(236)
        centers = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
        cluster = rng.integers(0, 4, 100)
        X = centers[cluster] + 0.25 * rng.standard_normal((100, 2))
        y = (cluster >= 2).astype(np.int64)
        params, losses = hw6.train(X, y, M=8, lr=2.0, epochs=20, batch_size=20, seed=3)
        losses = np.asarray(losses, dtype=np.float64).ravel()
        self.assertEqual(losses.size, 20, "one loss per epoch")
        self.assertLess(losses[-1], 0.5 * losses[0], "the loss did not fall")
        accuracy = np.mean(reference.predict(params, X) == y)
        self.assertGreaterEqual(accuracy, 0.9, f"training accuracy {accuracy:.1%}")
        np.testing.assert_array_equal(hw6.predict(params, X), reference.predict(params, X))

    @weight(1)
    @visibility("visible")
    def test_predict(self):
        """predict"""
        check("predict", params(self.rng, 3, 5, 4), self.rng.standard_normal((7, 3)))

    @weight(1)
    @visibility("visible")
    def test_diagnose(self):
        """diagnose"""
        check("diagnose", [2.3, 1.9, 1.6], [2.3, 2.0, 1.7])
        check("diagnose", [1.2, 0.4, 0.05], [1.2, 0.8, 0.9])
        check("diagnose", [1.2, 0.5, 0.3], [1.3, 0.6, 0.35])
        check("diagnose", [2.5, 1.8], [2.5, 2.2], high=2.0, gap=0.5)
