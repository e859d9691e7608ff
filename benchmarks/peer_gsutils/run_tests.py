"""A conventional Gradescope autograder for HW6, the yardstick of benchmarks/grade_hw6.py.

Written the way a TA usually writes one with gradescope-utils: unittest classes with @weight and
@visibility, the student's hw6.py imported into the test process, each function compared with the
reference network on the cases of problems/hw6/assignment.yaml. It is UNSAFE by design (student
code runs inside the tests, can read the reference and rewrite results.json): it is here only to
measure what grading costs without isolation. Never use it to grade real submissions.

Run: python3 benchmarks/peer_gsutils/run_tests.py SUBMISSION_DIR [--results PATH]
(on Gradescope this would be run_tests.py with /autograder/submission and
/autograder/results/results.json fixed).
"""

import argparse
import os
import sys
import unittest

from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submission", help="the folder holding the student's hw6.py")
    parser.add_argument("--results", default="results.json")
    args = parser.parse_args()
    # The student's folder first, so `import hw6` finds their file; the repository for the
    # reference network, as a TA's solution module sits next to the tests.
    sys.path[:0] = [os.path.abspath(args.submission), REPOSITORY]
    suite = unittest.defaultTestLoader.discover(os.path.join(HERE, "tests"))
    with open(args.results, "w") as stream:
        JSONTestRunner(visibility="visible", stream=stream).run(suite)


if __name__ == "__main__":
    main()
