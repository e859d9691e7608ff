"""The `unittest` kind: an instructor's existing gradescope-utils test file, each of its tests
one item. kind.py is the kind (reading the file's tests and their decorators, grading);
runner.py runs one test where the student's code runs (the sandbox's worker on Gradescope, this
process in the self-check), and is placed there beside the student's files.
"""
