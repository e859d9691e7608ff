"""Shared test helpers: every results.json a test produces is checked against Gradescope's schema."""

import functools
import json
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ROOT / "problems"
EXAMPLES = ROOT / "examples"
_SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())


def load_results(path) -> dict:
    """Read a results.json and fail the test unless it is valid for Gradescope."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    jsonschema.validate(data, _SCHEMA)
    return data


@pytest.fixture
def results_path(tmp_path):
    return tmp_path / "results" / "results.json"


@functools.lru_cache(maxsize=None)
def sandbox_protections() -> dict:
    """{protection: "active" or "not available: why"} on this machine, from one sandbox started
    as the grader starts them (a chroot has no private root; a container may lack a cgroup)."""
    from autograder.sandbox import Limits, Sandbox
    with Sandbox(Limits()) as box:
        return dict(box.protections)


def results_equal(left: dict, right: dict) -> bool:
    """Two results.json the same apart from execution_time (which no two runs share)."""
    return ({k: v for k, v in left.items() if k != "execution_time"}
            == {k: v for k, v in right.items() if k != "execution_time"})
