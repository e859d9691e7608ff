"""One bug: affine_relu_backward applies the affine backward before the ReLU backward.

File: cs231n/layer_utils.py
Loses: affine-relu-backward
"""

from cs231n.layers import affine_backward, affine_forward, relu_backward, relu_forward


def affine_relu_forward(x, w, b):
    """x: (N, d_1, ..., d_k), w: (D, M), b: (M,). Returns out (N, M) and cache."""
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """dout: (N, M). Returns dx, dw, db as affine_backward does."""
    fc_cache, relu_cache = cache
    dx, dw, db = affine_backward(dout, fc_cache)
    return relu_backward(dx, relu_cache), dw, db
