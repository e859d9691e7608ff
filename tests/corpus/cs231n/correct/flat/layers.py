"""Correct, uploaded as single files (no cs231n/ folder, as Gradescope's file upload does):
loops over the batch, the course's flatten_batch helper, and probabilities normalised row by
row. Its layer_utils.py imports it as cs231n.layers all the same."""

import numpy as np

from cs231n.shapes import flatten_batch, like_batch


def affine_forward(x, w, b):
    rows = flatten_batch(x)
    out = np.empty((rows.shape[0], w.shape[1]))
    for n in range(rows.shape[0]):
        out[n] = rows[n] @ w + b
    return out, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    rows = flatten_batch(x)
    dw = np.zeros_like(w)
    for n in range(rows.shape[0]):
        dw += np.outer(rows[n], dout[n])
    return like_batch(dout @ w.T, x), dw, dout.sum(axis=0)


def relu_forward(x):
    out = x * (x > 0)
    return out, out


def relu_backward(dout, cache):
    return dout * (cache > 0)


def softmax_loss(x, y):
    N = x.shape[0]
    loss = 0.0
    dx = np.zeros_like(x)
    for n in range(N):
        scores = x[n] - np.max(x[n])
        probabilities = np.exp(scores) / np.sum(np.exp(scores))
        loss -= scores[y[n]] - np.log(np.sum(np.exp(scores)))
        dx[n] = probabilities
        dx[n, y[n]] -= 1
    return loss / N, dx / N


def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if dropout_param["mode"] == "train":
        mask = (np.random.uniform(size=x.shape) < p) / p
        out = mask * x
    else:
        out = np.array(x, copy=True)
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    return dout * mask if dropout_param["mode"] == "train" else np.array(dout, copy=True)
