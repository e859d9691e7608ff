"""The code kind and what it runs on.

kind.py is the kind (keys, loading, grading, the public projection); compare.py compares a
result with the reference's and mismatch.py names the mistake; inputs.py builds the cases'
arguments; gradcheck.py checks gradients numerically; view.py is a code question's prompt;
student_code.py and calls.py call the student's functions in the sandbox, local_code.py in this
process (the handout's self-check, on the student's own machine).
"""
