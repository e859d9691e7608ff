"""`autograder new <folder>`: a new assignment whose commented spec shows every answer kind and
validates as it is, so an instructor starts from something that works and edits it."""

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


def new_assignment(folder: Path | str) -> Path:
    """Create `folder` with assignment.yaml and solution/answers.yaml; return the spec's path."""
    folder = Path(folder)
    name = folder.name
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise AutograderError(f"'{name}' is not a usable assignment name: use letters, digits, "
                              "'-', '_' or '.'")
    if folder.exists() and any(folder.iterdir()):
        raise AutograderError(f"{folder} already exists and is not empty; choose a new name")
    spec = folder / "assignment.yaml"
    (folder / "solution").mkdir(parents=True, exist_ok=True)
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
