"""Notebooks submitted where a .py file is expected: code cells in order, IPython lines skipped,
and graded through Submission.code_path like the .py file."""

import ast
import json

import pytest

from autograder.engine import grade
from autograder.errors import SubmissionError
from autograder.notebook import notebook_to_python
from autograder.spec import load_assignment
from autograder.submission import Submission
from conftest import PROBLEMS


def notebook(*cells, version=4) -> bytes:
    """A notebook whose cells are ("code" | "markdown", source) pairs."""
    as_cells = [{"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True),
                 **({"outputs": [{"output_type": "stream", "text": ["SECRET OUTPUT"]}],
                     "execution_count": 1} if kind == "code" else {})}
                for kind, source in cells]
    if version == 3:
        as_cells = [{"cell_type": c["cell_type"], "input": c["source"]} for c in as_cells]
        return json.dumps({"nbformat": 3, "worksheets": [{"cells": as_cells}]}).encode()
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": as_cells}).encode()


CELLS = [
    ("markdown", "# HW6\nThis is **prose**, not code."),
    ("code", "%matplotlib inline\nimport numpy as np\n!pip install torch\nnp.sum?"),
    ("code", "def relu(z):\n    \"\"\"Is this right?\"\"\"\n    %time\n"
             "    return np.maximum(z, 0)"),
    ("code", "%%time\nrelu(np.ones(3))"),
    ("code", "files = !ls\nget_ipython().run_line_magic('pwd', '')\nratio = 7 % 3"),
]


@pytest.mark.parametrize("version", [4, 3])
def test_code_cells_become_a_module_that_parses_and_runs(version):
    source, notes = notebook_to_python(notebook(*CELLS, version=version), "hw6.ipynb")
    ast.parse(source)
    namespace = {}
    exec(compile(source, "hw6.py", "exec"), namespace)   # our own test input, not a student's
    assert namespace["relu"](-2.0) == 0 and namespace["ratio"] == 1
    assert "prose" not in source and "SECRET OUTPUT" not in source
    assert "Is this right?" in source                      # docstrings are left alone
    assert source.count("# --- cell") == 4
    assert "skipped 6 IPython line(s)" in notes[0] and "`%matplotlib inline`" in notes[0]
    assert "cell 3 (%%time)" in notes[1]


def test_line_numbers_lead_back_to_cells():
    source, _ = notebook_to_python(notebook(("code", "x = 1"), ("code", "y = (\n")), "hw6.ipynb")
    with pytest.raises(SyntaxError) as caught:
        ast.parse(source)
    assert source.splitlines()[caught.value.lineno - 2] == "# --- cell 2 ---"


@pytest.mark.parametrize("data, words", [
    (b"def f(): pass", "not a Jupyter notebook (it is not JSON)"),
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "not a Jupyter notebook"),
    (b'{"cells": 3}', "has no cells"),
    (b'{"cells": [{"cell_type": "code", "source": 5}]}', "not text"),
    (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
])
def test_what_is_not_a_notebook_is_said_plainly(data, words):
    with pytest.raises(SubmissionError) as caught:
        notebook_to_python(data, "hw6.ipynb")
    assert words in caught.value.message and "hw6.ipynb" in caught.value.message


def test_a_huge_notebook_asks_for_cleared_outputs():
    with pytest.raises(SubmissionError) as caught:
        notebook_to_python(b" " * (21 * 1024 * 1024), "hw6.ipynb")
    assert "Clear Output" in caught.value.message


# -------------------------------------------------------------- graded in place of hw6.py

HW6 = PROBLEMS / "hw6"


@pytest.mark.parametrize("name", ["hw6.ipynb", "hw6 (1).ipynb"])
def test_a_notebook_of_the_solution_gets_full_marks(tmp_path, name):
    solution = (HW6 / "solution" / "hw6.py").read_text()
    (tmp_path / name).write_bytes(notebook(("code", "%matplotlib inline"), ("code", solution)))
    assignment = load_assignment(HW6)
    submission = Submission(tmp_path, assignment.answers_file, assignment.code_files)
    report = grade(assignment, submission)
    assert report.score == assignment.total_points, [t.output for t in report.tests]
    assert any(f"{name} was graded as hw6.py" in note for note in submission.notes)
    assert any("%matplotlib inline" in note for note in submission.notes)
    assert [path.name for path in tmp_path.iterdir()] == [name]   # the student's folder untouched


def test_a_py_file_wins_over_a_notebook_and_two_notebooks_are_ambiguous(tmp_path):
    (tmp_path / "hw6.ipynb").write_bytes(notebook(("code", "x = 1")))
    (tmp_path / "hw6.py").write_text("x = 2\n")
    submission = Submission(tmp_path, "answers.yaml", ("hw6.py",))
    assert submission.code_path("hw6.py").read_text() == "x = 2\n"   # the grader's private copy
    submission.close()
    (tmp_path / "hw6.py").unlink()
    (tmp_path / "hw6 (2).ipynb").write_bytes(notebook(("code", "x = 3")))
    with pytest.raises(SubmissionError) as caught:
        Submission(tmp_path, "answers.yaml", ("hw6.py",)).code_path("hw6.py")
    assert "several files could be it (hw6 (2).ipynb, hw6.ipynb)" in caught.value.message
