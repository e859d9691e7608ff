"""The mixed test assignment's custom checks (one visible, one hidden)."""

import numpy as np

from autograder.check_api import RngSeed


def init_shapes(student, rng):
    params = student.call("init_params", 3, 4, 2, RngSeed(int(rng.integers(1000))))
    shapes = {name: np.shape(value) for name, value in dict(params).items()}
    if shapes == {"W1": (3, 4), "b1": (4,), "W2": (4, 2), "b2": (2,)}:
        return 1.0, ""
    return 0.0, f"`init_params(3, 4, 2, rng)` returned shapes {shapes}."


def train_runs(student, rng):
    X = rng.standard_normal((20, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    _, losses = student.call("train", X, y, M=4, lr=0.5, epochs=3, batch_size=10)
    return (1.0, "") if len(losses) == 3 else (0.0, "`train` should return one loss per epoch.")
