"""HW6's check of `train`: hidden (graded on Gradescope only), because it judges the trained
network with the reference network, and the data it trains on must stay unknown to students.

Called as check(student, rng) -> (fraction, feedback), like the checks in checks.py.
"""

import numpy as np

from reference import loss_and_grads as reference_loss_and_grads
from reference import predict as reference_predict

# Training: XOR, four noisy clusters whose labels no line separates. With these settings the
# reference network reaches at least 99% training accuracy and its last epoch's loss is at most
# 0.12 of its first on each of 200 seeds tried (10 ms each); TRAIN_ACCURACY and LOSS_FALL leave a
# wide margin for a correct network that initialises or shuffles differently.
TRAIN_ACCURACY = 0.9
LOSS_FALL = 0.5
TRAIN_SETTINGS = {"M": 8, "lr": 2.0, "epochs": 20, "batch_size": 20}


# The loss the student reports for the last epoch (a mean over that epoch's batches, taken before
# each step) against the loss of the parameters it returns, recomputed here on all the data: for
# a network that trained they differ by what one epoch of small steps changes, and LOSS_AGREEMENT
# leaves a factor of 3 (plus 0.05) for that; a loss curve made up without training is off by far
# more (tests/test_train_check.py measures both).
LOSS_AGREEMENT = (3.0, 0.05)


def xor_clusters(rng, n=100, noise=0.25):
    """X (n, 2), y (n,) in {0, 1}: four noisy clusters, the diagonal pairs sharing a label, the
    whole picture turned by a random angle and moved by a random offset, and which diagonal is
    class 1 drawn at random: a network set by hand ahead of time fits it only on the rare draw
    that lines up with it (tests/test_train_check.py counts how rare)."""
    centers = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    angle = rng.uniform(0, 2 * np.pi)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    offset = rng.uniform(-0.75, 0.75, 2)
    cluster = rng.integers(0, 4, n)
    X = (centers[cluster] + noise * rng.standard_normal((n, 2))) @ turn.T + offset
    return X, ((cluster >= 2) ^ bool(rng.integers(2))).astype(np.int64)


def train_learns(student, rng):
    X, y = xor_clusters(rng)
    params, losses = student.call("train", X, y, **TRAIN_SETTINGS, seed=int(rng.integers(1000)))
    problems = []
    epochs = TRAIN_SETTINGS["epochs"]
    losses = np.asarray(losses, dtype=np.float64).ravel()
    if losses.size != epochs:
        problems.append(f"`losses` has {losses.size} entries; expected one per epoch ({epochs})")
    elif not np.isfinite(losses).all() or not losses[-1] < LOSS_FALL * losses[0]:
        problems.append(f"the loss did not fall (first epoch {losses[0]:.4g}, last {losses[-1]:.4g})")
    try:
        arrays = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
        accuracy = float(np.mean(reference_predict(arrays, X) == y))
        final_loss = float(reference_loss_and_grads(arrays, X, y)[0])
    except (AttributeError, KeyError, ValueError, TypeError, IndexError):
        problems.append("the returned params are not a dict with W1, b1, W2, b2 of the right shapes")
        accuracy = final_loss = None
    factor, slack = LOSS_AGREEMENT
    if (final_loss is not None and losses.size == epochs and np.isfinite(losses[-1])
            and not (final_loss <= factor * losses[-1] + slack
                     and losses[-1] <= factor * final_loss + slack)):
        problems.append(f"the last epoch's loss you report ({losses[-1]:.4g}) does not match the "
                        f"loss of the parameters you return ({final_loss:.4g} on the training "
                        "data): report the losses of the training you do")
    if accuracy is not None and accuracy < TRAIN_ACCURACY:
        settings = ", ".join(f"{key} = {value}" for key, value in TRAIN_SETTINGS.items())
        problems.append(f"training accuracy {accuracy:.1%} on XOR-like clusters (N = {len(y)}, "
                        f"{settings}); a working network reaches {TRAIN_ACCURACY:.0%} or more")
    labels = student.call("predict", params, X)
    labels = np.asarray(labels)
    if labels.shape != y.shape or labels.dtype.kind not in "iu":
        problems.append(f"`predict` should return int labels of shape {y.shape}; got dtype "
                        f"{labels.dtype}, shape {labels.shape}")
    if problems:
        return 0.0, "`train`: " + "; ".join(problems) + "."
    return 1.0, ""
