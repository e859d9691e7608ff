"""Provided: reshaping a batch of inputs for a fully connected layer.

A batch x has shape (N, d_1, ..., d_k): N examples, each of D = d_1 * ... * d_k numbers.
"""

import numpy as np


def flatten_batch(x):
    """x: (N, d_1, ..., d_k) -> (N, D), each example one row (a view where numpy can)."""
    return np.reshape(x, (x.shape[0], -1))


def like_batch(rows, x):
    """rows: (N, D) -> the shape of x, (N, d_1, ..., d_k): undoes flatten_batch."""
    return np.reshape(rows, x.shape)
