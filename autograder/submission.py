"""A student's submission folder: the answers file and the code files the assignment asks for.

Code files may sit in folders (cs231n/layers.py) and all of them load in one worker, beside the
instructor's support files, so they import each other by package name.

Nothing here trusts the student: every file is read through untrusted.read_file (no link, FIFO
or device is followed, at most a cap is read), the answers file is parsed with yaml's safe loader
under caps, and code is only copied here, never imported (the sandbox runs it in another process).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import tempfile
from pathlib import Path

from . import untrusted
from .errors import SubmissionError
from .notebook import CLEAR_OUTPUTS, MAX_NOTEBOOK_BYTES, notebook_to_python
from .spec import is_glob, student_identity
from .kinds.code.calls import module_name
from .kinds.code.student_code import StudentCode, StudentModule
from .yamlio import load_answers_file

# Gradescope and browsers rename repeated uploads: "hw6 (1).py", "hw6-1.py", "hw6_2.py".
_RENAMED = r"{stem}(?: ?\(\d+\)|[-_ ]\d+)?{suffix}"
MAX_FILES = 1000   # a submission's files looked at, however many it holds


class Submission:
    """pool: a sandbox WorkerPool to fork student workers from (regrading many at once).

    code_files: the paths `submit: code:` lists (cs231n/layers.py, globs such as cs231n/*.py);
    support: the instructor's SupportFiles, placed beside the student's files in the same worker.
    """

    def __init__(self, folder: Path | str, answers_file: str, code_files: tuple = (), *,
                 support: tuple = (), pool=None):
        self.folder = Path(folder)
        self.answers_file = answers_file
        self.code_files = code_files
        self.support = support
        self._pool = pool
        self._code: StudentCode | None = None
        self._located: dict | None = None   # path in the worker -> our copy, or SubmissionError
        self._answers: dict | None = None
        self._private: tempfile.TemporaryDirectory | None = None  # our copies of code files
        self.notes: list = []  # for the student: what was done to read their files
        self.log: list = []    # for the instructor: what the sandbox said about this machine
        self.answers_error: SubmissionError | None = None  # set once reading the answers failed
        self._shared: dict = {}  # what checks compute once for the whole submission
    def answers(self) -> dict:
        """All answers, {question id: raw answer}; SubmissionError if the file can't be read."""
        if self._answers is None and self.answers_error is None:
            try:
                self._answers = load_answers_file(self.folder / self.answers_file)
            except SubmissionError as exc:
                self.answers_error = exc
        if self.answers_error is not None:
            raise self.answers_error
        return self._answers

    def answer(self, question_id: str):
        """The raw answer to one question, or None when it was not answered."""
        return self.answers().get(question_id)

    def start(self) -> None:
        """Start the worker of the code files now, so it is ready when the code checks run."""
        if self.code_files:
            self._student_code()

    def code(self, name: str) -> StudentModule:
        """The student's file `name` (a path such as cs231n/layers.py) as a module running in
        the submission's worker; SubmissionError naming what the submission holds if it is
        missing."""
        located = self.located_files().get(name)
        if located is None:
            raise SubmissionError(f"{name} was not found in your submission (it has: "
                                  f"{self._contents()})")
        if isinstance(located, SubmissionError):
            raise located
        return self._student_code().module(module_name(name))

    def shared(self, key, compute):
        """compute(), once per submission for each key: what several items grade from (all the
        tests of one unittest file run together)."""
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]

    def instructor_module(self, module_file: str, files: dict) -> StudentModule:
        """A module of the instructor's (or the grader's) run beside the student's code in
        its worker: `files` ({name in the worker: path}) are placed there, then `module_file`,
        one of them, is imported."""
        code = self._student_code()
        code.add(files, module_name(module_file))
        return code.module(module_name(module_file))

    def _student_code(self) -> StudentCode:
        if self._code is None:
            located = {name: path for name, path in self.located_files().items()
                       if not isinstance(path, SubmissionError)}
            files = {support.name: support.path for support in self.support}
            files.update(located)
            self._code = StudentCode(files, [module_name(name) for name in located],
                                     pool=self._pool)
        return self._code

    def close(self) -> None:
        """Stop the worker and every process the student's code started."""
        if self._code is not None:
            self._code.close()
            self.log += self._code.log
            self._code = None
        if self._private is not None:
            self._private.cleanup()
            self._private = None

    def located_files(self) -> dict:
        """{path in the worker: the student's file, or the SubmissionError saying why it is
        missing}: every required code file, and every file a glob of `submit: code` matches."""
        if self._located is not None:
            return self._located
        located: dict = {}
        present = self._tree()
        for name in self.code_files:
            found = [relative for relative in present if fnmatch.fnmatchcase(relative, name)
                     and relative not in located] if is_glob(name) else [None]
            for relative in found:
                try:
                    located[relative or name] = (self._read(relative, relative) if relative
                                                 else self.code_path(name))
                except SubmissionError as exc:
                    located[relative or name] = exc
        for support in self.support:
            mine = self._same_name(support.name, present)
            if mine:
                located.pop(mine, None)
                self.notes.append(f"Your {mine} was not used: {support.name} is provided by the "
                                  "course, and the course's copy is the one your code imports.")
        self._located = located
        return located

    @staticmethod
    def _same_name(support_name: str, present: list) -> str | None:
        """The student's file that would stand for a support file: the same path, or the same
        file name at the top of the submission (an upload of single files)."""
        for relative in present:
            if relative == support_name or (relative == Path(support_name).name
                                            and "/" in support_name):
                return relative
        return None

    def code_path(self, name: str) -> Path:
        """A private copy of the student's `name` (hw6.py, cs231n/layers.py): at that path,
        renamed as uploads get renamed ("hw6 (1).py"), as a notebook (hw6.ipynb, converted to a
        .py file by notebook.py), or, if the only file of that name is elsewhere (an upload of
        single files lands at the top), there, with a note.

        The copy is what the sandbox gets: the student's file is read once, here, through
        untrusted.read_file, so a link, FIFO or device in its place is refused by name.
        """
        where = Path(name).parent
        stem, suffix = Path(name).stem, Path(name).suffix
        if os.path.lexists(self.folder / name):
            candidates = [name]
        else:
            candidates = self._candidates(where, stem, suffix)
        if len(candidates) == 1:
            return self._read(candidates[0], name)
        notebooks = (self._candidates(where, stem, ".ipynb")
                     if suffix == ".py" and not candidates else [])
        if len(notebooks) == 1:
            return self._from_notebook(notebooks[0], name)
        candidates = candidates or notebooks
        if candidates:
            raise SubmissionError(f"{name} was not found, and several files could be it "
                                  f"({', '.join(candidates)}); submit one named {name}")
        elsewhere = [relative for relative in self._tree()
                     if Path(relative).name == Path(name).name]
        if len(elsewhere) == 1:
            self.notes.append(f"{name} was not where the assignment expects it; your "
                              f"{elsewhere[0]} was graded as {name}.")
            return self._read(elsewhere[0], name)
        if elsewhere:
            raise SubmissionError(f"{name} was not found, and several files could be it "
                                  f"({', '.join(elsewhere)}); submit one at {name}")
        raise SubmissionError(f"{name} was not found in your submission (it has: "
                              f"{self._contents()})")

    def _read(self, found: str, name: str) -> Path:
        """Our private copy, as `name`, of the student's file at the relative path `found`."""
        return self._private_copy(name, untrusted.read_file(self.folder, found,
                                                            untrusted.MAX_CODE_BYTES))

    def _tree(self) -> list:
        """The submission's files as relative paths (links not followed, at most MAX_FILES)."""
        found = []
        for directory, folders, files in os.walk(self.folder):
            folders[:] = sorted(name for name in folders
                                if not os.path.islink(os.path.join(directory, name)))
            for file_name in sorted(files):
                path = Path(directory) / file_name
                if not path.is_symlink() and path.is_file():
                    found.append(path.relative_to(self.folder).as_posix())
                if len(found) >= MAX_FILES:
                    return found
        return found

    def _contents(self) -> str:
        files = self._tree()
        if not files:
            return "no files" if self.folder.is_dir() else "nothing"
        shown = ", ".join(files[:10])
        return shown + (f" and {len(files) - 10} more" if len(files) > 10 else "")

    def _candidates(self, where: Path, stem: str, suffix: str) -> list:
        """Relative paths in the folder `where` (inside the submission) that are stem + suffix,
        or renamed like Gradescope does ("hw6 (1).py"), whatever they are: reading one that is
        not a file says so."""
        folder = self.folder / where
        if not folder.is_dir() or any((self.folder / Path(*where.parts[:depth + 1])).is_symlink()
                                      for depth in range(len(where.parts))):
            return []
        pattern = re.compile(_RENAMED.format(stem=re.escape(stem), suffix=re.escape(suffix)),
                             re.IGNORECASE)
        return sorted((where / entry).as_posix() for entry in os.listdir(folder)
                      if pattern.fullmatch(entry))

    def _from_notebook(self, notebook: str, name: str) -> Path:
        """The notebook's code cells written as `name` in a private folder of ours."""
        data = untrusted.read_file(self.folder, notebook, MAX_NOTEBOOK_BYTES,
                                   advice=CLEAR_OUTPUTS)
        source, notes = notebook_to_python(data, notebook)
        self.notes += [f"{notebook} was graded as {name}: its code cells, in order."] + notes
        return self._private_copy(name, source.encode("utf-8"))

    def _private_copy(self, name: str, data: bytes) -> Path:
        """data written as `name` in a folder only we (root, when grading) can read."""
        if self._private is None:
            self._private = tempfile.TemporaryDirectory(prefix="autograder-submission-")
        path = Path(self._private.name) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


def student_from_metadata(path: Path | str) -> str:
    """The identity that seeds a student's variant (spec.student_identity), from Gradescope's
    submission_metadata.json (which run_autograder passes as --metadata); the user id stands in
    where no email is given."""
    path = Path(path)
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SubmissionError(f"{path} was not found: cannot tell whose submission this is") \
            from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SubmissionError(f"{path} cannot be read ({exc})") from None
    users = metadata.get("users") if isinstance(metadata, dict) else None
    if not isinstance(users, list):
        raise SubmissionError(f"{path} lists no users: cannot tell whose submission this is")
    student = student_identity([user for user in users if isinstance(user, dict)], "id")
    if not student:
        raise SubmissionError(f"{path}: no user has an email or id")
    return student
