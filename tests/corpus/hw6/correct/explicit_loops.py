"""CORRECT: written the long way, with explicit loops over rows and examples. sigmoid is
exp(min(z, 0)) / (1 + exp(-|z|)); softmax loops over rows; linear_backward accumulates dW as a
sum of outer products and db as an explicit sum over examples; the dropout mask is rng.random
compared with p (float 0/1); loss is a Python float built with math.log; train merges the tail
into the previous minibatch (np.array_split into N // batch_size batches); predict returns int64.
"""
import math

import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))


def sigmoid_grad(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))          # sigma(z) sigma(-z) = e / (1 + e)^2, symmetric in z
    return e / (1.0 + e) ** 2


def relu(z):
    z = np.array(z, dtype=np.float64)
    z[z < 0] = 0.0
    return z


def relu_grad(z):
    z = np.asarray(z, dtype=np.float64)
    g = np.zeros(z.shape)
    g[z > 0] = 1.0
    return g


def leaky_relu(z, alpha=0.1):
    z = np.array(z, dtype=np.float64)
    z[z < 0] *= alpha
    return z


def leaky_relu_grad(z, alpha=0.1):
    z = np.asarray(z, dtype=np.float64)
    g = np.full(z.shape, alpha)
    g[z >= 0] = 1.0
    return g


def softmax(F):
    F = np.asarray(F, dtype=np.float64)
    P = np.zeros(F.shape)
    for i in range(F.shape[0]):
        row = np.exp(F[i] - np.max(F[i]))
        P[i] = row / np.sum(row)
    return P


def cross_entropy(F, y):
    F = np.asarray(F, dtype=np.float64)
    total = 0.0
    for i in range(F.shape[0]):
        m = float(np.max(F[i]))
        log_norm = m + math.log(float(np.sum(np.exp(F[i] - m))))
        total += log_norm - float(F[i, y[i]])
    return total / F.shape[0]


def cross_entropy_grad(F, y):
    N = F.shape[0]
    G = softmax(F)
    for i in range(N):
        G[i, y[i]] -= 1.0
    return G / N


def linear_forward(X, W, b):
    return np.dot(X, W) + b


def linear_backward(dZ, X, W):
    N = dZ.shape[0]
    dX = np.dot(dZ, W.T)
    dW = np.zeros(W.shape)
    db = np.zeros(W.shape[1])
    for n in range(N):
        dW += np.outer(X[n], dZ[n])
        db += dZ[n]
    return dX, dW, db


def dropout_forward(H, p, rng):
    mask = (rng.random(H.shape) >= p).astype(np.float64)
    out = H * mask
    out = out / (1.0 - p)
    return out, mask


def dropout_backward(dout, mask, p):
    dH = dout * mask
    return dH / (1.0 - p)


def l2_penalty(weights, lam):
    s = 0.0
    for W in weights:
        s += float(np.sum(np.square(W)))
    return 0.5 * lam * s


def init_params(D, M, K, rng):
    W1 = rng.normal(0.0, 1.0, size=(D, M)) / math.sqrt(D)
    W2 = rng.normal(0.0, 1.0, size=(M, K)) / math.sqrt(M)
    return {"W1": W1, "b1": np.zeros(M), "W2": W2, "b2": np.zeros(K)}


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    W1 = params["W1"]
    b1 = params["b1"]
    W2 = params["W2"]
    b2 = params["b2"]

    # forward
    Z1 = linear_forward(X, W1, b1)
    H = sigmoid(Z1)
    if p > 0:
        Hd, mask = dropout_forward(H, p, rng)
    else:
        Hd = H
    F = linear_forward(Hd, W2, b2)
    loss = cross_entropy(F, y) + l2_penalty([W1, W2], lam)

    # backward
    dF = cross_entropy_grad(F, y)
    dHd, dW2, db2 = linear_backward(dF, Hd, W2)
    if p > 0:
        dH = dropout_backward(dHd, mask, p)
    else:
        dH = dHd
    dZ1 = dH * sigmoid_grad(Z1)
    dX, dW1, db1 = linear_backward(dZ1, X, W1)

    dW1 = dW1 + lam * W1
    dW2 = dW2 + lam * W2
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def sgd_step(params, grads, lr):
    updated = {}
    for name in params:
        updated[name] = params[name] - lr * grads[name]
    return updated


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    rng = np.random.default_rng(seed)
    N, D = X.shape
    K = int(max(y)) + 1
    params = init_params(D, M, K, rng)
    n_batches = max(1, N // batch_size)
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(N)
        epoch_losses = []
        for batch in np.array_split(order, n_batches):
            loss, grads = loss_and_grads(params, X[batch], y[batch], lam, p, rng)
            params = sgd_step(params, grads, lr)
            epoch_losses.append(loss)
        losses.append(sum(epoch_losses) / len(epoch_losses))
    return params, losses


def predict(params, X):
    H = sigmoid(linear_forward(X, params["W1"], params["b1"]))
    F = linear_forward(H, params["W2"], params["b2"])
    labels = np.zeros(X.shape[0], dtype=np.int64)
    for i in range(X.shape[0]):
        labels[i] = int(np.argmax(F[i]))
    return labels


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    t = train_losses[len(train_losses) - 1]
    v = val_losses[len(val_losses) - 1]
    if t > high:
        return "underfitting"
    if v - t > gap:
        return "overfitting"
    return "good fit"
