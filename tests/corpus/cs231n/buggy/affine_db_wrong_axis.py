"""One bug: db sums dout over the wrong axis.

File: cs231n/layers.py
Loses: affine-backward, affine-relu-backward
"""

import numpy as np

from cs231n.shapes import flatten_batch, like_batch


def affine_forward(x, w, b):
    """Fully connected layer.

    x: (N, d_1, ..., d_k) batch of N examples of D = d_1 * ... * d_k numbers
    w: (D, M) weights; b: (M,) biases
    Returns out (N, M) = x reshaped to (N, D) times w plus b, and cache.
    """
    out = flatten_batch(x) @ w + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """dout: (N, M) upstream gradient; cache: from affine_forward.

    Returns dx (N, d_1, ..., d_k), dw (D, M), db (M,).
    """
    x, w, b = cache
    dx = like_batch(dout @ w.T, x)
    dw = flatten_batch(x).T @ dout
    db = dout.sum(axis=1)
    return dx, dw, db


def relu_forward(x):
    """x: any shape. Returns out = max(0, x) elementwise, and cache."""
    out = np.maximum(0, x)
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """dout: upstream gradient, the shape of x. Returns dx (0 where x <= 0)."""
    x = cache
    dx = dout * (x > 0)
    return dx


def softmax_loss(x, y):
    """Softmax classifier loss.

    x: (N, C) class scores; y: (N,) integer labels, 0 <= y[i] < C
    Returns loss (the mean cross-entropy over the batch) and dx (N, C), its gradient.
    """
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


def dropout_forward(x, dropout_param):
    """Inverted dropout.

    x: any shape; dropout_param: a dict with
      p     the probability of KEEPING each unit (0 < p <= 1)
      mode  'train' (drop units at random, scale the kept ones by 1/p) or 'test' (identity)
      seed  optional: if given, seed numpy's generator with it, so the mask is reproducible
    Returns out (the shape of x) and cache (dropout_param, mask).
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
    elif mode == "test":
        out = x.copy()
    cache = (dropout_param, mask)
    return out, cache


def dropout_backward(dout, cache):
    """dout: upstream gradient; cache: from dropout_forward. Returns dx."""
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return dout * mask
    return dout.copy()
