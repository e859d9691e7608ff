# relu_grad is 1 at z = 0, against the contract's convention relu_grad(0) == 0.
# fails: [relu-grad]
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    ez = np.exp(z[~positive])
    out[~positive] = ez / (1.0 + ez)
    return out


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    return np.where(np.asarray(z, dtype=float) > 0, z, 0.0)


def relu_grad(z):
    return (np.asarray(z) >= 0).astype(float)


def leaky_relu(z, alpha=0.1):
    z = np.asarray(z, dtype=float)
    return np.where(z >= 0, z, alpha * z)


def leaky_relu_grad(z, alpha=0.1):
    return np.where(np.asarray(z) >= 0, 1.0, alpha)


def softmax(F):
    F = np.asarray(F, dtype=float)
    e = np.exp(F - F.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(F, y):
    F = np.asarray(F, dtype=float)
    top = F.max(axis=1, keepdims=True)
    log_p = F - top - np.log(np.exp(F - top).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def cross_entropy_grad(F, y):
    onehot = np.zeros_like(F, dtype=float)
    onehot[np.arange(len(y)), y] = 1.0
    return (softmax(F) - onehot) / len(y)


def linear_forward(X, W, b):
    return X @ W + b


def linear_backward(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def dropout_forward(H, p, rng):
    keep = rng.random(np.shape(H)) >= p
    return np.where(keep, H / (1.0 - p), 0.0), keep


def dropout_backward(dout, mask, p):
    return np.where(mask, dout / (1.0 - p), 0.0)


def l2_penalty(weights, lam):
    return 0.5 * lam * float(sum((W ** 2).sum() for W in weights))


def init_params(D, M, K, rng):
    return {"W1": rng.standard_normal((D, M)) / np.sqrt(D), "b1": np.zeros(M),
            "W2": rng.standard_normal((M, K)) / np.sqrt(M), "b2": np.zeros(K)}


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    Z1 = linear_forward(X, W1, b1)
    H = sigmoid(Z1)
    mask = None
    if p > 0:
        H, mask = dropout_forward(H, p, rng)
    F = linear_forward(H, W2, b2)
    loss = cross_entropy(F, y) + l2_penalty([W1, W2], lam)
    dH, dW2, db2 = linear_backward(cross_entropy_grad(F, y), H, W2)
    if p > 0:
        dH = dropout_backward(dH, mask, p)
    _, dW1, db1 = linear_backward(dH * sigmoid_grad(Z1), X, W1)
    return loss, {"W1": dW1 + lam * W1, "b1": db1, "W2": dW2 + lam * W2, "b2": db2}


def sgd_step(params, grads, lr):
    return {k: v - lr * grads[k] for k, v in params.items()}


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    rng = np.random.default_rng(seed)
    params = init_params(X.shape[1], M, int(np.max(y)) + 1, rng)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        epoch = []
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[batch], y[batch], lam, p, rng)
            params = sgd_step(params, grads, lr)
            epoch.append(loss)
        losses.append(float(np.mean(epoch)))
    return params, losses


def predict(params, X):
    H = sigmoid(linear_forward(X, params["W1"], params["b1"]))
    return np.argmax(linear_forward(H, params["W2"], params["b2"]), axis=1)


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    if train_losses[-1] > high:
        return "underfitting"
    if val_losses[-1] - train_losses[-1] > gap:
        return "overfitting"
    return "good fit"
