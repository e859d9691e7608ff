"""A spec's parsed form (yamlio: __pycache__/<name>.json): the same tree as parsing the YAML,
used only when made from the very text, and a grade that has it never imports PyYAML."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import yamlio
from autograder.errors import SpecError
from autograder.spec import load_assignment
from autograder.yamlio import Node, load_spec_file
from conftest import PROBLEMS, ROOT

SPECS = sorted(PROBLEMS.glob("*/assignment.yaml"))


@pytest.fixture
def writes_parsed(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def same_tree(left, right, where="") -> None:
    """Equal values of equal types, Nodes with the same file, line and line of every key."""
    assert type(left) is type(right), where
    if isinstance(left, Node):
        assert (left.file, left.line, left.key_lines, left.key_files) == \
            (right.file, right.line, right.key_lines, right.key_files), where
        assert list(left) == list(right), where
        for key in left:
            same_tree(left[key], right[key], f"{where}.{key}")
    elif isinstance(left, list):
        assert len(left) == len(right), where
        for index, (a, b) in enumerate(zip(left, right)):
            same_tree(a, b, f"{where}[{index}]")
    else:
        assert left == right or (left != left and right != right), where  # nan is nan


def parse_both(path: Path) -> tuple:
    """(the tree parsed from the YAML, the tree read from the parsed form it left)."""
    parsed = yamlio._parsed_path(path)
    parsed.unlink(missing_ok=True)
    from_yaml = load_spec_file(path)
    assert parsed.is_file(), f"{path}: no parsed form written"
    return from_yaml, load_spec_file(path)


@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.parent.name)
def test_every_shipped_spec_reads_back_as_the_same_tree(spec, tmp_path, writes_parsed):
    copy = tmp_path / spec.parent.name / spec.name
    copy.parent.mkdir()
    shutil.copy(spec, copy)
    from_yaml, from_parsed = parse_both(copy)
    same_tree(from_yaml, from_parsed)


def test_keys_and_values_json_has_no_form_for_keep_their_types(tmp_path, writes_parsed):
    spec = tmp_path / "assignment.yaml"
    spec.write_text("7: seven\n2.5: two and a half\ntrue: yes\nnone: ~\nbig: 12345678901234567890\n"
                    "tiny: 1e-300\ninf: .inf\nnan: .nan\nnested:\n  - {a: 1}\n  - [x, 2.0]\n"
                    "text: 'caf\u00e9 \u2207'\n", encoding="utf-8")
    from_yaml, from_parsed = parse_both(spec)
    same_tree(from_yaml, from_parsed)
    assert list(from_parsed) == [7, 2.5, True, "none", "big", "tiny", "inf", "nan", "nested",
                                 "text"]
    assert from_parsed.key_lines["nested"] == 9 and from_parsed["nested"][0].line == 10


def test_a_changed_spec_is_parsed_again_and_its_new_form_kept(tmp_path, writes_parsed):
    spec = tmp_path / "assignment.yaml"
    spec.write_text("points: 1\n")
    assert load_spec_file(spec)["points"] == 1
    spec.write_text("# a comment moves the key\npoints: 2\n")
    tree = load_spec_file(spec)
    assert tree["points"] == 2 and tree.key_lines["points"] == 2
    assert yamlio._read_parsed(yamlio._parsed_path(spec), yamlio._digest(spec.read_text()),
                               str(spec))["points"] == 2


@pytest.mark.parametrize("damage", ["not json", '{"format": 1}', "[1, 2]",
                                    '{"format": 99, "sha256": "", "tree": {}}'])
def test_a_damaged_or_foreign_parsed_form_is_ignored(tmp_path, writes_parsed, damage):
    spec = tmp_path / "assignment.yaml"
    spec.write_text("points: 3\n")
    parsed = yamlio._parsed_path(spec)
    parsed.parent.mkdir()
    parsed.write_text(damage)
    assert load_spec_file(spec)["points"] == 3


def test_a_second_load_reads_the_parsed_form(tmp_path, writes_parsed):
    """Proved by a parsed form altered behind the loader's back (what keeps it honest is the
    digest of the text, checked above): its value is the one a second load returns."""
    spec = tmp_path / "assignment.yaml"
    spec.write_text("points: 3\n")
    load_spec_file(spec)
    parsed = yamlio._parsed_path(spec)
    parsed.write_text(parsed.read_text().replace('["points", 1, 3]', '["points", 1, 4]'))
    assert load_spec_file(spec)["points"] == 4


def test_aliases_dates_and_errors_are_never_kept(tmp_path, writes_parsed):
    aliased = tmp_path / "aliased" / "assignment.yaml"
    dated = tmp_path / "dated" / "assignment.yaml"
    broken = tmp_path / "broken" / "assignment.yaml"
    for path, text in ((aliased, "a: &shared {x: 1}\nb: *shared\n"),
                       (dated, "due: 2026-12-07\n"), (broken, "a: [1\n")):
        path.parent.mkdir()
        path.write_text(text)
    tree = load_spec_file(aliased)
    assert tree["b"] is tree["a"]
    assert str(load_spec_file(dated)["due"]) == "2026-12-07"
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec_file(broken)
    for path in (aliased, dated, broken):
        assert not yamlio._parsed_path(path).exists(), path


def test_pythondontwritebytecode_writes_no_parsed_form(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    spec = tmp_path / "assignment.yaml"
    spec.write_text("points: 1\n")
    assert load_spec_file(spec)["points"] == 1
    assert not (tmp_path / "__pycache__").exists()


def test_a_grade_with_parsed_specs_never_imports_pyyaml(tmp_path):
    """HW6 (code only) graded by the CLI as run_autograder runs it, once the spec is parsed."""
    assignment = tmp_path / "hw6"
    shutil.copytree(PROBLEMS / "hw6", assignment,
                    ignore=shutil.ignore_patterns("__pycache__", "grading-secret.txt"))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    imported = []
    for _ in range(2):   # the first grade parses the YAML and keeps its parsed form
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "autograder", "grade",
                               str(assignment), str(PROBLEMS / "hw6" / "solution"), "--quiet",
                               "--results", str(tmp_path / "r.json")],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        imported.append({line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                         if line.startswith("import time:")})
    assert "yaml" in imported[0] and "numpy" in imported[1]
    assert "yaml" not in imported[1]
    assert (assignment / "__pycache__" / "assignment.yaml.json").is_file()


def test_where_the_parsed_form_cannot_be_written_the_spec_still_loads(tmp_path, writes_parsed):
    (tmp_path / "__pycache__").write_text("a file where the folder would go")
    spec = tmp_path / "assignment.yaml"
    spec.write_text("points: 5\n")
    assert load_spec_file(spec)["points"] == 5
    assert sorted(path.name for path in tmp_path.iterdir()) == ["__pycache__", "assignment.yaml"]


def test_code_questions_loaded_twice_are_the_same():
    """Where a case stands in the spec (its SpecError, kept for messages) is not part of the
    case: two loads of HW6, whose questions are all code, give equal questions."""
    first, second = load_assignment(PROBLEMS / "hw6"), load_assignment(PROBLEMS / "hw6")
    assert first.questions == second.questions
