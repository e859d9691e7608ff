"""An assignment spec: `problems/<name>/assignment.yaml` read into an `Assignment`.

The keys every question shares are checked here; the keys of each kind are checked by that kind's
module (autograder/kinds/). Every mistake is a SpecError naming file, line and key.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SpecError
from . import kinds
from .yamlio import Node, load_spec_file

SPEC_FILE = "assignment.yaml"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
COMMON_QUESTION_KEYS = {"id", "kind", "points", "prompt", "visibility", "reveal", "title"}
ASSIGNMENT_KEYS = {"id", "title", "submit", "params", "questions", "description", "$schema"}
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
DEFAULT_ANSWERS_FILE = "answers.yaml"


@dataclass(frozen=True)
class Question:
    """What every question has, whatever its kind; `check` is the kind's own loaded spec."""

    id: str
    kind: str
    number: str
    title: str
    points: float
    prompt: str
    visibility: str
    reveal: bool
    check: Any
    file: str
    line: int


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    folder: Path
    answers_file: str
    code_files: tuple
    questions: tuple = field(default_factory=tuple)
    params: dict = field(default_factory=dict)   # this student's values of the spec's params

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)


def load_assignment(folder: Path | str, student: str = "") -> Assignment:
    """Read and check `<folder>/assignment.yaml`; raise SpecError on the first mistake.

    student: whose variant to build when the spec declares `params` (Gradescope's user id or a
    local --student ID); the same student always gets the same values.
    """
    folder = Path(folder)
    path = folder / SPEC_FILE
    if not path.is_file():
        raise SpecError(f"no {SPEC_FILE} in {folder}", file=str(path))
    root = load_spec_file(path)
    if not isinstance(root, Node):
        raise SpecError("the spec must be a mapping with id, title and questions", file=str(path),
                        line=1)
    root.reject_unknown_keys(ASSIGNMENT_KEYS, "the assignment")
    assignment_id = root.require("id", str, "a short name such as nn3-quiz")
    title = root.require("title", str, "a title")
    answers_file, code_files = _load_submit(root)
    raw_questions = root.require("questions", list, "a list of questions")
    if not raw_questions:
        raise root.error("questions", "the assignment has no questions")
    params = draw_params(root, student)
    questions = []
    seen: dict = {}
    for index, raw in enumerate(raw_questions, start=1):
        if not isinstance(raw, Node):
            raise SpecError(f"question {index} must be a mapping with id, kind and points",
                            file=str(path), line=root.line_of("questions"), key="questions")
        question = _load_question(substitute(raw, params), str(index), folder)
        if question.id in seen:
            raise raw.error("id", f"duplicate question id '{question.id}' "
                                  f"(first at line {seen[question.id]})")
        seen[question.id] = question.line
        questions.append(question)
    return Assignment(id=assignment_id, title=title, folder=folder, answers_file=answers_file,
                      code_files=code_files, questions=tuple(questions), params=params)


def _load_submit(root: Node) -> tuple:
    if "submit" not in root:
        return DEFAULT_ANSWERS_FILE, ()
    submit = root.typed("submit", Node, "a mapping with `answers` and/or `code`")
    submit.reject_unknown_keys({"answers", "code"}, "submit")
    answers_file = DEFAULT_ANSWERS_FILE
    if "answers" in submit:
        answers_file = submit.typed("answers", str, "a file name such as answers.yaml")
    code_files: tuple = ()
    if "code" in submit:
        code = submit["code"]
        code_files = (code,) if isinstance(code, str) else tuple(code) if isinstance(code, list) else None
        if not code_files or not all(isinstance(name, str) for name in code_files):
            raise submit.error("code", "must be a file name such as hw6.py, or a list of them")
    for name in (answers_file, *code_files):
        if "/" in name or "\\" in name or name.startswith("."):
            raise submit.error("code" if name in code_files else "answers",
                               f"'{name}' must be a plain file name")
    return answers_file, code_files


def _load_question(node: Node, number: str, folder: Path) -> Question:
    question_id = node.require("id", (str, int), "a short identifier such as q1")
    question_id = str(question_id)
    if not question_id.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise node.error("id", f"'{question_id}' must use letters, digits, '-', '_' or '.' only")
    known = ", ".join(sorted(kinds.NAMES))
    kind_name = node.require("kind", str, f"one of {known}")
    if kind_name not in kinds.NAMES:
        raise node.error("kind", f"unknown kind '{kind_name}' (known: {known})")
    kind = kinds.kind(kind_name)
    node.reject_unknown_keys(COMMON_QUESTION_KEYS | set(kind.KEYS), f"a {kind_name} question")
    points = node.require("points", (int, float), "a number of points")
    if points < 0 or points != points:
        raise node.error("points", "must be zero or more")
    prompt = node.optional("prompt", str, "Markdown text", "")
    title = node.optional("title", str, "a short title", question_id)
    visibility = "visible"
    if "visibility" in node:
        visibility = node.typed("visibility", str, "a visibility")
        if visibility not in VISIBILITIES:
            raise node.error("visibility", f"'{visibility}' is not one of {', '.join(VISIBILITIES)}")
    reveal = node.optional("reveal", bool, "true or false", False)
    check = kind.load(node, folder)
    return Question(id=question_id, kind=kind_name, number=number, title=title, points=float(points),
                    prompt=prompt, visibility=visibility, reveal=reveal, check=check,
                    file=node.file, line=node.line)


def student_identity(people: list, fallback: str) -> str:
    """Whose variant a submission is graded with, from its submitters ({email, <fallback>, ...}
    each): the smallest lower-cased email, so a group gets one variant whatever order its members
    are listed in (and `show --student <email>` shows it); else the smallest `fallback` value."""
    for key in ("email", fallback):
        found = sorted(str(person.get(key) or "").strip().lower() for person in people)
        found = [value for value in found if value]
        if found:
            return found[0]
    return ""


def draw_params(root: Node, student: str) -> dict:
    """This student's values of `params: {name: {range: [lo, hi], round: 2} | {choices: [...]}}`."""
    raw = root.optional("params", Node, "a mapping from parameter name to its range or choices",
                        Node())
    rng = np.random.default_rng(zlib.crc32(f"{root.get('id')}:{student}".encode("utf-8")))
    values = {}
    for name, spec in raw.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise raw.error(str(name), "a parameter name must be an identifier")
        spec = raw.typed(name, Node, "{range: [low, high], round: digits} or {choices: [...]}")
        spec.reject_unknown_keys({"range", "round", "choices"}, f"parameter '{name}'")
        if "choices" in spec:
            choices = spec.require("choices", list, "a list of values")
            if not choices or not all(isinstance(c, (int, float, str)) for c in choices):
                raise spec.error("choices", "must be a non-empty list of numbers or words")
            values[name] = choices[int(rng.integers(len(choices)))]
            continue
        low_high = spec.require("range", list, "[low, high]")
        if (len(low_high) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                          for v in low_high) or not low_high[0] < low_high[1]):
            raise spec.error("range", "must be [low, high] with low < high")
        digits = spec.optional("round", int, "a number of decimal places", 2)
        value = round(float(rng.uniform(*low_high)), digits)
        values[name] = int(value) if digits <= 0 else value
    return values


def substitute(value: Any, params: dict) -> Any:
    """A copy of a spec value with every {{name}} in its strings replaced by that param."""
    if isinstance(value, Node):
        copy = Node(file=value.file, line=value.line)
        copy.key_lines = value.key_lines
        for key, item in value.items():
            try:
                copy[key] = substitute(item, params)
            except KeyError as missing:
                raise value.error(key, f"{{{{{missing.args[0]}}}}} is not one of the params "
                                       f"({', '.join(params) or 'none declared'})") from None
        return copy
    if isinstance(value, list):
        return [substitute(item, params) for item in value]
    if isinstance(value, str) and "{{" in value:
        return _PLACEHOLDER.sub(lambda match: str(params[match.group(1)]), value)
    return value
