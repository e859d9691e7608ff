"""`numeric`: a single number, compared with a tolerance.

Spec keys: answer (a number, or arithmetic such as `1.5^100`), and either
  sigfigs: n        right when within half a unit of the n-th significant figure of the answer,
                    so every correctly rounded n-figure answer passes; or
  rtol / atol       right when |yours - answer| <= atol + rtol * |answer|
                    (defaults rtol = 1e-3, atol = 0: an answer given to four figures passes).
Students may answer with a number or arithmetic (`4.07e17`, `4.07*10^17`, `1.5^100`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import FormulaError
from ..formula import parse_number
from ..yamlio import Node
from .base import UNREADABLE, Check, Verdict, is_blank, no_answer

KEYS = {"answer", "rtol", "atol", "sigfigs"}
DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 0.0


@dataclass(frozen=True)
class Numeric(Check):
    answer: float
    tolerance: float
    how: str

    def grade(self, question_id: str, submission) -> Verdict:
        raw = submission.answer(question_id)
        if is_blank(raw):
            return no_answer(question_id)
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return Verdict(0.0, "Answer with a single number.", self._expected(),
                           mistakes=(UNREADABLE,))
        try:
            value = parse_number(raw)
        except FormulaError as exc:
            return Verdict(0.0, f"Could not read your answer as a number: {exc.message}",
                           self._expected(), mistakes=(UNREADABLE,))
        answer = f"{value:.6g}"
        if not math.isfinite(value):
            return Verdict(0.0, f"Your answer `{raw}` is not a finite number.", self._expected(),
                           answer=answer)
        if abs(value - self.answer) <= self.tolerance:
            return Verdict(1.0, f"Correct: {answer} ({self.how}).", answer=answer)
        return Verdict(0.0, f"Your answer {answer} is not within the tolerance ({self.how}).",
                       self._expected(), answer=answer)

    def _expected(self) -> str:
        return f"{self.answer:.6g}"


def load(node: Node, folder: Path) -> Numeric:
    raw = node.require("answer", (int, float, str), "a number or arithmetic such as 1.5^100")
    try:
        answer = parse_number(raw)
    except FormulaError as exc:
        raise node.error("answer", f"cannot be read as a number: {exc.message}") from None
    if not math.isfinite(answer):
        raise node.error("answer", f"{raw} is not a finite number")
    if "sigfigs" in node:
        if "rtol" in node or "atol" in node:
            raise node.error("sigfigs", "give either sigfigs or rtol/atol, not both")
        sigfigs = node.typed("sigfigs", int, "a whole number of significant figures")
        if not 1 <= sigfigs <= 15:
            raise node.error("sigfigs", "must be between 1 and 15")
        return Numeric(answer, half_unit(answer, sigfigs), f"{sigfigs} significant figures")
    rtol = node.optional("rtol", (int, float), "a relative tolerance", DEFAULT_RTOL)
    atol = node.optional("atol", (int, float), "an absolute tolerance", DEFAULT_ATOL)
    for key, value in (("rtol", rtol), ("atol", atol)):
        if not 0 <= value < math.inf:
            raise node.error(key, "must be zero or a positive number")
    if rtol == 0 and atol == 0:
        raise node.error("rtol", "rtol and atol are both 0: only a bit-exact answer would pass")
    return Numeric(answer, atol + rtol * abs(answer), f"rtol {rtol:g}, atol {atol:g}")


def half_unit(answer: float, sigfigs: int) -> float:
    """Half a unit in the last of `sigfigs` significant figures of `answer`.

    A correctly rounded answer is at most this far from the exact one; the small factor absorbs the
    roundoff of the subtraction that compares them.
    """
    if answer == 0:
        return 0.5 * 10.0 ** (1 - sigfigs)
    exponent = math.floor(math.log10(abs(answer)))
    return 0.5 * 10.0 ** (exponent - sigfigs + 1) * (1 + 1e-9)
