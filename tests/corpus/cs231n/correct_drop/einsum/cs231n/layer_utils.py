"""Correct: imports the package's module as a whole rather than its functions."""

from cs231n import layers


def affine_relu_forward(x, w, b):
    a, first = layers.affine_forward(x, w, b)
    out, second = layers.relu_forward(a)
    return out, [first, second]


def affine_relu_backward(dout, cache):
    first, second = cache
    da = layers.relu_backward(dout, second)
    return layers.affine_backward(da, first)
