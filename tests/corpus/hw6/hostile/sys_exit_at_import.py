"""HOSTILE: calls sys.exit(0) at import time (raises SystemExit, which `except Exception` does not
catch); nothing below it is ever defined.
Correct: none
"""
import sys

import numpy as np

sys.exit(0)


def sigmoid(z):
    z = np.asarray(z, float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1, e) / (1 + e)
