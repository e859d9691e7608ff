"""CORRECT: micrograd style. Every layer's forward returns its output together with a closure
that maps the upstream gradient to the layer's gradients, so each forward is read next to its
backward; loss_and_grads runs the forwards, then the closures in reverse. softmax subtracts the
row max with np.subtract(out=) on a copy; the dropout mask is rng.random(H.shape) > p; l2_penalty
uses einsum; sgd_step updates params in place; predict returns np.intp.
"""
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    np.divide(1.0, 1.0 + np.exp(-z, where=z >= 0, out=np.ones_like(z)), out=out, where=z >= 0)
    ez = np.exp(z, where=z < 0, out=np.zeros_like(z))
    np.divide(ez, 1.0 + ez, out=out, where=z < 0)
    return out


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * sigmoid(-np.asarray(z, dtype=np.float64))


def relu(z):
    z = np.asarray(z, dtype=np.float64)
    return (np.abs(z) + z) / 2


def relu_grad(z):
    return np.sign(np.asarray(z, dtype=np.float64)).clip(0.0, 1.0)


def leaky_relu(z, alpha=0.1):
    z = np.asarray(z, dtype=np.float64)
    return relu(z) - alpha * relu(-z)


def leaky_relu_grad(z, alpha=0.1):
    z = np.asarray(z, dtype=np.float64)
    return 1.0 - (1.0 - alpha) * (z < 0)


def softmax(F):
    out = np.array(F, dtype=np.float64)
    np.subtract(out, out.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def cross_entropy(F, y):
    F = np.asarray(F, dtype=np.float64)
    shift = F.max(axis=1, keepdims=True)
    lse = np.log(np.exp(F - shift).sum(axis=1)) + shift[:, 0]
    return float((lse - F[np.arange(F.shape[0]), y]).sum() / F.shape[0])


def cross_entropy_grad(F, y):
    N, K = F.shape
    onehot = (np.arange(K)[None, :] == np.asarray(y)[:, None])
    return (softmax(F) - onehot) / N


def linear_forward(X, W, b):
    return X @ W + b


def linear_backward(dZ, X, W):
    return (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0))


def dropout_forward(H, p, rng):
    mask = rng.random(H.shape) > p
    return H * (mask / (1.0 - p)), mask


def dropout_backward(dout, mask, p):
    return dout * (mask / (1.0 - p))


def l2_penalty(weights, lam):
    return 0.5 * lam * sum(float(np.einsum("ij,ij->", W, W)) for W in weights)


def init_params(D, M, K, rng):
    scale1, scale2 = 1.0 / np.sqrt(D), 1.0 / np.sqrt(M)
    return {"W1": scale1 * rng.standard_normal((D, M)),
            "b1": 0.01 * rng.standard_normal(M),
            "W2": scale2 * rng.standard_normal((M, K)),
            "b2": np.zeros(K)}


# ---- layers: forward returns (out, backward)

def _linear(X, W, b):
    def backward(dZ):
        return linear_backward(dZ, X, W)
    return linear_forward(X, W, b), backward


def _sigmoid(Z):
    H = sigmoid(Z)

    def backward(dH):
        return dH * sigmoid_grad(Z)
    return H, backward


def _dropout(H, p, rng):
    if p == 0:
        return H, lambda dout: dout
    out, mask = dropout_forward(H, p, rng)
    return out, lambda dout: dropout_backward(dout, mask, p)


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    Z1, back_l1 = _linear(X, params["W1"], params["b1"])
    H, back_sig = _sigmoid(Z1)
    Hd, back_drop = _dropout(H, p, rng)
    F, back_l2 = _linear(Hd, params["W2"], params["b2"])
    loss = cross_entropy(F, y) + l2_penalty([params["W1"], params["W2"]], lam)

    dHd, dW2, db2 = back_l2(cross_entropy_grad(F, y))
    _, dW1, db1 = back_l1(back_sig(back_drop(dHd)))
    grads = {"W1": dW1 + lam * params["W1"], "b1": db1,
             "W2": dW2 + lam * params["W2"], "b2": db2}
    return loss, grads


def sgd_step(params, grads, lr):
    for name in ("W1", "b1", "W2", "b2"):
        params[name] -= lr * grads[name]
    return params


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    rng = np.random.default_rng(seed)
    N, D = X.shape
    params = init_params(D, M, int(y.max()) + 1, rng)
    losses = []
    for epoch in range(epochs):
        shuffled = rng.permutation(N)
        chunk_losses = []
        start = 0
        while start < N:
            idx = shuffled[start:start + batch_size]
            start += batch_size
            loss, grads = loss_and_grads(params, X[idx], y[idx], lam=lam, p=p, rng=rng)
            params = sgd_step(params, grads, lr)
            chunk_losses.append(loss)
        losses.append(float(np.mean(chunk_losses)))
    return params, losses


def predict(params, X):
    H = sigmoid(linear_forward(X, params["W1"], params["b1"]))
    return np.argmax(linear_forward(H, params["W2"], params["b2"]), axis=1).astype(np.intp)


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    *_, last_train = train_losses
    *_, last_val = val_losses
    if last_train > high:
        return "underfitting"
    return "overfitting" if last_val - last_train > gap else "good fit"
