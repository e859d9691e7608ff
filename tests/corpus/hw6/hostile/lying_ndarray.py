"""HOSTILE: every function returns zeros of the right shape, wrapped in an ndarray subclass that lies
in comparisons: ==, <=, np.isclose, np.equal, np.less... are all-True, != all-False, a - b and
abs() are zeros, and np.allclose / np.array_equal / np.array_equiv return True (through
__array_ufunc__ and __array_function__). diagnose returns a str subclass spelled "liar" that
equals every string. Converted honestly (np.array(x, dtype=float) gives a plain ndarray, str(x))
nothing is right.
Correct: none
"""
import numpy as np

_TRUE_UFUNCS = {np.equal, np.less, np.less_equal, np.greater, np.greater_equal, np.isfinite,
                np.logical_and, np.logical_or}
_FALSE_UFUNCS = {np.not_equal, np.isnan, np.isinf, np.logical_not}
_TRUE_FUNCTIONS = {np.allclose, np.array_equal, np.array_equiv}


def _shape_of(*args):
    return np.broadcast_shapes(*(np.shape(np.asarray(a)) for a in args))


class _LyingArray(np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [np.asarray(x).view(np.ndarray) if isinstance(x, np.ndarray) else x for x in inputs]
        shape = _shape_of(*plain) if method == "__call__" else ()
        if ufunc in _TRUE_UFUNCS:
            return np.ones(shape, dtype=bool).view(_LyingArray)
        if ufunc in _FALSE_UFUNCS:
            return np.zeros(shape, dtype=bool).view(_LyingArray)
        return np.zeros(shape).view(_LyingArray)

    def __array_function__(self, func, types, args, kwargs):
        if func in _TRUE_FUNCTIONS:
            return True
        if func is np.isclose:
            return np.ones(_shape_of(*args[:2]), dtype=bool).view(_LyingArray)
        return super().__array_function__(func, types, args, kwargs)

    def __eq__(self, other):
        return np.ones(_shape_of(self.view(np.ndarray), other), dtype=bool).view(_LyingArray)

    def __ne__(self, other):
        return np.zeros(_shape_of(self.view(np.ndarray), other), dtype=bool).view(_LyingArray)

    def __bool__(self):
        return True

    def all(self, *args, **kwargs):
        return True

    def any(self, *args, **kwargs):
        return True


class _LyingStr(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


def _lie(shape, dtype=np.float64):
    return np.zeros(shape, dtype=dtype).view(_LyingArray)


def _params_like(D, M, K):
    return {"W1": _lie((D, M)), "b1": _lie((M,)), "W2": _lie((M, K)), "b2": _lie((K,))}


def sigmoid(z):
    return _lie(np.shape(z))


def sigmoid_grad(z):
    return _lie(np.shape(z))


def relu(z):
    return _lie(np.shape(z))


def relu_grad(z):
    return _lie(np.shape(z))


def leaky_relu(z, alpha=0.1):
    return _lie(np.shape(z))


def leaky_relu_grad(z, alpha=0.1):
    return _lie(np.shape(z))


def softmax(F):
    return _lie(np.shape(F))


def cross_entropy(F, y):
    return _lie(())


def cross_entropy_grad(F, y):
    return _lie(np.shape(F))


def linear_forward(X, W, b):
    return _lie((np.shape(X)[0], np.shape(W)[1]))


def linear_backward(dZ, X, W):
    return _lie(np.shape(X)), _lie(np.shape(W)), _lie((np.shape(W)[1],))


def dropout_forward(H, p, rng):
    return _lie(np.shape(H)), _lie(np.shape(H))


def dropout_backward(dout, mask, p):
    return _lie(np.shape(dout))


def l2_penalty(weights, lam):
    return _lie(())


def init_params(D, M, K, rng):
    return _params_like(D, M, K)


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    return _lie(()), {k: _lie(np.shape(v)) for k, v in params.items()}


def sgd_step(params, grads, lr):
    return {k: _lie(np.shape(v)) for k, v in params.items()}


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    D, K = np.shape(X)[1], int(np.max(y)) + 1
    return _params_like(D, M, K), _lie((epochs,))


def predict(params, X):
    return _lie((np.shape(X)[0],), dtype=np.int64)


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    return _LyingStr("liar")
