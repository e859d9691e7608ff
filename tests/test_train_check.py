"""HW6's hidden `train` check: data nobody can foresee, and losses that must be the training's.

The check runs in the grader and calls the student through `student.call`; here a stand-in calls
a module in this process, so the check's own logic is what is tested (grading end to end is in
test_hw6.py). The power study, every correct variant on many unseen datasets, is marked slow.
"""

import importlib.util
import sys

import numpy as np
import pytest

from conftest import PROBLEMS, ROOT

sys.path.insert(0, str(PROBLEMS / "hw6"))
import train_check  # noqa: E402  (the assignment folder's own module)

CORRECT = [PROBLEMS / "hw6" / "solution" / "hw6.py",
           *sorted((ROOT / "tests" / "corpus" / "hw6" / "correct").glob("*.py"))]


class InProcess:
    """What a check sees of the student (check_api's `student`), calling a module here."""

    def __init__(self, module):
        self.module = module

    def call(self, name, *args, **kwargs):
        return getattr(self.module, name)(*args, **kwargs)


def module_of(path):
    spec = importlib.util.spec_from_file_location(f"train_check_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class HandSetXor:
    """A network set by hand for the lecture's XOR clusters, and a loss curve made up to fall."""

    @staticmethod
    def train(X, y, M, lr, epochs, batch_size, lam=0.0, p=0.0, seed=0):
        params = {"W1": 5.0 * np.array([[1.0, -1.0, 1.0, -1.0], [1.0, -1.0, -1.0, 1.0]]),
                  "b1": -5.0 * np.ones(4),
                  "W2": 5.0 * np.array([[1.0, -1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, 1.0]]),
                  "b2": np.zeros(2)}
        return params, list(np.linspace(0.7, 0.02, epochs))

    @staticmethod
    def predict(params, X):
        return np.argmax(X @ params["W1"] @ params["W2"], axis=1)


def test_a_hand_set_xor_network_with_an_invented_loss_curve_fails_on_unseen_data():
    """The network fits the lecture's XOR exactly; the data it is graded on is turned, moved and
    relabelled at random, so it fails there, but for the draws that happen to line up with XOR's
    own symmetry (measured: 22 of 200), where it is in fact a network that fits the data."""
    results = [train_check.train_learns(InProcess(HandSetXor), np.random.default_rng([seed, 7]))
               for seed in range(200)]
    failed = [feedback for fraction, feedback in results if fraction == 0.0]
    assert len(failed) >= 170
    assert all("does not match the loss of the parameters you return" in feedback
               for feedback in failed)


def test_the_solution_passes_on_unseen_data():
    student = InProcess(module_of(CORRECT[0]))
    for seed in range(3):
        assert train_check.train_learns(student, np.random.default_rng([seed, 7])) == (1.0, "")


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_every_correct_variant_passes_on_a_hundred_unseen_datasets(path):
    student = InProcess(module_of(path))
    failures = [seed for seed in range(100)
                if train_check.train_learns(student, np.random.default_rng([seed, 11]))[0] < 1]
    assert failures == []
