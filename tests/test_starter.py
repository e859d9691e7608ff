"""One solution file: the starter generated from its BEGIN/END SOLUTION and HIDDEN markers, the
rule when a hand-written starter exists too, and HW6 built that way."""

import ast
import shutil
import textwrap

import pytest

from autograder.cli import main
from autograder.errors import SpecError
from autograder.starter import generate_starter, starter_files
from conftest import PROBLEMS

HW6 = PROBLEMS / "hw6"

MARKED = textwrap.dedent('''\
    """Module docstring for students."""
    import numpy as np
    # BEGIN HIDDEN
    from secret_helpers import trick   # instructors only
    # END HIDDEN


    def softmax(F):
        """Row-wise softmax. F: (N, K) -> (N, K)."""
        # BEGIN SOLUTION
        shifted = F - F.max(axis=1, keepdims=True)
        return np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        # END SOLUTION


    class Layer:
        def forward(self, X):
            """X: (N, D)."""
            out = X.copy()
            # BEGIN SOLUTION
            out[out < 0] = 0
            # END SOLUTION
            return out


    def text():
        """A marker inside a string is text."""
        return """
    # BEGIN SOLUTION
    """
    ''')


def test_solution_blocks_become_raise_and_hidden_blocks_vanish():
    starter = generate_starter(MARKED, "hw.py")
    tree = ast.parse(starter)
    softmax = tree.body[2]
    assert ast.get_docstring(softmax) == "Row-wise softmax. F: (N, K) -> (N, K)."
    assert ast.unparse(softmax.body[1]) == "raise NotImplementedError"
    assert len(softmax.body) == 2
    forward = tree.body[3].body[0]
    assert [ast.unparse(s) for s in forward.body[1:]] == [
        "out = X.copy()", "raise NotImplementedError", "return out"]
    for secret in ("secret_helpers", "trick", "shifted", "out[out < 0]", "BEGIN HIDDEN",
                   "END SOLUTION"):
        assert secret not in starter
    assert '"""\n# BEGIN SOLUTION\n"""' in starter             # the string is left alone
    assert starter.startswith('"""Module docstring for students."""\nimport numpy as np\n\n')


@pytest.mark.parametrize("text, line, words", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", 2, "BEGIN SOLUTION has no END"),
    ("def f():\n    return 1\n    # END SOLUTION\n", 3, "without a BEGIN"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN HIDDEN\n    return 1\n", 3, "do not nest"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END HIDDEN\n", 4, "is SOLUTION"),
    ("# BEGIN SOLUTION\nX = 1\n# END SOLUTION\n", 1, "top level"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n\nY = 2\n    # END SOLUTION\n", 5,
     "indented less"),
])
def test_bad_markers_are_spec_errors_with_their_line(text, line, words):
    with pytest.raises(SpecError) as caught:
        generate_starter(text, "sol.py")
    assert caught.value.file == "sol.py" and caught.value.line == line
    assert words in caught.value.message


def test_a_starter_that_would_not_parse_is_a_spec_error():
    # The only statement of the `if` is in the block, and it sits deeper than the marker.
    text = "def f(x):\n    if x:\n    # BEGIN SOLUTION\n        return 1\n    # END SOLUTION\n"
    with pytest.raises(SpecError, match="not valid Python"):
        generate_starter(text, "sol.py")


def test_hw6_starter_is_generated_from_its_solution():
    starter = starter_files(HW6, ["hw6.py"])["hw6.py"].decode()
    solution = (HW6 / "solution" / "hw6.py").read_text()
    assert not (HW6 / "hw6.py").exists()                    # one source: the marked solution
    functions = [node for node in ast.parse(starter).body if isinstance(node, ast.FunctionDef)]
    solved = {node.name: node for node in ast.parse(solution).body
              if isinstance(node, ast.FunctionDef)}
    assert len(functions) == 20 and set(solved) == {f.name for f in functions}
    for function in functions:
        assert ast.get_docstring(function) == ast.get_docstring(solved[function.name])
        assert [ast.unparse(s) for s in function.body[1:]] == ["raise NotImplementedError"]
    assert "BEGIN" not in starter and "instructor" not in starter


def test_hand_written_starter_is_used_when_the_solution_has_no_markers(tmp_path):
    (tmp_path / "solution").mkdir()
    (tmp_path / "solution" / "a.py").write_text("def f():\n    return 1\n")
    (tmp_path / "a.py").write_text("def f():\n    pass  # yours\n")
    assert starter_files(tmp_path, ["a.py"]) == {"a.py": b"def f():\n    pass  # yours\n"}
    (tmp_path / "a.py").unlink()
    assert starter_files(tmp_path, ["a.py"]) == {}


def test_both_a_marked_solution_and_a_hand_written_starter_is_an_error(tmp_path, capsys):
    hw6 = tmp_path / "hw6"
    shutil.copytree(HW6, hw6, ignore=shutil.ignore_patterns("__pycache__"))
    (hw6 / "hw6.py").write_text("def sigmoid(z):\n    raise NotImplementedError\n")
    for command in (["validate", str(hw6)], ["build", str(hw6), "--student", "-o",
                                               str(tmp_path / "h.zip")]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"{hw6 / 'hw6.py'}: two starters for hw6.py" in err and "Traceback" not in err
