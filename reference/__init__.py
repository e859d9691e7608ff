"""Reference numpy implementation of the lecture's layers and two-layer network (float64)."""

from .layers import (cross_entropy, cross_entropy_grad, dropout_backward, dropout_forward,
                     l2_grad, l2_penalty, leaky_relu, leaky_relu_grad, linear_backward,
                     linear_forward, relu, relu_grad, sigmoid, sigmoid_grad, softmax)
from .network import diagnose, init_params, loss_and_grads, predict, sgd_step, train

__all__ = [
    "sigmoid", "sigmoid_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad",
    "softmax", "cross_entropy", "cross_entropy_grad", "linear_forward", "linear_backward",
    "dropout_forward", "dropout_backward", "l2_penalty", "l2_grad",
    "init_params", "loss_and_grads", "sgd_step", "train", "predict", "diagnose",
]
