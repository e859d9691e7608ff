"""What an instructor's check may import: the whole public API for `check: checks.py:function`.

A check is a function `check(student, rng) -> (fraction, feedback)`:
  student    the student's module running in its sandbox: `student.call(name, *args, **kwargs)`
             returns what the student's function returned (plain data: arrays, numbers, lists,
             dicts, tuples; opaque objects come back as handles you can pass back in), and
             `student.call_many([(name, args, kwargs), ...])` makes several calls in one round
             trip. A call that fails (raises, hangs, is missing, changes its inputs) raises
             StudentError with a message for the student, which the grader reports as the
             check's feedback with 0 for it: let it propagate.
  rng        a numpy Generator, seeded the same for this question on every run
  fraction   in [0, 1], the share of the check earned; feedback: Markdown for the student

Checks run in the grader (not the sandbox) and may import the assignment's support files and
the modules beside them. Everything here is stable; nothing else of `autograder` is.

    from autograder.check_api import RngSeed, StudentError, compare, describe_mismatch

    def dropout_keeps_p(student, rng):
        x = rng.uniform(0.5, 1.5, size=(200, 100))
        out, _ = student.call("dropout_forward", x, {"p": 0.7, "mode": "train", "seed": 3})
        kept = (out != 0).mean()
        if abs(kept - 0.7) > 0.02:
            raise StudentError(f"`dropout_forward` kept {kept:.3f} of the units; p = 0.7 is "
                               "the probability of keeping one")
        problem = compare(out[out != 0], x[out != 0] / 0.7)
        return (0.0, f"kept units: {problem}") if problem else (1.0, "")
"""

from __future__ import annotations

import numpy as np

from .kinds.code import mismatch
from .errors import StudentCodeError
from .kinds.code.inputs import RngSeed

__all__ = ["RngSeed", "StudentError", "compare", "describe_mismatch"]


# What the student's failing calls raise, and what a check raises for a mistake of the student's:
# 0 for the check, the message as its feedback.
StudentError = StudentCodeError


def describe_mismatch(got, expected, *, batch: int | None = None,
                      drop: float | None = None, reveal: bool = False) -> str:
    """One or two sentences on how the student's array differs from the expected one (a
    transpose, a wrong axis, a factor such as N, 1/N or 1/(1 - p), non-finite values, or the
    worst entries), as the grader's own feedback says it. batch: the batch size N of the
    inputs; drop: a dropout probability p, to name those factors; reveal: show expected
    values too (as a question with `reveal: true` does; by default they are not shown)."""
    return mismatch.explain(np.asarray(got, dtype=np.float64),
                            np.asarray(expected, dtype=np.float64), batch=batch, drop=drop,
                            reveal=reveal)


def compare(got, expected, *, rtol: float = 1e-7, atol: float = 1e-9,
            reveal: bool = False) -> str | None:
    """None when the student's result matches `expected` as a code question's cases compare
    (arrays, numbers, tuples, lists and dicts of them; atol scaled by max(1, max|expected|));
    otherwise what differs, in the grader's words (expected values only when reveal)."""
    from .kinds.code.compare import compare as compare_results
    problem = compare_results(got, expected, None, rtol, atol, reveal=reveal)
    return None if problem is None else problem[1]
