"""`yesno`: a tiny question kind that tests/test_tiny_kind.py registers, to prove that a kind is
one module: the loader, the JSON Schema, validate, the handout, show, the self-check and grading
all use it through the interface of autograder/kinds/base.py, with no change anywhere else.

Its imports of the grader are absolute (`from autograder...`), as a kind outside the package's
folder must write them; the handout rewrites them for its self-check's copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.kinds.base import UNREADABLE, Check, Key, Verdict, is_blank, no_answer, read_keys
from autograder.yamlio import Node

KEYS = (Key("answer", ("boolean",), "true for yes, false for no"),)
_WORDS = {"yes": True, "no": False, "true": True, "false": False}


def read_yes_no(raw) -> tuple:
    """(True or False, "") from yes/no (YAML may already have made it a boolean), or
    (None, why not)."""
    if isinstance(raw, bool):
        return raw, ""
    if isinstance(raw, str) and raw.strip().lower() in _WORDS:
        return _WORDS[raw.strip().lower()], ""
    return None, "Answer yes or no."


def _word(value: bool) -> str:
    return "yes" if value else "no"


@dataclass(frozen=True)
class YesNo(Check):
    answer: bool

    def grade(self, question_id: str, submission) -> Verdict:
        raw = submission.answer(question_id)
        if is_blank(raw):
            return no_answer(question_id)
        value, problem = read_yes_no(raw)
        if problem:
            return Verdict(0.0, problem, mistakes=(UNREADABLE,))
        if value == self.answer:
            return Verdict(1.0, f"Correct: {_word(value)}.", answer=_word(value))
        return Verdict(0.0, f"{_word(value)} is not the right answer.", _word(self.answer),
                       answer=_word(value))

    def answer_hint(self) -> str:
        return "yes or no"

    def key_answer(self):
        return _word(self.answer)

    def wrong_answer(self, right):
        return _word(not read_yes_no(right)[0])


def load(node: Node, folder: Path) -> YesNo:
    return YesNo(read_keys(node, KEYS)["answer"])


def self_check(public: dict, raw, folder: Path) -> tuple:
    value, problem = read_yes_no(raw)
    return ("fail", problem) if problem else ("pass", f"reads as {_word(value)}")
