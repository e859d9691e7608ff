"""The question kinds: one module each, all with the interface described in base.py.

To add a kind, write its module (beside these, say) and add one line to MODULES: its name in specs
and its module's import name. A kind's module is imported when a spec first uses it, so a quiz
never loads the code kind's sandbox and reference.
"""

import importlib

MODULES = {
    "choice": "autograder.kinds.choice",
    "numeric": "autograder.kinds.numeric",
    "expression": "autograder.kinds.formula.expression",
    "derivative": "autograder.kinds.formula.derivative",
    "code": "autograder.kinds.code.kind",
    "unittest": "autograder.kinds.unit_tests.kind",
}


def names() -> tuple:
    return tuple(MODULES)


def kind(name: str):
    """The module of the kind called `name` (KeyError if there is none)."""
    return importlib.import_module(MODULES[name])


def all_kinds() -> dict:
    return {name: kind(name) for name in MODULES}
