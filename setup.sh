#!/usr/bin/env bash
# Install the autograder and its dependencies into this machine's python3. Idempotent.
#   ./setup.sh          numpy, pyyaml, gradescope-utils and the `autograder` package
#   ./setup.sh --test   the same, plus what the tests need (pytest, jsonschema, matplotlib)
#   ./setup.sh --report the same, plus matplotlib for the pictures of `regrade`'s report
# As root (a fresh Debian/Ubuntu machine, Gradescope, CI) it also creates the unprivileged user
# that student code runs as, and makes sure that user can start this python.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
PYTHON=${PYTHON:-python3}
SANDBOX_USER=${AUTOGRADER_SANDBOX_USER:-autograder-student}

if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq python3-pip >/dev/null
    else
        echo "setup.sh: $PYTHON has no pip; install python3-pip first" >&2
        exit 1
    fi
fi

extras=""
[ "${1:-}" = "--test" ] && extras="[test,report]"
[ "${1:-}" = "--report" ] && extras="[report]"
PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-warn-script-location -e ".$extras"
# Byte-compile the grader now: where PYTHONDONTWRITEBYTECODE is set (our CI machines), every run
# would otherwise compile it from source again, about 20 ms of each `grade`.
"$PYTHON" -m compileall -q autograder reference problems >/dev/null

if [ "$(id -u)" = 0 ]; then
    # One more per core: `autograder regrade` runs each grader's students as a user of its own.
    for user in "$SANDBOX_USER" $(seq -f "$SANDBOX_USER-%g" 1 "$(nproc)"); do
        if ! id "$user" >/dev/null 2>&1; then
            useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
        fi
    done
    "$PYTHON" -m autograder.sandbox.prepare "$SANDBOX_USER"
fi
echo "setup.sh: ready ($("$PYTHON" --version), autograder $("$PYTHON" -m autograder --version | cut -d' ' -f2))"
