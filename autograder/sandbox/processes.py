"""The process tree as /proc shows it: the one walk that both the keeper (killing all that a
submission started) and the grader (when a keeper does not answer) make.

Part of the sandbox's own program (see worker.py): standard library only.
"""

import os


def descendants(root: int) -> list:
    """The pids of every descendant of `root` alive now, children before their children."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                # after the command's name in parentheses (which may hold anything): state, ppid
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found
