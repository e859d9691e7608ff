"""The guides show commands that work: each `python3 -m autograder` line of the instructor guide
runs, in order, in a copy of the repository; the student guide's example answers are well formed."""

import importlib.util
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from autograder.handout import public_description
from autograder.selfcheck import check_item
from autograder.spec import load_assignment
from conftest import PROBLEMS, ROOT

DOCS = ROOT / "docs"


def code_blocks(path, language):
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL)


def test_every_instructor_guide_command_runs(tmp_path):
    for folder in ("autograder", "reference", "problems", "examples", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    commands = [line for block in code_blocks(DOCS / "instructor-guide.md", "bash")
                for line in block.splitlines() if line.startswith("python3 -m autograder")]
    assert len(commands) >= 7
    if not all(importlib.util.find_spec(name) for name in ("markdown", "latex2mathml")):
        commands = [c for c in commands if " preview " not in c]   # the [preview] extra is absent
    for command in commands:
        args = command.split()[1:]
        done = subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    assert (tmp_path / "handout.zip").is_file() and (tmp_path / "autograder.zip").is_file()
    assert (tmp_path / "problems" / "hw7" / "assignment.yaml").is_file()


def test_the_schema_header_shown_is_the_one_specs_use():
    spec = (PROBLEMS / "nn3-quiz" / "assignment.yaml").read_text().splitlines()
    for line in code_blocks(DOCS / "instructor-guide.md", "yaml")[0].splitlines():
        assert line in spec


def test_student_guide_answers_are_well_formed_for_the_quiz():
    answers = yaml.safe_load(code_blocks(DOCS / "student-guide.md", "yaml")[0])
    questions = {q["id"]: q for q in public_description(load_assignment(PROBLEMS / "nn3-quiz"))[
        "questions"]}
    assert len(answers) >= 5
    for question_id, answer in answers.items():
        status, message = check_item(questions[question_id], answer, ROOT)
        assert status == "pass", (question_id, message)


@pytest.mark.parametrize("guide", ["instructor-guide.md", "student-guide.md"])
def test_guides_are_short(guide):
    assert len((DOCS / guide).read_text().splitlines()) < 200
