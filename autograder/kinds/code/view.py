"""How a code question shows under its prompt (ASSIGNMENT.md, `show`, `preview`): the function
students write, as their starter declares it, its public cases as the calls they make, and what
else Gradescope grades it on, never a hidden case's inputs."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass
class CodeView:
    function: str
    file: str
    signature: str            # `def softmax(F):`, or "" when no starter defines it
    docstring: str
    cases: list               # [(name, the call as text)] of the cases the self-check runs
    also: list = field(default_factory=list)   # what else Gradescope grades, in words

    def source(self) -> str:
        """The signature and the docstring, as the starter has them (without the body)."""
        if not self.docstring:
            return self.signature
        lines = ['"""' + self.docstring.splitlines()[0], *self.docstring.splitlines()[1:], '"""']
        return "\n".join([self.signature] + [("    " + line).rstrip() for line in lines])



def code_view(check, question, starters: dict, default_file: str) -> CodeView:
    """What a code question shows under its prompt. starters: {code file: {function name:
    ast.FunctionDef}} of the starters students get; default_file: where `function` is when
    the check names no file."""
    function = check.function.rpartition(":")[2]
    file = check.file or default_file
    node = starters.get(file, {}).get(function)
    signature = f"def {function}({ast.unparse(node.args)}):" if node is not None else ""
    docstring = (ast.get_docstring(node) or "") if node is not None else ""
    if question.visibility != "visible":
        return CodeView(function, file, signature, docstring, [],
                        ["every check runs on Gradescope only"])
    cases = [(case.name, case_text(function, case)) for case in check.cases if not case.hidden]
    hidden = sum(case.hidden for case in check.cases)
    also = []
    if hidden:
        also.append(f"{hidden} hidden case{'s' if hidden > 1 else ''}")
    if check.gradient is not None:
        also.append("a gradient check: your gradients against central differences of your own "
                    "loss")
    if getattr(check, "custom", None) is not None:
        also.append("the assignment's own check of it")
    return CodeView(function, file, signature, docstring, cases, also)


def case_text(function: str, case) -> str:
    """A public case as the calls it makes: a `before` step first, a `then` step after."""
    call = call_text(function, case.args, case.kwargs)
    if case.before is not None:
        call = f"{call_text(case.before.function, case.before.args, case.before.kwargs)}; {call}"
    if case.then is not None:
        call = f"{call}; {call_text(case.then.function, case.then.args, case.then.kwargs)}"
    return call


def call_text(function: str, args, kwargs) -> str:
    parts = [describe_input(arg) for arg in args]
    parts += [f"{key}={describe_input(value)}" for key, value in kwargs.items()]
    return f"{function}({', '.join(parts)})"


def describe_input(description) -> str:
    """An input description (inputs.py) in a few words: `normal(4×3)·3`, `labels(6, of 4)`."""
    if isinstance(description, dict):
        if "normal" in description or "uniform" in description:
            kind = "normal" if "normal" in description else "uniform"
            text = f"{kind}({_shape_text(description[kind])})"
            if kind == "uniform":
                text = (f"uniform({_shape_text(description[kind])}, "
                        f"{description.get('low', -1.0):g}..{description.get('high', 1.0):g})")
            scale = description.get("scale")
            return text + (f"·{scale:g}" if scale is not None and scale != 1 else "")
        if "labels" in description:
            return f"labels({_shape_text(description['labels'])}, of {description['classes']})"
        if "array" in description:
            return f"{_literal(description['array'])} as {description.get('dtype', 'float64')}"
        if "rng" in description:
            return f"default_rng({description['rng']})"
        if "dict" in description:
            return "{" + ", ".join(f"{key}: {describe_input(value)}"
                                   for key, value in description["dict"].items()) + "}"
        if "list" in description:
            return "[" + ", ".join(describe_input(value) for value in description["list"]) + "]"
        if "result" in description:
            index = description["result"]
            return "the previous result" + (f"[{index}]" if index is not None else "")
    return _literal(description)


def _shape_text(shape) -> str:
    return "×".join(str(n) for n in shape) if isinstance(shape, list) else str(shape)


def _literal(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e16 else repr(value)
    return repr(value)
