"""HW6's tests as the course wrote them for gradescope-utils' JSONTestRunner (the conventional
in-process autograder); `kind: unittest` runs them unchanged, each test one item."""

import unittest

import numpy as np
from gradescope_utils.autograder_utils.decorators import (number, partial_credit, visibility,
                                                          weight)

from hw6 import (cross_entropy, linear_backward, linear_forward, loss_and_grads, relu,
                 sigmoid, softmax, train)


def numeric_gradient(f, x, h=1e-6):
    """Central differences of the scalar f() with respect to every entry of x (changed in place
    and restored)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + h
        up = f()
        x[index] = old - h
        down = f()
        x[index] = old
        grad[index] = (up - down) / (2 * h)
    return grad


class TestActivations(unittest.TestCase):
    @weight(1)
    @number("1.1")
    def test_sigmoid(self):
        """sigmoid: 1 / (1 + e^-z), and no overflow at ±1000"""
        z = np.array([-1000.0, -2.0, 0.0, 3.0, 1000.0])
        expected = np.array([0.0, 1 / (1 + np.exp(2.0)), 0.5, 1 / (1 + np.exp(-3.0)), 1.0])
        np.testing.assert_allclose(sigmoid(z), expected, rtol=1e-7, atol=1e-12)

    @weight(1)
    @number("1.2")
    def test_relu(self):
        """relu: max(0, z)"""
        z = np.array([[-1.5, 0.0, 2.0], [3.0, -0.1, 0.5]])
        np.testing.assert_array_equal(relu(z), np.maximum(z, 0.0))


class TestOutput(unittest.TestCase):
    @weight(2)
    @number("2.1")
    def test_softmax(self):
        """softmax: rows of probabilities, stable for large logits"""
        F = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 0.0]])
        P = softmax(F)
        self.assertEqual(P.shape, F.shape)
        np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
        e = np.exp([-2.0, -1.0, 0.0])
        np.testing.assert_allclose(P[0], e / e.sum(), rtol=1e-7)
        np.testing.assert_allclose(P[1], [0.5, 0.5, 0.0], atol=1e-12)

    @weight(2)
    @number("2.2")
    @visibility("after_due_date")
    def test_cross_entropy(self):
        """cross_entropy: mean -log p of the true class"""
        F = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
        y = np.array([0, 2])
        log_p = F - np.log(np.exp(F).sum(axis=1, keepdims=True))
        self.assertAlmostEqual(float(cross_entropy(F, y)), -log_p[[0, 1], y].mean(), places=9)


class TestBackward(unittest.TestCase):
    @partial_credit(3)
    @number("3.1")
    def test_linear_backward(self, set_score=None):
        """linear_backward: one point for each of dX, dW and db"""
        rng = np.random.default_rng(0)
        X, W, b, dZ = (rng.normal(size=s) for s in ((4, 3), (3, 2), (2,), (4, 2)))
        self.assertEqual(linear_forward(X, W, b).shape, (4, 2))
        dX, dW, db = linear_backward(dZ, X, W)
        right = [np.allclose(dX, dZ @ W.T), np.allclose(dW, X.T @ dZ),
                 np.allclose(db, dZ.sum(axis=0))]
        set_score(sum(right))
        self.assertTrue(all(right), f"dX, dW, db right: {right}")

    @weight(3)
    @number("3.2")
    def test_loss_and_grads(self):
        """loss_and_grads: gradients agree with central differences"""
        rng = np.random.default_rng(1)
        X, y = rng.normal(size=(5, 4)), np.array([0, 1, 2, 1, 0])
        params = {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=3),
                  "W2": rng.normal(size=(3, 3)), "b2": rng.normal(size=3)}
        _, grads = loss_and_grads(params, X, y, lam=0.1)
        for key in params:
            numeric = numeric_gradient(lambda: loss_and_grads(params, X, y, lam=0.1)[0],
                                       params[key])
            np.testing.assert_allclose(grads[key], numeric, rtol=1e-5, atol=1e-7,
                                       err_msg=f"gradient of {key}")


class TestTraining(unittest.TestCase):
    @weight(2)
    @number("4.1")
    @visibility("hidden")
    def test_train_lowers_the_loss(self):
        """train: the loss falls on a separable problem"""
        rng = np.random.default_rng(2)
        X = rng.normal(size=(60, 2))
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
        _, losses = train(X, y, M=8, lr=0.5, epochs=30, batch_size=10, seed=3)
        self.assertLess(losses[-1], 0.6 * losses[0])
