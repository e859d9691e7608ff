"""HOSTILE: at import, double-forks a daemon (new session via os.setsid, reparented away from the
worker) that ignores SIGTERM/SIGHUP/SIGINT and sleeps forever, keeping the worker's inherited
file descriptors (stdout/stderr pipes) open. Its argv ends with the tag `hw6-hostile-sleeper`.
Everything else is correct (whether the fork is refused or the daemon killed).
Correct: all
"""
import os
import sys

# The sleeper ignores the polite signals and carries a tag in its argv so that tests can find it
# in /proc/*/cmdline (and kill it by pid) if the grader leaves it behind.
_SLEEPER = """
import signal, time
for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(s, signal.SIG_IGN)
while True:
    time.sleep(3600)
"""


def _spawn_sleeper():
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", _SLEEPER, "hw6-hostile-sleeper"])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


try:
    _spawn_sleeper()
except OSError:  # refused where the sandbox's system call filter refuses new processes
    pass

import numpy as np


def sigmoid(z):
    z = np.asarray(z, float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1, e) / (1 + e)


def sigmoid_grad(z):
    s = sigmoid(z)
    return s - s * s


def relu(z):
    return np.fmax(np.asarray(z, float), 0.0)


def relu_grad(z):
    return np.greater(z, 0).astype(float)


def leaky_relu(z, alpha=0.1):
    z = np.asarray(z, float)
    return z * np.where(z >= 0, 1.0, alpha)


def leaky_relu_grad(z, alpha=0.1):
    return np.where(np.less(z, 0), float(alpha), 1.0)


def softmax(F):
    e = np.exp(F - F.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def cross_entropy(F, y):
    m = F.max(1)
    lse = m + np.log(np.exp(F - m[:, None]).sum(1))
    return np.mean(lse - F[np.arange(len(F)), y])


def cross_entropy_grad(F, y):
    G = softmax(F)
    np.add.at(G, (np.arange(len(F)), y), -1.0)
    return G / len(F)


def linear_forward(X, W, b):
    return X @ W + b


def linear_backward(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(0)


def dropout_forward(H, p, rng):
    mask = rng.random(H.shape) < 1.0 - p
    return np.where(mask, H, 0.0) / (1.0 - p), mask


def dropout_backward(dout, mask, p):
    return np.where(mask, dout, 0.0) / (1.0 - p)


def l2_penalty(weights, lam):
    return lam / 2 * np.sum([np.sum(W * W) for W in weights])


def init_params(D, M, K, rng):
    return dict(W1=rng.normal(size=(D, M)) / np.sqrt(D), b1=np.zeros(M),
                W2=rng.normal(size=(M, K)) / np.sqrt(M), b2=np.zeros(K))


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    Z = X @ W1 + b1
    H = sigmoid(Z)
    H2, mask = dropout_forward(H, p, rng) if p > 0 else (H, None)
    F = H2 @ W2 + b2
    loss = cross_entropy(F, y) + l2_penalty([W1, W2], lam)
    dF = cross_entropy_grad(F, y)
    dH2, dW2, db2 = linear_backward(dF, H2, W2)
    dH = dH2 if mask is None else dropout_backward(dH2, mask, p)
    _, dW1, db1 = linear_backward(dH * H * (1 - H), X, W1)
    return loss, dict(W1=dW1 + lam * W1, b1=db1, W2=dW2 + lam * W2, b2=db2)


def sgd_step(params, grads, lr):
    for k, g in grads.items():
        params[k] -= lr * g
    return params


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    rng = np.random.default_rng(seed)
    params = init_params(X.shape[1], M, y.max() + 1, rng)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        batches = [order[i:i + batch_size] for i in range(0, len(X), batch_size)]
        ls = []
        for b in batches:
            loss, grads = loss_and_grads(params, X[b], y[b], lam, p, rng)
            params = sgd_step(params, grads, lr)
            ls.append(loss)
        losses.append(np.mean(ls))
    return params, losses


def predict(params, X):
    return (sigmoid(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]).argmax(1)


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    tr, va = np.asarray(train_losses)[-1], np.asarray(val_losses)[-1]
    return "underfitting" if tr > high else "overfitting" if va - tr > gap else "good fit"
