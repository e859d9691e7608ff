"""`numeric`: a single number, compared with a tolerance.

Right within half a unit of the `sigfigs`-th significant figure of the answer (so every
correctly rounded answer passes), or within atol + rtol * |answer| (by default an answer given to
four figures passes).
Students may answer with a number or arithmetic (`4.07e17`, `4.07*10^17`, `1.5^100`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import FormulaError
from .formula.parser import parse_number
from ..yamlio import Node
from .base import UNREADABLE, Check, Key, Verdict, is_blank, no_answer, read_keys

DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 0.0
KEYS = (
    Key("answer", ("number", "string"), "a number, or arithmetic such as 1.5^100"),
    Key("sigfigs", ("integer",), "a number of significant figures: right within half a unit "
        "of the last (instead of rtol/atol)", default=None, minimum=1, maximum=15),
    Key("rtol", ("number",), "a relative tolerance", default=DEFAULT_RTOL, minimum=0),
    Key("atol", ("number",), "an absolute tolerance", default=DEFAULT_ATOL, minimum=0),
)


@dataclass(frozen=True)
class Numeric(Check):
    answer: float
    tolerance: float
    how: str

    def grade(self, question_id: str, submission) -> Verdict:
        raw = submission.answer(question_id)
        if is_blank(raw):
            return no_answer(question_id)
        value, problem = read_number(raw)
        if problem:
            return Verdict(0.0, problem, self._expected(), mistakes=(UNREADABLE,))
        answer = f"{value:.6g}"
        if abs(value - self.answer) <= self.tolerance:
            return Verdict(1.0, f"Correct: {answer} ({self.how}).", answer=answer)
        return Verdict(0.0, f"Your answer {answer} is not within the tolerance ({self.how}).",
                       self._expected(), answer=answer)

    def _expected(self) -> str:
        return f"{self.answer:.6g}"

    def answer_hint(self) -> str:
        return "a number, such as 0.25 or 4.07e17"

    def key_answer(self):
        return repr(self.answer)

    def wrong_answer(self, right):
        return repr(self.answer + max(1.0, abs(self.answer)))


def read_number(raw) -> tuple:
    """(the number a student's answer reads as, "") or (None, why it cannot be read)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return None, "Answer with a single number."
    try:
        value = parse_number(raw)
    except FormulaError as exc:
        return None, f"Could not read your answer as a number: {exc.message}"
    if not math.isfinite(value):
        return None, f"Your answer `{raw}` is not a finite number."
    return value, ""


def self_check(public: dict, raw, folder: Path) -> tuple:
    """Whether the answer reads as a number (never whether it is right)."""
    value, problem = read_number(raw)
    return ("fail", problem) if problem else ("pass", f"reads as {value:.6g}")


def load(node: Node, folder: Path) -> Numeric:
    values = read_keys(node, KEYS)
    raw = values["answer"]
    try:
        answer = parse_number(raw)
    except FormulaError as exc:
        raise node.error("answer", f"cannot be read as a number: {exc.message}") from None
    if not math.isfinite(answer):
        raise node.error("answer", f"{raw} is not a finite number")
    sigfigs, rtol, atol = values["sigfigs"], values["rtol"], values["atol"]
    if sigfigs is not None:
        if "rtol" in node or "atol" in node:
            raise node.error("sigfigs", "give either sigfigs or rtol/atol, not both")
        return Numeric(answer, half_unit(answer, sigfigs), f"{sigfigs} significant figures")
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
