"""The instructor's reference layers, compared with the students' on every case.

It imports the course's support package (cs231n.shapes) as the students' code does, and the
module beside it (reference_softmax.py): both are importable by a reference.
"""

import numpy as np

from cs231n.shapes import flatten_batch, like_batch
from reference_softmax import log_softmax


def affine_forward(x, w, b):
    """x: (N, d_1, ..., d_k), w: (D, M), b: (M,) -> out (N, M), cache (x, w, b)."""
    return flatten_batch(x) @ w + b, (x, w, b)


def affine_backward(dout, cache):
    """dout: (N, M) -> dx (N, d_1, ..., d_k), dw (D, M), db (M,)."""
    x, w, _ = cache
    dx = like_batch(dout @ w.T, x)
    dw = flatten_batch(x).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db  # named, so that feedback names them: "`dw` (item 2 of the result)"


def relu_forward(x):
    """x: any shape -> out max(0, x), cache x."""
    return np.maximum(0.0, x), x


def relu_backward(dout, cache):
    """dx = dout where x > 0, else 0 (the subgradient 0 at x = 0)."""
    return dout * (cache > 0)


def softmax_loss(x, y):
    """x: (N, C) scores, y: (N,) labels -> the mean cross-entropy loss, dx (N, C)."""
    log_p = log_softmax(x)
    N = x.shape[0]
    loss = -log_p[np.arange(N), y].mean()
    dx = np.exp(log_p)
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


def dropout_forward(x, dropout_param):
    """Test mode only (the identity); training mode has no single right output, and is checked
    in checks.py. Returns out, cache (dropout_param, None)."""
    return x.copy(), (dropout_param, None)


def dropout_backward(dout, cache):
    """Test mode: dx = dout."""
    return dout.copy()


def affine_relu_forward(x, w, b):
    a, affine_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (affine_cache, relu_cache)


def affine_relu_backward(dout, cache):
    affine_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), affine_cache)
