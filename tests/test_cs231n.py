"""problems/cs231n and cs231n-drop, the CS231n-style layers assignment, against its corpus.

A submission is a package (cs231n/layers.py and cs231n/layer_utils.py) that imports the course's
support modules; cs231n-drop extends cs231n. Every correct variant (tests/corpus/cs231n/correct)
gets full marks; every buggy file (one bug each, in place of the file its docstring names) loses
exactly the items its docstring lists and nothing else.
"""

import ast
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from autograder.engine import grade
from autograder.handout import build_handout
from autograder.spec import load_assignment
from autograder.submission import Submission
from autograder.validate import validate

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "problems" / "cs231n"
DROP = ROOT / "problems" / "cs231n-drop"
CORPUS = Path(__file__).resolve().parent / "corpus" / "cs231n"
SOLUTIONS = {BASE: BASE / "solution", DROP: DROP / "solution"}


def scores(assignment_folder: Path, submission_folder: Path) -> tuple:
    """({item: fraction of its points}, the report)."""
    assignment = load_assignment(assignment_folder)
    submission = Submission(submission_folder, assignment.answers_file, assignment.code_files,
                            support=assignment.support)
    report = grade(assignment, submission)
    return {test.name: test.score / test.max_score for test in report.tests}, report


def solution_with(tmp_path: Path, assignment_folder: Path, replacement: Path | None = None,
                  file: str = "") -> Path:
    """A submission folder: the assignment's solution, with `file` replaced by `replacement`."""
    folder = tmp_path / "submission"
    shutil.copytree(SOLUTIONS[assignment_folder], folder)
    if not (folder / "cs231n" / "layer_utils.py").exists():   # cs231n-drop uses the base's
        shutil.copy(BASE / "solution" / "cs231n" / "layer_utils.py", folder / "cs231n")
    if replacement is not None:
        shutil.copy(replacement, folder / file)
    return folder


def declared(path: Path) -> tuple:
    """(the file a buggy submission replaces, the items it must lose), from its docstring."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    file = re.search(r"^File: (\S+)$", doc, re.MULTILINE).group(1)
    loses = re.search(r"^Loses: (.+)$", doc, re.MULTILINE).group(1)
    return file, {item.strip() for item in loses.split(",")}


@pytest.mark.parametrize("assignment_folder", [BASE, DROP], ids=["cs231n", "cs231n-drop"])
def test_validate_passes(assignment_folder):
    result = validate(assignment_folder)
    assert result.ok, [(item.id, item.problems) for item in result.items if item.problems]


@pytest.mark.parametrize("variant", sorted(p.name for p in (CORPUS / "correct").iterdir()))
def test_correct_variants_get_full_marks(variant):
    fractions, report = scores(BASE, CORPUS / "correct" / variant)
    assert set(fractions.values()) == {1.0}, [(t.name, t.output) for t in report.tests
                                              if t.score < t.max_score]


def test_a_flat_upload_is_graded_as_the_package_with_a_note():
    _, report = scores(BASE, CORPUS / "correct" / "flat")
    assert any("your layers.py was graded as cs231n/layers.py" in note for note in report.notes)
    assert any("your layer_utils.py was graded as cs231n/layer_utils.py" in note
               for note in report.notes)


@pytest.mark.parametrize("variant", sorted(p.name for p in (CORPUS / "correct_drop").iterdir()))
def test_correct_variants_of_the_drop_assignment_get_full_marks(variant):
    fractions, report = scores(DROP, CORPUS / "correct_drop" / variant)
    assert set(fractions.values()) == {1.0}, [(t.name, t.output) for t in report.tests
                                              if t.score < t.max_score]


@pytest.mark.parametrize("assignment_folder, corpus", [(BASE, "buggy"), (DROP, "buggy_drop")],
                         ids=["cs231n", "cs231n-drop"])
def test_each_buggy_file_loses_exactly_what_it_names(tmp_path, assignment_folder, corpus):
    failures = []
    for path in sorted((CORPUS / corpus).glob("*.py")):
        file, loses = declared(path)
        fractions, report = scores(assignment_folder,
                                   solution_with(tmp_path / path.stem, assignment_folder, path,
                                                 file))
        assert loses <= set(fractions), f"{path.name} names items that do not exist"
        lost = {item for item, fraction in fractions.items() if fraction < 1}
        if lost != loses:
            failures.append(f"{path.name}: lost {sorted(lost)}, expected {sorted(loses)}: " + " | ".join(
                t.output for t in report.tests if t.name in lost ^ loses))
    assert not failures, "\n".join(failures)


def test_the_variants_differ_only_in_what_p_means(tmp_path):
    """Each solution, graded by the other variant, loses dropout-train-mode and nothing else."""
    for solution_of, graded_by in ((BASE, DROP), (DROP, BASE)):
        fractions, report = scores(graded_by, solution_with(tmp_path / solution_of.name,
                                                            solution_of))
        assert {item for item, f in fractions.items() if f < 1} == {"dropout-train-mode"}
        feedback = next(t.output for t in report.tests if t.name == "dropout-train-mode")
        assert "since p is the probability of" in feedback


def test_the_drop_variant_extends_the_base():
    base, drop = load_assignment(BASE), load_assignment(DROP)
    assert [q.id for q in drop.questions] == [q.id for q in base.questions]
    replaced = {q.id for q in drop.questions if Path(q.file).parent == DROP}
    assert replaced == {"dropout-train-mode"}
    assert drop.support == base.support and drop.code_files == base.code_files


def test_a_backward_item_names_the_backward_function_and_runs_after_the_students_forward(
        tmp_path):
    buggy = CORPUS / "buggy" / "affine_db_wrong_axis.py"
    _, report = scores(BASE, solution_with(tmp_path, BASE, buggy, "cs231n/layers.py"))
    output = next(t.output for t in report.tests if t.name == "affine-backward")
    assert "`affine_backward` after `affine_forward` on images of shape (3, 2, 5)" in output


def test_the_handout_ships_the_starters_and_support_package_but_no_instructor_files(tmp_path):
    names = build_handout(DROP, tmp_path / "handout.zip")
    assert {"cs231n/layers.py", "cs231n/layer_utils.py", "cs231n/__init__.py",
            "cs231n/shapes.py", "cs231n/gradient_check.py"} <= set(names)
    # A visible check's file ships with the self-check, which runs it too; nothing else does.
    assert not [name for name in names if "reference" in name or name.startswith("solution")
                or ("checks" in name and name != "selfcheck/assignment/checks.py")]
    with zipfile.ZipFile(tmp_path / "handout.zip") as archive:
        starter = archive.read("cs231n-drop/cs231n/layers.py").decode()
        assert "probability of DROPPING" in starter and "raise NotImplementedError" in starter
        assert archive.read("cs231n-drop/cs231n/shapes.py") == \
            (BASE / "cs231n" / "shapes.py").read_bytes()


def test_instructor_checks_import_only_the_public_check_api():
    for checks in (BASE / "checks.py", ROOT / "problems" / "hw6" / "checks.py"):
        tree = ast.parse(checks.read_text(encoding="utf-8"))
        grader_imports = {node.module for node in ast.walk(tree)
                          if isinstance(node, ast.ImportFrom) and node.module
                          and node.module.startswith("autograder")}
        grader_imports |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                           for alias in node.names if alias.name.startswith("autograder")}
        assert grader_imports == {"autograder.check_api"}, checks
