"""A kind is one module and one line in the registry: a tiny kind (tests/yesno_kind.py),
registered here and nowhere else, works in the loader, the schema, validate, show, the handout
and its self-check, and grading."""

import json
import os
import subprocess
import sys
import zipfile

import pytest

from autograder import kinds
from autograder.cli import main
from autograder.errors import SpecError
from autograder.schema import assignment_schema
from autograder.spec import load_assignment

SPEC = """\
id: tiny
title: A tiny quiz
questions:
  - id: is-linear
    kind: yesno
    points: 1
    prompt: Is $\\max(0, x)$ linear?
    answer: false
  - id: half
    kind: numeric
    points: 1
    prompt: What is 1/2?
    answer: 0.5
"""


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    monkeypatch.setitem(kinds.MODULES, "yesno", "yesno_kind")
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "assignment.yaml").write_text(SPEC)
    return folder


def test_its_keys_are_loaded_and_in_the_schema(tiny):
    assert load_assignment(tiny).questions[0].check.answer is False
    (tiny / "assignment.yaml").write_text(SPEC.replace("answer: false", "answer: perhaps"))
    with pytest.raises(SpecError) as refused:
        load_assignment(tiny)
    assert (refused.value.line, refused.value.key) == (8, "answer")
    assert "must be true for yes, false for no" in refused.value.message
    schema = assignment_schema()
    question = schema["definitions"]["question"]
    assert "yesno" in question["properties"]["kind"]["enum"]
    tiny_rule = next(rule for rule in question["allOf"]
                     if rule["if"]["properties"]["kind"]["const"] == "yesno")
    assert tiny_rule["then"]["properties"]["answer"]["type"] == "boolean"


def test_validate_grades_its_key_and_its_wrong_answer(tiny, capsys):
    assert main(["validate", str(tiny)]) == 0
    out = capsys.readouterr().out
    assert "is-linear" in out


def test_show_renders_its_prompt_and_hint(tiny, capsys):
    assert main(["show", str(tiny)]) == 0
    out = capsys.readouterr().out
    assert "Is $\\max(0, x)$ linear?" in out and "yes or no" in out


def test_the_handout_self_check_reads_it(tiny, tmp_path):
    archive = tmp_path / "handout.zip"
    assert main(["build", str(tiny), "--student", "-o", str(archive)]) == 0
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(tmp_path / "handout")
    folder = tmp_path / "handout" / "tiny"
    assert "# 1. is-linear: yes or no\nis-linear:" in (folder / "answers.yaml").read_text()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}

    def selfcheck(answers: str):
        (folder / "answers.yaml").write_text(answers)
        return subprocess.run([sys.executable, "-m", "selfcheck", "--json"], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=60)

    done = selfcheck("is-linear: 'no'\nhalf: 0.5\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"message": "reads as no"' in done.stdout
    done = selfcheck("is-linear: perhaps\nhalf: 0.5\n")
    assert done.returncode == 1 and "Answer yes or no." in done.stdout, done.stdout + done.stderr


def test_grading_uses_it(tiny, tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "answers.yaml").write_text("is-linear: 'yes'\nhalf: 1/2\n")
    results = tmp_path / "results.json"
    assert main(["grade", str(tiny), str(submission), "--results", str(results)]) == 0
    tests = json.loads(results.read_text())["tests"]
    assert [test["score"] for test in tests] == [0.0, 1.0]
    assert "yes is not the right answer." in tests[0]["output"]
