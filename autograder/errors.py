"""Typed errors that carry where they come from; the CLI turns them into messages in one place."""

from __future__ import annotations


class AutograderError(Exception):
    """Base of every error the grader expects and can explain to a person."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 key: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.key = key

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}"


class SpecError(AutograderError):
    """An instructor's assignment spec is wrong: names file, line and key."""


class SubmissionError(AutograderError):
    """A student's submission cannot be read (missing, too large, not parseable)."""


class FormulaError(AutograderError):
    """A formula (student's or spec's) is not one the whitelist accepts."""


class StudentCodeError(AutograderError):
    """Student code failed to load, crashed, hung, or returned something unusable.

    mistake: a short name of what went wrong ("not implemented", "timed out"), for regrade's
    item analysis."""

    def __init__(self, message: str, *, mistake: str = "", **where):
        super().__init__(message, **where)
        self.mistake = mistake


class GraderFault(AutograderError):
    """Grading could not be done for a reason of ours (the sandbox cannot isolate or start, its
    channel broke twice, our disk is full): the submission is reported as not graded, to be
    graded again, never given a 0."""
