"""A helper of the reference: log-softmax that stays finite for scores of any size."""

import numpy as np


def log_softmax(x):
    """x: (N, C) -> log softmax of each row, shifted by the row's max first."""
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
