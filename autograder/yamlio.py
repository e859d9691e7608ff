"""YAML reading that remembers where every value came from.

Instructors' specs are YAML; a mistake in one must be reported with its file, line and key, so
mappings are loaded as `Node`s that keep the line of each key. Student answer files are YAML too,
but they are untrusted: they get the plain safe loader with a size cap and no positions.

A spec, once parsed, is kept as JSON beside it (__pycache__/<name>.json, with the SHA-256 of the
text it came from), as Python keeps a module's bytecode: a grade whose specs are all parsed
already never imports PyYAML, whose import and parse were a tenth of a grade's CPU on one core.
PyYAML is imported on first use only.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

from .errors import SpecError, SubmissionError
from .untrusted import MissingFile, read_file


class Node(dict):
    """A YAML mapping that knows its file, its own line and the line of each key."""

    def __init__(self, *args, file: str = "<spec>", line: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.file = file
        self.line = line
        self.key_lines: dict = {}
        self.key_files: dict = {}   # keys merged in from another file (a base spec): that file

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def error(self, key: str | None, message: str) -> SpecError:
        """A SpecError pointing at `key` of this mapping (or at the mapping itself)."""
        line = self.line_of(key) if key is not None else self.line
        return SpecError(message, file=self.key_files.get(key, self.file), line=line, key=key)

    def require(self, key: str, types: type | tuple, what: str) -> Any:
        """self[key], which must exist and be of `types`; otherwise a SpecError at that key."""
        if key not in self:
            raise self.error(key, f"missing required key '{key}' ({what})")
        return self.typed(key, types, what)

    def optional(self, key: str, types: type | tuple, what: str, default: Any) -> Any:
        return self.typed(key, types, what) if key in self else default

    def typed(self, key: str, types: type | tuple, what: str) -> Any:
        value = self[key]
        # bool is an int in Python; `points: yes` is a mistake, not 1 point.
        allowed = types if isinstance(types, tuple) else (types,)
        if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
            raise self.error(key, f"must be {what}, not {describe(value)}")
        return value

    def reject_unknown_keys(self, allowed: set, where: str) -> None:
        for key in self:
            if key not in allowed:
                raise self.error(str(key), f"unknown key in {where} "
                                           f"(allowed: {', '.join(sorted(allowed))})")


def describe(value: Any) -> str:
    """A few words on what a YAML value is, for error messages."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


@functools.cache
def _yaml():
    """PyYAML and our two loaders, made on first use: (yaml, safe loader, position loader)."""
    import re

    import yaml

    # libyaml's parser when PyYAML has it: ten times faster than the pure-Python one (5 ms
    # instead of 50 for HW6's spec), which is a fair share of grading one submission.
    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class PositionLoader(safe_loader):
        """SafeLoader whose mappings are Nodes; rejects duplicate keys, which YAML drops."""

        source_name = "<spec>"

    def construct_node(loader: PositionLoader, node) -> Node:
        loader.flatten_mapping(node)
        mapping = Node(file=loader.source_name, line=node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int, float, bool)):
                raise SpecError("a mapping key must be a plain scalar", file=mapping.file,
                                line=line)
            if key in mapping:
                raise SpecError(f"duplicate key (first at line {mapping.key_lines[key]})",
                                file=mapping.file, line=line, key=str(key))
            mapping[key] = loader.construct_object(value_node, deep=True)
            mapping.key_lines[key] = line
        return mapping

    PositionLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                   construct_node)
    # YAML 1.1 reads `1e-6` (no dot) as text; instructors mean a number, as YAML 1.2 says.
    PositionLoader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+$"),
        list("-+0123456789."))
    return yaml, safe_loader, PositionLoader


def load_spec_file(path: Path) -> Any:
    """Parse an instructor's YAML file into Nodes; a syntax error becomes a SpecError with its line.

    From its parsed form in __pycache__ when that was made from this very text; otherwise
    parsed, and the parsed form written (unless PYTHONDONTWRITEBYTECODE, as for bytecode)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    except UnicodeDecodeError:
        raise SpecError("the file is not UTF-8 text", file=str(path)) from None
    parsed = _parsed_path(Path(path))
    digest = _digest(text)
    tree = _read_parsed(parsed, digest, str(path))
    if tree is not _NOT_PARSED:
        return tree
    yaml, _, position_loader = _yaml()
    loader = position_loader(text)
    loader.source_name = str(path)
    try:
        tree = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SpecError(f"not valid YAML: {exc.problem or exc.context}", file=str(path),
                        line=line) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"not valid YAML: {exc}", file=str(path)) from None
    finally:
        loader.dispose()
    if not sys.dont_write_bytecode:
        _write_parsed(parsed, digest, tree)
    return tree


# The parsed form's layout; a change to it, or to what the position loader builds, bumps it.
PARSED_FORMAT = 1
_NOT_PARSED = object()


def _parsed_path(path: Path) -> Path:
    return path.parent / "__pycache__" / f"{path.name}.json"


def _digest(text: str) -> str:
    import hashlib  # numpy.random has imported it already
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_parsed(parsed: Path, digest: str, file: str) -> Any:
    """The tree kept in `parsed` if it was made from the text of this digest, else _NOT_PARSED
    (missing, stale, of another format or unreadable: the YAML is parsed instead)."""
    try:
        kept = json.loads(parsed.read_bytes())
        if kept["format"] != PARSED_FORMAT or kept["sha256"] != digest:
            return _NOT_PARSED
        return _from_plain(kept["tree"], file)
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return _NOT_PARSED


def _write_parsed(parsed: Path, digest: str, tree: Any) -> None:
    """Keep `tree` as JSON; silently not where it holds what JSON cannot (a YAML date) or the
    folder is not writable, as Python does with bytecode."""
    try:
        data = json.dumps({"format": PARSED_FORMAT, "sha256": digest, "tree": _to_plain(tree)},
                          allow_nan=True)
    except (TypeError, ValueError):
        return
    # a name of this process's and thread's own: graders of one regrade write it at once
    partial = parsed.with_name(f"{parsed.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        parsed.parent.mkdir(exist_ok=True)
        partial.write_text(data, encoding="utf-8")
        os.replace(partial, parsed)
    except OSError:
        try:
            partial.unlink(missing_ok=True)  # a disk that filled up mid-write
        except OSError:
            pass


def _to_plain(value: Any, seen: set | None = None) -> Any:
    """A tree of Nodes as JSON's types: a Node is {"line", "items": [[key, key's line, value]]}
    (its keys may be numbers or booleans; JSON's object keys are text). TypeError for a value
    JSON does not have, or a collection reached twice (a YAML alias: JSON would copy it)."""
    seen = set() if seen is None else seen
    if isinstance(value, (Node, list)):
        if id(value) in seen:
            raise TypeError("a YAML alias of a collection")
        seen.add(id(value))
    if isinstance(value, Node):
        return {"line": value.line, "items": [[key, value.key_lines[key], _to_plain(item, seen)]
                                              for key, item in value.items()]}
    if isinstance(value, list):
        return [_to_plain(item, seen) for item in value]
    if value is None or type(value) in (str, int, float, bool):
        return value
    raise TypeError(f"{type(value).__name__} has no JSON form")


def _from_plain(value: Any, file: str) -> Any:
    if isinstance(value, dict):
        node = Node(file=file, line=value["line"])
        for key, line, item in value["items"]:
            node[key] = _from_plain(item, file)
            node.key_lines[key] = line
        return node
    if isinstance(value, list):
        return [_from_plain(item, file) for item in value]
    return value


MAX_ANSWERS_BYTES = 256 * 1024

# Untrusted YAML (answers, an export's metadata) is also capped in what it expands to.
MAX_YAML_DEPTH = 64
MAX_YAML_VALUES = 100_000


class YamlTooComplex(ValueError):
    """Untrusted YAML nested too deeply, or too large once its aliases are expanded."""


def check_complexity(text: str, max_values: int = MAX_YAML_VALUES,
                     max_depth: int = MAX_YAML_DEPTH) -> None:
    """Raise YamlTooComplex when `text`, with every alias expanded, holds more than max_values
    values or nests deeper than max_depth; yaml.YAMLError when it does not parse.

    One pass over the parser's events, which libyaml produces without recursing: nothing is
    built, so neither a billion laughs (aliases of aliases) nor 100,000 brackets costs more than
    reading the text. (libyaml's composer, which builds the nodes, recurses in C, and crashes the
    process on a few hundred thousand nested brackets.)
    """
    yaml, safe_loader, _ = _yaml()
    parser = safe_loader(text)
    try:
        anchors = {}       # anchor -> (values, depth) of what it names, once complete
        open_ = []         # collections being read: [anchor, values before it, deepest level]
        values = 0
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                values += 1
                open_.append([event.anchor, values - 1, len(open_) + 1])
                if len(open_) > max_depth:
                    raise YamlTooComplex(f"nested more than {max_depth} levels deep")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, before, deepest = open_.pop()
                if anchor is not None:
                    anchors[anchor] = (values - before, deepest - len(open_))
                if open_:
                    open_[-1][2] = max(open_[-1][2], deepest)
            elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                if isinstance(event, yaml.ScalarEvent):
                    count, depth = 1, 1
                    if event.anchor is not None:
                        anchors[event.anchor] = (1, 1)
                elif event.anchor in anchors:
                    count, depth = anchors[event.anchor]
                else:  # an alias of a collection still open: it contains itself
                    raise YamlTooComplex(f"the alias *{event.anchor} refers to itself")
                values += count
                if open_:
                    open_[-1][2] = max(open_[-1][2], len(open_) + depth)
                if len(open_) + depth > max_depth:
                    raise YamlTooComplex(f"nested more than {max_depth} levels deep")
            if values > max_values:
                raise YamlTooComplex(f"more than {max_values:,} values once its aliases are "
                                     "expanded")
    except yaml.YAMLError as error:
        # libyaml 0.2.5 (PyYAML >= 6.0.2's wheels) stops at 1000 levels while scanning ahead of
        # the events above: deeper than our cap, so it is the same refusal
        if "maximum nesting depth" in str(getattr(error, "problem", "")):
            raise YamlTooComplex(f"nested more than {max_depth} levels deep") from None
        raise
    finally:
        parser.dispose()



def load_answers_file(path: Path, max_bytes: int = MAX_ANSWERS_BYTES) -> dict:
    """Read a student's answers file (untrusted.read_file: no link or FIFO is followed): safe_load
    only, size-capped, must be a mapping.

    Returns a dict mapping question id (str) to the raw answer. Raises SubmissionError with a message
    meant for the student.
    """
    path = Path(path)
    name = path.name
    try:
        raw = read_file(path.parent, name, max_bytes)
    except MissingFile:
        raise SubmissionError(f"{name} was not found in your submission") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionError(f"{name} is not UTF-8 text") from None
    yaml, safe_loader, _ = _yaml()
    try:
        check_complexity(text)
        data = yaml.load(text, Loader=safe_loader)
    except YamlTooComplex as exc:
        raise SubmissionError(f"{name} is too complex to read: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}" if mark else ""
        raise SubmissionError(f"{name} is not valid YAML{where}: {exc.problem}") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise SubmissionError(f"{name} is not valid YAML ({type(exc).__name__})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SubmissionError(f"{name} must map each question id to your answer "
                              f"(like `q1: B`), not be a {type(data).__name__}")
    return {str(key): value for key, value in data.items()}
