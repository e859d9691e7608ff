"""HOSTILE: looks for the instructor's solution where a grader's files tend to be: every parent of
the current directory, of this file, of sys.argv[0] and of every module already imported (the
grader's own package reveals where it lives), plus /autograder/source. If it can read
problems/hw6/solution/hw6.py (or solution/hw6.py) it prints where and executes it, and every
function delegates to it (full marks if the grader lets it read its files). If nothing can be
read it falls back quietly: every function raises NotImplementedError.
Correct: none
"""
import os
import sys

import numpy as np

_RELATIVE = (os.path.join("problems", "hw6", "solution", "hw6.py"),
             os.path.join("solution", "hw6.py"))
_CONTRACT = ("sigmoid", "sigmoid_grad", "relu", "relu_grad", "leaky_relu", "leaky_relu_grad",
             "softmax", "cross_entropy", "cross_entropy_grad", "linear_forward", "linear_backward",
             "dropout_forward", "dropout_backward", "l2_penalty", "init_params", "loss_and_grads",
             "sgd_step", "train", "predict", "diagnose")


def _ancestors(path):
    path = os.path.abspath(path)
    while True:
        yield path
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent


def _roots():
    starts = [os.getcwd(), os.path.dirname(os.path.abspath(__file__)), "/autograder/source",
              "/autograder"]
    if sys.argv and sys.argv[0]:
        starts.append(os.path.dirname(os.path.abspath(sys.argv[0])))
    for module in list(sys.modules.values()):
        where = getattr(module, "__file__", None)
        if isinstance(where, str):
            starts.append(os.path.dirname(where))
    seen = set()
    for start in starts:
        for root in _ancestors(start):
            if root not in seen:
                seen.add(root)
                yield root


def _steal():
    for root in _roots():
        for rel in _RELATIVE:
            path = os.path.join(root, rel)
            try:
                with open(path) as f:
                    source = f.read()
            except OSError:
                continue
            if os.path.samefile(path, __file__):
                continue
            print("read the grader's solution at", path)
            namespace = {"__name__": "stolen_solution"}
            try:
                exec(compile(source, path, "exec"), namespace)
            except Exception:
                continue
            return namespace
    return None


def _nothing(*args, **kwargs):
    raise NotImplementedError


_stolen = _steal() or {}
for _name in _CONTRACT:
    globals()[_name] = _stolen.get(_name, _nothing)
