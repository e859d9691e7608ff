"""Layers made of layers: an affine layer followed by a ReLU."""

from cs231n.layers import affine_backward, affine_forward, relu_backward, relu_forward


def affine_relu_forward(x, w, b):
    """x: (N, d_1, ..., d_k), w: (D, M), b: (M,). Returns out (N, M) and cache."""
    raise NotImplementedError


def affine_relu_backward(dout, cache):
    """dout: (N, M). Returns dx, dw, db as affine_backward does."""
    raise NotImplementedError
