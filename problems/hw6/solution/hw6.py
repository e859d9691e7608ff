"""HW6 instructor solution: a one-hidden-layer sigmoid network with softmax cross-entropy,
inverted dropout and weight decay, trained by minibatch SGD. numpy only, float64 throughout.

Network: H = sigmoid(X W1 + b1); H' = dropout(H) when p > 0; F = H' W2 + b2;
loss = mean cross-entropy of softmax(F) + (lam/2)(||W1||^2 + ||W2||^2).
"""

import numpy as np


def sigmoid(z):
    """Elementwise logistic function.

    z: array of any shape. Returns an array of z's shape in [0, 1].
    exp is only ever taken of -|z| <= 0, so nothing overflows for any finite z.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """Derivative of the sigmoid at the pre-activation z: sigmoid(z) (1 - sigmoid(z)).

    z: array of any shape. Returns an array of z's shape.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    """Elementwise max(0, z). z: array of any shape; returns an array of z's shape."""
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0)


def relu_grad(z):
    """1.0 where z > 0, 0.0 elsewhere (so relu_grad(0) == 0). Same shape as z."""
    z = np.asarray(z, dtype=np.float64)
    return (z > 0).astype(np.float64)


def leaky_relu(z, alpha=0.1):
    """Elementwise max(alpha z, z), 0 < alpha < 1. Same shape as z."""
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(alpha * z, z)


def leaky_relu_grad(z, alpha=0.1):
    """1.0 where z >= 0, alpha where z < 0 (the lecture's convention f'(0) = 1). Same shape as z."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1.0, alpha)


def softmax(F):
    """Row-wise softmax.

    F: logits, shape (N, K). Returns probabilities of shape (N, K), rows summing to 1.
    Subtracting each row's maximum leaves the result unchanged and keeps exp's argument <= 0.
    """
    F = np.asarray(F, dtype=np.float64)
    shifted = F - F.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(F, y):
    """Mean over rows of -log softmax(F)[i, y_i], from logits.

    F: logits, shape (N, K); y: int labels, shape (N,). Returns a float.
    -log softmax(F)[i, y] = logsumexp(F[i]) - F[i, y]; logsumexp is taken after the max shift
    so it is exact even for logits of +-1000.
    """
    F = np.asarray(F, dtype=np.float64)
    y = np.asarray(y)
    N = F.shape[0]
    row_max = F.max(axis=1)
    logsumexp = row_max + np.log(np.exp(F - row_max[:, None]).sum(axis=1))
    return float(np.mean(logsumexp - F[np.arange(N), y]))


def cross_entropy_grad(F, y):
    """Gradient of cross_entropy(F, y) with respect to F: (softmax(F) - onehot(y)) / N.

    F: logits, shape (N, K); y: int labels, shape (N,). Returns dF of shape (N, K).
    """
    y = np.asarray(y)
    N = y.shape[0]
    dF = softmax(F)
    dF[np.arange(N), y] -= 1.0
    return dF / N


def linear_forward(X, W, b):
    """Z = X W + b. X: (N, D), W: (D, M), b: (M,). Returns Z: (N, M)."""
    return np.asarray(X, dtype=np.float64) @ W + b


def linear_backward(dZ, X, W):
    """Backward pass of Z = X W + b.

    dZ: (N, M) upstream gradient; X: (N, D); W: (D, M).
    Returns (dX, dW, db) of shapes (N, D), (D, M), (M,).
    """
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    return dX, dW, db


def dropout_forward(H, p, rng):
    """Inverted dropout: each unit is dropped with probability p, kept units scaled by 1/(1 - p).

    H: activations of any shape; p: drop probability in [0, 1); rng: numpy Generator.
    Returns (out, mask): out has H's shape; mask is a boolean array of H's shape, True = kept.
    """
    H = np.asarray(H, dtype=np.float64)
    mask = rng.random(H.shape) >= p
    return H * mask / (1.0 - p), mask


def dropout_backward(dout, mask, p):
    """Backward pass of inverted dropout.

    dout: upstream gradient of H's shape; mask: keep-mask from dropout_forward; p: drop probability.
    Returns dH of H's shape.
    """
    return dout * mask / (1.0 - p)


def l2_penalty(weights, lam):
    """(lam / 2) * sum of squares of every array in the list `weights`. Returns a float."""
    return float(0.5 * lam * sum(np.sum(W * W) for W in weights))


def init_params(D, M, K, rng):
    """Initial parameters of the D -> M -> K network, drawn from the numpy Generator rng.

    Returns {"W1": (D, M), "b1": (M,), "W2": (M, K), "b2": (K,)}. Weights are Gaussian with
    standard deviation 1/sqrt(fan_in), so pre-activations start of order 1 and the sigmoid
    is not saturated; biases start at zero.
    """
    return {
        "W1": rng.normal(0.0, 1.0 / np.sqrt(D), size=(D, M)),
        "b1": np.zeros(M),
        "W2": rng.normal(0.0, 1.0 / np.sqrt(M), size=(M, K)),
        "b2": np.zeros(K),
    }


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    """Loss of the network on (X, y) and its gradient with respect to every parameter.

    params: dict of "W1" (D, M), "b1" (M,), "W2" (M, K), "b2" (K,); X: (N, D); y: int labels (N,);
    lam: weight decay; p: dropout probability on the hidden layer; rng: Generator for the mask.
    Returns (loss, grads): a float and a dict with the keys and shapes of params.
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    X = np.asarray(X, dtype=np.float64)

    Z1 = linear_forward(X, W1, b1)
    H = sigmoid(Z1)
    if p > 0:
        H_used, mask = dropout_forward(H, p, rng)
    else:
        H_used = H
    F = linear_forward(H_used, W2, b2)
    loss = cross_entropy(F, y) + l2_penalty([W1, W2], lam)

    dF = cross_entropy_grad(F, y)
    dH_used, dW2, db2 = linear_backward(dF, H_used, W2)
    dH = dropout_backward(dH_used, mask, p) if p > 0 else dH_used
    dZ1 = dH * sigmoid_grad(Z1)
    _, dW1, db1 = linear_backward(dZ1, X, W1)

    grads = {"W1": dW1 + lam * W1, "b1": db1, "W2": dW2 + lam * W2, "b2": db2}
    return loss, grads


def sgd_step(params, grads, lr):
    """One gradient-descent step. Returns a new dict {k: params[k] - lr * grads[k]}."""
    return {k: params[k] - lr * grads[k] for k in params}


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    """Minibatch SGD on (X, y) with M hidden units, reshuffling the examples every epoch.

    X: (N, D); y: int labels (N,) in [0, K), K = y.max() + 1. All randomness (initialisation,
    shuffling, dropout) comes from np.random.default_rng(seed). The last minibatch of an epoch
    holds the remaining N mod batch_size examples when batch_size does not divide N.
    Returns (params, losses): losses[e] is the mean of the minibatch losses of epoch e.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    N, D = X.shape
    K = int(y.max()) + 1
    rng = np.random.default_rng(seed)
    params = init_params(D, M, K, rng)

    losses = []
    for _ in range(epochs):
        order = rng.permutation(N)
        batch_losses = []
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx], lam, p, rng)
            params = sgd_step(params, grads, lr)
            batch_losses.append(loss)
        losses.append(float(np.mean(batch_losses)))
    return params, losses


def predict(params, X):
    """Class with the largest logit for every row of X (N, D), without dropout. Returns int (N,)."""
    H = sigmoid(linear_forward(X, params["W1"], params["b1"]))
    F = linear_forward(H, params["W2"], params["b2"])
    return np.argmax(F, axis=1)


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    """"underfitting", "overfitting" or "good fit" from the final training and validation losses."""
    final_train = train_losses[-1]
    final_val = val_losses[-1]
    if final_train > high:
        return "underfitting"
    if final_val - final_train > gap:
        return "overfitting"
    return "good fit"
