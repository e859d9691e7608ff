"""`choice`: multiple choice, one letter or several (multi-select).

Partial credit is (right picks - wrong picks) / number of right letters, floored at 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..yamlio import Node
from .base import UNREADABLE, Check, Key, Verdict, is_blank, no_answer, read_keys

SCORINGS = ("all-or-nothing", "partial")
_LETTER_SCHEMA = {"type": "string", "pattern": "^[A-Z]$"}
KEYS = (
    Key("choices", ("object",), "a mapping from letter (A-Z) to the choice's text (Markdown)",
        schema={"minProperties": 2, "propertyNames": {"pattern": "^[A-Z]$"},
                "additionalProperties": {"type": ["string", "number"]}}),
    Key("answer", ("string", "array"), "the right letter, or a list of the right letters",
        schema={"items": _LETTER_SCHEMA, "minItems": 1, "uniqueItems": True,
                "pattern": "^[A-Z]$"}),
    Key("scoring", ("string",), "all-or-nothing, or partial: (right picks - wrong picks) / "
        "right letters, floored at 0", default="all-or-nothing", allowed=SCORINGS),
)
_LETTER = re.compile(r"[A-Za-z]")
_SEPARATORS = re.compile(r"[\s,;/&+]+|\band\b", re.IGNORECASE)


@dataclass(frozen=True)
class Choice(Check):
    letters: tuple
    answer: frozenset
    scoring: str

    def grade(self, question_id: str, submission) -> Verdict:
        raw = submission.answer(question_id)
        if is_blank(raw):
            return no_answer(question_id)
        picks, problem = parse_picks(raw, self.letters)
        if problem:
            return Verdict(0.0, problem, self._expected(), mistakes=(UNREADABLE,))
        picked = _letters(picks)
        if len(self.answer) == 1 and len(picks) > 1:
            return Verdict(0.0, f"Pick one letter; you gave {picked}.", self._expected(),
                           answer=picked)
        right, wrong = picks & self.answer, picks - self.answer
        if self.scoring == "partial" and len(self.answer) > 1:
            fraction = max(0.0, (len(right) - len(wrong)) / len(self.answer))
        else:
            fraction = 1.0 if picks == self.answer else 0.0
        if fraction == 1.0:
            return Verdict(1.0, f"Correct: {picked}.", answer=picked)
        feedback = f"{picked} is not the right answer."
        if self.scoring == "partial" and len(self.answer) > 1:
            missing = len(self.answer) - len(right)
            feedback = (f"You picked {picked}: {len(right)} right, {len(wrong)} wrong, "
                        f"{missing} right one(s) missing.")
        return Verdict(fraction, feedback, self._expected(), answer=picked)

    def _expected(self) -> str:
        return _letters(self.answer)

    def answer_hint(self) -> str:
        return f"a letter from {self.letters[0]} to {self.letters[-1]}, or a list such as [A, C]"

    def public(self, question_id: str, visible: bool) -> dict:
        return {"letters": list(self.letters)}

    def key_answer(self):
        return sorted(self.answer)

    def wrong_answer(self, right):
        right = set(right if isinstance(right, list) else [right])
        others = [letter for letter in self.letters if letter not in right]
        if not others:   # every letter is right: leaving one out is the wrong answer
            return sorted(right)[:-1]
        # all wrong letters: zero under partial scoring, and wrong under all-or-nothing
        return others if len(right) > 1 else others[:1]

    def choices_view(self, raw) -> list:
        return [(str(letter), str(text)) for letter, text in raw.get("choices", {}).items()]


def self_check(public: dict, raw, folder: Path) -> tuple:
    """Whether the letters are ones the grader reads (never whether they are right)."""
    picks, problem = parse_picks(raw, tuple(public["letters"]))
    return ("fail", problem) if problem else ("pass", f"reads as {_letters(picks)}")


def load(node: Node, folder: Path) -> Choice:
    values = read_keys(node, KEYS)
    choices = values["choices"]
    letters = []
    for letter in choices:
        if not isinstance(letter, str) or not re.fullmatch(r"[A-Z]", letter):
            raise choices.error(str(letter), "choice keys must be single capital letters A-Z")
        choices.typed(letter, (str, int, float), "the choice's text")
        letters.append(letter)
    if len(letters) < 2:
        raise node.error("choices", "a choice question needs at least two choices")
    raw_answer = values["answer"]
    answer = [raw_answer] if isinstance(raw_answer, str) else raw_answer
    if not answer:
        raise node.error("answer", "must name at least one letter")
    for letter in answer:
        if not isinstance(letter, str) or letter not in letters:
            raise node.error("answer", f"'{letter}' is not one of the choices {', '.join(letters)}")
    if len(set(answer)) != len(answer):
        raise node.error("answer", "names a letter twice")
    return Choice(letters=tuple(letters), answer=frozenset(answer), scoring=values["scoring"])


def parse_picks(raw, letters: tuple) -> tuple:
    """A student's letters as a set, from 'B', 'b', 'A, B', 'A B', 'AB' or ['A', 'B'].

    Returns (picks, problem): problem is a message when the answer cannot be read.
    """
    if isinstance(raw, list):
        if len(raw) > len(letters) or not all(isinstance(item, str) for item in raw):
            return frozenset(), f"Answer with letters from {', '.join(letters)}."
        text = " ".join(raw)
    elif isinstance(raw, str):
        text = raw
    else:
        return frozenset(), f"Answer with letters from {', '.join(letters)}, not a number or mapping."
    if len(text) > 200:
        return frozenset(), "That answer is far too long for a choice question."
    tokens = [token for token in _SEPARATORS.split(text.strip()) if token]
    picks = set()
    for token in tokens:
        token = token.strip("().").upper()
        if not token or not all(_LETTER.fullmatch(char) for char in token):
            return frozenset(), f"Could not read '{token}' as a letter; answer with {', '.join(letters)}."
        picks.update(token)
    unknown = sorted(picks - set(letters))
    if unknown:
        return frozenset(), (f"{', '.join(unknown)} is not one of the choices "
                             f"{', '.join(letters)}.")
    return frozenset(picks), ""


def _letters(picks) -> str:
    return ", ".join(sorted(picks))
