"""An assignment spec: `problems/<name>/assignment.yaml` read into an `Assignment`.

The keys every question shares are checked here; the keys of each kind are checked by that kind's
module (autograder/kinds/). Every mistake is a SpecError naming file, line and key.

Top-level keys beyond id, title and questions:
  submit     {answers: answers.yaml, code: [hw6.py | cs231n/layers.py | cs231n/*.py, ...]}: the
             files students upload; code paths may have folders (the file is then importable as
             a package module, cs231n.layers) and globs (every matching file, none required)
  support    [cs231n/__init__.py, helpers/, ...]: the instructor's files and folders (relative to
             the folder of the spec that lists them), placed beside the student's files in the
             worker and importable by student code, the reference and checks
  extends    ../base: another assignment folder whose spec this one builds on (see _merge_base)
  params     per-student values ({{name}} in any string)
"""

from __future__ import annotations

import fnmatch
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .errors import SpecError
from . import kinds
from .kinds.base import Key, key_names, read_keys
from .yamlio import Node, describe, load_spec_file

SPEC_FILE = "assignment.yaml"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
# The keys every question has, whatever its kind (the kind's module declares the rest).
QUESTION_KEYS = (
    Key("id", ("string", "integer"), "a short identifier, unique in the assignment: the key in "
        "answers.yaml", schema={"pattern": "^[A-Za-z0-9_.-]+$"}),
    Key("kind", ("string",), "the question's kind (autograder/kinds/)"),
    Key("points", ("number",), "a number of points", minimum=0),
    Key("title", ("string",), "a short title, shown as the test's name on Gradescope (default: "
        "the id)", default=None),
    Key("prompt", ("string",), "Markdown text with $LaTeX$ math; {{param}} allowed", default=""),
    Key("visibility", ("string",), "when students see its results", default="visible",
        allowed=VISIBILITIES),
    Key("reveal", ("boolean",), "true or false: may feedback show the expected answer?",
        default=False),
)
COMMON_QUESTION_KEYS = key_names(QUESTION_KEYS)
ASSIGNMENT_KEYS = {"id", "title", "submit", "params", "questions", "description", "$schema",
                   "support", "extends"}
GLOB_CHARACTERS = set("*?[")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
DEFAULT_ANSWERS_FILE = "answers.yaml"


class Question(NamedTuple):
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
    code_files: tuple   # as `submit: code:` lists them: relative paths, some maybe globs
    questions: tuple = field(default_factory=tuple)
    params: dict = field(default_factory=dict)   # this student's values of the spec's params
    support: tuple = field(default_factory=tuple)   # SupportFile, one per file
    spec_files: tuple = field(default_factory=tuple)   # this spec's path, then those it extends

    @property
    def required_code_files(self) -> tuple:
        """The code paths every submission must contain (those that are not globs)."""
        return tuple(name for name in self.code_files if not is_glob(name))

    def find_file(self, name: str) -> Path | None:
        """The instructor's `name` (a starter such as cs231n/layers.py, or solution/...): in
        this assignment's folder, else in the folder of the spec it extends, and so on."""
        for spec_file in self.spec_files or (self.folder / SPEC_FILE,):
            path = Path(spec_file).parent / name
            if path.is_file():
                return path
        return None

    @property
    def has_answers_file(self) -> bool:
        """Whether some question is answered in the answers file (not by code)."""
        return any(question.check.answered_in_file for question in self.questions)

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)


class SupportFile(NamedTuple):
    """An instructor's support file: where it goes beside the student's files, and its source."""

    name: str     # relative path in the worker and the handout, e.g. cs231n/gradient_check.py
    path: Path    # the file in the instructor's assignment folder


def is_glob(name: str) -> bool:
    return bool(GLOB_CHARACTERS & set(name))


def code_files_in(folder: Path, patterns: tuple) -> list:
    """The relative paths of the files in `folder` (a solution's, a starter's) that `submit:
    code` names: each listed path that exists, and every file a glob matches."""
    folder = Path(folder)
    present = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.py")
                     if path.is_file() and "__pycache__" not in path.parts) \
        if folder.is_dir() else []
    return [name for name in present if any(fnmatch.fnmatchcase(name, pattern)
                                            for pattern in patterns)]


def load_assignment(folder: Path | str, student: str = "") -> Assignment:
    """Read and check `<folder>/assignment.yaml`; raise SpecError on the first mistake.

    student: whose variant to build when the spec declares `params` (Gradescope's user id or a
    local --student ID); the same student always gets the same values.
    """
    folder = Path(folder)
    root, spec_files = _load_with_bases(folder, ())
    assignment_id = root.require("id", str, "a short name such as nn3-quiz")
    title = root.require("title", str, "a title")
    answers_file, code_files = _load_submit(root)
    support = _load_support(root, code_files)
    raw_questions = root.require("questions", list, "a list of questions")
    if not raw_questions:
        raise root.error("questions", "the assignment has no questions")
    params = draw_params(root, student)
    questions = []
    seen: dict = {}
    for index, raw in enumerate(raw_questions, start=1):
        if not isinstance(raw, Node):
            raise SpecError(f"question {index} must be a mapping with id, kind and points",
                            file=root.file, line=root.line_of("questions"), key="questions")
        # A question's files (reference, check) are found beside the spec that declares it.
        question = _load_question(substitute(raw, params), str(index), Path(raw.file).parent)
        question.check.check_submitted_files(raw, code_files)
        for item in question.check.items(question):
            if item.id in seen:
                raise raw.error("id", f"duplicate question id '{item.id}' "
                                      f"(first at {seen[item.id]})")
            seen[item.id] = f"{Path(item.file).name}:{item.line}"
            questions.append(item)
    return Assignment(id=assignment_id, title=title, folder=folder, answers_file=answers_file,
                      code_files=code_files, questions=tuple(questions), params=params,
                      support=support, spec_files=spec_files)


def raw_questions(folder: Path | str) -> dict:
    """{question id: its entry as written} of the spec with what it extends merged in (the
    preview renders prompts from them, placeholders and all)."""
    root, _ = _load_with_bases(Path(folder), ())
    return {str(raw.get("id")): raw for raw in root.get("questions") or []
            if isinstance(raw, Node)}


def _read_spec(folder: Path) -> Node:
    path = folder / SPEC_FILE
    if not path.is_file():
        raise SpecError(f"no {SPEC_FILE} in {folder}", file=str(path))
    root = load_spec_file(path)
    if not isinstance(root, Node):
        raise SpecError("the spec must be a mapping with id, title and questions", file=str(path),
                        line=1)
    root.reject_unknown_keys(ASSIGNMENT_KEYS, "the assignment")
    return root


def _load_with_bases(folder: Path, seen: tuple) -> tuple:
    """(the spec's mapping with what it extends merged in, the spec files read, its own first)."""
    root = _read_spec(folder)
    own = (folder / SPEC_FILE).resolve()
    if "extends" not in root:
        return root, (own,)
    base_name = root.typed("extends", str, "the folder of the assignment this one builds on, "
                                           "such as ../cs231n")
    base_folder = (folder / base_name).resolve()
    if not (base_folder / SPEC_FILE).is_file():
        raise root.error("extends", f"no {SPEC_FILE} in {base_folder}")
    if (base_folder / SPEC_FILE) in (own, *seen):
        raise root.error("extends", f"{base_name} extends this spec again (a cycle)")
    base, base_files = _load_with_bases(base_folder, (*seen, own))
    return _merge_base(base, root), (own, *base_files)


def _merge_base(base: Node, child: Node) -> Node:
    """The child spec on top of its base's.

    Top-level keys of the child replace the base's (`params`, `submit` and `support` whole), and
    `questions` merge by id: a child question with a base question's id replaces it in place, a
    new id is added after the base's questions. Every value keeps the file and line it was
    written at, and a question's reference and check files are found beside its own spec.
    """
    merged = Node(file=child.file, line=child.line)
    for source in (base, child):
        for key, value in source.items():
            if key in ("extends", "questions"):
                continue
            merged[key] = value
            merged.key_lines[key] = source.line_of(key)
            merged.key_files[key] = source.key_files.get(key, source.file)
    if "questions" in base and "questions" not in child:
        merged["questions"] = base["questions"]
        merged.key_lines["questions"] = base.line_of("questions")
        merged.key_files["questions"] = base.key_files.get("questions", base.file)
        return merged
    questions = child.require("questions", list, "a list of questions (those of the base "
                                                 "that this spec replaces or adds)")
    base_questions = list(base.get("questions") or [])
    positions = {question.get("id"): position for position, question in enumerate(base_questions)
                 if isinstance(question, Node)}
    for question in questions:
        question_id = question.get("id") if isinstance(question, Node) else None
        if question_id is not None and question_id in positions:
            base_questions[positions[question_id]] = question
        else:
            base_questions.append(question)
    merged["questions"] = base_questions
    merged.key_lines["questions"] = child.line_of("questions")
    return merged


def _load_submit(root: Node) -> tuple:
    if "submit" not in root:
        return DEFAULT_ANSWERS_FILE, ()
    submit = root.typed("submit", Node, "a mapping with `answers` and/or `code`")
    submit.reject_unknown_keys({"answers", "code"}, "submit")
    answers_file = DEFAULT_ANSWERS_FILE
    if "answers" in submit:
        answers_file = submit.typed("answers", str, "a file name such as answers.yaml")
    if "/" in answers_file or "\\" in answers_file or answers_file.startswith("."):
        raise submit.error("answers", f"'{answers_file}' must be a plain file name")
    code_files: tuple = ()
    if "code" in submit:
        code = submit["code"]
        code_files = (code,) if isinstance(code, str) else tuple(code) if isinstance(code, list) else None
        if not code_files or not all(isinstance(name, str) for name in code_files):
            raise submit.error("code", "must be a file name such as hw6.py or cs231n/layers.py, "
                                       "or a list of them")
    for name in code_files:
        problem = _relative_path_problem(name)
        if problem is None and not is_glob(name) and not name.endswith(".py"):
            problem = "must be a Python file (.py)"
        if problem is None and not is_glob(name) and not all(
                part.isidentifier() for part in name[:-3].split("/")):
            problem = "must be importable: every folder and the file name a Python identifier"
        if problem:
            raise submit.error("code", f"'{name}' {problem}")
    if len(set(code_files)) != len(code_files):
        raise submit.error("code", "lists a file twice")
    return answers_file, code_files


def _relative_path_problem(name: str) -> str | None:
    """Why `name` is not a plain relative path inside the assignment (None when it is)."""
    parts = name.split("/")
    if not name or "\\" in name or name.startswith("/") or any(
            part in ("", ".", "..") or part.startswith(".") for part in parts):
        return "must be a relative path such as cs231n/layers.py (no '..', no leading '/' or '.')"
    return None


def _load_support(root: Node, code_files: tuple) -> tuple:
    """`support: [file or folder/, ...]` as SupportFile, one per file, in order."""
    if "support" not in root:
        return ()
    entries = root.typed("support", list, "a list of files and folders beside the spec")
    # Inherited from a base spec, the list is that spec's: its paths and errors are its own.
    spec_file = root.key_files.get("support", root.file)
    folder = Path(spec_file).parent

    def error(message: str) -> SpecError:
        return SpecError(message, file=spec_file, line=root.line_of("support"), key="support")

    found: dict = {}
    for entry in entries:
        if not isinstance(entry, str):
            raise error(f"entries must be paths, not {describe(entry)}")
        name = entry.rstrip("/")
        problem = _relative_path_problem(name)
        if problem:
            raise error(f"'{entry}' {problem}")
        source = folder / name
        if source.is_symlink() or not (source.is_file() or source.is_dir()):
            raise error(f"'{entry}': no such file or folder in {folder}")
        sources = [source] if source.is_file() else sorted(
            path for path in source.rglob("*") if path.is_file() and not any(
                part == "__pycache__" or part.startswith(".")
                for part in path.relative_to(folder).parts) and path.suffix != ".pyc")
        for path in sources:
            relative = path.relative_to(folder).as_posix()
            if any(fnmatch.fnmatchcase(relative, pattern) for pattern in code_files):
                raise error(f"'{relative}' is also a file students submit (submit: code); a "
                            "support file is the instructor's")
            found.setdefault(relative, SupportFile(relative, path))
    # The reference and instructors' checks run in the grader and import support files too.
    if str(folder.resolve()) not in sys.path:
        sys.path.insert(0, str(folder.resolve()))
    return tuple(found.values())


def _load_question(node: Node, number: str, folder: Path) -> Question:
    question_id = str(QUESTION_KEYS[0].read(node))
    if not question_id.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise node.error("id", f"'{question_id}' must use letters, digits, '-', '_' or '.' only")
    known = ", ".join(sorted(kinds.names()))
    kind_name = node.require("kind", str, f"one of {known}")
    if kind_name not in kinds.names():
        raise node.error("kind", f"unknown kind '{kind_name}' (known: {known})")
    kind = kinds.kind(kind_name)
    node.reject_unknown_keys(COMMON_QUESTION_KEYS | key_names(kind.KEYS), f"a {kind_name} question")
    common = read_keys(node, QUESTION_KEYS)
    check = kind.load(node, folder)
    return Question(id=question_id, kind=kind_name, number=number,
                    title=common["title"] if common["title"] is not None else question_id,
                    points=float(common["points"]), prompt=common["prompt"],
                    visibility=common["visibility"], reveal=common["reveal"], check=check,
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
        copy.key_lines, copy.key_files = value.key_lines, value.key_files
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
