"""The question kinds: one module each, all with the interface described in base.py.

To add a kind, write its module beside these and name it here.
"""

from . import choice, code, derivative, expression, numeric

KINDS = {
    "choice": choice,
    "numeric": numeric,
    "expression": expression,
    "derivative": derivative,
    "code": code,
}
