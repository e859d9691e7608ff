"""HW6: a one-hidden-layer network trained by backpropagation, written by hand in numpy.

Fill in every function below; replace each `raise NotImplementedError` with your code. You may
add helper functions of your own. Use numpy only (no scipy, torch or sklearn).

Conventions for the whole file:
- Arrays are float64. X has shape (N, D): one row per example. Labels y are ints in [0, K), shape (N,).
- The network (lecture "Neural Networks (III)"):
      H  = sigmoid(X @ W1 + b1)          W1 (D, M), b1 (M,)
      H' = dropout(H)                    only during training and only when p > 0
      F  = H' @ W2 + b2                  W2 (M, K), b2 (K,)     F are the logits
      loss = cross_entropy(F, y) + (lam / 2) * (||W1||^2 + ||W2||^2)   (biases not regularised)
- Do not modify your inputs: return new arrays. The one exception is `sgd_step`, which may update
  `params` in place, as long as it also returns the updated dict.
- Functions are graded separately, so each one earns its points on its own.
"""

import numpy as np
# BEGIN HIDDEN
# The instructor's solution: `autograder validate` grades this file as it is, and the starter
# students get is this file with every SOLUTION block replaced by `raise NotImplementedError`
# and this HIDDEN block dropped (autograder/starter.py).
# END HIDDEN


# ---------------------------------------------------------------- activations

def sigmoid(z):
    """Logistic function, elementwise: 1 / (1 + exp(-z)).

    Input:  z, array of any shape.
    Output: array of z's shape with values in [0, 1].
    Must not overflow or warn for |z| up to 1000: sigmoid(1000) == 1.0, sigmoid(-1000) == 0.0.
    """
    # BEGIN SOLUTION
    # exp is only ever taken of -|z| <= 0, so nothing overflows for any finite z.
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    # END SOLUTION


def sigmoid_grad(z):
    """Derivative of the sigmoid at the pre-activation z: sigmoid(z) * (1 - sigmoid(z)).

    Input:  z, array of any shape (the sigmoid's INPUT, not its output).
    Output: array of z's shape. Finite for |z| up to 1000 (it is 0 there, up to roundoff).
    """
    # BEGIN SOLUTION
    s = sigmoid(z)
    return s * (1.0 - s)
    # END SOLUTION


def relu(z):
    """Rectified linear unit, elementwise: max(0, z).

    Input:  z, array of any shape.
    Output: array of z's shape.
    """
    # BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0)
    # END SOLUTION


def relu_grad(z):
    """Derivative of relu at z: 1.0 where z > 0, else 0.0.

    Input:  z, array of any shape.
    Output: float array of z's shape. Convention: relu_grad(0) == 0.
    """
    # BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    return (z > 0).astype(np.float64)
    # END SOLUTION


def leaky_relu(z, alpha=0.1):
    """Leaky ReLU, elementwise: max(alpha * z, z), for 0 < alpha < 1.

    Input:  z, array of any shape; alpha, float.
    Output: array of z's shape.
    """
    # BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(alpha * z, z)
    # END SOLUTION


def leaky_relu_grad(z, alpha=0.1):
    """Derivative of leaky_relu at z: 1.0 where z >= 0, alpha where z < 0.

    Input:  z, array of any shape; alpha, float.
    Output: float array of z's shape. Convention (as in the lecture): the derivative at 0 is 1,
    so the gradient is non-zero everywhere.
    """
    # BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1.0, alpha)
    # END SOLUTION


# ---------------------------------------------------------------- softmax and cross-entropy

def softmax(F):
    """Row-wise softmax of logits.

    Input:  F, logits of shape (N, K).
    Output: P of shape (N, K); each row is non-negative and sums to 1.
    Must be stable for logits as large as +-1000 (no overflow, no NaN): softmax is unchanged when
    a constant is subtracted from a whole row.
    """
    # BEGIN SOLUTION
    # Subtracting each row's maximum leaves the result unchanged and keeps exp's argument <= 0.
    F = np.asarray(F, dtype=np.float64)
    shifted = F - F.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)
    # END SOLUTION


def cross_entropy(F, y):
    """Mean cross-entropy loss computed from logits.

    Input:  F, logits of shape (N, K); y, int labels of shape (N,) with values in [0, K).
    Output: a float: (1/N) * sum_i -log softmax(F)[i, y_i].
    Must be accurate for logits as large as +-1000: the loss of a row can be about 2000, and must
    not come out as inf, NaN or a capped value.
    """
    # BEGIN SOLUTION
    # -log softmax(F)[i, y] = logsumexp(F[i]) - F[i, y]; logsumexp is taken after the max shift,
    # so it is exact even for logits of +-1000.
    F = np.asarray(F, dtype=np.float64)
    y = np.asarray(y)
    N = F.shape[0]
    row_max = F.max(axis=1)
    logsumexp = row_max + np.log(np.exp(F - row_max[:, None]).sum(axis=1))
    return float(np.mean(logsumexp - F[np.arange(N), y]))
    # END SOLUTION


def cross_entropy_grad(F, y):
    """Gradient of cross_entropy(F, y) with respect to the logits F.

    Input:  F, logits of shape (N, K); y, int labels of shape (N,).
    Output: dF of shape (N, K): (softmax(F) - onehot(y)) / N.
    """
    # BEGIN SOLUTION
    y = np.asarray(y)
    N = y.shape[0]
    dF = softmax(F)
    dF[np.arange(N), y] -= 1.0
    return dF / N
    # END SOLUTION


# ---------------------------------------------------------------- linear layer

def linear_forward(X, W, b):
    """Affine layer: Z = X @ W + b.

    Input:  X of shape (N, D); W of shape (D, M); b of shape (M,).
    Output: Z of shape (N, M).
    """
    # BEGIN SOLUTION
    return np.asarray(X, dtype=np.float64) @ W + b
    # END SOLUTION


def linear_backward(dZ, X, W):
    """Backward pass of the affine layer Z = X @ W + b.

    Input:  dZ, upstream gradient dLoss/dZ of shape (N, M); X of shape (N, D); W of shape (D, M).
    Output: a triple (dX, dW, db): dX = dZ @ W.T of shape (N, D), dW = X.T @ dZ of shape (D, M),
            db = dZ summed over the rows, of shape (M,).
    """
    # BEGIN SOLUTION
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    return dX, dW, db
    # END SOLUTION


# ---------------------------------------------------------------- dropout

def dropout_forward(H, p, rng):
    """Inverted dropout at training time.

    Input:  H, activations of any shape (usually (N, M)); p, the DROP probability, 0 <= p < 1;
            rng, a numpy Generator (np.random.default_rng(...)) to draw the mask from. Draw all
            randomness from rng (never from np.random.* globals), so a caller that re-seeds rng
            gets the same mask again.
    Output: a pair (out, mask).
            mask: array of H's shape, 1 (or True) where the unit is kept, 0 (or False) where it is
                  dropped; every entry is dropped independently with probability p.
            out:  array of H's shape, 0 where dropped and H / (1 - p) where kept, so E[out] = H.
    With p == 0 nothing is dropped and out equals H.
    """
    # BEGIN SOLUTION
    H = np.asarray(H, dtype=np.float64)
    mask = rng.random(H.shape) >= p
    return H * mask / (1.0 - p), mask
    # END SOLUTION


def dropout_backward(dout, mask, p):
    """Backward pass of inverted dropout.

    Input:  dout, upstream gradient of H's shape; mask, the keep-mask in the format that
            dropout_forward returns (1/True = kept, 0/False = dropped); p, the drop probability
            used in the forward pass.
    Output: dH of H's shape: dout / (1 - p) where kept, 0 where dropped.
    """
    # BEGIN SOLUTION
    return dout * mask / (1.0 - p)
    # END SOLUTION


# ---------------------------------------------------------------- weight decay

def l2_penalty(weights, lam):
    """Weight-decay penalty (lam / 2) * sum of squared entries of every matrix in `weights`.

    Input:  weights, a list of arrays (e.g. [W1, W2]); lam, float >= 0.
    Output: a float.
    """
    # BEGIN SOLUTION
    return float(0.5 * lam * sum(np.sum(W * W) for W in weights))
    # END SOLUTION


# ---------------------------------------------------------------- the network

def init_params(D, M, K, rng):
    """Random initial parameters of the D -> M -> K network.

    Input:  D inputs, M hidden units, K classes (ints); rng, a numpy Generator to draw from.
    Output: dict {"W1": (D, M), "b1": (M,), "W2": (M, K), "b2": (K,)} of float64 arrays.
            Weights are random (not all equal, or the hidden units stay identical forever) and
            small enough that the sigmoid does not saturate; biases are zero or small.
    """
    # BEGIN SOLUTION
    # Gaussian weights of standard deviation 1/sqrt(fan_in): pre-activations start of order 1,
    # so the sigmoid is not saturated; biases start at zero.
    return {
        "W1": rng.normal(0.0, 1.0 / np.sqrt(D), size=(D, M)),
        "b1": np.zeros(M),
        "W2": rng.normal(0.0, 1.0 / np.sqrt(M), size=(M, K)),
        "b2": np.zeros(K),
    }
    # END SOLUTION


def loss_and_grads(params, X, y, lam=0.0, p=0.0, rng=None):
    """Loss of the network on a minibatch and its gradient with respect to every parameter.

    Input:  params, dict as returned by init_params; X of shape (N, D); y, int labels (N,);
            lam, weight-decay strength; p, dropout (drop) probability applied to the hidden layer
            H when p > 0; rng, numpy Generator for the dropout mask (used only when p > 0).
    Output: a pair (loss, grads).
            loss:  float, cross_entropy(F, y) + (lam / 2) * (||W1||^2 + ||W2||^2).
            grads: dict with the same keys and shapes as params: "W1", "b1", "W2", "b2".
    Forward:  H = sigmoid(X @ W1 + b1); H' = dropout(H) if p > 0 else H; F = H' @ W2 + b2.
    Must not modify params, X or y.
    """
    # BEGIN SOLUTION
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    X = np.asarray(X, dtype=np.float64)

    Z1 = linear_forward(X, W1, b1)
    H = sigmoid(Z1)
    if p > 0:
        H_used, mask = dropout_forward(H, p, rng)
    else:
        H_used = H
    F = linear_forward(H_used, W2, b2)
    loss = cross_entropy(F, y) + l2_penalty([W1, W2], lam)

    dF = cross_entropy_grad(F, y)
    dH_used, dW2, db2 = linear_backward(dF, H_used, W2)
    dH = dropout_backward(dH_used, mask, p) if p > 0 else dH_used
    dZ1 = dH * sigmoid_grad(Z1)
    _, dW1, db1 = linear_backward(dZ1, X, W1)

    grads = {"W1": dW1 + lam * W1, "b1": db1, "W2": dW2 + lam * W2, "b2": db2}
    return loss, grads
    # END SOLUTION


def sgd_step(params, grads, lr):
    """One step of gradient descent: every parameter moves by -lr times its gradient.

    Input:  params and grads, dicts with the same keys and shapes; lr, the learning rate (float).
    Output: the dict of updated parameters, params[k] - lr * grads[k] for every key.
            You may update `params` in place (as the lecture's PyTorch loop does) or build a new
            dict; either way, return the updated dict.
    """
    # BEGIN SOLUTION
    return {k: params[k] - lr * grads[k] for k in params}
    # END SOLUTION


def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
    """Train the network by minibatch stochastic gradient descent.

    Input:  X of shape (N, D); y, int labels (N,) in [0, K) where K = y.max() + 1; M hidden units;
            lr learning rate; epochs, number of passes over the data; batch_size; lam weight decay;
            p dropout probability; seed for rng = np.random.default_rng(seed), the only source of
            randomness (initialisation, shuffling, dropout masks).
    Output: a pair (params, losses).
            params: the trained parameters (dict, as in init_params).
            losses: list of `epochs` floats, the mean training loss of the minibatches of each
                    epoch.
    Initialise with init_params(D, M, K, rng), reshuffle the examples at the start of every
    epoch, then take one sgd_step per minibatch of loss_and_grads.
    """
    # BEGIN SOLUTION
    # The last minibatch of an epoch holds the remaining N mod batch_size examples.
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    N, D = X.shape
    K = int(y.max()) + 1
    rng = np.random.default_rng(seed)
    params = init_params(D, M, K, rng)

    losses = []
    for _ in range(epochs):
        order = rng.permutation(N)
        batch_losses = []
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx], lam, p, rng)
            params = sgd_step(params, grads, lr)
            batch_losses.append(loss)
        losses.append(float(np.mean(batch_losses)))
    return params, losses
    # END SOLUTION


def predict(params, X):
    """Predicted class of every example: the index of the largest logit (no dropout).

    Input:  params, dict as in init_params; X of shape (N, D).
    Output: int array of shape (N,) with values in [0, K).
    """
    # BEGIN SOLUTION
    H = sigmoid(linear_forward(X, params["W1"], params["b1"]))
    F = linear_forward(H, params["W2"], params["b2"])
    return np.argmax(F, axis=1)
    # END SOLUTION


# ---------------------------------------------------------------- generalization

def diagnose(train_losses, val_losses, high=1.0, gap=0.2):
    """Name the fit from the final values of a training and a validation loss curve.

    Input:  train_losses, val_losses: sequences of floats (one entry per epoch); high, gap: floats.
    Output: "underfitting" if the final training loss is > high; otherwise "overfitting" if the
            final validation loss minus the final training loss is > gap; otherwise "good fit".
    """
    # BEGIN SOLUTION
    final_train = train_losses[-1]
    final_val = val_losses[-1]
    if final_train > high:
        return "underfitting"
    if final_val - final_train > gap:
        return "overfitting"
    return "good fit"
    # END SOLUTION
