"""An assignment's known-wrong submissions: the mistakes its author expects, and the items each
must fail. `validate` grades every one with the engine (the instructor's mutation test).

`<assignment>/wrong/` holds, one per mistake, either
  a file      `softmax_without_shift.py` (submitted as the assignment's code file) or
              `sign_flipped.yaml` (submitted as its answers file), whose first comment lines say
              `# fails: [softmax, cross-entropy-grad]`; or
  a folder    `two_files/` holding the files of a submission under the names students submit,
              with a `fails.yaml` of `fails: [softmax, cross-entropy-grad]`.
(.md and .txt files there are notes, not submissions.)
Whatever a known-wrong submission does not hold is the key's: the solution's code files, and
the key's answers beside the answers it gives, so a mistake is written once, alone.
A known-wrong submission is right when it loses points on exactly the items it lists: one it
gets full marks on means the checks miss the mistake; one it loses points on that it does not
list means a check blames code the mistake did not touch (or the list is incomplete).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import SpecError

WRONG_DIR = "wrong"
FAILS_FILE = "fails.yaml"
NOTES = (".md", ".txt")   # the instructor's notes beside the submissions, not submissions
_FAILS_LINE = re.compile(r"#\s*fails\s*:(.*)$")


@dataclass(frozen=True)
class KnownWrong:
    name: str         # as the instructor wrote it: `wrong/softmax_without_shift.py`
    files: dict       # {name students submit: bytes}
    fails: tuple      # the question ids it must lose points on


def load_known_wrong(folder: Path, assignment) -> list:
    """Every known-wrong submission in `<folder>/wrong/`, in name order; SpecError on a bad one."""
    root = Path(folder) / WRONG_DIR
    if not root.is_dir():
        return []
    ids = {question.id for question in assignment.questions}
    found = []
    for path in sorted(root.iterdir()):
        if path.name.startswith((".", "__")) or path.suffix in NOTES:
            continue
        if path.is_dir():
            fails, line, source = _fails_from_yaml(path / FAILS_FILE)
            files = {item.relative_to(path).as_posix(): item.read_bytes()
                     for item in sorted(path.rglob("*")) if item.is_file()
                     and item.name != FAILS_FILE and "__pycache__" not in item.parts}
        else:
            text = path.read_text(encoding="utf-8")
            fails, line = _fails_from_header(text, path)
            source, files = str(path), {_submitted_name(path, assignment): text.encode("utf-8")}
        unknown = [item for item in fails if item not in ids]
        if unknown:
            raise SpecError(f"{', '.join(map(repr, unknown))} is not a question id (the ids: "
                            f"{', '.join(sorted(ids))})", file=source, line=line, key="fails")
        found.append(KnownWrong(f"{WRONG_DIR}/{path.name}", files, fails))
    return found


def _submitted_name(path: Path, assignment) -> str:
    """The name a single known-wrong file is submitted under."""
    if path.suffix in (".yaml", ".yml"):
        return assignment.answers_file
    if path.suffix in (".py", ".ipynb") and len(assignment.required_code_files) == 1:
        return str(Path(assignment.required_code_files[0]).with_suffix(path.suffix))
    raise SpecError("a single known-wrong file must be a .py or .ipynb file (for an assignment "
                    "with one code file) or a .yaml answers file; put a submission of several "
                    f"files in a folder with a {FAILS_FILE}", file=str(path))


def _fails_from_header(text: str, path: Path) -> tuple:
    """(question ids, line) from the `# fails: [...]` line among the file's first comments."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        found = _FAILS_LINE.match(stripped)
        if found:
            return _as_ids(_parse(found.group(1), str(path), number), str(path), number), number
    raise SpecError("say which items this submission must fail with a first-lines comment "
                    "such as `# fails: [softmax, cross-entropy-grad]`", file=str(path), line=1)


def _fails_from_yaml(path: Path) -> tuple:
    """(question ids, line, file) from a folder's fails.yaml."""
    if not path.is_file():
        raise SpecError(f"a known-wrong folder needs a {FAILS_FILE} saying which items it must "
                        f"fail: `fails: [softmax, cross-entropy-grad]`", file=str(path))
    data = _parse(path.read_text(encoding="utf-8"), str(path), 1)
    if not isinstance(data, dict) or set(data) != {"fails"}:
        raise SpecError("must hold one key, `fails: [question ids]`", file=str(path), line=1)
    return _as_ids(data["fails"], str(path), 1), 1, str(path)


def _parse(text: str, file: str, line: int):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"cannot be read as YAML: {exc}", file=file, line=line,
                        key="fails") from None


def _as_ids(value, file: str, line: int) -> tuple:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not value or not all(
            isinstance(item, (str, int)) and not isinstance(item, bool) for item in value):
        raise SpecError("must list the question ids it fails, such as [softmax]", file=file,
                        line=line, key="fails")
    return tuple(str(item) for item in value)


def complete(known: KnownWrong, answers_file: str, key: dict, solution: dict) -> tuple:
    """(answers, code files) of the submission to grade: the key's, with the known-wrong
    submission's own files and answers in their place."""
    answers, code = dict(key), dict(solution)
    for name, data in known.files.items():
        if name != answers_file:
            code[name] = data
            continue
        given = _parse(data.decode("utf-8"), f"{known.name}", 1)
        if given is None:
            continue
        if not isinstance(given, dict):
            raise SpecError("an answers file maps question ids to answers", file=known.name,
                            line=1)
        answers.update({str(qid): answer for qid, answer in given.items()})
    return answers, code


def judge(known: KnownWrong, fractions: dict, keyed: set) -> list:
    """What is wrong with how the checks treat this submission, given {question id: fraction of
    its points}: an empty list when it loses points on exactly the items it lists. keyed: the
    items the key gets full marks on; losing another is the key's problem, reported apart."""
    lost = {qid for qid, fraction in fractions.items() if fraction < 1.0}
    if not lost:
        return [f"{known.name} gets full marks: the checks do not catch its mistake"]
    problems = []
    missed = [qid for qid in known.fails if qid not in lost]
    if missed:
        problems.append(f"{known.name} gets full marks on {', '.join(missed)}, which it must "
                        f"fail: the checks there miss its mistake")
    extra = sorted((lost & keyed) - set(known.fails))
    if extra:
        problems.append(f"{known.name} also loses points on {', '.join(extra)}, which it is not "
                        f"listed to fail: a check blames code the mistake did not touch, or "
                        f"`fails:` is incomplete")
    return problems
