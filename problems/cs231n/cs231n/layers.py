"""Layers of a fully connected network, forward and backward, CS231n style.

Every forward function returns (out, cache): cache holds what its backward needs, in any form
you like (the grader passes your cache to your backward). Every backward takes (dout, cache)
and returns the gradient(s) of the loss with respect to the forward's inputs. No function may
modify its inputs.
"""

import numpy as np

from cs231n.shapes import flatten_batch, like_batch


def affine_forward(x, w, b):
    """Fully connected layer.

    x: (N, d_1, ..., d_k) batch of N examples of D = d_1 * ... * d_k numbers
    w: (D, M) weights; b: (M,) biases
    Returns out (N, M) = x reshaped to (N, D) times w plus b, and cache.
    """
    raise NotImplementedError


def affine_backward(dout, cache):
    """dout: (N, M) upstream gradient; cache: from affine_forward.

    Returns dx (N, d_1, ..., d_k), dw (D, M), db (M,).
    """
    raise NotImplementedError


def relu_forward(x):
    """x: any shape. Returns out = max(0, x) elementwise, and cache."""
    raise NotImplementedError


def relu_backward(dout, cache):
    """dout: upstream gradient, the shape of x. Returns dx (0 where x <= 0)."""
    raise NotImplementedError


def softmax_loss(x, y):
    """Softmax classifier loss.

    x: (N, C) class scores; y: (N,) integer labels, 0 <= y[i] < C
    Returns loss (the mean cross-entropy over the batch) and dx (N, C), its gradient.
    """
    raise NotImplementedError


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
    # Your code here: the mask, out in each mode, and the cache.
    raise NotImplementedError


def dropout_backward(dout, cache):
    """dout: upstream gradient; cache: from dropout_forward. Returns dx."""
    raise NotImplementedError
