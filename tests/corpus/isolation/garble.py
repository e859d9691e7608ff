"""HOSTILE: writes a malformed frame into the grader's reply pipe on every call.
Correct: all (but its frames cannot be read: the submission is not graded, never a 0)"""
import fcntl
import os
import stat


def affine_forward(x, w, b):
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            is_pipe = stat.S_ISFIFO(os.fstat(fd).st_mode)
            write_end = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
        except OSError:
            continue
        if is_pipe and write_end and fd > 2:
            os.write(fd, b"SBX1" + (20).to_bytes(4, "big") + bytes(8) + b"not json at all!!!!!")
    return x @ w + b
