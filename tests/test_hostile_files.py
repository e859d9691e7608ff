"""Submissions whose files are not files: links to the solution or to /etc/shadow, a FIFO, a
device, a folder, a huge file, an export with links and names that lead outside it; and code
whose values are right but not real numbers in a plain array (complex, objects, subclasses).

Each is graded through the real CLI, as root when the tests are (as Gradescope runs us), and must
get 0 for what needs the file, a message that says what it is, and nothing of what it points at
(tests/corpus/hostile_files/README.md).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import untrusted
from conftest import PROBLEMS, ROOT, load_results

CORPUS = ROOT / "tests" / "corpus" / "hostile_files"
HW6, QUIZ = PROBLEMS / "hw6", PROBLEMS / "nn3-quiz"
SOLUTION = HW6 / "solution" / "hw6.py"
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mknod, /etc/shadow)")


def autograder(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def secret_lines() -> list:
    """Lines that must never reach a student: the solution's code, the quiz's key, /etc/shadow."""
    lines = [line.strip() for path in (SOLUTION, QUIZ / "solution" / "answers.yaml")
             for line in path.read_text().splitlines()]
    secrets = [line for line in lines if len(line) >= 20 and not line.startswith(("#", '"""'))]
    try:
        secrets += [line for line in Path("/etc/shadow").read_text().splitlines() if len(line) > 8]
    except OSError:  # not root: then the grader cannot read it either
        pass
    return secrets


def assert_nothing_leaked(*texts):
    found = [line for line in secret_lines() if any(line in text for text in texts)]
    assert not found, found[:3]


def grade(assignment, folder, tmp_path):
    """(results.json as a dict, its raw text, the CLI's stdout) for `autograder grade`."""
    results = tmp_path / "results.json"
    done = autograder("grade", assignment, folder, "--results", results)
    assert done.returncode == 0, done.stderr
    return load_results(results), results.read_text(encoding="utf-8"), done.stdout


@pytest.mark.parametrize("folder, what", [
    ("solution_link", "is a symbolic link"),
    ("shadow_link", "is a symbolic link"),
    ("folder_named_hw6", "is a folder"),
])
def test_hw6_py_that_is_not_a_file_scores_zero_and_says_what_it_is(tmp_path, folder, what):
    assert os.path.lexists(CORPUS / folder / "hw6.py")
    results, text, stdout = grade(HW6, CORPUS / folder, tmp_path)
    assert results["score"] == 0
    assert all(test["output"] == f"hw6.py {what}; submit the file itself"
               for test in results["tests"])
    assert_nothing_leaked(text, stdout)


@ROOT_ONLY
@pytest.mark.parametrize("make, what", [
    (lambda path: os.mkfifo(path), "is a named pipe (FIFO)"),
    (lambda path: os.mknod(path, 0o666 | 0o020000, os.makedev(1, 5)), "is a device"),
])
def test_a_fifo_or_a_device_as_hw6_py_is_never_opened(tmp_path, make, what):
    folder = tmp_path / "submission"
    folder.mkdir()
    make(folder / "hw6.py")
    results, text, _ = grade(HW6, folder, tmp_path)   # a FIFO opened for reading would block
    assert results["score"] == 0
    assert all(test["output"] == f"hw6.py {what}; submit the file itself"
               for test in results["tests"])


def test_a_huge_file_is_read_only_up_to_its_cap(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    with open(folder / "hw6.py", "wb") as out:   # sparse: the size without the disk
        out.truncate(untrusted.MAX_CODE_BYTES + 1)
    results, _, _ = grade(HW6, folder, tmp_path)
    assert results["score"] == 0
    assert f"hw6.py is more than {untrusted.MAX_CODE_BYTES:,} bytes" in results["tests"][0]["output"]


def test_a_notebook_that_is_a_link_is_not_followed(tmp_path):
    results, text, stdout = grade(HW6, CORPUS / "notebook_link", tmp_path)
    assert results["score"] == 0
    assert results["tests"][0]["output"] == "hw6.ipynb is a symbolic link; submit the file itself"
    assert_nothing_leaked(text, stdout)


def test_answers_yaml_that_is_a_link_to_the_key_scores_zero(tmp_path):
    results, text, stdout = grade(QUIZ, CORPUS / "answers_link", tmp_path)
    assert results["score"] == 0
    assert "answers.yaml is a symbolic link; submit the file itself" in results["output"]
    assert_nothing_leaked(text, stdout)


def test_a_renamed_upload_that_is_a_link_is_named_in_the_message(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "hw6 (1).py").symlink_to(SOLUTION)
    results, text, _ = grade(HW6, folder, tmp_path)
    assert results["score"] == 0
    assert results["tests"][0]["output"] == "hw6 (1).py is a symbolic link; submit the file itself"
    assert_nothing_leaked(text)


def test_regrade_refuses_links_and_names_that_lead_outside_the_export(tmp_path):
    out = tmp_path / "out"
    done = autograder("regrade", QUIZ, CORPUS / "export", "-o", out, "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert "submission_metadata.yml is a symbolic link, which is never followed" in done.stderr
    assert "submission_2 is refused, not graded: it is a symbolic link" in done.stderr
    assert "submission_.. is refused, not graded" in done.stderr
    assert "2 folder(s) of the export refused" in done.stdout
    assert sorted(path.name for path in out.iterdir() if path.is_dir()) == ["1", "3"]
    assert not (tmp_path / "results.json").exists()          # what submission_.. would write
    honest, linked = (load_results(out / name / "results.json") for name in ("1", "3"))
    assert honest["score"] == sum(test["max_score"] for test in honest["tests"])
    assert linked["score"] == 0
    assert "answers.yaml is a symbolic link; submit the file itself" in linked["output"]
    assert_nothing_leaked(*(path.read_text(errors="replace") for path in out.rglob("*")
                            if path.is_file()), done.stdout, done.stderr)


def test_a_folder_on_the_way_to_a_file_is_not_followed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "hw6.py").write_text("x = 1\n")
    (tmp_path / "src").symlink_to(tmp_path / "real")
    with pytest.raises(untrusted.NotAFile, match="src is a symbolic link; submit the folder"):
        untrusted.read_file(tmp_path, "src/hw6.py", 100)
    assert untrusted.read_file(tmp_path, "real/hw6.py", 100) == b"x = 1\n"
    with pytest.raises(untrusted.FileTooLarge):
        untrusted.read_file(tmp_path, "real/hw6.py", 5)
    assert untrusted.read_file(tmp_path, "real/hw6.py", 6) == b"x = 1\n"


def test_a_file_swapped_for_a_link_after_the_check_is_still_refused(tmp_path, monkeypatch):
    """The mode is checked again on the open descriptor, and the open does not follow."""
    (tmp_path / "hw6.py").write_text("x = 1\n")
    real_stat = os.stat

    def swap_after_stat(*args, **kwargs):
        info = real_stat(*args, **kwargs)
        if args and args[0] == "hw6.py":
            os.unlink(tmp_path / "hw6.py")
            os.symlink(SOLUTION, tmp_path / "hw6.py")
        return info

    monkeypatch.setattr(os, "stat", swap_after_stat)
    with pytest.raises(untrusted.NotAFile, match="hw6.py is a symbolic link"):
        untrusted.read_file(tmp_path, "hw6.py", 1 << 20)


def test_the_fingerprint_of_a_link_is_what_it_is_not_its_target(tmp_path):
    from autograder.regrade import _fingerprint
    folder = tmp_path / "submission"
    folder.mkdir()
    target = tmp_path / "target.py"
    target.write_text("one\n")
    (folder / "hw6.py").symlink_to(target)
    before = _fingerprint("spec", "ada", folder)
    target.write_text("two\n")
    assert _fingerprint("spec", "ada", folder) == before
    (folder / "hw6.py").unlink()
    shutil.copy(target, folder / "hw6.py")
    assert _fingerprint("spec", "ada", folder) != before


@pytest.mark.parametrize("source, words", [
    ("complex_return", {"sigmoid": "returned complex numbers", "cross-entropy": "a complex number",
                        "predict": "returned complex numbers"}),
    ("object_array", {"sigmoid": "got a numpy array of dtype object",
                      "cross-entropy": "got a numpy array of dtype object"}),
    ("ndarray_subclass", {"sigmoid": "got a matrix (a subclass of numpy.ndarray)",
                          "cross-entropy": "got a MaskedArray (a subclass of numpy.ndarray)",
                          "predict": "got a _ArrayLike"}),
])
def test_right_values_that_are_not_plain_real_arrays_fail_with_a_reason(tmp_path, source, words):
    """Each file computes every value correctly, then returns it in a form no check compares."""
    folder = tmp_path / "submission"
    folder.mkdir()
    shutil.copy(ROOT / "tests" / "corpus" / "hw6" / "hostile" / f"{source}.py", folder / "hw6.py")
    results, _, _ = grade(HW6, folder, tmp_path)
    assert results["score"] == 0
    by_id = {test["name"]: test["output"] for test in results["tests"]}
    for item, expected in words.items():
        assert expected in by_id[item], by_id[item]


def test_lone_surrogates_in_output_and_values_still_give_valid_utf8_results(tmp_path):
    source = ROOT / "tests" / "corpus" / "hw6" / "hostile" / "lone_surrogates.py"
    folder = tmp_path / "submission"
    folder.mkdir()
    shutil.copy(source, folder / "hw6.py")
    results, text, stdout = grade(HW6, folder, tmp_path)
    raw = (tmp_path / "results.json").read_bytes()
    raw.decode("utf-8")                                   # strict: valid UTF-8
    assert "\\ud" not in text.replace("\\\\ud", "")     # no JSON escape of a lone surrogate
    by_id = {test["name"]: test for test in results["tests"]}
    assert "ValueError: \\udc80 bad \\udfff" in by_id["relu-grad"]["output"]   # shown as text
    assert {name for name, test in by_id.items() if test["score"] < test["max_score"]} == {
        "relu", "relu-grad", "diagnose"}
    assert "relu-grad" in stdout


@pytest.mark.parametrize("folder, words", [
    ("deep_answers", "nested more than 64 levels deep"),          # libyaml crashed on it
    ("laughing_answers", "more than 100,000 values once its aliases are expanded"),
])
def test_answers_that_expand_beyond_the_caps_are_refused(tmp_path, folder, words):
    results, _, _ = grade(QUIZ, CORPUS / folder, tmp_path)
    assert results["score"] == 0
    assert f"answers.yaml is too complex to read: {words}" in results["output"]


def test_export_metadata_is_read_under_the_same_caps(tmp_path):
    """A billion laughs in submission_metadata.yml would take the regrade's memory and time."""
    out = tmp_path / "out"
    done = autograder("regrade", QUIZ, CORPUS / "metadata_bomb", "-o", out, "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert "submission_metadata.yml could not be read (more than 4,000,000 values" in done.stderr
    results = load_results(out / "1" / "results.json")
    assert results["score"] == sum(test["max_score"] for test in results["tests"])


def test_a_submitted_folder_that_is_a_link_to_the_solution_is_not_followed(tmp_path):
    """cs231n/ is a link to problems/cs231n/solution/cs231n: every file under it is refused."""
    results, text, stdout = grade(PROBLEMS / "cs231n", CORPUS / "folder_link", tmp_path)
    assert results["score"] == 0
    assert {test["output"] for test in results["tests"]} == {
        "cs231n is a symbolic link; submit the folder itself"}
    solution = [line.strip() for path in (PROBLEMS / "cs231n" / "solution").rglob("*.py")
                for line in path.read_text().splitlines() if len(line.strip()) >= 30]
    assert not [line for line in solution if line in text or line in stdout]
