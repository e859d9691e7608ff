"""Formulas as students write them, parsed by a whitelist and evaluated with numpy.

A formula goes through five steps, each of which can only reject:

1. type and length checks (a megabyte of text is refused before it is looked at);
2. a small lexer that reads numbers, names and single characters, turns the math students
   write into Python (``^`` -> ``**``, ``·``/``×`` -> ``*``, ``−`` -> ``-``, ``÷`` -> ``/``) and
   inserts the ``*`` of implicit multiplication (``2x``, ``x1(1-x1)``, ``(a)(b)``, ``w1x1``);
3. a bracket-depth check, then ``ast.parse(mode="eval")``, which only builds a syntax tree;
4. a size and depth check of that tree, then a walk that accepts an explicit short list of
   node types and names and rebuilds the formula as a tree of numpy functions;
5. evaluation by walking that tree with numpy, in float64, under ``np.errstate(all="ignore")``.

Nothing the student wrote is ever passed to eval, exec or compiled to code.

Implicit multiplication: a multiplication sign is inserted between two neighbours when the
left one ends a value (a number, a variable, a constant, ``)``) and the right one starts a
value (a name or ``(``). A function name followed by ``(`` is a call; a variable followed by
``(`` is a product. A name nobody declared is split into declared variables and constants
when that can be done in exactly one way (``w1x1`` -> ``w1*x1``, ``πr`` -> ``π*r``).
Declared variables take precedence over functions and constants of the same name, so a
question may call a variable ``e`` or ``sigma``.

Scientific notation wins over implicit multiplication: a number is read as Python reads it,
so ``2e-3`` and ``2.5E3`` are numbers, while ``2e`` (no digits after the ``e``) is ``2*e``
and ``2e^x`` is ``2*e**x``. A number right after a value is not multiplied (``x 2`` and
``2 3`` are errors, not guesses).
"""

from __future__ import annotations

import ast
import keyword
import numbers
import re
import unicodedata
from typing import Callable, Iterable, Mapping, NamedTuple, Union

import numpy as np

from autograder.errors import FormulaError

MAX_LENGTH = 2_000      # characters, checked before anything else
MAX_DEPTH = 100         # levels of brackets, and levels of the syntax tree
MAX_PARTS = 500         # numbers, names and operations in the syntax tree


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), elementwise; x: array of any shape."""
    return 1.0 / (1.0 + np.exp(-x))


def relu(x):
    """max(x, 0) elementwise; nan stays nan. x: array of any shape."""
    return np.maximum(x, 0.0)


FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "exp": np.exp,
    "ln": np.log,
    "log": np.log,
    "log2": np.log2,
    "log10": np.log10,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sigmoid": sigmoid,
    "sigma": sigmoid,
    "σ": sigmoid,
    "tanh": np.tanh,
    "relu": relu,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "max": np.maximum,
    "min": np.minimum,
}

CONSTANTS: dict[str, float] = {"e": float(np.e), "pi": float(np.pi), "π": float(np.pi)}

# What students type for an operator, and the Python operator it means.
_OPERATOR_ALIASES = {"^": "**", "·": "*", "⋅": "*", "×": "*", "∗": "*", "−": "-", "÷": "/"}
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺"
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_OPENERS, _CLOSERS = "([{", ")]}"

_BINARY_OPERATORS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
                     ast.Div: np.true_divide, ast.Pow: np.power}
_UNARY_OPERATORS = {ast.USub: np.negative, ast.UAdd: np.positive}
_OPERATOR_SYMBOLS = {ast.Mod: "'%'", ast.FloorDiv: "'//'", ast.MatMult: "'@'", ast.LShift: "'<<'",
                     ast.RShift: "'>>'", ast.BitOr: "'|'", ast.BitAnd: "'&'", ast.BitXor: "'^'",
                     ast.Invert: "'~'", ast.Not: "'not'"}

# Every node type outside the whitelist is refused; these get a description a student can
# recognise. Attribute access is the important one: `().__class__.__base__.__subclasses__()`
# reaches every class in the interpreter (and from there os.system), so no '.' after a value.
_REFUSED_NODES = {
    ast.Attribute: "'.' after a value (attribute access)",
    ast.Lambda: "'lambda'",
    ast.Subscript: "'[...]' after a value (indexing)",
    ast.Slice: "':' (slicing)",
    ast.List: "a list ('[...]')",
    ast.Set: "a set ('{...}')",
    ast.Dict: "a dict ('{...}')",
    ast.ListComp: "'for' (a comprehension)",
    ast.SetComp: "'for' (a comprehension)",
    ast.DictComp: "'for' (a comprehension)",
    ast.GeneratorExp: "'for' (a comprehension)",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.NamedExpr: "':=' (assignment)",
    ast.Compare: "a comparison ('<', '==', ...)",
    ast.BoolOp: "'and' / 'or'",
    ast.IfExp: "'if ... else'",
    ast.Starred: "'*' in front of a value (unpacking)",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield'",
}


class _Constant(NamedTuple):
    value: np.float64


class _Variable(NamedTuple):
    name: str               # as the caller declared it, i.e. the key into evaluate's values


class _Apply(NamedTuple):
    function: Callable[..., np.ndarray]
    arguments: tuple


_Node = Union[_Constant, _Variable, _Apply]


class Formula:
    """A formula that passed the whitelist, ready to evaluate at many points at once."""

    def __init__(self, text: str, tree: _Node, names: frozenset[str]):
        self.text = text
        self.names = names
        self._tree = tree

    def evaluate(self, values: Mapping[str, np.ndarray | float]) -> np.ndarray:
        """Evaluate at every point at once.

        Inputs:
        - values: variable name -> float or array; all of them broadcast together (typically
          each of shape (N,) for N sample points). Must hold every name in self.names.


        Returns an array of the broadcast shape of all values (shape () if there are none), in
        float64, or in longdouble when a value is longdouble (to re-check a disputed point in
        extended precision). Where the formula is undefined (log of a negative number, 0/0, overflow) the
        result is nan or +-inf; no warning is issued and nothing is raised.
        """
        missing = sorted(self.names - set(values))
        if missing:
            raise KeyError(f"no value for {', '.join(missing)} in formula {self.text!r}")
        extended = any(np.asarray(v).dtype == np.longdouble for v in values.values())
        dtype = np.longdouble if extended else np.float64
        arrays = {name: np.asarray(values[name], dtype=dtype) for name in self.names}
        with np.errstate(all="ignore"):
            result = np.asarray(_evaluate(self._tree, arrays), dtype=dtype)
        shape = np.broadcast_shapes(result.shape, *(np.shape(v) for v in values.values()))
        return np.array(np.broadcast_to(result, shape), dtype=dtype)

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


def _evaluate(node: _Node, values: dict[str, np.ndarray]) -> np.ndarray:
    if isinstance(node, _Constant):
        return node.value
    if isinstance(node, _Variable):
        return values[node.name]
    return node.function(*(_evaluate(argument, values) for argument in node.arguments))


def parse(text: str, variables: Iterable[str]) -> Formula:
    """Check a formula against the whitelist and prepare it for evaluation.

    Inputs:
    - text: the formula as written, e.g. "x1 σ(w1 x1 + w2 x2)"; an int or float is accepted
      as a constant formula.
    - variables: the names the formula may use, e.g. ["x1", "x2", "w1", "w2"].

    Returns a Formula; raises FormulaError with a message meant for the student.
    """
    declared = _declared_variables(variables)
    if _is_number(text):
        return Formula(_number_text(text), _Constant(_to_float64(text)), frozenset())
    if text is None:
        raise FormulaError("formula is empty")
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text or a number, not {_describe_type(text)}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is too long ({len(text):,} characters; at most {MAX_LENGTH:,})")
    if not text.strip():
        raise FormulaError("formula is empty")
    python = _to_python(unicodedata.normalize("NFC", text), declared)
    try:
        expression = ast.parse(python, mode="eval")
    except SyntaxError as error:
        raise FormulaError(_syntax_message(error, text)) from None
    except (ValueError, RecursionError, MemoryError, OverflowError):
        raise FormulaError("could not read the formula") from None
    _check_size(expression)
    tree = _convert(expression.body, declared)
    return Formula(text, tree, frozenset(_variable_names(tree)))


def parse_number(text_or_number) -> float:
    """Value of a constant formula such as "1.5^100", "4.07e17", "2/3" or a plain number.

    Raises FormulaError when it is not a constant formula (it names a variable, does not
    parse, ...). Overflow gives inf rather than an error: 1.5^10000 -> inf.
    """
    if _is_number(text_or_number):
        return float(_to_float64(text_or_number))
    return float(parse(text_or_number, ()).evaluate({}))


# ---- step 1: inputs -------------------------------------------------------------------------

def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _to_float64(value) -> np.float64:
    try:
        return np.float64(value)
    except OverflowError:           # an int with hundreds of digits
        return np.float64(np.inf if value > 0 else -np.inf)


def _number_text(value) -> str:
    try:
        return str(value)
    except ValueError:              # int too long to print (sys.int_info.str_digits_check_threshold)
        return repr(float(_to_float64(value)))


def _describe_type(value) -> str:
    names = {list: "a list", tuple: "a list", dict: "a mapping", bool: "true/false", set: "a set"}
    return names.get(type(value), f"a {type(value).__name__}")


def _declared_variables(variables: Iterable[str]) -> dict[str, str]:
    """Map the name as Python's parser will spell it (NFKC) to the name the caller declared."""
    if isinstance(variables, str):
        raise TypeError("variables must be a collection of names, not one string")
    declared = {}
    for name in variables:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise FormulaError(f"variable name {name!r} is not a valid name "
                               "(letters, digits and _, not starting with a digit)")
        declared[unicodedata.normalize("NFKC", name)] = name
    return declared


# ---- step 2: lexing, operator aliases and implicit multiplication ---------------------------

class _Token(NamedTuple):
    kind: str       # "number", "variable", "constant", "function", "keyword", "unknown", "other"
    text: str       # what it becomes in the Python text
    spaced: bool = False    # whitespace before it: kept, so "* *" does not become "**"


def _to_python(text: str, declared: dict[str, str]) -> str:
    """The formula as Python source, with aliases replaced and implicit '*' inserted."""
    tokens = _lex(text, declared)
    _check_brackets(tokens)
    pieces = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.kind == "function" and (following is None or following.text != "("):
            raise FormulaError(f"'{token.text}' is a function: write {token.text}(...)")
        if token.spaced:
            pieces.append(" ")
        if index > 0 and _multiplies(tokens[index - 1], token):
            pieces.append("*")
        pieces.append(token.text)
    return "".join(pieces).strip()


def _multiplies(left: _Token, right: _Token) -> bool:
    """Whether two neighbours stand for a product (a '*' goes between them)."""
    ends_value = left.kind in ("number", "variable", "constant", "unknown") or left.text == ")"
    starts_value = right.kind in ("variable", "constant", "function", "unknown") or right.text == "("
    # An unknown name before '(' is left as a call, so the message says "unknown function".
    return ends_value and starts_value and not (left.kind == "unknown" and right.text == "(")


def _lex(text: str, declared: dict[str, str]) -> list[_Token]:
    """Numbers, names and single characters; whitespace only separates."""
    tokens: list[_Token] = []
    position = 0
    spaced = False
    while position < len(text):
        character = text[position]
        number = _NUMBER.match(text, position)
        if character.isspace():
            spaced = True
            position += 1
            continue
        if number:
            new = [_Token("number", number.group())]
            position = number.end()
        elif character.isidentifier():
            end = position + 1
            # '·' may continue a Python name, but here it is a multiplication sign.
            while (end < len(text) and text[end] not in _OPERATOR_ALIASES
                   and ("a" + text[end]).isidentifier()):
                end += 1
            new = _name_tokens(text[position:end], declared)
            position = end
        elif character == "#":      # Python would read the rest as a comment and drop it
            raise FormulaError("'#' is not allowed in a formula")
        elif character in _SUPERSCRIPTS:
            raise FormulaError(f"'{character}' is not allowed in a formula: write powers with ^, "
                               "for example x^2")
        else:
            new = [_Token("other", _OPERATOR_ALIASES.get(character, character))]
            position += 1
        tokens.append(new[0]._replace(spaced=spaced))
        tokens.extend(new[1:])
        spaced = False
    return tokens


def _name_tokens(name: str, declared: dict[str, str]) -> list[_Token]:
    """One name as tokens: itself, or the declared names it is a product of (w1x1 -> w1 * x1)."""
    name = unicodedata.normalize("NFKC", name)      # what Python's parser will call it
    kind = _name_kind(name, declared)
    if kind != "unknown":
        return [_Token(kind, name)]
    splits = _splits(name, [*declared, *CONSTANTS])
    if len(splits) > 1:
        if len(name) > 40:
            raise FormulaError(f"'{name[:40]}…' can be read as a product of names in more than "
                               "one way; write '*' between the names")
        readings = " or ".join("·".join(split) for split in splits)
        raise FormulaError(f"'{name}' is ambiguous: it could be {readings}; "
                           "write '*' between the names")
    if not splits:
        return [_Token("unknown", name)]
    tokens = []
    for part in splits[0]:
        if tokens:
            tokens.append(_Token("other", "*"))
        tokens.append(_Token(_name_kind(part, declared), part))
    return tokens


def _name_kind(name: str, declared: dict[str, str]) -> str:
    if name in declared:                # declared variables shadow functions and constants
        return "variable"
    if name in FUNCTIONS:
        return "function"
    if name in CONSTANTS:
        return "constant"
    if keyword.iskeyword(name):
        return "keyword"
    return "unknown"


def _splits(name: str, parts: list[str]) -> list[tuple[str, ...]]:
    """Up to two ways to write name as a sequence of at least two of parts (two = ambiguous)."""
    parts = list(dict.fromkeys(parts))     # a variable may also be a constant's name
    # ways[i]: up to two ways to write name[i:] as a sequence of parts.
    ways: list[list[tuple[str, ...]]] = [[] for _ in range(len(name))] + [[()]]
    for start in range(len(name) - 1, -1, -1):
        for part in parts:
            if name.startswith(part, start):
                for rest in ways[start + len(part)]:
                    if len(ways[start]) < 2:
                        ways[start].append((part, *rest))
    return [split for split in ways[0] if len(split) > 1]


def _check_brackets(tokens: list[_Token]) -> None:
    """Refuse deep nesting before Python's parser sees it (it fails, or recurses, on that)."""
    depth = deepest = 0
    for token in tokens:
        if token.text in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in _CLOSERS:
            depth -= 1
    if deepest > MAX_DEPTH:
        raise FormulaError(f"formula is nested too deeply ({deepest:,} levels of brackets; "
                           f"at most {MAX_DEPTH})")


def _syntax_message(error: SyntaxError, text: str) -> str:
    if "=" in text and "==" not in text:
        return ("could not read the formula: write only the expression, without '=' "
                "(for example x*(1-x), not f = x*(1-x))")
    if "'" in text or '"' in text:
        return "quotes (' and \") are not allowed in a formula"
    reason = (error.msg or "invalid syntax").split(". Perhaps")[0].split(". Maybe")[0]
    return f"could not read the formula ({reason})"


# ---- step 4: the whitelist ------------------------------------------------------------------

def _check_size(expression: ast.Expression) -> None:
    """Refuse big or deep trees without recursing (so the walk in _convert stays shallow)."""
    parts = 0
    stack = [(expression, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FormulaError(f"formula is nested too deeply (more than {MAX_DEPTH} levels)")
        parts += isinstance(node, ast.expr)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    if parts > MAX_PARTS:
        raise FormulaError(f"formula is too complicated ({parts:,} parts; at most {MAX_PARTS})")


def _convert(node: ast.AST, declared: dict[str, str]) -> _Node:
    """The checked formula as a tree of numpy functions; FormulaError for anything else."""
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY_OPERATORS:
        return _Apply(_BINARY_OPERATORS[type(node.op)],
                      (_convert(node.left, declared), _convert(node.right, declared)))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY_OPERATORS:
        return _Apply(_UNARY_OPERATORS[type(node.op)], (_convert(node.operand, declared),))
    if isinstance(node, ast.Call):
        return _convert_call(node, declared)
    if isinstance(node, ast.Name):
        return _convert_name(node.id, declared)
    if isinstance(node, ast.Constant):
        return _convert_constant(node.value)
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
        raise FormulaError(f"{symbol} is not allowed in a formula")
    if isinstance(node, ast.Tuple):
        raise FormulaError("a comma is only allowed between a function's arguments, as in "
                           "max(x, 0); write decimals with a point, as in 1.5")
    what = _REFUSED_NODES.get(type(node), f"this kind of expression ({type(node).__name__})")
    raise FormulaError(f"{what} is not allowed in a formula")


def _convert_call(node: ast.Call, declared: dict[str, str]) -> _Node:
    if isinstance(node.func, ast.Attribute):
        raise FormulaError(f"{_REFUSED_NODES[ast.Attribute]} is not allowed in a formula")
    if not isinstance(node.func, ast.Name):
        raise FormulaError(f"only these functions can be called: {', '.join(FUNCTIONS)}")
    name = node.func.id
    if name in declared:
        raise FormulaError(f"'{name}' is a variable, not a function; write {name}*(...)")
    if name not in FUNCTIONS:
        raise FormulaError(f"unknown function '{name}' — functions: {', '.join(FUNCTIONS)}")
    if node.keywords:
        raise FormulaError(f"keyword arguments (name=...) are not allowed; write {name}(...) "
                           "with the arguments only")
    # numpy's ufuncs say how many arguments they take; the functions defined above take one.
    arity = getattr(FUNCTIONS[name], "nin", 1)
    if len(node.args) != arity:
        plural = "" if arity == 1 else "s"
        raise FormulaError(f"{name} takes {arity} argument{plural} (got {len(node.args)})")
    return _Apply(FUNCTIONS[name], tuple(_convert(argument, declared) for argument in node.args))


def _convert_name(name: str, declared: dict[str, str]) -> _Node:
    if name in declared:
        return _Variable(declared[name])
    if name in CONSTANTS:
        return _Constant(np.float64(CONSTANTS[name]))
    if name in FUNCTIONS:
        raise FormulaError(f"'{name}' is a function: write {name}(...)")
    raise FormulaError(f"unknown name '{name}' — allowed: {_allowed_names(declared)}")


def _convert_constant(value) -> _Node:
    # Exact types: bool is an int to Python but not a number in a formula.
    if type(value) in (int, float):
        return _Constant(_to_float64(value))    # float64, so 9**9**9**9 is inf, not a huge int
    if isinstance(value, (str, bytes)):
        raise FormulaError("text in quotes is not allowed in a formula")
    if isinstance(value, complex):
        raise FormulaError("complex numbers are not allowed in a formula")
    raise FormulaError(f"'{value!r}' is not allowed in a formula")


def _allowed_names(declared: dict[str, str]) -> str:
    shadowed = set(declared)
    groups = [", ".join(declared.values()),
              "constants " + ", ".join(name for name in CONSTANTS if name not in shadowed),
              "functions " + ", ".join(name for name in FUNCTIONS if name not in shadowed)]
    return "; ".join(group for group in groups if group)


def _variable_names(node: _Node) -> Iterable[str]:
    if isinstance(node, _Variable):
        yield node.name
    elif isinstance(node, _Apply):
        for argument in node.arguments:
            yield from _variable_names(argument)
