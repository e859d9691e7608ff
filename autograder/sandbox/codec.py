"""The only format that crosses the sandbox boundary: plain data in length-prefixed frames.

Never pickle: unpickling runs code chosen by whoever wrote the bytes, and the worker's bytes are
written by student code. A frame is

    b"SBX1" | header length (u32, big-endian) | body length (u64) | header | body

The header is JSON describing a tree of values; the body is the raw bytes of the tree's arrays,
one after another in the order the header names them. Containers are tagged so that tuples stay
tuples and no student string can pass for a marker:

    None, bool, int, float, str      as JSON itself (NaN and infinities as JSON's NaN/Infinity)
    ["L", item, ...]                 list
    ["T", item, ...]                 tuple
    ["D", {"key": value, ...}]       dict with str keys
    ["A", "<f8", [2, 3]]             numpy array: little-endian dtype from a whitelist, shape
    ["H", id, "type name", "token"]  Handle: an object that stayed in the worker
    ["R", seed]                      Rng: the worker builds numpy.random.default_rng(seed)

`decode` is strict: anything else, any size over the caps, or body bytes left over raise
CodecError, and the grader then treats the worker as broken.

This module is also part of the sandbox's own program (see worker.py), so it imports nothing
from the autograder package. `read_frame` is the one reader of frames: the grader's (with a
deadline), the worker's and the zygote's (from bytes) differ only in how they read bytes.
"""

import json
import math
import os
import struct

import numpy as np

# Bound once, at import: in the worker, student code may later replace numpy's attributes.
_ndarray, _dtype, _frombuffer = np.ndarray, np.dtype, np.frombuffer
_ascontiguousarray = np.ascontiguousarray
_tobytes = np.ndarray.tobytes

MAGIC = b"SBX1"
PREFIX = struct.Struct(">4sIQ")
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32
MAX_NDIM = 32

# Bool and numbers only: object arrays would carry student objects, structured and string
# dtypes are not something a numeric check compares.
ALLOWED_DTYPES = frozenset(_dtype(code).newbyteorder("<").str for code in (
    "?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"))


class CodecError(ValueError):
    """Data that is not plain, too large, or a malformed frame."""


class MessageTooLarge(CodecError):
    """A value whose frame would exceed the size limit."""


class Handle:
    """An object that stayed in the worker; pass it back as an argument of a later call.

    `token` names the worker process that holds it: a handle from a worker that has since
    been replaced points at nothing.
    """

    __slots__ = ("id", "type_name", "token")

    def __init__(self, id: int, type_name: str, token: str):
        self.id = id
        self.type_name = type_name
        self.token = token

    def __eq__(self, other):
        return (type(other) is Handle and (self.id, self.type_name, self.token)
                == (other.id, other.type_name, other.token))

    def __hash__(self):
        return hash((self.id, self.token))

    def __repr__(self):
        return f"Handle({self.id}, {self.type_name!r})"


class Rng:
    """Asks the worker for a fresh numpy.random.default_rng(seed) as this argument."""

    __slots__ = ("seed",)

    def __init__(self, seed: int):
        if type(seed) is not int or seed < 0:
            raise CodecError(f"an Rng seed must be a non-negative int, not {seed!r}")
        self.seed = seed

    def __eq__(self, other):
        return type(other) is Rng and other.seed == self.seed

    def __hash__(self):
        return hash(("Rng", self.seed))

    def __repr__(self):
        return f"Rng({self.seed})"


def encode(value, max_bytes: int = MAX_MESSAGE_BYTES) -> bytes:
    """One frame holding `value`, which must be plain data (exact types, not subclasses)."""
    chunks = []
    tree = _to_tree(value, chunks, 0)
    try:
        header = json.dumps(tree, separators=(",", ":")).encode()
    except ValueError as error:  # an int too long to write out
        raise CodecError(str(error)) from None
    body_len = sum(len(chunk) for chunk in chunks)
    if PREFIX.size + len(header) + body_len > max_bytes:
        raise MessageTooLarge(f"message of {len(header) + body_len} bytes exceeds {max_bytes}")
    return b"".join([PREFIX.pack(MAGIC, len(header), body_len), header, *chunks])


def _to_tree(value, chunks, depth):
    if depth > MAX_DEPTH:
        raise CodecError(f"data nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is list:
        return ["L", *[_to_tree(item, chunks, depth + 1) for item in value]]
    if kind is tuple:
        return ["T", *[_to_tree(item, chunks, depth + 1) for item in value]]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise CodecError("dict keys must be str")
        return ["D", {key: _to_tree(item, chunks, depth + 1) for key, item in value.items()}]
    if kind is _ndarray:
        dtype = value.dtype.newbyteorder("<").str
        if dtype not in ALLOWED_DTYPES:
            raise CodecError(f"array dtype {value.dtype} is not plain numeric data")
        chunks.append(_ascontiguousarray(value, dtype=dtype).tobytes())
        return ["A", dtype, list(value.shape)]
    if kind is Handle:
        return ["H", value.id, value.type_name, value.token]
    if kind is Rng:
        return ["R", value.seed]
    raise CodecError(f"{kind.__name__} is not plain data")


def read_prefix(prefix: bytes, max_bytes: int = MAX_MESSAGE_BYTES) -> tuple[int, int]:
    """(header length, body length) from a frame's first PREFIX.size bytes, checked."""
    magic, header_len, body_len = PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise CodecError("not a sandbox frame")
    if PREFIX.size + header_len + body_len > max_bytes:
        raise CodecError(f"message of {header_len + body_len} bytes exceeds {max_bytes}")
    return header_len, body_len


def read_frame(read_exact, max_bytes: int = MAX_MESSAGE_BYTES):
    """The next frame's value, its bytes taken by read_exact(n) (n bytes, or None at end of
    file); None at end of file before a frame begins."""
    prefix = read_exact(PREFIX.size)
    if prefix is None:
        return None
    header_len, body_len = read_prefix(prefix, max_bytes)
    header = read_exact(header_len)
    body = read_exact(body_len)
    if header is None or body is None:
        raise CodecError("frame cut short")
    return decode(header, body)


def read_exact(fd: int, n: int, wait=None):
    """n bytes from fd, or None at end of file before them; wait() before each read (it may
    raise, to give up)."""
    chunks, got = [], 0
    while got < n:
        if wait is not None:
            wait()
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def decode_frame(data: bytes, max_bytes: int = MAX_MESSAGE_BYTES):
    """The value of the one whole frame that `data` is."""
    offset = 0

    def take(n):
        nonlocal offset
        chunk = data[offset:offset + n]
        offset += n
        return chunk if len(chunk) == n else None

    if len(data) < PREFIX.size:
        raise CodecError("frame cut short")
    value = read_frame(take, max_bytes)
    if offset != len(data):
        raise CodecError("bytes after the frame")
    return value


def decode(header: bytes, body: bytes):
    """The value a frame's header and body describe; CodecError unless it is exactly plain."""
    try:
        tree = json.loads(header.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (ValueError, RecursionError) as error:
        raise CodecError(f"malformed header: {error}") from None
    body_view = memoryview(body)
    value, used = _from_tree(tree, body_view, 0, 0)
    if used != len(body):
        raise CodecError(f"{len(body) - used} body bytes not described by the header")
    return value


def _no_duplicate_keys(pairs):
    result = dict(pairs)
    if len(result) != len(pairs):
        raise CodecError("duplicate dict key")
    return result


def _from_tree(tree, body, offset, depth):
    """(value, new body offset) for one header node."""
    if depth > MAX_DEPTH:
        raise CodecError(f"data nested deeper than {MAX_DEPTH} levels")
    kind = type(tree)
    if tree is None or kind in (bool, int, float, str):
        return tree, offset
    if kind is not list or not tree or tree[0] not in ("L", "T", "D", "A", "H", "R"):
        raise CodecError(f"unexpected header node {str(tree)[:80]}")
    tag, fields = tree[0], tree[1:]
    if tag in ("L", "T"):
        items = []
        for item in fields:
            value, offset = _from_tree(item, body, offset, depth + 1)
            items.append(value)
        return (items if tag == "L" else tuple(items)), offset
    if tag == "D":
        if len(fields) != 1 or type(fields[0]) is not dict:
            raise CodecError("malformed dict node")
        result = {}
        for key, item in fields[0].items():
            result[key], offset = _from_tree(item, body, offset, depth + 1)
        return result, offset
    if tag == "A":
        return _array_from(fields, body, offset)
    if tag == "H":
        if (len(fields) != 3 or type(fields[0]) is not int or type(fields[1]) is not str
                or type(fields[2]) is not str):
            raise CodecError("malformed handle node")
        return Handle(*fields), offset
    if len(fields) != 1 or type(fields[0]) is not int or fields[0] < 0:
        raise CodecError("malformed rng node")
    return Rng(fields[0]), offset


def _array_from(fields, body, offset):
    if len(fields) != 2 or type(fields[0]) is not str or type(fields[1]) is not list:
        raise CodecError("malformed array node")
    dtype, shape = fields
    if dtype not in ALLOWED_DTYPES:
        raise CodecError(f"array dtype {dtype!r} is not allowed")
    if len(shape) > MAX_NDIM or not all(type(n) is int and n >= 0 for n in shape):
        raise CodecError(f"bad array shape {shape[:MAX_NDIM + 1]}")
    nbytes = math.prod(shape) * _dtype(dtype).itemsize
    if offset + nbytes > len(body):
        raise CodecError("array runs past the end of the message")
    array = _frombuffer(body[offset:offset + nbytes], dtype=dtype).reshape(shape)
    # A copy: writable, aligned, native byte order, and not a view of the message buffer.
    return array.astype(array.dtype.newbyteorder("="), copy=True), offset + nbytes


def snapshot(value):
    """An exact, comparable copy of an argument, to tell afterwards whether it was modified.

    The one input-mutation rule: the worker applies it to every call, and so does the handout's
    self-check (kinds/code/local_code.py), which imports this module."""
    kind = type(value)
    if kind is _ndarray:
        return ("array", value.dtype.str, value.shape, _tobytes(value))
    if kind in (list, tuple):
        return (kind.__name__, [snapshot(item) for item in value])
    if kind is dict:
        return ("dict", [(key, snapshot(item)) for key, item in value.items()])
    if value is None or kind in (bool, int, float, str):
        return (kind.__name__, repr(value))
    return ("object", id(value))
