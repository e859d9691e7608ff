"""Hidden cases in a visible code question: graded and counted, absent from the handout, and a
failure tells only the case's name, never its values."""

import json
import re
import zipfile

import numpy as np
import pytest

from autograder.cli import main
from autograder.errors import SpecError
from autograder.spec import load_assignment
from conftest import load_results

# Values that appear nowhere else: a trace of them in the handout or the feedback is a leak.
HIDDEN_ROW = [0.7318, -2.9171, 5.1139]
HIDDEN_NAME = "one row of three far-apart logits"

SPEC = f"""\
id: hidden-demo
title: Softmax with a hidden case
submit:
  code: nets.py
questions:
  - id: softmax
    kind: code
    points: 2
    prompt: Write a row-wise softmax.
    function: softmax
    cases:
      - {{name: "a batch of 4", args: [{{normal: [4, 3]}}]}}
      - {{name: "{HIDDEN_NAME}", visibility: hidden, args: [[{HIDDEN_ROW}]]}}
"""

SOLUTION = """\
import numpy as np


def softmax(F):
    \"\"\"Row-wise softmax. F: (N, K) -> (N, K).\"\"\"
    # BEGIN SOLUTION
    e = np.exp(F - F.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
    # END SOLUTION
"""

# Right on a batch, wrong on one row: squeeze() turns (1, 3) into (3,).
SQUEEZES = SOLUTION.replace("    return e / e.sum(axis=1, keepdims=True)",
                            "    return (e / e.sum(axis=1, keepdims=True)).squeeze()")
# Puts its input in the exception message, hoping the feedback shows it.
SHOUTS = SOLUTION.replace("    e = np.exp", "    if len(F) == 1:\n"
                                             "        raise ValueError(f'input was {F!r}')\n"
                                             "    e = np.exp")


@pytest.fixture
def assignment(tmp_path):
    folder = tmp_path / "hidden-demo"
    (folder / "solution").mkdir(parents=True)
    (folder / "assignment.yaml").write_text(SPEC)
    (folder / "solution" / "nets.py").write_text(SOLUTION)
    return folder


def hidden_value_traces() -> list:
    """The hidden case's inputs and the expected output, as a leak would write them."""
    row = np.array(HIDDEN_ROW)
    expected = np.exp(row - row.max()) / np.exp(row - row.max()).sum()
    traces = [str(v) for v in HIDDEN_ROW] + [f"{v:.4g}" for v in expected]
    return traces + [f"{v:.3f}" for v in expected]


def grade(assignment, tmp_path, source):
    submission = tmp_path / "submission"
    submission.mkdir(exist_ok=True)
    (submission / "nets.py").write_text(source)
    results = tmp_path / "results.json"
    assert main(["grade", str(assignment), str(submission), "--results", str(results),
                 "--quiet"]) == 0
    [test] = load_results(results)["tests"]
    return test


def test_a_hidden_case_is_graded_and_counted(assignment, tmp_path):
    right = grade(assignment, tmp_path, SOLUTION)
    assert right["score"] == 2 and "all 2 checks passed" in right["output"]
    wrong = grade(assignment, tmp_path, SQUEEZES)
    assert wrong["score"] == 1 and wrong["visibility"] == "visible"


@pytest.mark.parametrize("source", [SQUEEZES, SHOUTS], ids=["wrong-shape", "raises-with-input"])
def test_a_failed_hidden_case_names_the_property_never_the_values(assignment, tmp_path, source):
    output = grade(assignment, tmp_path, source)["output"]
    assert f"`softmax` fails a hidden case ({HIDDEN_NAME})" in output
    assert "input was" not in output and "(1, 3)" not in output and "shape" not in output
    leaks = [trace for trace in hidden_value_traces() if trace in output]
    assert not leaks, output


def test_the_handout_has_no_trace_of_the_hidden_case(assignment, tmp_path):
    archive = tmp_path / "handout.zip"
    assert main(["build", str(assignment), "--student", "-o", str(archive)]) == 0
    with zipfile.ZipFile(archive) as opened:
        texts = {name: opened.read(name).decode("utf-8") for name in opened.namelist()}
    everything = "\n".join(texts.values())
    public = json.loads(texts["hidden-demo/selfcheck/public.json"])
    [question] = public["questions"]
    assert [case["name"] for case in question["code"]["cases"]] == ["a batch of 4"]
    leaks = [trace for trace in hidden_value_traces() + [HIDDEN_NAME]
             if trace in everything or trace in re.sub(r"\s+", "", everything)]
    assert not leaks
    assert "def softmax(F):" in texts["hidden-demo/nets.py"]       # the handout is whole


def test_validate_grades_the_hidden_case_with_the_rest(assignment, capsys):
    assert main(["validate", str(assignment)]) == 0
    assert "softmax" in capsys.readouterr().out


def test_an_unknown_case_visibility_is_a_spec_error(assignment):
    spec = assignment / "assignment.yaml"
    spec.write_text(spec.read_text().replace("visibility: hidden", "visibility: secret"))
    with pytest.raises(SpecError) as caught:
        load_assignment(assignment)
    assert caught.value.key == "visibility" and caught.value.line == 13
    assert "'secret' is not one of visible, hidden" in caught.value.message
