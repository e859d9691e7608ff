"""The `code` kind beyond HW6: an opaque cache handed from a forward to a backward (`then`),
a reference in the assignment folder, and cases that share one worker request."""

import pytest

from autograder.engine import grade
from autograder.spec import load_assignment
from autograder.submission import Submission

SPEC = """\
id: layers
title: An affine layer with a cache
submit:
  code: layers.py
questions:
  - id: affine
    kind: code
    points: 3
    function: affine_forward
    reference: solution_layers.py:affine_forward
    outputs: [0]
    cases:
      - name: a batch of 3
        args: [{normal: [3, 4]}, {normal: [4, 2]}, {normal: [2]}]
        then: {function: affine_backward, reference: "solution_layers.py:affine_backward",
               args: [{normal: [3, 2]}, {result: 1}]}
      - name: one example
        args: [{normal: [1, 4]}, {normal: [4, 2]}, {normal: [2]}]
        then: {function: affine_backward, reference: "solution_layers.py:affine_backward",
               args: [{normal: [1, 2]}, {result: 1}]}
      - name: a batch of 5
        args: [{normal: [5, 4]}, {normal: [4, 2]}, {normal: [2]}]
"""

# The reference's cache is a tuple; a student's may be anything, and stays in the worker.
REFERENCE = """\
def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
"""

STUDENT = """\
import os

import numpy as np


class Cache:
    def __init__(self, x, w):
        self.x, self.w = x.copy(), w.copy()


def affine_forward(x, w, b):
    {crash}
    return np.dot(x, w) + b[None, :], Cache(x, w)


def affine_backward(dout, cache):
    dx = dout @ cache.w.T
    dw = {dw}
    return dx, dw, np.sum(dout, axis=0)
"""


@pytest.fixture
def layers(tmp_path):
    folder = tmp_path / "layers"
    folder.mkdir()
    (folder / "assignment.yaml").write_text(SPEC)
    (folder / "solution_layers.py").write_text(REFERENCE)
    return load_assignment(folder)


def grade_student(assignment, tmp_path, *, dw="cache.x.T @ dout", crash="pass"):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "layers.py").write_text(STUDENT.format(dw=dw, crash=crash))
    report = grade(assignment, Submission(folder, assignment.answers_file,
                                          assignment.code_files))
    [test] = report.tests
    return test.score, test.output


def test_an_opaque_cache_reaches_the_students_backward(layers, tmp_path):
    score, output = grade_student(layers, tmp_path)
    assert score == 3, output


def test_a_wrong_backward_loses_the_cases_that_use_it(layers, tmp_path):
    score, output = grade_student(layers, tmp_path, dw="(cache.x.T @ dout).T")
    assert score == pytest.approx(3 * 1 / 3)
    assert output.count("`affine_backward` after `affine_forward`") == 2
    assert "item 2 of the result: Your result has shape (2, 4); expected (4, 2). It is the " \
        "transpose of the expected result." in output


def test_a_case_that_kills_the_worker_costs_only_itself(layers, tmp_path):
    # The batch of 5 kills its worker. The cases with a cache make their two calls back to back,
    # so neither holds a handle into a worker that died in between.
    score, output = grade_student(layers, tmp_path,
                                  crash="if x.shape[0] == 5: os._exit(1)")
    assert score == pytest.approx(3 * 2 / 3), output
    assert "`affine_forward` on a batch of 5" in output and "exited" in output
