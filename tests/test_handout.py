"""`autograder build --student`: the handout, its self-check, and the scan that proves it carries
no answer, key, reference code or solution."""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
import yaml

from autograder.cli import main
from autograder.handout import SELFCHECK_MODULES
from autograder.spec import load_assignment
from autograder.starter import starter_files
from autograder.validate import load_key_file, synthesize_key
from autograder.yamlio import load_spec_file
from conftest import EXAMPLES, PROBLEMS, ROOT

QUIZ = PROBLEMS / "nn3-quiz"
SECRET_KEYS = {"answer", "function", "sigfigs", "rtol", "atol", "cases", "scoring", "define"}


def build(assignment, tmp_path):
    archive = tmp_path / "handout.zip"
    assert main(["build", str(assignment), "--student", "-o", str(archive)]) == 0
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(tmp_path / "unzipped")
    return tmp_path / "unzipped" / load_assignment(assignment).id


def handout_text(folder) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*"))
                     if path.is_file())


def squash(text) -> str:
    return re.sub(r"\s+", "", text)


def secrets_of(assignment_folder) -> list:
    """Strings that give answers away: the spec's formulas and numbers, the key file's answers,
    and every substantial line of the solution and of the reference network."""
    assignment = load_assignment(assignment_folder)
    secrets = []
    for question in assignment.questions:
        check = question.check
        if question.kind == "numeric":
            secrets.append(f"{check.answer:.4g}")
        if question.kind == "expression":
            secrets.append(squash(check.answer.text))
        if question.kind == "derivative":
            secrets.append(squash(check.function.text))
    secrets += [squash(str(value)) for value in load_key_file(assignment_folder).values()]
    # The starter file and the grader modules the self-check ships are public by design.
    starter = b"".join(starter_files(assignment_folder, assignment.code_files).values()).decode()
    starter += "".join((ROOT / "autograder" / module).read_text()
                       for module in (*SELFCHECK_MODULES, "selfcheck.py"))
    sources = [*(assignment_folder / "solution").glob("*.py"), *(ROOT / "reference").glob("*.py")]
    for path in sources:
        for line in path.read_text().splitlines():
            line = line.strip()
            if (len(line) >= 30 and not line.startswith(("#", '"""', "from ", "import "))
                    and line not in starter):
                secrets.append(squash(line))
    # What the instructor wrote in prompts and choices is public (a choice may be a formula).
    spec = load_spec_file(assignment_folder / "assignment.yaml")
    public = squash(" ".join(str(question.get(key, "")) for question in spec["questions"]
                             for key in ("prompt", "choices", "title")))
    return sorted({secret for secret in secrets if secret not in public})


@pytest.fixture(scope="module")
def quiz_handout(tmp_path_factory):
    return build(QUIZ, tmp_path_factory.mktemp("handout"))


def test_handout_layout_and_prompts(quiz_handout):
    folder = quiz_handout
    names = {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}
    assert {"README.md", "ASSIGNMENT.md", "answers.yaml", "selfcheck/__main__.py",
            "selfcheck/public.json"} <= names
    assert not any(name.endswith("assignment.yaml") or name.startswith(("solution", "reference"))
                   for name in names)
    prompts = (folder / "ASSIGNMENT.md").read_text()
    quiz = load_assignment(QUIZ)
    assert prompts.count("\n## ") == len(quiz.questions)
    assert r"$\frac{\partial \ell}{\partial w_{11}}$" in prompts      # LaTeX kept as written
    assert "- **C.** Minibatch Stochastic Gradient Descent" in prompts
    assert "$x_1 = ⟨x1⟩$" in prompts                                   # a shared handout
    template = yaml.safe_load((folder / "answers.yaml").read_text())
    assert list(template) == [q.id for q in quiz.questions]
    assert all(value is None for value in template.values())
    readme = (folder / "README.md").read_text()
    assert "python3 -m selfcheck" in readme


def test_handout_carries_no_secrets(quiz_handout):
    folder = quiz_handout
    text = squash(handout_text(folder))
    leaked = [secret for secret in secrets_of(QUIZ) if secret in text]
    assert not leaked

    def keys(value):
        if isinstance(value, dict):
            return set(value) | set().union(*map(keys, value.values()))
        if isinstance(value, list):
            return set().union(*map(keys, value)) if value else set()
        return set()

    public = json.loads((folder / "selfcheck" / "public.json").read_text())
    assert not keys(public) & SECRET_KEYS
    assert not re.search(r"^\s*(from|import) autograder", handout_text(folder / "selfcheck"),
                         re.MULTILINE)


def test_the_secret_scan_would_catch_a_leak(quiz_handout, tmp_path):
    folder = tmp_path / "leaky"
    shutil.copytree(quiz_handout, folder)
    key = synthesize_key(load_assignment(QUIZ), load_key_file(QUIZ))
    (folder / "notes.md").write_text(f"psst: {key['parameter-count']} and {key['chain-deeper']}")
    text = squash(handout_text(folder))
    leaked = {secret for secret in secrets_of(QUIZ) if secret in text}
    assert {squash(key["parameter-count"]), squash(key["chain-deeper"])} <= leaked


def selfcheck(folder, answers):
    (folder / "answers.yaml").write_text(answers if isinstance(answers, str)
                                         else yaml.safe_dump(answers, allow_unicode=True))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "selfcheck"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=60)


def test_selfcheck_accepts_well_formed_answers_in_any_form(quiz_handout):
    folder = quiz_handout
    done = selfcheck(folder, (EXAMPLES / "nn3-quiz" / "correct" / "answers.yaml").read_text())
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("✓") == len(load_assignment(QUIZ).questions)
    assert "not whether they are right" in done.stdout
    # wrong but well-formed answers pass the self-check, which says nothing about rightness;
    # this example leaves one question blank, and only that is flagged
    wrong = selfcheck(folder, (EXAMPLES / "nn3-quiz" / "partly-wrong" / "answers.yaml").read_text())
    assert wrong.returncode == 1
    assert [line for line in wrong.stdout.splitlines() if "✗" in line] == [
        "  ✗  19. parameter-count: not answered yet"]


@pytest.mark.parametrize("answer, words", [
    ({"gd-computes": "Z"}, "Z is not one of the choices A, B, C, D"),
    ({"exploding-number": "lots"}, "exploding-number: Could not read your answer as a number"),
    ({"dropout-formula": "h/(1-q)"}, "dropout-formula: Could not read your formula"),
    ({"chain-w11": "__import__('os')"}, "chain-w11: Could not read your formula"),
    ({"dropout-formla": "h"}, "'dropout-formla' in answers.yaml is not a question id"),
    ("gd-computes: [A\n", "not valid YAML"),
])
def test_selfcheck_flags_what_the_grader_cannot_read(quiz_handout, answer, words):
    folder = quiz_handout
    done = selfcheck(folder, answer)
    assert done.returncode == 1
    assert words in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_show_renders_one_students_numbers(capsys):
    assert main(["show", str(QUIZ), "--student", "alice@example.edu"]) == 0
    out = capsys.readouterr().out
    params = load_assignment(QUIZ, student="alice@example.edu").params
    assert f"$x_1 = {params['x1']}$" in out and f"$w_{{11}} = {params['w11']}$" in out
    assert "{{" not in out and "⟨" not in out


# ------------------------------------------------------------------------------------ HW6 (code)

HW6 = PROBLEMS / "hw6"
CORPUS = ROOT / "tests" / "corpus" / "hw6"


@pytest.fixture(scope="module")
def hw6_handout(tmp_path_factory):
    return build(HW6, tmp_path_factory.mktemp("hw6-handout"))


@pytest.fixture(scope="module")
def hw6_public(hw6_handout):
    return json.loads((hw6_handout / "selfcheck" / "public.json").read_text())


def test_hw6_handout_has_the_starter_and_no_secrets(hw6_handout, hw6_public):
    assert (hw6_handout / "hw6.py").read_bytes() == starter_files(HW6, ["hw6.py"])["hw6.py"]
    assert not (hw6_handout / "answers.yaml").exists()       # code only: nothing to answer
    text = squash(handout_text(hw6_handout))
    secrets = secrets_of(HW6)
    assert len(secrets) > 50                                  # the solution and the reference
    assert not [secret for secret in secrets if secret in text]
    quiz = load_assignment(HW6)
    for question, public in zip(quiz.questions, hw6_public["questions"]):
        check, projection = question.check, public.get("code")
        assert (projection is not None) == (question.visibility == "visible"), question.id
        if projection is None:
            continue
        wanted = [case for case in check.cases if not case.hidden]
        assert len(projection["cases"]) == len(wanted), question.id
        assert bool(projection["gradient"]) == (check.gradient is not None)
        assert bool(projection["check"]) == (check.custom is not None
                                             and check.custom_visibility == "visible")
    shipped = {path.name for path in (hw6_handout / "selfcheck" / "assignment").iterdir()}
    assert shipped == {"checks.py"}          # train_check.py, a hidden check's, stays behind


def check_file(handout, tmp_path, source, name="hw6.py"):
    """The handout's `selfcheck --json` on one student file: ({question id: status}, items)."""
    folder = tmp_path / "student"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / name).write_bytes(source.read_bytes() if hasattr(source, "read_bytes") else source)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-m", "selfcheck", "--json", str(folder)], cwd=handout,
                         env=env, capture_output=True, text=True, timeout=120)
    items = json.loads(run.stdout)["items"]
    assert run.returncode == (1 if any(i["status"] in ("fail", "unanswered") for i in items)
                              else 0)
    return {item["id"]: item["status"] for item in items}, items


def test_selfcheck_on_the_starter_says_not_implemented(hw6_handout, tmp_path):
    statuses, items = check_file(hw6_handout, tmp_path, hw6_handout / "hw6.py")
    assert set(statuses.values()) == {"unanswered", "hidden"}
    assert all("is not implemented yet (it raises NotImplementedError)" in item["message"]
               for item in items if item["status"] != "hidden")


def test_selfcheck_says_a_pass_stub_is_not_implemented(hw6_handout, tmp_path):
    stub = re.sub(r"raise NotImplementedError", "pass", (hw6_handout / "hw6.py").read_text())
    statuses, items = check_file(hw6_handout, tmp_path, stub.encode())
    assert list(statuses.values()).count("unanswered") >= 15, items
    assert all("is not implemented yet (it returns None)" in item["message"]
               for item in items if item["status"] != "hidden")


def test_selfcheck_reads_a_notebook(hw6_handout, tmp_path):
    solution = (HW6 / "solution" / "hw6.py").read_text()
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": ["%matplotlib inline\n"]},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": solution.splitlines(keepends=True)}]
    notebook = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
    statuses, items = check_file(hw6_handout, tmp_path, notebook.encode(), "hw6.ipynb")
    assert set(statuses.values()) == {"pass", "hidden"}, items


def test_selfcheck_reports_a_broken_file_once_per_item(hw6_handout, tmp_path):
    statuses, items = check_file(hw6_handout, tmp_path, b"def sigmoid(z):\n  return (\n")
    assert set(statuses.values()) == {"fail", "hidden"}
    assert all("hw6.py could not be loaded (line 2): syntax" in item["message"]
               and "Traceback" not in item["message"] for item in items
               if item["status"] == "fail")
