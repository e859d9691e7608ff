"""The interface every question kind implements, and what a grading produces.

A kind is one module in this package (or anywhere, named in the registry, kinds/__init__.py) with:
  KEYS                      its spec keys, declared once as `Key`s (type, default, range, what
                            they mean): the loader's checks of them (read_keys) and the JSON
                            Schema (schema.py) are both made from this declaration
  load(node, folder)        check its part of the spec (a yamlio.Node) and return a Check
  self_check(public, answer, folder) -> (status, message)
                            the students' self-check of one question, from its public
                            projection (Check.public) alone: status is pass, fail, unanswered
                            or hidden; answer is its entry of the answers file, or the
                            submission when the kind is not answered there; folder: the
                            instructor's files the handout ships for visible checks
and the Check it returns has:
  grade(question_id, submission) -> Verdict
  explain(verdict, reveal) -> str      Markdown feedback; the expected answer only when `reveal`
  same_answer(question_id, a, b)       whether two students' answers are one answer (regrade's
                                       item analysis groups wrong answers by it; default: a == b)
  spec_problems(question_id)           SpecErrors only running the spec shows (validate's)
  check_submitted_files(node, code)    a SpecError if it needs files `submit: code` lacks
  items(question)                      the items of results.json it grades as: itself, or
                                       (unittest) one per test of a file, each a Question
  answered_in_file                     whether its answer is an entry of the answers file
  answer_hint()                        how to write that entry, in a few words
  public(question_id, visible)         what the handout may know of it, as JSON data (no key)
  public_files()                       the instructor's files its self-check needs there
  key_answer() / wrong_answer(right)   the spec's own answer and a plainly wrong one, as a
                                       student would write them (validate grades both)
  choices_view(raw) / code_view(...)   the parts of its prompt beside the text (show, handout)

The engine and every face (grade, the self-check, validate, the handout, show, the schema) know
this interface and the registry in kinds/__init__.py, nothing else of the kinds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..yamlio import Node


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

    def spec_problems(self, question_id: str) -> list:
        """SpecErrors that loading cannot see, found by running the spec (validate does)."""
        return []

    def items(self, question) -> tuple:
        """The questions it is graded as (each one item of results.json): by default the
        question itself; a kind may expand one spec entry into several (unittest's tests)."""
        return (question,)

    def check_submitted_files(self, node, code_files: tuple) -> None:
        """Raise a SpecError at `node` (the question) if it needs files `submit: code` does
        not list; the loader calls it once the assignment's submit is known."""

    answered_in_file = True   # its answer is an entry of the answers file (not a function)

    def answer_hint(self) -> str:
        """How to write its entry of the answers file, in a few words."""
        return ""

    def public(self, question_id: str, visible: bool) -> dict:
        """What the handout may know of it (never its key), for the kind's self_check."""
        return {}

    def public_files(self) -> dict:
        """{name: path} of the instructor's files its self-check needs in the handout."""
        return {}

    def key_answer(self):
        """The spec's own answer as a student would write it; None when the spec has none
        (validate then needs the instructor's solution)."""
        return None

    def wrong_answer(self, right):
        """A plainly wrong answer, given the key `right`; None when the kind cannot make one."""
        return None

    def choices_view(self, raw) -> list:
        """[(letter, Markdown text)] shown under the prompt; raw: the question as written."""
        return []

    def code_view(self, question, starters: dict, default_file: str):
        """The function students write and the public checks of it (preview.CodeView), or None
        for a question answered in the answers file."""
        return None


NO_ANSWER = "no answer"
UNREADABLE = "unreadable answer"


def no_answer(question_id: str) -> Verdict:
    return Verdict(0.0, f"No answer given for `{question_id}`.", mistakes=(NO_ANSWER,),
                   unanswered=True)


def is_blank(answer) -> bool:
    return answer is None or (isinstance(answer, str) and not answer.strip()) or answer == []


REQUIRED = object()   # a Key's default when the key must be given

# A Key's JSON types, as the YAML loader gives them (bool is not a number: `points: yes` is wrong).
_PYTHON_TYPES = {"string": (str,), "number": (int, float), "integer": (int,),
                 "boolean": (bool,), "array": (list,), "object": (Node,)}


# Immutable records that need no validation are NamedTuples, not frozen dataclasses: the same
# immutability, equality and repr, made at import in 0.1-0.2 ms instead of 0.5-1.1 ms (a
# dataclass execs each generated method), which every grade pays before its first question.
class Key(NamedTuple):
    """One spec key, declared once: the loader checks it (read) and schema.py describes it.

    types are JSON Schema type names; `what` says what the value is, in the words of both error
    messages ("must be <what>") and the schema's description. minimum/maximum bound a number
    (exclusive_*: strictly); allowed lists the only values; schema adds JSON Schema for what is
    inside the value (its items or properties), which the kind's load checks itself.
    """

    name: str
    types: tuple
    what: str
    default: Any = REQUIRED
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    allowed: tuple = ()
    schema: dict | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def read(self, node: Node) -> Any:
        """This key's value in `node` (its default when absent); a SpecError at the key when
        it is missing but required, of another type, out of range or not an allowed value."""
        if self.name not in node:
            if self.required:
                raise node.error(self.name, f"missing required key '{self.name}' ({self.what})")
            return self.default
        python_types = tuple(kind for name in self.types for kind in _PYTHON_TYPES[name])
        value = node.typed(self.name, python_types, self.what)
        if self.allowed and value not in self.allowed:
            raise node.error(self.name, f"'{value}' is not one of "
                                        f"{', '.join(map(str, self.allowed))}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            problem = self._range_problem(value)
            if problem:
                raise node.error(self.name, problem)
        return value

    def _range_problem(self, value: float) -> str:
        if not math.isfinite(value):
            return f"must be a finite number, not {value}"
        low, high = self.minimum, self.maximum
        below = low is not None and (value <= low if self.exclusive_minimum else value < low)
        above = high is not None and (value >= high if self.exclusive_maximum else value > high)
        if not (below or above):
            return ""
        if low is not None and high is not None:
            ends = ("" if not self.exclusive_minimum and not self.exclusive_maximum
                    else " (exclusive)")
            return f"must be between {low:g} and {high:g}{ends}, not {value:g}"
        if low is not None:
            return (f"must be more than {low:g}, not {value:g}" if self.exclusive_minimum
                    else f"must be {low:g} or more, not {value:g}")
        return (f"must be less than {high:g}, not {value:g}" if self.exclusive_maximum
                else f"must be {high:g} or less, not {value:g}")

    def json_schema(self) -> dict:
        """This key in JSON Schema (draft-07)."""
        schema: dict = {"type": list(self.types) if len(self.types) > 1 else self.types[0]}
        if self.allowed:
            schema = {"enum": list(self.allowed)}
        for bound, exclusive, name in ((self.minimum, self.exclusive_minimum, "minimum"),
                                       (self.maximum, self.exclusive_maximum, "maximum")):
            if bound is not None:
                schema["exclusiveM" + name[1:] if exclusive else name] = bound
        schema.update(self.schema or {})
        default = "" if self.required or self.default is None else f" (default {self.default})"
        schema["description"] = self.what + default
        return schema


def read_keys(node: Node, keys: tuple) -> dict:
    """{name: value} of every declared key (defaults filled in), each checked by its Key."""
    return {key.name: key.read(node) for key in keys}


def key_names(keys: tuple) -> set:
    return {key.name for key in keys}
