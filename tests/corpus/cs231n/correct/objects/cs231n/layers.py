"""Correct, with caches that are objects (they stay in the worker as handles), matrix products
written with np.dot and a ReLU through np.maximum; dropout draws its mask with
np.random.random_sample."""

import numpy as np


class Cache:
    def __init__(self, **values):
        self.__dict__.update(values)


def affine_forward(x, w, b):
    N = x.shape[0]
    out = np.dot(x.reshape(N, np.prod(x.shape[1:])), w) + b
    return out, Cache(x=x, w=w, b=b)


def affine_backward(dout, cache):
    N = cache.x.shape[0]
    flat = cache.x.reshape(N, -1)
    return (np.dot(dout, cache.w.T).reshape(cache.x.shape), np.dot(flat.T, dout),
            np.sum(dout, axis=0))


def relu_forward(x):
    return np.maximum(x, 0), Cache(x=x)


def relu_backward(dout, cache):
    dx = dout.copy()
    dx[cache.x <= 0] = 0
    return dx


def softmax_loss(x, y):
    shifted = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted), axis=1, keepdims=True)
    log_probs = shifted - np.log(Z)
    probs = np.exp(log_probs)
    N = x.shape[0]
    loss = -np.mean(log_probs[range(N), y])
    dx = probs.copy()
    dx[range(N), y] -= 1
    return loss, dx / N


def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if mode == "train":
        mask = (np.random.random_sample(x.shape) < p) / p
        return x * mask, Cache(mode=mode, mask=mask)
    return x.copy(), Cache(mode=mode, mask=None)


def dropout_backward(dout, cache):
    return dout * cache.mask if cache.mode == "train" else dout.copy()
