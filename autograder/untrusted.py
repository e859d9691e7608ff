"""Reading files that someone else controls (a submission, a Gradescope export): nothing is followed.

A submission may hold a symbolic link to the instructor's solution or to /etc/shadow, a FIFO
that blocks whoever opens it, a device (/dev/zero never ends), or a folder where a file belongs.
`read_file` is the one way the grader reads such a file: every folder on the way is opened
without following links (O_NOFOLLOW | O_DIRECTORY, each relative to the one before), the file
too (O_NOFOLLOW, O_NONBLOCK so that a FIFO cannot block), it must be a regular file on the open
descriptor (fstat, so nothing can be swapped in after a check), and at most its cap plus one byte
is read, whatever its size says. Anything else is refused with a message that says what it was,
never with anything of what it points at.

The self-check copies this module into the handout; where the platform has no O_NOFOLLOW or
dir_fd (Windows), each name is checked with lstat before it is opened instead, which gives the
same messages.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath

from .errors import SubmissionError

MAX_CODE_BYTES = 2 * 1024 * 1024  # a .py file; HW6's solution is 12 kB, a big one 100 kB

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FILE_FLAGS = (os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
_FOLDER_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_DIRECTORY", 0)
_RELATIVE_OPEN = bool(_NOFOLLOW) and os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd


class MissingFile(SubmissionError):
    """Nothing of that name is there."""


class NotAFile(SubmissionError):
    """Something is there, but not a regular file; what: 'a symbolic link', 'a folder', ..."""

    def __init__(self, message: str, what: str):
        super().__init__(message)
        self.what = what


class FileTooLarge(SubmissionError):
    """A regular file larger than the cap."""


def what_it_is(mode: int) -> str:
    """'a symbolic link', 'a folder', ... for a file mode that is not a regular file's."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def not_a_file(name: str, mode: int, instead: str = "the file itself") -> NotAFile:
    what = what_it_is(mode)
    return NotAFile(f"{name} is {what}; submit {instead}", what)


def read_file(folder: Path | str, name: str, max_bytes: int, *, advice: str = "") -> bytes:
    """The bytes of folder/name, where `name` is relative ('hw6.py', 'src/hw6.py').

    folder itself is ours (the grader was told it); everything below it is not, and is never
    followed. Raises MissingFile, NotAFile (with what it is: "hw6.py is a symbolic link; submit
    the file itself") or FileTooLarge (its message ends with `advice` when given).
    """
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
        raise ValueError(f"{name!r} is not a path inside the folder")
    if not _RELATIVE_OPEN:
        return _read_checking_each_name(Path(folder), parts, max_bytes, advice)
    folder_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for depth, part in enumerate(parts[:-1]):
            shown = "/".join(parts[:depth + 1])
            inner = _enter(folder_fd, part, shown)
            os.close(folder_fd)
            folder_fd = inner
        try:
            mode = os.stat(parts[-1], dir_fd=folder_fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            raise MissingFile(f"{name} was not found") from None
        if not stat.S_ISREG(mode):  # refused before opening: opening a device can do things
            raise not_a_file(name, mode)
        try:
            fd = os.open(parts[-1], _FILE_FLAGS, dir_fd=folder_fd)
        except OSError as exc:  # swapped for a link since the stat (ELOOP), or gone
            raise _refusal(name, exc) from None
    finally:
        os.close(folder_fd)
    return _read_regular(fd, name, max_bytes, advice)


def _enter(folder_fd: int, part: str, shown: str) -> int:
    """The folder `part` inside folder_fd, opened without following it."""
    try:
        return os.open(part, _FOLDER_FLAGS, dir_fd=folder_fd)
    except OSError as exc:
        try:
            mode = os.stat(part, dir_fd=folder_fd, follow_symlinks=False).st_mode
        except OSError:
            raise MissingFile(f"{shown} was not found") from None
        if stat.S_ISDIR(mode):
            raise MissingFile(f"{shown} cannot be opened ({exc.strerror})") from None
        raise not_a_file(shown, mode, "the folder itself") from None


def _refusal(name: str, exc: OSError) -> SubmissionError:
    if exc.errno == errno.ELOOP:
        return not_a_file(name, stat.S_IFLNK)
    if exc.errno == errno.ENOENT:
        return MissingFile(f"{name} was not found")
    return SubmissionError(f"{name} cannot be opened ({exc.strerror})")


def _read_regular(fd: int, name: str, max_bytes: int, advice: str) -> bytes:
    """At most max_bytes + 1 bytes of fd, which must be a regular file; closes fd."""
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise not_a_file(name, mode)
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    if left <= 0:
        raise FileTooLarge(f"{name} is more than {max_bytes:,} bytes; at most {max_bytes:,} are "
                           "read" + (f" ({advice})" if advice else ""))
    return b"".join(chunks)


def _read_checking_each_name(folder: Path, parts: tuple, max_bytes: int, advice: str) -> bytes:
    """read_file where the platform cannot open relative to a folder without following."""
    path = folder
    for depth, part in enumerate(parts):
        path = path / part
        shown = "/".join(parts[:depth + 1])
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            raise MissingFile(f"{shown} was not found") from None
        last = depth == len(parts) - 1
        if not (stat.S_ISREG(mode) if last else stat.S_ISDIR(mode)):
            raise not_a_file(shown, mode, "the file itself" if last else "the folder itself")
    try:
        fd = os.open(path, _FILE_FLAGS)
    except OSError as exc:
        raise _refusal("/".join(parts), exc) from None
    return _read_regular(fd, "/".join(parts), max_bytes, advice)
