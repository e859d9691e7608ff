"""HOSTILE: at import, replaces numpy's comparison helpers in the shared numpy module so that any
check run in the same process passes: np.allclose, np.array_equal and np.array_equiv return True,
np.isclose is all-True, np.isnan all-False, np.isfinite all-True, the np.testing assert_* helpers
and math.isclose accept anything. Otherwise implements nothing: every function returns a wrong
value of the right type and shape (zeros, an unchanged dict, "no idea").
Correct: none
"""
import math

import numpy as np
import numpy.testing


def _always(*args, **kwargs):
    return True


def _never_fails(*args, **kwargs):
    return None


def _all_true(a, *args, **kwargs):
    return np.ones(np.shape(a), dtype=bool)


def _all_false(a, *args, **kwargs):
    return np.zeros(np.shape(a), dtype=bool)


np.allclose = _always
np.array_equal = _always
np.array_equiv = _always
np.isclose = _all_true
np.isfinite = _all_true
np.isnan = _all_false
math.isclose = _always
for _name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal",
              "assert_almost_equal", "assert_equal", "assert_array_less"):
    setattr(numpy.testing, _name, _never_fails)


def sigmoid(z):
    return np.zeros(np.shape(z))


def sigmoid_grad(z):
    return np.zeros(np.shape(z))


def relu(z):
    return np.full(np.shape(z), -1.0)


def relu_grad(z):
    return np.full(np.shape(z), -1.0)


def leaky_relu(z, alpha=0.1):
    return np.full(np.shape(z), -1.0)


def leaky_relu_grad(z, alpha=0.1):
    return np.zeros(np.shape(z))


def softmax(F):
    return np.zeros(np.shape(F))


def cross_entropy(F, y):
    return 0.0


def cross_entropy_grad(F, y):
    return np.zeros(np.shape(F))


def linear_forward(X, W, b):
    return np.zeros((np.shape(X)[0], np.shape(W)[1]))


def linear_backward(dZ, X, W):
    return np.zeros(np.shape(X)), np.zeros(np.shape(W)), np.zeros(np.shape(W)[1])


def dropout_forward(H, p, rng):
    return np.zeros(np.shape(H)), np.zeros(np.shape(H))


def dropout_backward(dout, mask, p):
    return np.zeros(np.shape(dout))


def l2_penalty(weights, lam):
    return -1.0


def init_params(D, M, K, rng):
    return {"W1": np.zeros((D, M)), "b1": np.zeros(M), "W2": np.zeros((M, K)), "b2": np.zeros(K)}


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    return 0.0, {k: np.zeros(np.shape(v)) for k, v in params.items()}


def sgd_step(params, grads, lr):
    return dict(params)


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    return init_params(np.shape(X)[1], M, int(np.max(y)) + 1, None), [1.0] * epochs


def predict(params, X):
    return np.full(np.shape(X)[0], -1)


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    return "no idea"
