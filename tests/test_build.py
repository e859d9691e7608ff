"""`autograder build`: the Gradescope zip run end to end in a simulated /autograder, and the
students' handout, which must carry no answer, key, reference or solution."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder import gradescope, yamlio
from autograder.cli import main
from autograder.gradescope import unpack
from autograder.spec import load_assignment
from autograder.validate import load_key_file, synthesize_key
from conftest import PROBLEMS, load_results, sandbox_protections

QUIZ = PROBLEMS / "nn3-quiz"
STUDENT = {"email": "Alice.Liddell@Example.edu", "id": 4242, "name": "Alice Liddell"}


def unzip_like_gradescope(archive, root):
    """Gradescope unzips the upload into <root>/source, keeping the files' modes."""
    return unpack(archive, root / "source")


@pytest.fixture(scope="module")
def gradescope_zip(tmp_path_factory):
    archive = tmp_path_factory.mktemp("build") / "autograder.zip"
    assert main(["build", str(QUIZ), "--gradescope", "-o", str(archive)]) == 0
    return archive


@pytest.fixture
def autograder_root(tmp_path, gradescope_zip):
    """A fresh container: /autograder with the source unzipped, setup.sh run in its test mode."""
    root = tmp_path / "autograder"
    source = unzip_like_gradescope(gradescope_zip, root)
    setup = subprocess.run(["bash", str(source / "setup.sh")], env=_env(root), cwd=source,
                           capture_output=True, text=True, timeout=60)
    assert setup.returncode == 0, setup.stderr
    (root / "submission").mkdir()
    (root / "submission_metadata.json").write_text(json.dumps({
        "id": 1, "created_at": "2026-11-26T10:00:00Z", "submission_method": "upload",
        "assignment": {"id": 7, "title": "quiz", "total_points": "23.0"},
        "users": [STUDENT], "previous_submissions": []}))
    return root


def _env(root, **extra):
    return {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_SETUP_MODE": "test",
            "AUTOGRADER_PYTHON": sys.executable, **extra}


def run_autograder(root, **extra):
    done = subprocess.run([str(root / "source" / "run_autograder")], env=_env(root, **extra),
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return load_results(root / "results" / "results.json")


def test_zip_layout(gradescope_zip):
    with zipfile.ZipFile(gradescope_zip) as opened:
        names = set(opened.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in opened.infolist()}
    assert {"setup.sh", "run_autograder", "autograder/cli.py", "reference/__init__.py",
            "problems/nn3-quiz/assignment.yaml",
            "problems/nn3-quiz/solution/answers.yaml"} <= names
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert not any("__pycache__" in name or name.startswith(("tests/", "examples/"))
                   for name in names)
    setup = zipfile.ZipFile(gradescope_zip).read("setup.sh").decode()
    # pip 22 on Gradescope's image: plain install, and never the grader into site-packages
    assert "pip3 install --quiet \"numpy>=1.21\" \"pyyaml>=5.4\" \"gradescope-utils>=0.5\"" \
        in setup
    assert "pip3 install -e" not in setup and "--break-system-packages" not in setup


def test_setup_makes_the_source_root_only(autograder_root):
    source = autograder_root / "source"
    for path in [source, *source.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, path


def test_setup_parses_the_spec_once_for_every_run(autograder_root):
    """Even where PYTHONDONTWRITEBYTECODE is set (it is in our CI), as compileall does."""
    source = autograder_root / "source"
    parsed = source / "problems" / "nn3-quiz" / "__pycache__" / "assignment.yaml.json"
    spec = source / "problems" / "nn3-quiz" / "assignment.yaml"
    assert json.loads(parsed.read_text())["sha256"] == yamlio._digest(spec.read_text())


def test_the_students_variant_is_graded_from_gradescope_metadata(autograder_root):
    variant = load_assignment(QUIZ, student=STUDENT["email"].lower())
    key = synthesize_key(variant, load_key_file(QUIZ))
    (autograder_root / "submission" / "answers.yaml").write_text(yaml.safe_dump(key))
    results = run_autograder(autograder_root)
    assert results["score"] == variant.total_points
    assert all(test["status"] == "passed" for test in results["tests"])
    # the default variant's key is wrong for this student's own numbers
    default = synthesize_key(load_assignment(QUIZ), load_key_file(QUIZ))
    assert default["chain-number"] != key["chain-number"]


def test_a_blank_submission_scores_zero_with_a_message(autograder_root):
    results = run_autograder(autograder_root)
    assert results["score"] == 0
    assert "answers.yaml was not found" in results["output"]


@pytest.mark.parametrize("python, timeout, words", [
    ("/bin/false", "60", "could not run (exit status 1)"),
    (None, "1", "longer than the time limit"),
])
def test_results_json_is_written_even_when_the_grader_cannot_run(autograder_root, tmp_path,
                                                                 python, timeout, words):
    if python is None:
        python = tmp_path / "slow-python"
        python.write_text("#!/bin/sh\nsleep 30\n")
        python.chmod(0o755)
    results = run_autograder(autograder_root, AUTOGRADER_PYTHON=str(python),
                             AUTOGRADER_TIMEOUT=timeout)
    assert results["score"] == 0
    assert words in results["output"] and results["tests"][0]["status"] == "failed"


def test_metadata_identity(tmp_path):
    from autograder.submission import student_from_metadata
    from autograder.errors import SubmissionError
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps({"users": [{"email": "Bob@x.org", "id": 2},
                                          {"email": "amy@x.org", "id": 9}]}))
    assert student_from_metadata(path) == "amy@x.org"   # a group: the same whatever the order
    path.write_text(json.dumps({"users": [{"email": "", "id": 17}]}))
    assert student_from_metadata(path) == "17"
    for broken in ("{", json.dumps({"users": "me"}), json.dumps({"users": [{}]})):
        path.write_text(broken)
        with pytest.raises(SubmissionError):
            student_from_metadata(path)


def test_build_refuses_a_broken_spec(tmp_path, capsys):
    broken = tmp_path / "nn3-quiz"
    shutil.copytree(QUIZ, broken)
    spec = broken / "assignment.yaml"
    spec.write_text(spec.read_text().replace("    answer: C\n", "    answer: F\n"))
    assert main(["build", str(broken), "--gradescope", "-o", str(tmp_path / "a.zip")]) == 2
    assert "'F' is not one of the choices" in capsys.readouterr().err
    assert not (tmp_path / "a.zip").exists()


# ------------------------------------------------------------------------------------ HW6 (code)

HW6 = PROBLEMS / "hw6"
THEFT = """

# Appended by the test: full marks only if the grader's source could NOT be read.
try:
    with open({secret!r}) as _stolen_file:
        _stolen = bool(_stolen_file.read(1))
except OSError:
    _stolen = False
_honest_diagnose = diagnose


def diagnose(*args, **kwargs):
    return "stolen" if _stolen else _honest_diagnose(*args, **kwargs)
"""


@pytest.fixture
def hw6_root(tmp_path_factory):
    """A simulated /autograder for HW6 in a folder everyone may traverse, as / is on Gradescope,
    so that only setup.sh's permissions stand between student code and the grader's files."""
    archive = tmp_path_factory.mktemp("build") / "autograder.zip"
    assert main(["build", str(HW6), "--gradescope", "-o", str(archive)]) == 0
    outer = tempfile.mkdtemp(prefix="autograder-e2e-", dir="/tmp")
    os.chmod(outer, 0o755)
    root = Path(outer) / "autograder"
    source = unzip_like_gradescope(archive, root)
    setup = subprocess.run(["bash", str(source / "setup.sh")], env=_env(root), cwd=source,
                           capture_output=True, text=True, timeout=60)
    assert setup.returncode == 0, setup.stderr
    (root / "submission").mkdir()
    (root / "submission_metadata.json").write_text(json.dumps({"users": [STUDENT]}))
    yield root
    shutil.rmtree(outer)


def test_hw6_solution_gets_full_marks_through_the_zip(hw6_root):
    shutil.copy(HW6 / "solution" / "hw6.py", hw6_root / "submission" / "hw6.py")
    results = run_autograder(hw6_root)
    assert results["score"] == load_assignment(HW6).total_points
    assert all(test["status"] == "passed" for test in results["tests"])


@pytest.mark.skipif(os.geteuid() != 0, reason="student code drops privileges only under root")
def test_student_code_cannot_read_the_graders_files(hw6_root):
    secret = hw6_root / "source" / "problems" / "hw6" / "solution" / "hw6.py"
    thief = (HW6 / "solution" / "hw6.py").read_text() + THEFT.format(secret=str(secret))
    (hw6_root / "submission" / "hw6.py").write_text(thief)
    diagnose = next(t for t in run_autograder(hw6_root)["tests"] if t["name"] == "diagnose")
    assert diagnose["status"] == "passed", diagnose["output"]
    # Without setup.sh's chmod: a private root still hides the solution; without one (the
    # fallback, as in a container that forbids namespaces) the grader refuses to grade.
    subprocess.run(["chmod", "-R", "o+rX", str(hw6_root / "source")], check=True)
    if sandbox_protections()["private root (mount namespace)"] == "active":
        diagnose = next(t for t in run_autograder(hw6_root)["tests"] if t["name"] == "diagnose")
        assert diagnose["status"] == "passed", diagnose["output"]
    else:  # this machine has no private root (a chroot): its own grade is the fallback's
        refused = run_autograder(hw6_root)
        assert "refusing to grade" in json.dumps(refused) and refused["score"] == 0
    refused = run_autograder(hw6_root, AUTOGRADER_SANDBOX_ISOLATION="0")
    assert "refusing to grade" in json.dumps(refused) and refused["score"] == 0


# ------------------------------------------------------- files a spec names, and the zip's proof

def hw6_with_shared_checks(tmp_path):
    """HW6 as one assignment of a course whose checks live in a folder of their own beside it:
    course/hw6/assignment.yaml names ../shared/checks.py."""
    course = tmp_path / "course"
    shutil.copytree(HW6, course / "hw6", ignore=shutil.ignore_patterns("__pycache__"))
    (course / "shared").mkdir()
    (course / "hw6" / "checks.py").rename(course / "shared" / "checks.py")
    spec = course / "hw6" / "assignment.yaml"
    spec.write_text(spec.read_text().replace("check: checks.py:", "check: ../shared/checks.py:"))
    return course / "hw6"


def test_a_check_outside_the_assignment_folder_is_packed_where_the_spec_finds_it(tmp_path):
    archive = tmp_path / "autograder.zip"
    assert main(["build", str(hw6_with_shared_checks(tmp_path)), "--gradescope",
                 "-o", str(archive)]) == 0          # and verified: full marks through the zip
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
        run = opened.read("run_autograder").decode()
    assert {"problems/course/shared/checks.py", "problems/course/hw6/assignment.yaml",
            "problems/course/hw6/solution/hw6.py"} <= names
    assert "problems/course/hw6/checks.py" not in names
    assert "grade \\\n        problems/course/hw6 " in run


def test_a_module_gradescope_could_not_import_is_refused_at_its_key(tmp_path, monkeypatch,
                                                                   capsys):
    """`mylib.refs:sigmoid` loads here (mylib is on this machine's path), not on Gradescope."""
    (tmp_path / "lib" / "mylib").mkdir(parents=True)
    (tmp_path / "lib" / "mylib" / "__init__.py").write_text("")
    (tmp_path / "lib" / "mylib" / "refs.py").write_text("from reference import sigmoid\n")
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    folder = tmp_path / "hw6"
    shutil.copytree(HW6, folder, ignore=shutil.ignore_patterns("__pycache__"))
    spec = folder / "assignment.yaml"
    text = spec.read_text()
    spec.write_text(text.replace("    function: sigmoid\n",
                                 "    function: sigmoid\n    reference: mylib.refs:sigmoid\n", 1))
    line = text[:text.index("    function: sigmoid\n")].count("\n") + 2
    load_assignment(folder)   # the spec itself is fine here
    assert main(["build", str(folder), "--gradescope", "-o", str(tmp_path / "a.zip")]) == 2
    error = capsys.readouterr().err
    assert f"assignment.yaml:{line}: reference: module 'mylib.refs' is not in the Gradescope zip" \
        in error and "refs.py:sigmoid" in error
    assert not (tmp_path / "a.zip").exists()


def test_a_module_of_the_support_files_may_be_named(tmp_path):
    """Support files are shipped and importable in the grader, so `cs231n.shapes:f` is fine."""
    folder = tmp_path / "cs231n"
    shutil.copytree(PROBLEMS / "cs231n", folder, ignore=shutil.ignore_patterns("__pycache__"))
    spec = folder / "assignment.yaml"
    text = spec.read_text()
    named = text.replace("reference: layers_reference.py:affine_forward",
                         "reference: cs231n.shapes:flatten_batch", 1)
    assert named != text
    spec.write_text(named)
    inside, files = gradescope.course_files(load_assignment(folder))
    assert inside == "problems/cs231n" and "problems/cs231n/cs231n/shapes.py" in files


def test_a_zip_missing_its_check_file_is_refused_by_its_own_verification(tmp_path, monkeypatch,
                                                                        capsys):
    packed = gradescope.course_files

    def forgetful(assignment):   # a packer with the bug the issue found: ../checks.py left out
        inside, files = packed(assignment)
        return inside, {name: path for name, path in files.items()
                        if not name.endswith("checks.py")}
    monkeypatch.setattr(gradescope, "course_files", forgetful)
    archive = tmp_path / "autograder.zip"
    assert main(["build", str(hw6_with_shared_checks(tmp_path)), "--gradescope",
                 "-o", str(archive)]) == 2
    error = capsys.readouterr().err
    assert "the zip does not grade the solution right" in error and "scores 0 / 27" in error
    assert "checks.py" in error and not archive.exists()
    assert main(["build", str(hw6_with_shared_checks(tmp_path / "again")), "--gradescope",
                 "--no-verify", "-o", str(archive)]) == 0
    assert archive.exists()


def test_a_solution_that_loses_points_through_the_zip_fails_the_build(tmp_path, capsys):
    folder = tmp_path / "hw6"
    shutil.copytree(HW6, folder, ignore=shutil.ignore_patterns("__pycache__"))
    solution = folder / "solution" / "hw6.py"
    solution.write_text(solution.read_text().replace("return dout * mask / (1.0 - p)",
                                                     "return dout * mask"))
    assert main(["build", str(folder), "--gradescope", "-o", str(tmp_path / "a.zip")]) == 2
    error = capsys.readouterr().err
    # dropout_backward, and loss_and_grads, whose backward pass uses it
    assert "scores 25 / 27 (dropout-backward: `dropout_backward(dout, mask, p = 0.4)`" in error
    assert not (tmp_path / "a.zip").exists()


def test_an_assignment_that_extends_another_ships_the_base_and_its_checks(tmp_path):
    """cs231n-drop extends ../cs231n and names ../cs231n/checks.py: both folders are shipped
    side by side, as here, and the zip proves itself on cs231n-drop's solution."""
    archive = tmp_path / "autograder.zip"
    assert main(["build", str(PROBLEMS / "cs231n-drop"), "--gradescope", "-o", str(archive)]) == 0
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
        run = opened.read("run_autograder").decode()
    assert {"problems/cs231n-drop/assignment.yaml", "problems/cs231n/assignment.yaml",
            "problems/cs231n/checks.py", "problems/cs231n/cs231n/__init__.py"} <= names
    assert "grade \\\n        problems/cs231n-drop " in run
