"""The interface every question kind implements, and what a grading produces.

A kind is one module in this package with:
  KEYS                      the spec keys it adds to the common ones (id, kind, points, ...)
  load(node, folder)        check its part of the spec (a yamlio.Node) and return a Check
and the Check it returns has:
  grade(question_id, submission) -> Verdict
  explain(verdict, reveal) -> str      Markdown feedback; the expected answer only when `reveal`
  same_answer(question_id, a, b)       whether two students' answers are one answer (regrade's
                                       item analysis groups wrong answers by it; default: a == b)

The engine knows this interface and the registry in kinds/__init__.py, nothing else of the kinds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The outcome of one question: a fraction of its points and what to tell the student.

    answer and mistakes are data for regrade's item analysis, never shown to the student:
    answer is what the student answered, as text (a formula, the picked letters); mistakes are
    short names of what the check diagnosed ("times N", "transposed", "no answer"), each once.
    """

    fraction: float
    feedback: str
    expected: str = ""
    answer: str | None = None
    mistakes: tuple = ()
    unanswered: bool = False   # nothing handed in for it (blank, missing, not implemented)

    def __post_init__(self):
        if not 0.0 <= self.fraction <= 1.0:
            raise ValueError(f"fraction {self.fraction} outside [0, 1]")


class Check:
    """Base of every kind's loaded spec; kinds override grade and, if they need, explain."""

    def grade(self, question_id: str, submission) -> Verdict:
        raise NotImplementedError

    def explain(self, verdict: Verdict, reveal: bool) -> str:
        if reveal and verdict.expected and verdict.fraction < 1.0:
            return f"{verdict.feedback}\n\nExpected: {verdict.expected}"
        return verdict.feedback

    def same_answer(self, question_id: str, left: str, right: str) -> bool:
        return left == right


NO_ANSWER = "no answer"
UNREADABLE = "unreadable answer"


def no_answer(question_id: str) -> Verdict:
    return Verdict(0.0, f"No answer given for `{question_id}`.", mistakes=(NO_ANSWER,),
                   unanswered=True)


def is_blank(answer) -> bool:
    return answer is None or (isinstance(answer, str) and not answer.strip())
