"""The lecture's two-layer network, with the same functions a HW6 student writes.

    H  = sigmoid(X W1 + b1)             X (N, D), W1 (D, M), b1 (M,)
    H' = dropout(H)  (only when p > 0)   inverted dropout, p = drop probability
    F  = H' W2 + b2                      W2 (M, K), b2 (K,)
    loss = cross_entropy(F, y) + (lam / 2) (||W1||^2 + ||W2||^2)

Parameters travel as a dict {"W1", "b1", "W2", "b2"} of float64 arrays; no function modifies its
arguments.
"""

from __future__ import annotations

import numpy as np

from .layers import (cross_entropy, cross_entropy_grad, dropout_backward, dropout_forward,
                     l2_grad, l2_penalty, linear_backward, linear_forward, sigmoid,
                     sigmoid_grad)


def init_params(D, M, K, rng):
    """Random weights scaled by 1/sqrt(fan-in) and zero biases.

    D inputs, M hidden units, K classes; rng: numpy.random.Generator (W1 is drawn before W2).
    Returns {"W1": (D, M), "b1": (M,), "W2": (M, K), "b2": (K,)}.
    """
    return {
        "W1": rng.standard_normal((D, M)) / np.sqrt(D),
        "b1": np.zeros(M),
        "W2": rng.standard_normal((M, K)) / np.sqrt(M),
        "b2": np.zeros(K),
    }


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    """Loss of the network on a batch and the gradient of every parameter.

    params: dict as from init_params; X: (N, D); y: (N,) integer labels in [0, K);
    lam: weight decay on W1 and W2; p: dropout probability on H (0 = no dropout);
    rng: numpy.random.Generator for the dropout mask (required when p > 0).
    Returns (loss: float, grads: dict with the keys and shapes of params).
    """
    if p > 0 and rng is None:
        raise ValueError("dropout (p > 0) needs a numpy Generator `rng` for its mask")
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]

    Z1 = linear_forward(X, W1, b1)
    H = sigmoid(Z1)
    H_drop, mask = dropout_forward(H, p, rng)
    F = linear_forward(H_drop, W2, b2)
    loss = cross_entropy(F, y) + l2_penalty([W1, W2], lam)

    dF = cross_entropy_grad(F, y)
    dH_drop, dW2, db2 = linear_backward(dF, H_drop, W2)
    dZ1 = dropout_backward(dH_drop, mask, p) * sigmoid_grad(Z1)
    _, dW1, db1 = linear_backward(dZ1, X, W1)
    grads = {"W1": dW1 + l2_grad(W1, lam), "b1": db1,
             "W2": dW2 + l2_grad(W2, lam), "b2": db2}
    return loss, grads


def sgd_step(params, grads, lr):
    """One gradient-descent step. Returns a new dict {name: params[name] - lr * grads[name]}."""
    return {name: value - lr * grads[name] for name, value in params.items()}


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    """Minibatch SGD from init_params, the order of examples reshuffled every epoch.

    X: (N, D); y: (N,) integer labels, K = max(y) + 1 classes; M hidden units; lr step size;
    batch_size rows per step (the last batch of an epoch may be smaller); lam, p as in
    loss_and_grads. One Generator seeded with `seed` draws, in order, the weights, then each
    epoch's shuffle and that epoch's dropout masks.
    Returns (params, losses): losses[e] is the mean training loss over epoch e's batches,
    weighted by batch size (as computed during the epoch, with dropout and penalty).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    N, D = X.shape
    params = init_params(D, M, int(y.max()) + 1, rng)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(N)
        total = 0.0
        for start in range(0, N, batch_size):
            rows = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[rows], y[rows], lam, p, rng)
            params = sgd_step(params, grads, lr)
            total += loss * len(rows)
        losses.append(total / N)
    return params, losses


def predict(params, X):
    """Most likely class of each row, without dropout. X: (N, D). Returns (N,) int labels."""
    H = sigmoid(linear_forward(X, params["W1"], params["b1"]))
    return np.argmax(linear_forward(H, params["W2"], params["b2"]), axis=1)


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    """Name the fit from the final losses of two learning curves.

    train_losses, val_losses: sequences of per-epoch losses. Returns "underfitting" if the final
    training loss is above `high`, else "overfitting" if the final validation loss exceeds the
    final training loss by more than `gap`, else "good fit".
    """
    final_train, final_val = train_losses[-1], val_losses[-1]
    if final_train > high:
        return "underfitting"
    if final_val - final_train > gap:
        return "overfitting"
    return "good fit"
