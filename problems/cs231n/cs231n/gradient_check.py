"""Provided: numerical gradients, to test your backward passes against your forward passes."""

import numpy as np


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """The gradient of sum(f(x) * df) with respect to x, by central differences.

    f: a function of one array returning an array; x: the point (any shape, float64);
    df: the upstream gradient, the shape of f(x); h: the step. Returns an array shaped like x.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = np.sum((np.asarray(f(plus)) - np.asarray(f(minus))) * df) / (2 * h)
    return grad


def rel_error(x, y):
    """The largest relative difference between two arrays (0 when they are equal)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))
