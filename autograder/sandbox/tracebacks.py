"""How a student's exception is told, wherever it was raised: the sandbox's worker and the
handout's self-check (which runs the student's code in its own process) say it alike.

Part of the sandbox's own program (see worker.py) and shipped in the handout: standard library
only. The exception is the student's: its message is read through BaseException's own __str__
(a submission's override could raise or lie) and capped.
"""

import os
import traceback

MAX_MESSAGE_CHARS = 2000


def describe_exception(error, in_students_files, relative, folder):
    """(kind, lines, line) of a raised error: kind "memory", "syntax" or "exception"; the
    traceback trimmed to the frames of the student's files (in_students_files(filename)), each
    named relative(filename), then the error itself; the line of the last such frame (a syntax
    error's own line)."""
    if isinstance(error, MemoryError):
        kind = "memory"
    elif isinstance(error, SyntaxError):
        kind = "syntax"
    else:
        kind = "exception"
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if in_students_files(frame.filename)]
    line = frames[-1].lineno if frames else None
    lines = []
    if frames:
        lines.append("Traceback (most recent call last):")
        for frame in frames:
            lines.append(f'  File "{relative(frame.filename)}", line {frame.lineno},'
                         f" in {frame.name}")
            if frame.line:
                lines.append(f"    {frame.line}")
    if kind == "syntax":
        line = error.lineno if type(error.lineno) is int else None
        detail = "".join(traceback.format_exception_only(SyntaxError, error)).rstrip()
        lines.append(detail.replace(folder + os.sep, ""))
    else:
        lines.append(f"{type(error).__name__[:100]}: {safe_str(error)}")
    return kind, lines, line


def safe_str(error):
    try:
        text = BaseException.__str__(error)
    except BaseException:  # noqa: BLE001 - a student's exception may fail to print itself
        text = "<the exception's message could not be shown>"
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + " ..."
    return text
