"""A student's submission folder: the answers file and the code files the assignment asks for.

Nothing here trusts the student: the answers file is read with yaml.safe_load under a size cap,
and code is only located here, never imported (the sandbox runs it in another process).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from .errors import SubmissionError
from .notebook import MAX_NOTEBOOK_BYTES, notebook_to_python
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
        self._converted: tempfile.TemporaryDirectory | None = None  # notebooks made into .py
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
        """The student's `name` running in its sandbox; SubmissionError if it is missing."""
        if name not in self._code:
            self._code[name] = StudentCode(self.code_path(name), Path(name).stem, pool=self._pool)
        return self._code[name]

    def close(self) -> None:
        """Stop every worker and every process the student's code started."""
        for code in self._code.values():
            code.close()
        self._code.clear()
        if self._converted is not None:
            self._converted.cleanup()
            self._converted = None

    def code_path(self, name: str) -> Path:
        """Where the student's `name` (e.g. hw6.py) is, recognising renamed uploads, and a
        notebook (hw6.ipynb) in place of a .py file, converted to one (notebook.py)."""
        exact = self.folder / name
        if exact.is_file():
            return exact
        stem, suffix = Path(name).stem, Path(name).suffix
        candidates = self._candidates(stem, suffix)
        if len(candidates) == 1:
            return candidates[0]
        notebooks = self._candidates(stem, ".ipynb") if suffix == ".py" and not candidates else []
        if len(notebooks) == 1:
            return self._from_notebook(notebooks[0], name)
        candidates = candidates or notebooks
        present = ", ".join(sorted(p.name for p in self.folder.iterdir())[:10]) \
            if self.folder.is_dir() else "nothing"
        if candidates:
            raise SubmissionError(f"{name} was not found, and several files could be it "
                                  f"({', '.join(p.name for p in candidates)}); submit one named {name}")
        raise SubmissionError(f"{name} was not found in your submission (it has: {present or 'no files'})")

    def _candidates(self, stem: str, suffix: str) -> list:
        """Files named stem + suffix, or renamed like Gradescope does ("hw6 (1).py")."""
        if not self.folder.is_dir():
            return []
        pattern = re.compile(_RENAMED.format(stem=re.escape(stem), suffix=re.escape(suffix)),
                             re.IGNORECASE)
        return sorted(path for path in self.folder.iterdir()
                      if path.is_file() and pattern.fullmatch(path.name))

    def _from_notebook(self, notebook: Path, name: str) -> Path:
        """The notebook's code cells written as `name` in a private folder of ours."""
        with open(notebook, "rb") as opened:   # one byte past the cap is enough to refuse it
            source, notes = notebook_to_python(opened.read(MAX_NOTEBOOK_BYTES + 1), notebook.name)
        if self._converted is None:
            self._converted = tempfile.TemporaryDirectory(prefix="autograder-notebook-")
        path = Path(self._converted.name) / name
        path.write_text(source, encoding="utf-8")
        self.notes += [f"{notebook.name} was graded as {name}: its code cells, in order."] + notes
        return path
