"""One engine behind every face: on every visible item, the self-check says what the grader says.

Over the whole HW6 corpus (the solution, the starter, every correct, buggy and partial file) and a
mixed answers+code assignment, each submission is graded by the grader (with a grading secret, as
on Gradescope) and checked by the handout's own `python3 -m selfcheck --json`; for every item the
self-check does not leave to Gradescope, its pass/fail must be the grader's full-marks/not.
Answers are the exception the self-check states: it knows no key, so it can only say an answer is
readable; the mixed submissions here answer right, leave blank or write nonsense.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder.engine import grade
from autograder.handout import build_handout
from autograder.spec import load_assignment
from autograder.submission import Submission
from conftest import PROBLEMS, ROOT

CORPUS = ROOT / "tests" / "corpus" / "hw6"
MIXED = ROOT / "tests" / "assignments" / "mixed"
SOLUTION = PROBLEMS / "hw6" / "solution" / "hw6.py"
STARTER = "the handout's starter"
HW6_FILES = [SOLUTION, STARTER, *sorted((CORPUS / "correct").glob("*.py")),
             *sorted((CORPUS / "buggy").glob("*.py")), *sorted((CORPUS / "partial").glob("*.py"))]


def faces(assignment_folder, tmp_path_factory):
    """(the assignment as the grader loads it with a secret, the unpacked handout folder)."""
    folder = tmp_path_factory.mktemp("assignment") / assignment_folder.name
    shutil.copytree(assignment_folder, folder)
    (folder / "grading-secret.txt").write_text("agreement test secret\n")
    handout = tmp_path_factory.mktemp("handout")
    build_handout(folder, handout / "handout.zip")
    with zipfile.ZipFile(handout / "handout.zip") as archive:
        archive.extractall(handout)
    unpacked = handout / load_assignment(folder).id
    assert not (unpacked / "grading-secret.txt").exists()
    return load_assignment(folder), unpacked


@pytest.fixture(scope="module")
def hw6_faces(tmp_path_factory):
    return faces(PROBLEMS / "hw6", tmp_path_factory)


@pytest.fixture(scope="module")
def mixed_faces(tmp_path_factory):
    return faces(MIXED, tmp_path_factory)


def grader_passes(assignment, folder) -> dict:
    """{question id: full marks?} from the grader."""
    report = grade(assignment, Submission(folder, assignment.answers_file, assignment.code_files))
    return {question.id: test.score == test.max_score
            for question, test in zip(assignment.questions, report.tests)}


def selfcheck_items(handout, folder) -> dict:
    """{question id: item} from the handout's self-check, run as a student runs it."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    run = subprocess.run([sys.executable, "-m", "selfcheck", "--json", str(folder)],
                         cwd=handout, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stderr
    items = json.loads(run.stdout)["items"]
    assert all(set(item) == {"id", "status", "message"} for item in items)
    return {item["id"]: item for item in items}


def disagreements(assignment, handout, folder) -> list:
    graded = grader_passes(assignment, folder)
    checked = selfcheck_items(handout, folder)
    assert set(checked) == set(graded)
    return [(qid, checked[qid]["status"], checked[qid]["message"], graded[qid])
            for qid in graded if checked[qid]["status"] != "hidden"
            and (checked[qid]["status"] == "pass") != graded[qid]]


@pytest.mark.parametrize("source", HW6_FILES,
                         ids=lambda p: "starter" if p == STARTER else f"{p.parent.name}/{p.stem}")
def test_selfcheck_agrees_with_the_grader_on_hw6(hw6_faces, tmp_path, source):
    assignment, handout = hw6_faces
    source = handout / "hw6.py" if source == STARTER else source
    (tmp_path / "hw6.py").write_bytes(source.read_bytes())
    assert disagreements(assignment, handout, tmp_path) == []


def test_only_what_the_instructor_hid_is_left_to_gradescope(hw6_faces, tmp_path):
    assignment, handout = hw6_faces
    shutil.copy(SOLUTION, tmp_path / "hw6.py")
    statuses = {qid: item["status"] for qid, item in selfcheck_items(handout, tmp_path).items()}
    assert {qid for qid, status in statuses.items() if status == "hidden"} == {"train"}
    assert set(statuses.values()) == {"pass", "hidden"}


@pytest.mark.parametrize("answers, code, expected", [
    ("optimiser: B\nhidden-units: 20\n", SOLUTION,
     {"optimiser": "pass", "hidden-units": "pass", "softmax": "pass", "loss-then-step": "pass",
      "init-params": "pass", "train": "hidden"}),
    ("optimiser:\nhidden-units:\n", STARTER,
     {"optimiser": "unanswered", "hidden-units": "unanswered", "softmax": "unanswered",
      "loss-then-step": "unanswered", "init-params": "unanswered", "train": "hidden"}),
    ("optimiser: Z\nhidden-units: twenty\n", CORPUS / "buggy" / "sgd_step_adds.py",
     {"optimiser": "fail", "hidden-units": "fail", "softmax": "pass", "loss-then-step": "fail",
      "init-params": "pass", "train": "hidden"}),
    # softmax edits its input; so does this file's sgd_step (allowed in HW6's own sgd-step item,
    # not in a `then` step here): both faces say so.
    ("optimiser: B\nhidden-units: 20\n", CORPUS / "buggy" / "softmax_in_place.py",
     {"optimiser": "pass", "hidden-units": "pass", "softmax": "fail", "loss-then-step": "fail",
      "init-params": "pass", "train": "hidden"}),
], ids=["key", "blank", "unreadable-and-then-step-bug", "in-place"])
def test_selfcheck_agrees_with_the_grader_on_a_mixed_assignment(mixed_faces, tmp_path, answers,
                                                                 code, expected):
    assignment, handout = mixed_faces
    (tmp_path / "answers.yaml").write_text(answers)
    shutil.copy(handout / "hw6.py" if code == STARTER else code, tmp_path / "hw6.py")
    statuses = {qid: item["status"] for qid, item in selfcheck_items(handout, tmp_path).items()}
    assert statuses == expected
    assert disagreements(assignment, handout, tmp_path) == []


@pytest.fixture(scope="module")
def cs231n_faces(tmp_path_factory):
    return faces(PROBLEMS / "cs231n", tmp_path_factory)


def test_every_face_names_positions_and_placeholders_in_the_same_words(cs231n_faces, tmp_path):
    """A wrong `db` is "`db` (item 3 of the result)", named as the reference returns it, and a
    skeleton's `return loss, dx` of Nones is "not implemented yet", in the grader and in the
    self-check alike."""
    assignment, handout = cs231n_faces
    shutil.copytree(PROBLEMS / "cs231n" / "solution", tmp_path / "submission")
    layers = tmp_path / "submission" / "cs231n" / "layers.py"
    layers.write_text((ROOT / "tests" / "corpus" / "cs231n" / "buggy" /
                       "affine_db_wrong_axis.py").read_text()
                      + "\n\ndef softmax_loss(x, y):\n    loss, dx = None, None\n"
                        "    return loss, dx\n")
    submission = Submission(tmp_path / "submission", assignment.answers_file,
                            assignment.code_files, support=assignment.support)
    graded = {test.name: test.output for test in grade(assignment, submission).tests}
    # as a student runs it: in the unpacked handout, the package written in place of the
    # starter's (elsewhere, the handout's own starter package would be imported first)
    own = shutil.copytree(handout, tmp_path / "handout")
    shutil.copytree(tmp_path / "submission" / "cs231n", own / "cs231n", dirs_exist_ok=True)
    checked = selfcheck_items(own, own)
    for face in (graded["affine-backward"], checked["affine-backward"]["message"]):
        assert "`db` (item 3 of the result):" in face, face
    for face in (graded["softmax-loss"], checked["softmax-loss"]["message"]):
        assert "`softmax_loss` is not implemented yet (it returns (None, None))" in face, face
    assert checked["softmax-loss"]["status"] == "unanswered"
