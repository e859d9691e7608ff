"""A student's submission folder: the answers file and the code files the assignment asks for.

Nothing here trusts the student: every file is read through untrusted.read_file (no link, FIFO
or device is followed, at most a cap is read), the answers file is parsed with yaml's safe loader
under caps, and code is only copied here, never imported (the sandbox runs it in another process).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from . import untrusted
from .errors import SubmissionError
from .notebook import CLEAR_OUTPUTS, MAX_NOTEBOOK_BYTES, notebook_to_python
from .student_code import StudentCode
from .yamlio import load_answers_file

# Gradescope and browsers rename repeated uploads: "hw6 (1).py", "hw6-1.py", "hw6_2.py".
_RENAMED = r"{stem}(?: ?\(\d+\)|[-_ ]\d+)?{suffix}"


class Submission:
    """pool: a sandbox WorkerPool to fork student workers from (regrading many at once)."""

    def __init__(self, folder: Path | str, answers_file: str, code_files: tuple = (), *,
                 pool=None):
        self.folder = Path(folder)
        self.answers_file = answers_file
        self.code_files = code_files
        self._pool = pool
        self._code: dict = {}
        self._answers: dict | None = None
        self._private: tempfile.TemporaryDirectory | None = None  # our copies of code files
        self.notes: list = []  # for the student: what was done to read their files
        self.answers_error: SubmissionError | None = None  # set once reading the answers failed

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
        """Start a worker for each code file now, so it is ready when the code checks run."""
        for name in self.code_files:
            try:
                self.code(name)
            except SubmissionError:
                pass  # reported by the items that need the file

    def code(self, name: str) -> StudentCode:
        """The student's `name` running in its sandbox; SubmissionError if it cannot be read."""
        if name not in self._code:
            try:
                self._code[name] = StudentCode(self.code_path(name), Path(name).stem,
                                               pool=self._pool)
            except SubmissionError as exc:
                self._code[name] = exc  # every item that needs the file says the same
        found = self._code[name]
        if isinstance(found, SubmissionError):
            raise found
        return found

    def close(self) -> None:
        """Stop every worker and every process the student's code started."""
        for code in self._code.values():
            if isinstance(code, StudentCode):
                code.close()
        self._code.clear()
        if self._private is not None:
            self._private.cleanup()
            self._private = None

    def code_path(self, name: str) -> Path:
        """A private copy of the student's `name` (e.g. hw6.py), recognising renamed uploads,
        and a notebook (hw6.ipynb) in place of a .py file, converted to one (notebook.py).

        The copy is what the sandbox gets: the student's file is read once, here, through
        untrusted.read_file, so a link, FIFO or device in its place is refused by name.
        """
        stem, suffix = Path(name).stem, Path(name).suffix
        if os.path.lexists(self.folder / name):
            candidates = [name]
        else:
            candidates = self._candidates(stem, suffix)
        if len(candidates) == 1:
            found = candidates[0]
            return self._private_copy(found, untrusted.read_file(
                self.folder, found, untrusted.MAX_CODE_BYTES))
        notebooks = self._candidates(stem, ".ipynb") if suffix == ".py" and not candidates else []
        if len(notebooks) == 1:
            return self._from_notebook(notebooks[0], name)
        candidates = candidates or notebooks
        present = ", ".join(sorted(os.listdir(self.folder))[:10]) \
            if self.folder.is_dir() else "nothing"
        if candidates:
            raise SubmissionError(f"{name} was not found, and several files could be it "
                                  f"({', '.join(candidates)}); submit one named {name}")
        raise SubmissionError(f"{name} was not found in your submission (it has: {present or 'no files'})")

    def _candidates(self, stem: str, suffix: str) -> list:
        """Names in the folder that are stem + suffix, or renamed like Gradescope does
        ("hw6 (1).py"), whatever they are: reading one that is not a file says so."""
        if not self.folder.is_dir():
            return []
        pattern = re.compile(_RENAMED.format(stem=re.escape(stem), suffix=re.escape(suffix)),
                             re.IGNORECASE)
        return sorted(entry for entry in os.listdir(self.folder) if pattern.fullmatch(entry))

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
        path.write_bytes(data)
        return path
