"""CORRECT: sigmoid through the identity sigmoid(z) = (1 + tanh(z/2)) / 2 (tanh saturates, so
nothing overflows) and its derivative as (1 - tanh(z/2)^2) / 4; softmax as exp(F - logsumexp);
cross_entropy with np.logaddexp.reduce; linear_backward with einsum; the dropout mask is a float
0/1 array from rng.binomial(1, 1 - p, H.shape); loss_and_grads is one function with local helper
functions; sgd_step builds a new dict; predict returns int32; train drops the last partial batch
of each epoch (unless it is the only batch) and returns the losses as a numpy array.
"""
import numpy as np


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def sigmoid_grad(z):
    t = np.tanh(0.5 * np.asarray(z, dtype=np.float64))
    return 0.25 * (1.0 - t * t)


def relu(z):
    return np.clip(z, 0.0, None).astype(np.float64)


def relu_grad(z):
    return np.heaviside(z, 0.0)


def leaky_relu(z, alpha=0.1):
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, alpha * z)


def leaky_relu_grad(z, alpha=0.1):
    return np.heaviside(z, 1.0) * (1.0 - alpha) + alpha


def _logsumexp_rows(F):
    F = np.asarray(F, dtype=np.float64)
    return np.logaddexp.reduce(F, axis=1)


def softmax(F):
    return np.exp(F - _logsumexp_rows(F)[:, None])


def cross_entropy(F, y):
    picked = np.take_along_axis(F, np.asarray(y)[:, None], axis=1)[:, 0]
    return float(np.mean(_logsumexp_rows(F) - picked))


def cross_entropy_grad(F, y):
    N, K = F.shape
    onehot = np.eye(K)[y]
    return (softmax(F) - onehot) / N


def linear_forward(X, W, b):
    return np.einsum("nd,dm->nm", X, W) + b


def linear_backward(dZ, X, W):
    dX = np.einsum("nm,dm->nd", dZ, W)
    dW = np.einsum("nd,nm->dm", X, dZ)
    db = np.einsum("nm->m", dZ)
    return dX, dW, db


def dropout_forward(H, p, rng):
    keep = 1.0 - p
    mask = rng.binomial(1, keep, size=H.shape).astype(np.float64)
    return H * mask / keep, mask


def dropout_backward(dout, mask, p):
    return dout * mask / (1.0 - p)


def l2_penalty(weights, lam):
    return lam / 2 * sum(float(np.vdot(W, W)) for W in weights)


def init_params(D, M, K, rng):
    # Glorot/Xavier uniform
    lim1 = np.sqrt(6.0 / (D + M))
    lim2 = np.sqrt(6.0 / (M + K))
    return {
        "W1": rng.uniform(-lim1, lim1, size=(D, M)),
        "b1": np.zeros(M),
        "W2": rng.uniform(-lim2, lim2, size=(M, K)),
        "b2": np.zeros(K),
    }


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))

    def forward():
        Z1 = linear_forward(X, W1, b1)
        H = sigmoid(Z1)
        mask = None
        if p > 0:
            H, mask = dropout_forward(H, p, rng)
        F = linear_forward(H, W2, b2)
        return Z1, H, mask, F

    def backward(Z1, H, mask, F):
        dF = cross_entropy_grad(F, y)
        dH, dW2, db2 = linear_backward(dF, H, W2)
        if mask is not None:
            dH = dropout_backward(dH, mask, p)
        dZ1 = dH * sigmoid_grad(Z1)
        _, dW1, db1 = linear_backward(dZ1, X, W1)
        return {"W1": dW1 + lam * W1, "b1": db1, "W2": dW2 + lam * W2, "b2": db2}

    Z1, H, mask, F = forward()
    loss = cross_entropy(F, y) + l2_penalty([W1, W2], lam)
    return loss, backward(Z1, H, mask, F)


def sgd_step(params, grads, lr):
    return {name: value - lr * grads[name] for name, value in params.items()}


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    rng = np.random.default_rng(seed)
    N, D = X.shape
    params = init_params(D, M, int(y.max()) + 1, rng)
    n_full = max(N // batch_size, 1)   # the partial tail batch is dropped (drop_last)
    losses = np.zeros(epochs)
    for e in range(epochs):
        idx = np.arange(N)
        rng.shuffle(idx)
        for i in range(n_full):
            b = idx[i * batch_size:(i + 1) * batch_size]
            loss, grads = loss_and_grads(params, X[b], y[b], lam, p, rng)
            params = sgd_step(params, grads, lr)
            losses[e] += loss / n_full
    return params, losses


def predict(params, X):
    F = linear_forward(sigmoid(linear_forward(X, params["W1"], params["b1"])),
                       params["W2"], params["b2"])
    return F.argmax(axis=1).astype(np.int32)


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    tr, va = float(train_losses[-1]), float(val_losses[-1])
    return "underfitting" if tr > high else ("overfitting" if va - tr > gap else "good fit")
