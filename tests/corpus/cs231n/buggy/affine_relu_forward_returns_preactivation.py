"""One bug: affine_relu_forward returns the affine output, before the ReLU.

File: cs231n/layer_utils.py
Loses: affine-relu-forward, affine-relu-backward
"""

from cs231n.layers import affine_backward, affine_forward, relu_backward, relu_forward


def affine_relu_forward(x, w, b):
    """x: (N, d_1, ..., d_k), w: (D, M), b: (M,). Returns out (N, M) and cache."""
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return a, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """dout: (N, M). Returns dx, dw, db as affine_backward does."""
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache)
