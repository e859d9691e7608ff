"""The formula kinds and what they share.

expression.py and derivative.py are the kinds (a formula answer; the derivative of a given
function); parser.py reads a formula by a whitelist of operators and functions, never eval;
sampling.py draws the points at which two formulas are compared.
"""
