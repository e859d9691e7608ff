"""The lecture's layers in numpy, float64, each forward beside its backward.

Shapes: N rows (examples), D inputs, M hidden units, K classes. Every function returns new arrays
and leaves its inputs untouched, so a grader can call it on a student's arrays safely.
"""

from __future__ import annotations

import numpy as np


# --- activations -----------------------------------------------------------------------------

def sigmoid(z):
    """Logistic function 1 / (1 + exp(-z)), stable for any finite z.

    z: array of any shape. Returns an array of the same shape with values in [0, 1].
    exp is only ever taken of -|z| <= 0, so it cannot overflow (z = -1000 gives exactly 0 without
    a warning, z = 1000 exactly 1).
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """Derivative of the sigmoid at the pre-activation z: sigma(z) * (1 - sigma(z)).

    z: array of any shape (the input of the sigmoid, not its output). Returns the same shape.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    """max(z, 0) elementwise. z: array of any shape; returns the same shape."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_grad(z):
    """Derivative of relu at z: 1 where z > 0, else 0 (0 at the kink z = 0). Same shape as z."""
    return (np.asarray(z) > 0).astype(np.float64)


def leaky_relu(z, alpha=0.1):
    """max(alpha * z, z) elementwise (the lecture's leaky ReLU; alpha < 1). Same shape as z."""
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(alpha * z, z)


def leaky_relu_grad(z, alpha=0.1):
    """Derivative of leaky_relu at z: 1 where z >= 0 (the lecture's f'(0) = 1), alpha elsewhere.

    z: array of any shape; returns the same shape.
    """
    return np.where(np.asarray(z) >= 0, 1.0, alpha)


# --- softmax and cross-entropy ---------------------------------------------------------------

def softmax(F):
    """Row-wise softmax of logits.

    F: (N, K) logits. Returns (N, K) probabilities, each row summing to 1.
    Shifting each row by its maximum leaves the result unchanged and keeps exp from overflowing.
    """
    F = np.asarray(F, dtype=np.float64)
    e = np.exp(F - F.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(F, y):
    """Mean over rows of -log softmax(F)[n, y[n]], computed from the logits.

    F: (N, K) logits; y: (N,) integer labels in [0, K). Returns a float.
    Uses log-sum-exp, so it is exact for logits of +-1000 (no log(p + tiny) that shifts the value).
    """
    F = np.asarray(F, dtype=np.float64)
    rows = np.arange(F.shape[0])
    m = F.max(axis=1)
    log_sum_exp = m + np.log(np.exp(F - m[:, None]).sum(axis=1))
    return float(np.mean(log_sum_exp - F[rows, y]))


def cross_entropy_grad(F, y):
    """Gradient of cross_entropy(F, y) with respect to F: (softmax(F) - onehot(y)) / N.

    F: (N, K) logits; y: (N,) integer labels. Returns (N, K).
    """
    dF = softmax(F)
    dF[np.arange(dF.shape[0]), y] -= 1.0
    return dF / dF.shape[0]


# --- linear layer ----------------------------------------------------------------------------

def linear_forward(X, W, b):
    """Affine map Z = X W + b.

    X: (N, D) inputs; W: (D, M) weights; b: (M,) bias. Returns Z: (N, M).
    """
    return np.asarray(X, dtype=np.float64) @ W + b


def linear_backward(dZ, X, W):
    """Gradients of a loss through Z = X W + b, given dZ = dloss/dZ.

    dZ: (N, M); X: (N, D); W: (D, M). Returns (dX (N, D), dW (D, M), db (M,)).
    The bias gradient is summed over rows: every row's Z uses the same b.
    """
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


# --- inverted dropout ------------------------------------------------------------------------

def dropout_forward(H, p, rng):
    """Inverted dropout in training: drop each unit with probability p, scale kept ones by 1/(1-p).

    H: array of any shape, e.g. (N, M) hidden activations; p: drop probability in [0, 1);
    rng: numpy.random.Generator that draws the mask (unused when p == 0).
    Returns (out, mask): out has H's shape, mask is a boolean array of H's shape (True = kept).
    E[out] = H, so at test time the layer is the identity (do not call it then).
    """
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability p must be in [0, 1), got {p}")
    H = np.asarray(H, dtype=np.float64)
    if p == 0.0:
        return H.copy(), np.ones(H.shape, dtype=bool)
    mask = rng.random(H.shape) >= p
    return H * mask / (1.0 - p), mask


def dropout_backward(dout, mask, p):
    """Gradient through inverted dropout: the same mask and the same 1/(1-p) scale as the forward.

    dout: upstream gradient, same shape as mask; mask: boolean keep-mask from dropout_forward;
    p: the drop probability used in the forward. Returns dH with dout's shape.
    """
    return dout * mask / (1.0 - p)


# --- weight decay ----------------------------------------------------------------------------

def l2_penalty(weights, lam):
    """Weight decay (lam / 2) * sum of squared entries of every matrix in `weights`.

    weights: list of arrays (weight matrices only; biases are not regularised); lam >= 0.
    Returns a float.
    """
    return 0.5 * lam * float(sum(np.sum(np.square(W)) for W in weights))


def l2_grad(W, lam):
    """Gradient of the penalty with respect to one weight matrix: lam * W (same shape as W)."""
    return lam * np.asarray(W, dtype=np.float64)
