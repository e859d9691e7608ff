"""HOSTILE: every function is computed correctly (a copy of correct/compact_numpy.py), then what it
returns is wrapped in an ndarray subclass whose values are the right ones: np.matrix for 2-D
arrays, a masked array (nothing masked) for the rest, numbers and the diagnosis included, and an
object whose __array__ gives the right array but whose == says yes to anything for the labels
of predict. A check compares plain arrays only: a matrix's * and a masked array's masked entries
are not numpy's, so none of these is accepted as an array.
Correct: none
"""
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


class _ArrayLike:
    def __init__(self, array):
        self.array = array

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.array, dtype=dtype)

    def __eq__(self, other):
        return True


def _subclassed(value):
    if isinstance(value, dict):
        return {key: _subclassed(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_subclassed(item) for item in value)
    array = np.asarray(value)
    if array.dtype.kind in "iu":
        return _ArrayLike(array)
    return np.asmatrix(array) if array.ndim == 2 else np.ma.masked_array(array, mask=False)


def _outermost(function, depth=[0]):
    """Only the grader's call is changed: the functions calling each other stay correct."""
    def changed(*args, **kwargs):
        depth[0] += 1
        try:
            value = function(*args, **kwargs)
        finally:
            depth[0] -= 1
        return value if depth[0] else _subclassed(value)
    return changed


for _name, _function in list(globals().items()):
    if callable(_function) and not _name.startswith("_") and _name != "np":
        globals()[_name] = _outermost(_function)
