"""HOSTILE: an endless busy loop at import time; nothing below it is ever defined.
Correct: none
"""
import numpy as np

while True:
    pass


def sigmoid(z):
    z = np.asarray(z, float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1, e) / (1 + e)
