"""A Jupyter notebook submitted where a Python file is expected: its code cells as one module.

Students who work in Jupyter upload `hw6.ipynb`; the grader wants `hw6.py`. The notebook is JSON
(nbformat 4, or 3 for old ones); its code cells are joined in order, each after a
`# --- cell N ---` line so an error's line number leads back to its cell. IPython-only lines
would not even parse as Python, so they are replaced by `pass` with a comment, keeping blocks
valid and line numbers unchanged: line magics (`%matplotlib inline`), shell lines (`!pip install`, `files = !ls`),
help (`np.sum?`) and `get_ipython()` calls; a cell magic (`%%time`) skips its whole cell.
Markdown and raw cells, and every output, are dropped.
"""

from __future__ import annotations

import json
import re

from .errors import SubmissionError

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024   # outputs (plots) make notebooks big; they are not read
CLEAR_OUTPUTS = "clear the outputs (Kernel > Restart & Clear Output) and submit it again"
# A Python statement never starts with % or !, nor is a bare name followed by ? (IPython's help).
_IPYTHON_LINE = re.compile(r"^\s*(?:[%!]|[\w.]+\?{1,2}\s*$|get_ipython\s*\(|\w+\s*=\s*[%!])")


def notebook_to_python(data: bytes, name: str) -> tuple:
    """(Python source, notes) from a notebook's bytes.

    notes: one line per kind of thing skipped, meant for the student. Raises SubmissionError when
    `name` is not a readable notebook.
    """
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{name} is {len(data):,} bytes; {CLEAR_OUTPUTS}")
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise SubmissionError(f"{name} is not a Jupyter notebook (it is not JSON); save it from "
                              f"Jupyter, or submit a .py file") from None
    lines = [f"# Converted by the autograder from {name}: its code cells, in order."]
    skipped_lines, skipped_cells = [], []
    for number, cell in enumerate(_code_cells(notebook, name), start=1):
        source = cell.splitlines()
        lines.append(f"# --- cell {number} ---")
        if source and source[0].lstrip().startswith("%%"):
            skipped_cells.append(f"cell {number} ({source[0].strip()})")
            lines += [f"# [skipped: a {source[0].split()[0]} cell] {line}" for line in source]
            continue
        for line in source:
            if _IPYTHON_LINE.match(line):
                indent = line[: len(line) - len(line.lstrip())]
                lines.append(f"{indent}pass  # [skipped: not Python] {line.strip()}")
                skipped_lines.append(line.strip())
            else:
                lines.append(line)
    notes = []
    if skipped_lines:
        shown = ", ".join(f"`{line[:40]}`" for line in skipped_lines[:3])
        more = f" and {len(skipped_lines) - 3} more" if len(skipped_lines) > 3 else ""
        notes.append(f"{name}: skipped {len(skipped_lines)} IPython line(s) that are not Python: "
                     f"{shown}{more}.")
    if skipped_cells:
        notes.append(f"{name}: skipped {', '.join(skipped_cells)}: cell magics are not Python.")
    return "\n".join(lines) + "\n", notes


def _code_cells(notebook, name: str) -> list:
    """The source text of every code cell, from nbformat 4 (cells) or 3 (worksheets)."""
    if not isinstance(notebook, dict):
        raise SubmissionError(f"{name} is not a Jupyter notebook")
    cells = notebook.get("cells")
    if cells is None and isinstance(notebook.get("worksheets"), list) and notebook["worksheets"]:
        cells = notebook["worksheets"][0].get("cells")       # nbformat 3
    if not isinstance(cells, list):
        raise SubmissionError(f"{name} is not a Jupyter notebook (it has no cells)")
    sources = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise SubmissionError(f"{name}: a code cell's source is not text")
        sources.append(source)
    return sources

