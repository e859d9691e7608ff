#!/usr/bin/env bash
# Install the autograder and its dependencies into .venv, a virtual environment in this folder
# (git-ignored), so that nothing touches the system's python: Debian 12 and Ubuntu 24.04 refuse
# pip there (PEP 668). Idempotent. Afterwards `.venv/bin/python` runs everything.
#   ./setup.sh          numpy, pyyaml, gradescope-utils and the `autograder` package
#   ./setup.sh --test   the same, plus what the tests need (pytest, jsonschema, and the extras)
#   ./setup.sh --report the same, plus matplotlib for the pictures of `regrade`'s report
#   ./setup.sh --preview the same, plus markdown and latex2mathml for `autograder preview`
# PYTHON=<interpreter> (default python3) makes the venv from another python; VENV=<folder> puts
# it elsewhere (CI's python 3.10 run uses .venv-3.10).
# As root (a fresh Debian/Ubuntu machine, CI) it also installs python3 and python3-venv where
# they are missing, creates the unprivileged users that student code runs as, makes sure they
# can start the venv's python, and makes the rest of this checkout unreadable to them.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
SANDBOX_USER=${AUTOGRADER_SANDBOX_USER:-autograder-student}
is_root=false; [ "$(id -u)" = 0 ] && is_root=true

die() { echo "setup.sh: $*" >&2; exit 1; }
apt_install() {
    $is_root && command -v apt-get >/dev/null || return 1
    echo "setup.sh: installing $* with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v "$PYTHON" >/dev/null; then
    apt_install python3 python3-venv || die "no $PYTHON here: install python3 (3.10 or newer)"
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || die "$PYTHON is $("$PYTHON" --version 2>&1); the autograder needs python 3.10 or newer"

venv_works() { "$VENV/bin/python" -m pip --version >/dev/null 2>&1; }
make_venv() { rm -rf "$VENV" && "$PYTHON" -m venv "$@" "$VENV" >/dev/null 2>&1 && venv_works; }
# Debian and Ubuntu ship venv's pip in a package of its own, python3-venv. Without it and without
# root, a python that has pip lends it once to a venv that sees its packages, to install a pip of
# the venv's own (the lent one may be too old to build this project, pip 22.0 on Ubuntu 22.04).
borrow_pip() {
    "$PYTHON" -m pip --version >/dev/null 2>&1 && make_venv --without-pip --system-site-packages \
        && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
}
if ! venv_works; then
    make_venv || { apt_install python3-venv && make_venv; } || borrow_pip \
        || die "$PYTHON cannot make a virtual environment: as root, run ./setup.sh (it installs python3-venv) or apt-get install python3-venv"
fi
python="$VENV/bin/python"

extras=""
[ "${1:-}" = "--test" ] && extras="[test,report,preview]"
[ "${1:-}" = "--report" ] && extras="[report]"
[ "${1:-}" = "--preview" ] && extras="[preview]"
# Editable as a plain path entry (compat), not setuptools' import hook: the hook's finder
# module, imported by every start of the venv's python, made each start 10 ms slower (20 ms
# instead of 10, measured on one core): every grade, every command, every test that starts one.
PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --quiet --disable-pip-version-check \
    --no-warn-script-location -e ".$extras" --config-settings editable_mode=compat
# Byte-compile the grader now: where PYTHONDONTWRITEBYTECODE is set (our CI machines), every run
# would otherwise compile it from source again, about 20 ms of each `grade`.
"$python" -m compileall -q autograder reference problems >/dev/null

if $is_root; then
    # One more per core: `autograder regrade` runs each grader's students as a user of its own.
    for user in "$SANDBOX_USER" $(seq -f "$SANDBOX_USER-%g" 1 "$(nproc)"); do
        if ! id "$user" >/dev/null 2>&1; then
            useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
        fi
    done
    # They must start the venv's python, which lives in this checkout, and must not read anything
    # else of it (specs, solutions, the reference): others may traverse this folder, not list it,
    # and may not enter anything in it but the venvs.
    chmod o-rw .
    find . -mindepth 1 -maxdepth 1 ! -name '.venv*' -exec chmod -R o-rwx {} +
    "$python" -m autograder.sandbox.prepare "$SANDBOX_USER"
else
    echo "setup.sh: not root, so no sandbox user was made: student code you grade runs as you" \
         "($(id -un)), in its own processes but with your permissions. Fine for your own and the" \
         "example files; to grade other people's code, run ./setup.sh as root once."
fi
echo "setup.sh: ready: $VENV/bin/python ($("$python" --version), autograder" \
     "$("$python" -m autograder --version | cut -d' ' -f2))"
