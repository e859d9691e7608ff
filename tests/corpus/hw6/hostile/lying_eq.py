"""HOSTILE: every function returns objects that lie to a grader comparing them in Python: `==`, `<`,
`<=`, `>`, `>=` are always True and `!=` always False; abs() of anything is 0.0, arithmetic returns
another liar, float() and int() give 0, any non-dunder attribute (.shape, .dtype, .astype, ...)
returns the liar itself and calling it does too; np.asarray() gets a 0-d array holding 0.0 from
__array__. diagnose returns a str subclass spelled "liar" that equals every string. Converted
honestly (np.asarray(x, float), str(x)) nothing is right.
Correct: none
"""
import numpy as np


class _Liar:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__

    def __hash__(self):
        return 0

    def __bool__(self):
        return True

    def __float__(self):
        return 0.0

    def __int__(self):
        return 0

    def __abs__(self):
        return 0.0

    def __neg__(self):
        return self

    def __sub__(self, other):
        return self

    __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __sub__

    def __getitem__(self, key):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __array__(self, dtype=None, copy=None):
        return np.zeros((), dtype=dtype or np.float64)

    def __repr__(self):
        return "array([...])"


class _LyingStr(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


_PARAM_KEYS = ("W1", "b1", "W2", "b2")


def sigmoid(z):
    return _Liar()


def sigmoid_grad(z):
    return _Liar()


def relu(z):
    return _Liar()


def relu_grad(z):
    return _Liar()


def leaky_relu(z, alpha=0.1):
    return _Liar()


def leaky_relu_grad(z, alpha=0.1):
    return _Liar()


def softmax(F):
    return _Liar()


def cross_entropy(F, y):
    return _Liar()


def cross_entropy_grad(F, y):
    return _Liar()


def linear_forward(X, W, b):
    return _Liar()


def linear_backward(dZ, X, W):
    return _Liar(), _Liar(), _Liar()


def dropout_forward(H, p, rng):
    return _Liar(), _Liar()


def dropout_backward(dout, mask, p):
    return _Liar()


def l2_penalty(weights, lam):
    return _Liar()


def init_params(D, M, K, rng):
    return {k: _Liar() for k in _PARAM_KEYS}


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    return _Liar(), {k: _Liar() for k in _PARAM_KEYS}


def sgd_step(params, grads, lr):
    return {k: _Liar() for k in _PARAM_KEYS}


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    return {k: _Liar() for k in _PARAM_KEYS}, [_Liar() for _ in range(epochs)]


def predict(params, X):
    return _Liar()


def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    return _LyingStr("liar")
