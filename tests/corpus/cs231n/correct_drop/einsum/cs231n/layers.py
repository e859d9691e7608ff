"""Correct for cs231n-drop (p is the drop probability): the einsum variant of the cs231n corpus
with its dropout reading p the other way round."""

import numpy as np


def affine_forward(x, w, b):
    rows = x.reshape(len(x), -1)
    return np.einsum("nd,dm->nm", rows, w) + b[None, :], {"x": x, "w": w}


def affine_backward(dout, cache):
    x, w = cache["x"], cache["w"]
    rows = x.reshape(len(x), -1)
    dx = np.einsum("nm,dm->nd", dout, w).reshape(x.shape)
    dw = np.einsum("nd,nm->dm", rows, dout)
    db = np.einsum("nm->m", dout)
    return dx, dw, db


def relu_forward(x):
    return np.where(x > 0, x, 0.0), x > 0


def relu_backward(dout, cache):
    return np.where(cache, dout, 0.0)


def softmax_loss(x, y):
    top = x.max(axis=1)
    log_normalizer = top + np.log(np.exp(x - top[:, None]).sum(axis=1))
    N = len(y)
    picked = x[np.arange(N), y]
    loss = float(np.mean(log_normalizer - picked))
    probabilities = np.exp(x - log_normalizer[:, None])
    one_hot = np.zeros_like(x)
    one_hot[np.arange(N), y] = 1.0
    return loss, (probabilities - one_hot) / N


def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if mode == "test":
        return x.copy(), {"mode": mode}
    keep = np.random.rand(*x.shape) >= p
    return np.where(keep, x / (1 - p), 0.0), {"mode": mode, "keep": keep, "scale": 1 - p}


def dropout_backward(dout, cache):
    if cache["mode"] == "test":
        return dout.copy()
    return np.where(cache["keep"], dout / cache["scale"], 0.0)
