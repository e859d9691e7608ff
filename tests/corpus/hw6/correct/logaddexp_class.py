"""CORRECT: sigmoid in log space, sigmoid(z) = exp(-logaddexp(0, -z)), and its derivative as
sigmoid(z) * sigmoid(-z) in log space too; softmax and cross_entropy through a log-softmax;
the network is a small class used internally by loss_and_grads and predict; pairs come back as
lists, not tuples; the dropout mask comes from rng.uniform; the epoch loss is the mean over
examples (minibatch losses weighted by their size); predict returns int64 explicitly.
"""
import numpy as np


def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=np.float64)))


def sigmoid_grad(z):
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z) - np.logaddexp(0.0, z))


def relu(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, 0.0)


def leaky_relu(z, alpha=0.1):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z < 0, alpha * z, z)


def leaky_relu_grad(z, alpha=0.1):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z < 0, alpha, 1.0)


def log_softmax(F):
    F = np.asarray(F, dtype=np.float64)
    m = F.max(axis=1, keepdims=True)
    return F - m - np.log(np.exp(F - m).sum(axis=1, keepdims=True))


def softmax(F):
    return np.exp(log_softmax(F))


def cross_entropy(F, y):
    logp = log_softmax(F)
    return -logp[np.arange(len(y)), y].mean()


def cross_entropy_grad(F, y):
    P = softmax(F)
    Y = np.zeros_like(P)
    Y[np.arange(len(y)), y] = 1.0
    return (P - Y) / len(y)


def linear_forward(X, W, b):
    return np.matmul(X, W) + b[np.newaxis, :]


def linear_backward(dZ, X, W):
    return [np.matmul(dZ, W.T), np.matmul(X.T, dZ), dZ.sum(axis=0)]


def dropout_forward(H, p, rng):
    mask = rng.uniform(0.0, 1.0, size=np.shape(H)) >= p
    return [np.where(mask, H / (1.0 - p), 0.0), mask]


def dropout_backward(dout, mask, p):
    return np.where(mask, dout / (1.0 - p), 0.0)


def l2_penalty(weights, lam):
    total = 0.0
    for W in weights:
        total += np.linalg.norm(W) ** 2
    return lam * total / 2


def init_params(D, M, K, rng):
    params = {}
    params["W1"] = 0.5 * rng.standard_normal(size=(D, M)) / np.sqrt(D / 4.0)
    params["b1"] = np.full(M, 0.0)
    params["W2"] = rng.normal(scale=np.sqrt(2.0 / (M + K)), size=(M, K))
    params["b2"] = np.full(K, 0.0)
    return params


class _TwoLayerNet:
    """sigmoid hidden layer, optional inverted dropout, linear output."""

    def __init__(self, params):
        self.W1, self.b1 = params["W1"], params["b1"]
        self.W2, self.b2 = params["W2"], params["b2"]

    def forward(self, X, p=0.0, rng=None):
        self.X = X
        self.Z1 = linear_forward(X, self.W1, self.b1)
        self.H = sigmoid(self.Z1)
        self.p = p
        if p > 0:
            self.Hd, self.mask = dropout_forward(self.H, p, rng)
        else:
            self.Hd = self.H
        return linear_forward(self.Hd, self.W2, self.b2)

    def backward(self, dF):
        dHd, dW2, db2 = linear_backward(dF, self.Hd, self.W2)
        dH = dropout_backward(dHd, self.mask, self.p) if self.p > 0 else dHd
        dZ1 = dH * sigmoid_grad(self.Z1)
        _, dW1, db1 = linear_backward(dZ1, self.X, self.W1)
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    net = _TwoLayerNet(params)
    F = net.forward(X, p, rng)
    loss = cross_entropy(F, y) + l2_penalty([net.W1, net.W2], lam)
    grads = net.backward(cross_entropy_grad(F, y))
    grads["W1"] = grads["W1"] + lam * net.W1
    grads["W2"] = grads["W2"] + lam * net.W2
    return [loss, grads]


def sgd_step(params, grads, lr):
    new = dict(params)
    for k, g in grads.items():
        new[k] = params[k] - lr * g
    return new


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    rng = np.random.default_rng(seed)
    N = X.shape[0]
    params = init_params(X.shape[1], M, int(np.max(y)) + 1, rng)
    losses = []
    for _ in range(epochs):
        perm = rng.permutation(N)
        weighted = 0.0
        for start in range(0, N, batch_size):
            b = perm[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[b], y[b], lam, p, rng)
            params = sgd_step(params, grads, lr)
            weighted += loss * len(b)
        losses.append(weighted / N)
    return [params, losses]


def predict(params, X):
    F = _TwoLayerNet(params).forward(X)
    return np.argmax(F, axis=1).astype(np.int64)


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    final_train, final_val = train_losses[-1], val_losses[-1]
    if final_train > high:
        verdict = "underfitting"
    elif final_val > final_train + gap:
        verdict = "overfitting"
    else:
        verdict = "good fit"
    return verdict
