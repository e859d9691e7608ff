"""The question kinds: one module each, all with the interface described in base.py.

To add a kind, write its module beside these and add its name to NAMES. A kind's module is
imported when a spec first uses it, so a quiz never loads the code kind's sandbox and reference.
"""

import importlib

NAMES = ("choice", "numeric", "expression", "derivative", "code")


def kind(name: str):
    """The module of the kind called `name` (KeyError if there is none)."""
    if name not in NAMES:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")


def all_kinds() -> dict:
    return {name: kind(name) for name in NAMES}
