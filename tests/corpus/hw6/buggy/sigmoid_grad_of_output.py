"""BUG: sigmoid_grad: returns z * (1 - z), as if z were already sigmoid(z) (the derivative formula
applied to the input instead of the output).

A copy of correct/cs231n_caches.py with exactly this one mistake.
"""
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def sigmoid_grad(z):
    return z * (1.0 - z)


def relu(z):
    z = np.asarray(z, dtype=np.float64)
    return z * (z > 0)


def relu_grad(z):
    return (np.asarray(z) > 0).astype(np.float64)


def leaky_relu(z, alpha=0.1):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, z, alpha * z)


def leaky_relu_grad(z, alpha=0.1):
    z = np.asarray(z, dtype=np.float64)
    g = np.ones_like(z)
    g[z < 0] = alpha
    return g


def softmax(F):
    shifted = F - np.max(F, axis=1, keepdims=True)
    exp_scores = np.exp(shifted)
    return exp_scores / np.sum(exp_scores, axis=1, keepdims=True)


def _log_softmax(F):
    shifted = F - np.max(F, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def cross_entropy(F, y):
    N = F.shape[0]
    return -np.sum(_log_softmax(F)[np.arange(N), y]) / N


def cross_entropy_grad(F, y):
    N = F.shape[0]
    dscores = softmax(F)
    dscores[np.arange(N), y] -= 1
    dscores /= N
    return dscores


def linear_forward(X, W, b):
    return X.dot(W) + b


def linear_backward(dZ, X, W):
    dx = dZ.dot(W.T)
    dw = X.T.dot(dZ)
    db = np.sum(dZ, axis=0)
    return dx, dw, db


def dropout_forward(H, p, rng):
    mask = rng.random(H.shape) >= p
    out = H * mask / (1 - p)
    return out, mask


def dropout_backward(dout, mask, p):
    return dout * mask / (1 - p)


def l2_penalty(weights, lam):
    return 0.5 * lam * sum(np.sum(W ** 2) for W in weights)


def init_params(D, M, K, rng):
    return {
        "W1": rng.standard_normal((D, M)) * np.sqrt(1.0 / D),
        "b1": np.zeros(M),
        "W2": rng.standard_normal((M, K)) * np.sqrt(1.0 / M),
        "b2": np.zeros(K),
    }


# ---- layers with caches, CS231n style

def affine_forward(x, w, b):
    return linear_forward(x, w, b), (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return linear_backward(dout, x, w)


def sigmoid_forward(x):
    out = sigmoid(x)
    return out, out


def sigmoid_backward(dout, cache):
    s = cache
    return dout * s * (1 - s)


def dropout_layer_forward(x, p, rng):
    out, mask = dropout_forward(x, p, rng)
    return out, (mask, p)


def dropout_layer_backward(dout, cache):
    mask, p = cache
    return dropout_backward(dout, mask, p)


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    a1, fc1_cache = affine_forward(X, params["W1"], params["b1"])
    h, sig_cache = sigmoid_forward(a1)
    use_dropout = p > 0
    if use_dropout:
        h, do_cache = dropout_layer_forward(h, p, rng)
    scores, fc2_cache = affine_forward(h, params["W2"], params["b2"])

    data_loss = cross_entropy(scores, y)
    reg_loss = l2_penalty([params["W1"], params["W2"]], lam)
    loss = data_loss + reg_loss

    grads = {}
    dscores = cross_entropy_grad(scores, y)
    dh, grads["W2"], grads["b2"] = affine_backward(dscores, fc2_cache)
    if use_dropout:
        dh = dropout_layer_backward(dh, do_cache)
    da1 = sigmoid_backward(dh, sig_cache)
    _, grads["W1"], grads["b1"] = affine_backward(da1, fc1_cache)
    grads["W1"] += lam * params["W1"]
    grads["W2"] += lam * params["W2"]
    return loss, grads


def sgd_step(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    rng = np.random.default_rng(seed)
    N, D = X.shape
    K = np.max(y) + 1
    params = init_params(D, M, K, rng)
    losses = []
    num_batches = int(np.ceil(N / batch_size))
    for epoch in range(epochs):
        perm = rng.permutation(N)
        total = 0.0
        for it in range(num_batches):
            idx = perm[it * batch_size:(it + 1) * batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx], lam=lam, p=p, rng=rng)
            params = sgd_step(params, grads, lr)
            total += loss
        losses.append(total / num_batches)
    return params, losses


def predict(params, X):
    h = sigmoid(X.dot(params["W1"]) + params["b1"])
    scores = h.dot(params["W2"]) + params["b2"]
    return np.argmax(scores, axis=1)


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    if train_losses[-1] > high:
        return "underfitting"
    elif val_losses[-1] - train_losses[-1] > gap:
        return "overfitting"
    else:
        return "good fit"
