"""`autograder new <folder>`: a new assignment whose commented spec shows every answer kind and
validates as it is, so an instructor starts from something that works and edits it.
`autograder new <folder> --code`: the same for a code assignment (a marked solution, whose
starter is generated from it, a reference, a support file and an instructor's check)."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import AutograderError
from .schema import SCHEMA_FILE

SPEC_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# An assignment for the nn-autograder. Check it with `python3 -m autograder validate {folder}`,
# give students `python3 -m autograder build {folder} --student -o handout.zip`, and upload
# `python3 -m autograder build {folder} --gradescope -o autograder.zip` to Gradescope.
$schema: {schema}
id: {name}
title: "{title}"
submit:
  answers: answers.yaml            # students answer in this file: question id -> answer

# Optional per-student numbers, seeded by each student's identity; use them as {{{{name}}}}.
params:
  x: {{range: [0.5, 2], round: 1}}

questions:
  # Multiple choice: one letter, or a list of letters with scoring: partial.
  - id: q1-choice
    title: "Which is a loss function?"
    kind: choice
    points: 1
    reveal: true                   # feedback may show the right letter
    prompt: |
      Which of these is a loss function for classification?
    choices:
      A: Cross-entropy
      B: ReLU
      C: Dropout
    answer: A

  # A number, right within half a unit of the 3rd significant figure.
  - id: q2-number
    title: "Sigmoid at your x"
    kind: numeric
    points: 1
    prompt: |
      What is $\\sigma(x)$ for $x = {{{{x}}}}$? Give 3 significant figures.
    answer: 1/(1 + e^(-{{{{x}}}}))
    sigfigs: 3

  # A formula, compared with the answer at random points of the variables' ranges.
  - id: q3-formula
    title: "Sigmoid's derivative"
    kind: expression
    points: 1
    prompt: |
      Write $\\sigma'(z)$ in terms of `s` $= \\sigma(z)$.
    variables: {{s: [0.01, 0.99]}}
    answer: s*(1 - s)

  # A derivative: the spec gives the function; students give the derivative as a formula.
  # Its key (for `validate`) is in solution/answers.yaml.
  - id: q4-derivative
    title: "Chain rule"
    kind: derivative
    points: 2
    prompt: |
      $f(w) = \\log \\sigma(w x)$. What is $\\partial f / \\partial w$? A formula in `w` and `x`.
    variables: {{w: [-2, 2], x: [-2, 2]}}
    function: log(sigmoid(w*x))
    wrt: w
"""

KEY_TEMPLATE = """\
# The instructor's key: what `autograder validate` grades as the solution. Only questions whose
# answer the spec does not already give need to be here (derivatives); never in a handout.
q4-derivative: x*(1 - sigmoid(w*x))
"""


def new_assignment(folder: Path | str, code: bool = False) -> Path:
    """Create `folder` with assignment.yaml and solution/answers.yaml (code: a code assignment,
    with solution/layers.py, its reference, a support file and a check); return the spec's path."""
    folder = Path(folder)
    name = folder.name
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise AutograderError(f"'{name}' is not a usable assignment name: use letters, digits, "
                              "'-', '_' or '.'")
    if folder.exists() and any(folder.iterdir()):
        raise AutograderError(f"{folder} already exists and is not empty; choose a new name")
    spec = folder / "assignment.yaml"
    (folder / "solution").mkdir(parents=True, exist_ok=True)
    if code:
        spec.write_text(CODE_SPEC_TEMPLATE.format(
            schema=_schema_reference(folder), folder=folder, name=name,
            title=name.replace("-", " ").title()), encoding="utf-8")
        for path, text in (("solution/layers.py", CODE_SOLUTION),
                           ("layers_reference.py", CODE_REFERENCE),
                           ("helpers.py", CODE_HELPERS), ("checks.py", CODE_CHECKS)):
            (folder / path).write_text(text, encoding="utf-8")
        return spec
    spec.write_text(SPEC_TEMPLATE.format(schema=_schema_reference(folder), folder=folder,
                                         name=name, title=name.replace("-", " ").title()),
                    encoding="utf-8")
    (folder / "solution" / "answers.yaml").write_text(KEY_TEMPLATE, encoding="utf-8")
    return spec


def _schema_reference(folder: Path) -> str:
    """The schema's path relative to the new spec inside this repository, else its full path."""
    repository = Path(__file__).resolve().parent.parent
    schema = repository / SCHEMA_FILE
    try:
        relative = Path(*[".."] * len(folder.resolve().relative_to(repository).parts))
        return str(relative / SCHEMA_FILE)
    except ValueError:
        return str(schema)


# `new --code`: a code assignment (a starter generated from the marked solution, a reference, a
# support file and an instructor's check) that validates as it is.
CODE_SPEC_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# A code assignment for the nn-autograder: students fill in layers.py (its starter is generated
# from solution/layers.py, whose BEGIN/END SOLUTION blocks it replaces by `raise
# NotImplementedError`). Check it with `python3 -m autograder validate {folder}`.
$schema: {schema}
id: {name}
title: "{title}"
submit:
  code: layers.py        # what students upload; paths with folders (cs231n/layers.py) and globs too
support: [helpers.py]    # the course's files, beside the student's: importable by their code,
                         # by the reference and by checks; a student's copy never replaces one

questions:
  - id: affine-forward
    kind: code
    points: 2
    function: affine_forward                        # module:function in a package submission
    reference: layers_reference.py:affine_forward   # the function it is compared with
    outputs: [0]                                    # compare out, not the student's own cache
    cases:                                          # inputs: see autograder/kinds/code/inputs.py
      - {{args: [{{normal: [4, 3]}}, {{normal: [3, 5]}}, {{normal: [5]}}]}}
      - {{name: "batch size 1", args: [{{normal: [1, 3]}}, {{normal: [3, 2]}}, {{normal: [2]}}]}}

  - id: affine-backward
    kind: code
    points: 2
    function: affine_backward
    reference: layers_reference.py:affine_backward
    cases:
      # The student's forward runs first (a `before` step); {{result: 1}} is its cache, handed
      # to the student's backward (ours gets our forward's cache).
      - before: {{function: affine_forward,
                 args: [{{normal: [4, 3]}}, {{normal: [3, 5]}}, {{normal: [5]}}]}}
        args: [{{normal: [4, 5]}}, {{result: 1}}]

  - id: relu-forward
    kind: code
    points: 1
    function: relu_forward
    check: checks.py:relu_is_the_positive_part      # an instructor's own Python check
"""

CODE_SOLUTION = '''\
"""Layers of a network, forward and backward. Forward functions return (out, cache); backward
functions take (dout, cache). No function may modify its inputs."""

import numpy as np

from helpers import flatten_batch


def affine_forward(x, w, b):
    """x: (N, D) or (N, d_1, ..., d_k), w: (D, M), b: (M,) -> out (N, M), cache."""
    # BEGIN SOLUTION
    return flatten_batch(x) @ w + b, (x, w)
    # END SOLUTION


def affine_backward(dout, cache):
    """dout: (N, M) -> dx (the shape of x), dw (D, M), db (M,)."""
    # BEGIN SOLUTION
    x, w = cache
    return (dout @ w.T).reshape(x.shape), flatten_batch(x).T @ dout, dout.sum(axis=0)
    # END SOLUTION


def relu_forward(x):
    """x: any shape -> out = max(0, x), cache."""
    # BEGIN SOLUTION
    return np.maximum(0, x), x
    # END SOLUTION
'''

CODE_REFERENCE = '''\
"""The instructor's reference: what the students' functions are compared with. It runs in the
grader, and may import the support files (helpers.py) and modules beside it."""

from helpers import flatten_batch


def affine_forward(x, w, b):
    return flatten_batch(x) @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return (dout @ w.T).reshape(x.shape), flatten_batch(x).T @ dout, dout.sum(axis=0)
'''

CODE_HELPERS = '''\
"""Provided by the course: students' code, the reference and checks may import it."""


def flatten_batch(x):
    """x: (N, d_1, ..., d_k) -> (N, D), one row per example."""
    return x.reshape(x.shape[0], -1)
'''

CODE_CHECKS = '''\
"""An instructor's checks: check(student, rng) -> (fraction, feedback). They import only
autograder.check_api; student.call runs the student's function in its sandbox."""

import numpy as np

from autograder.check_api import compare


def relu_is_the_positive_part(student, rng):
    x = rng.standard_normal((5, 4))
    out, _ = student.call("relu_forward", x)
    problem = compare(out, np.maximum(0, x))
    if problem:
        return 0.0, f"`relu_forward` on a (5, 4) input: {problem}"
    return 1.0, ""
'''
