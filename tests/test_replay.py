"""Grading on inputs the student has not been given: a submission that replays the handout.

The handout's public.json holds the reference's outputs on the public cases, and the rule for
their seeds. A student could build hw6.py from it alone: a table from each public input to its
expected output. With the grading secret of a Gradescope zip, the grader draws its own inputs, and
fixed-input cases count only once the random ones pass, so that table scores what implementing
nothing scores.
"""

import hashlib
import json
import shutil
import zipfile

import numpy as np

from autograder.kinds.code import inputs
from autograder.engine import grade
from autograder.handout import build_handout
from autograder.kinds.code.kind import SECRET_FILE, Seeds, from_data
from autograder.spec import load_assignment
from autograder.submission import Submission
from conftest import PROBLEMS

# The replaying submission: each function looks its arguments up in the table it was built with.
REPLAY = '''
import hashlib, json
import numpy as np

TABLE = json.loads({table!r})


def _key(value):
    if isinstance(value, np.ndarray):
        return ["a", str(value.dtype), list(value.shape),
                hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()]
    if isinstance(value, dict):
        return ["d", sorted([key, _key(item)] for key, item in value.items())]
    if isinstance(value, (list, tuple)):
        return ["l", [_key(item) for item in value]]
    if isinstance(value, np.random.Generator):
        return ["rng"]
    return ["v", repr(value)]


def _decode(value):
    if isinstance(value, dict):
        if "ndarray" in value:
            return np.array(value["ndarray"], dtype=value["dtype"]).reshape(value["shape"])
        if "tuple" in value:
            return tuple(_decode(item) for item in value["tuple"])
        return {{key: _decode(item) for key, item in value["dict"].items()}}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _replay(name, args, kwargs):
    key = json.dumps([_key(list(args)), _key(dict(kwargs))])
    for known, expected in TABLE.get(name, []):
        if known == key:
            return _decode(expected)
    raise NotImplementedError


{functions}
'''


def _key(value):
    """As the replaying file computes it, on the inputs as its functions receive them."""
    if isinstance(value, np.ndarray):
        return ["a", str(value.dtype), list(value.shape),
                hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()]
    if isinstance(value, dict):
        return ["d", sorted([key, _key(item)] for key, item in value.items())]
    if isinstance(value, (list, tuple)):
        return ["l", [_key(item) for item in value]]
    if isinstance(value, np.random.Generator):
        return ["rng"]
    return ["v", repr(value)]


def replay_submission(public: dict) -> str:
    """hw6.py built from the handout's public.json and its seed rule, and nothing else."""
    table, functions = {}, set()
    for question in public["questions"]:
        if question["kind"] != "code":
            continue
        functions.add(question["function"])
        for case in question.get("code", {}).get("cases", []):
            rng = np.random.default_rng(Seeds().case(question["id"], case["number"]))
            args, kwargs = inputs.build_call(case["args"], case["kwargs"], rng)
            key = json.dumps([_key(inputs.fresh(args)), _key(inputs.fresh(kwargs))])
            table.setdefault(question["function"], []).append([key, case["expected"]])
            assert from_data(case["expected"]) is not None
    body = "\n\n".join(f"def {name}(*args, **kwargs):\n    return _replay({name!r}, args, kwargs)"
                       for name in sorted(functions))
    return REPLAY.format(table=json.dumps(table), functions=body)


def total(assignment, folder) -> float:
    report = grade(assignment, Submission(folder, assignment.answers_file, assignment.code_files))
    return sum(test.score for test in report.tests)


def test_replaying_the_handout_scores_what_implementing_nothing_scores(tmp_path):
    folder = tmp_path / "hw6"
    shutil.copytree(PROBLEMS / "hw6", folder)
    (folder / SECRET_FILE).write_text("the course's own secret\n")
    build_handout(folder, tmp_path / "handout.zip")
    with zipfile.ZipFile(tmp_path / "handout.zip") as archive:
        public = json.loads(archive.read("hw6/selfcheck/public.json"))
        starter = archive.read("hw6/hw6.py")
    replay, nothing = tmp_path / "replay", tmp_path / "nothing"
    replay.mkdir()
    nothing.mkdir()
    (replay / "hw6.py").write_text(replay_submission(public))
    (nothing / "hw6.py").write_bytes(starter)

    # Without the secret the table matches every public case, so it is a real replay ...
    public_seeds = load_assignment(PROBLEMS / "hw6")
    assert total(public_seeds, replay) > 10
    # ... and with it, it earns nothing beyond the starter's score.
    graded = load_assignment(folder)
    assert total(graded, replay) <= total(graded, nothing)
