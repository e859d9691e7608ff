"""Gradescope's "Export Submissions" folder: one `submission_<id>/` per submission, with its files,
and one `submission_metadata.yml` at the top saying who submitted each.

The metadata is written by Ruby: its keys are symbols (`:submitters:`, read by PyYAML as the
string ":submitters"), and values may carry Ruby tags (`!ruby/hash:...`). Keys are read with their
colons stripped, tags are ignored, and any key may be missing; a missing or unreadable metadata
file only loses the names (and the identity that seeds each student's variant), never the grading.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import SubmissionError
from .spec import student_identity
from .untrusted import NotAFile, read_file
from .yamlio import YamlTooComplex, check_complexity

METADATA_FILE = "submission_metadata.yml"
FOLDER_PREFIX = "submission_"
# A class of a thousand, each entry with its history of earlier submissions, is a few MB.
MAX_METADATA_BYTES = 64 * 1024 * 1024
MAX_METADATA_VALUES = 4_000_000   # ~40 per submission, with its history: 100,000 submissions
# An id becomes a folder name under regrade's -o: never "..", never a path.
_SAFE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Submitter:
    name: str = ""
    sid: str = ""
    email: str = ""


@dataclass(frozen=True)
class ExportedSubmission:
    """One submission of the export. id: the folder name without `submission_`."""

    id: str
    folder: Path
    submitters: tuple = ()
    created_at: str = ""
    score: float | None = None  # what Gradescope showed when the export was made
    previous_tests: tuple = ()  # (test number, score) of the results Gradescope showed, if given

    @property
    def student(self) -> str:
        """Whose variant to grade: the identity Gradescope's run seeded it with
        (spec.student_identity), so a regrade grades the numbers the student saw. The export has
        no Gradescope user id, so the sid stands in for it."""
        return student_identity([vars(person) for person in self.submitters], "sid")

    def joined(self, key: str) -> str:
        """One field of every submitter, '; '-separated (a group has several)."""
        return "; ".join(getattr(person, key) for person in self.submitters if getattr(person, key))


@dataclass(frozen=True)
class Export:
    folder: Path
    submissions: tuple
    warnings: tuple = ()  # what the instructor should know: missing metadata, orphan entries
    refused: tuple = ()   # names of the submission_* entries that are not graded (see warnings)


def read_export(folder: Path | str) -> Export:
    """The submissions of an export folder, sorted by id (numerically when ids are numbers).

    The export is input like any submission: its metadata is read through untrusted.read_file,
    and a submission folder that is a link, or whose name would not make a plain folder name
    under the output (`submission_..`), is refused with a warning and not graded.
    """
    folder = Path(folder)
    warnings = []
    metadata = {}
    if os.path.lexists(folder / METADATA_FILE):
        try:
            data = read_file(folder, METADATA_FILE, MAX_METADATA_BYTES)
            metadata = _plain_keys(_load_ruby_yaml(data.decode("utf-8")))
        except NotAFile as exc:
            warnings.append(f"{METADATA_FILE} is {exc.what}, which is never followed: grading "
                            "without names or per-student variants")
        except (SubmissionError, UnicodeDecodeError, YamlTooComplex, yaml.YAMLError) as exc:
            warnings.append(f"{METADATA_FILE} could not be read ({_one_line(exc)}): "
                            "grading without names or per-student variants")
        if not isinstance(metadata, dict):
            warnings.append(f"{METADATA_FILE} is not a mapping of submission folders: ignored")
            metadata = {}
    else:
        warnings.append(f"no {METADATA_FILE} in {folder}: grading without names or "
                        "per-student variants")
    folders, refused = [], []
    for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):
        if entry.name == METADATA_FILE or not entry.name.startswith(FOLDER_PREFIX) or not (
                entry.is_symlink() or entry.is_dir(follow_symlinks=False)):
            continue
        problem = _refusal(entry)
        if problem:
            warnings.append(f"{entry.name} is refused, not graded: {problem}")
            refused.append(entry.name)
        else:
            folders.append(Path(entry.path))
    submissions = [_submission(path, metadata.get(path.name)) for path in folders]
    orphans = sorted(set(metadata) - {path.name for path in folders})
    if orphans:
        warnings.append(f"{METADATA_FILE} lists {len(orphans)} submission(s) with no folder: "
                        + ", ".join(map(str, orphans[:5])) + (" ..." if len(orphans) > 5 else ""))
    submissions.sort(key=lambda s: (not s.id.isdigit(), int(s.id) if s.id.isdigit() else 0, s.id))
    return Export(folder, tuple(submissions), tuple(warnings), tuple(refused))


def _refusal(entry: os.DirEntry) -> str:
    """Why an export's submission_<id> entry cannot be graded, or "" when it can."""
    if entry.is_symlink():
        return ("it is a symbolic link (to " + repr(os.readlink(entry.path)[:100])
                + "); the export holds folders, and nothing outside it is read")
    if not _SAFE_ID.fullmatch(entry.name[len(FOLDER_PREFIX):]):
        return "its id is not made of letters, digits, '_', '-' and '.' (not starting with '.')"
    return ""


def _submission(path: Path, entry) -> ExportedSubmission:
    entry = entry if isinstance(entry, dict) else {}
    people = entry.get("submitters")
    submitters = tuple(Submitter(**{key: _text(person.get(key)) for key in ("name", "sid", "email")})
                       for person in (people if isinstance(people, list) else [])
                       if isinstance(person, dict))
    score = entry.get("score")
    return ExportedSubmission(
        id=path.name[len(FOLDER_PREFIX):], folder=path, submitters=submitters,
        created_at=_text(entry.get("created_at")),
        score=float(score) if _is_number(score) else None,
        previous_tests=_previous_tests(entry.get("results")))


def _previous_tests(results) -> tuple:
    """(number, score) of each test of the results.json Gradescope keeps (`:results:`)."""
    tests = results.get("tests") if isinstance(results, dict) else None
    if not isinstance(tests, list):
        return ()
    return tuple((_text(test["number"]), float(test["score"])) for test in tests
                 if isinstance(test, dict) and test.get("number") is not None
                 and _is_number(test.get("score")))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _RubyLoader(yaml.SafeLoader):
    """The safe loader, reading any `!ruby/...` tagged node as the plain node under the tag."""


def _untagged(loader, _suffix, node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_RubyLoader.add_multi_constructor("!", _untagged)


def _load_ruby_yaml(text: str):
    """The metadata, under the caps of answers files (yamlio.check_complexity): it lists the
    class's names and emails, and whoever can edit it is not necessarily the instructor."""
    check_complexity(text, max_values=MAX_METADATA_VALUES)
    return yaml.load(text, Loader=_RubyLoader)  # noqa: S506 - a SafeLoader subclass


def _plain_keys(value):
    """Ruby symbol keys (':name', 'name:' or ':name:') as plain 'name', all the way down."""
    if isinstance(value, dict):
        return {str(key).strip(":") if isinstance(key, str) else key: _plain_keys(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_keys(item) for item in value]
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).strip()


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
