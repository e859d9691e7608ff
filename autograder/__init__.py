"""The autograder for neural-network courses: YAML specs in, Gradescope results out."""

__version__ = "0.1.0"
