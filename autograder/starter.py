"""The starter students get: generated from a marked solution, or written by hand.

One solution file can be the source of both. Inside a function, after its docstring:

    def softmax(F):
        \"\"\"Row-wise softmax. F: (N, K) -> P: (N, K).\"\"\"
        # BEGIN SOLUTION
        shifted = F - F.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        return e / e.sum(axis=1, keepdims=True)
        # END SOLUTION

The starter keeps everything outside the markers and puts `raise NotImplementedError`, at the
marker's indentation, where each SOLUTION block was. A HIDDEN block (`# BEGIN HIDDEN` ...
`# END HIDDEN`) is dropped with nothing in its place: a helper, an import or a note for
instructors that students must never see, at any level. A SOLUTION block at the top level of the
file is an error, since its `raise` would make the starter fail to import.

Markers are comments alone on their line, found with the tokenizer (so a marker-like line inside a
string is text, not a marker); blocks do not nest. The solution itself runs as it is: markers are
comments, so `validate` grades the very file the starter came from.

Which starter a code file gets (`starter_files`):
  solution/<name> has markers, no <name> beside assignment.yaml   the generated one
  <name> beside assignment.yaml, solution/<name> without markers   the hand-written one
  both a marked solution and a hand-written <name>                 a SpecError: one source only
  neither                                                          none (the handout has no file)
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from .errors import SpecError

SOLUTION_DIR = "solution"
_MARKER = re.compile(r"#\s*(BEGIN|END)\s+(SOLUTION|HIDDEN)\s*$")
STUB = "raise NotImplementedError"


def find_markers(text: str, file: str) -> list:
    """[(line number, "BEGIN" | "END", "SOLUTION" | "HIDDEN", indentation)] of the marker
    comments that stand alone on their lines; SpecError if the file does not tokenize."""
    markers = []
    lines = text.splitlines()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT:
                continue
            found = _MARKER.match(token.string)
            row, column = token.start
            if found and not lines[row - 1][:column].strip():
                markers.append((row, found.group(1), found.group(2), lines[row - 1][:column]))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise SpecError(f"cannot be read as Python: {exc}", file=file) from None
    return markers


def has_markers(path: Path) -> bool:
    if path.suffix != ".py" or not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    return bool(_MARKER.search(text)) and bool(find_markers(text, str(path)))


def generate_starter(text: str, file: str) -> str:
    """The starter made from a marked solution's text; SpecError (file:line) on a bad marker."""
    lines = text.splitlines(keepends=True)
    kept: list = []
    open_block = None   # (line number, kind, indentation) of the BEGIN being read
    position = 0        # the next line of `lines` not yet copied
    for row, edge, kind, indent in find_markers(text, file):
        key = f"{edge} {kind}"
        if edge == "BEGIN":
            if open_block is not None:
                raise SpecError(f"blocks do not nest: BEGIN {open_block[1]} at line "
                                f"{open_block[0]} has no END before this one", file=file,
                                line=row, key=key)
            if kind == "SOLUTION" and not indent:
                raise SpecError("a SOLUTION block at the top level would make the starter "
                                "raise on import; put it inside a function, or use HIDDEN to "
                                "drop top-level lines", file=file, line=row, key=key)
            kept += lines[position:row - 1]
            open_block, position = (row, kind, indent), row
            continue
        if open_block is None:
            raise SpecError(f"END {kind} without a BEGIN {kind} before it", file=file,
                            line=row, key=key)
        begin_row, begin_kind, begin_indent = open_block
        if kind != begin_kind:
            raise SpecError(f"ends a {kind} block, but the block opened at line {begin_row} "
                            f"is {begin_kind}", file=file, line=row, key=key)
        for number in range(begin_row, row - 1):
            body = lines[number]
            if body.strip() and not body.startswith(begin_indent):
                raise SpecError(f"line {number + 1} is indented less than the BEGIN {kind} "
                                f"marker at line {begin_row}: a block must stay inside the "
                                f"code it replaces", file=file, line=number + 1, key=key)
        if kind == "SOLUTION":
            kept.append(f"{begin_indent}{STUB}\n")
        open_block, position = None, row
    if open_block is not None:
        raise SpecError(f"BEGIN {open_block[1]} has no END {open_block[1]}", file=file,
                        line=open_block[0], key=f"BEGIN {open_block[1]}")
    kept += lines[position:]
    starter = "".join(kept)
    try:
        ast.parse(starter, filename=file)
    except SyntaxError as exc:
        raise SpecError(f"the starter generated from this file is not valid Python (line "
                        f"{exc.lineno} of the starter: {exc.msg}); check the markers' "
                        f"indentation", file=file) from None
    return starter


def starter_files(folder: Path, code_files) -> dict:
    """{code file name: the starter's bytes} for each submitted code file that has one."""
    folder = Path(folder)
    starters = {}
    for name in code_files:
        solution, hand_written = folder / SOLUTION_DIR / name, folder / name
        if has_markers(solution):
            if hand_written.is_file():
                raise SpecError(f"two starters for {name}: {SOLUTION_DIR}/{name} has BEGIN/END "
                                f"markers, so the starter is generated from it, and {name} "
                                f"beside assignment.yaml is a hand-written one; delete one of "
                                f"them", file=str(hand_written))
            text = solution.read_text(encoding="utf-8")
            starters[name] = generate_starter(text, str(solution)).encode("utf-8")
        elif hand_written.is_file():
            starters[name] = hand_written.read_bytes()
    return starters


def assignment_starters(assignment) -> dict:
    """{code file name: the starter's bytes} for each required code file of an Assignment: from
    its folder, else from the folder of the spec it extends (and so on), as starter_files finds
    them in each."""
    starters: dict = {}
    for spec_file in assignment.spec_files or (Path(assignment.folder) / "assignment.yaml",):
        missing = [name for name in assignment.required_code_files if name not in starters]
        starters.update(starter_files(Path(spec_file).parent, missing))
    return starters
