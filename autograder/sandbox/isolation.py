# Kernel isolation of a sandbox worker: namespaces, a private root, a memory cgroup.
#
# Part of the sandbox's own program (see worker.py): standard library and ctypes only, run by
# the keeper, the sandbox init and the worker. Each step reports whether it took effect
# ("active") or why not, for the grader to show (`autograder doctor`) and to refuse to grade
# where what it needs is missing. The process layout it makes (see worker.py):
#
#   keeper (root, the grader's namespaces; creates the cgroup, then unshares the PID namespace
#    │      for its children)
#    └── sandbox init (root; PID 1 of the new PID namespace, in the memory cgroup; unshares the
#         │             network, IPC and mount namespaces and builds the private root)
#         └── worker (the student's user; sees only the private root)
#
# Without a PID namespace there is no PID 1 to be: the keeper's child enters what namespaces it
# can and becomes the worker itself.
#
# Where the kernel gives none of these (a container without CAP_SYS_ADMIN, as Gradescope's
# Docker most likely is, or a grader that is not root), the worker installs a seccomp filter
# instead, refusing exactly what the missing protection would have bounded: sockets without a
# network namespace; System V shared memory without an IPC namespace (its segments outlive
# their process); memfds and new processes without a memory cgroup (so the one address-space
# limit bounds all its memory); new files without a private root (so
# its disk is the per-file limit times the files the grader placed).
#
# The private root is one tmpfs of bounded size (the worker's folder, /tmp and /dev/shm are
# folders of it, so their total is bounded) holding read-only bind mounts of the system's and
# python's files, a few device nodes and a /proc of the new PID namespace. It exists only in the
# new mount namespace: when the last process in it dies, the kernel frees it, files and all.

import ctypes
import os
import time

CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "arm64": 41}.get(os.uname().machine)
DEVICES = ("null", "zero", "full", "random", "urandom")
ACTIVE = "active"
TURNED_OFF = "not available: turned off (AUTOGRADER_SANDBOX_ISOLATION=0)"

_kernel = ctypes.CDLL(None, use_errno=True)
_kernel.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                          ctypes.c_char_p]
_kernel.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_kernel.unshare.argtypes = [ctypes.c_int]


def _checked(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _bytes(text):
    return None if text is None else os.fsencode(text)


def _mount(source, target, fstype, flags, data=None):
    _checked(_kernel.mount(_bytes(source), _bytes(target), _bytes(fstype), flags, _bytes(data)),
             f"mount {target}")


def _attempt(step):
    """ACTIVE if step() succeeded, else 'not available: <why>'."""
    try:
        step()
        return ACTIVE
    except OSError as error:
        return f"not available: {error.strerror or error}"


# ------------------------------------------------------------------------- in the keeper

def unshare_pid_namespace(config):
    """Make the keeper's next child PID 1 of a new PID namespace (the keeper itself stays)."""
    if not config["isolate"]:
        return TURNED_OFF
    return _attempt(lambda: _checked(_kernel.unshare(CLONE_NEWPID), "unshare(CLONE_NEWPID)"))


def create_memory_cgroup(config):
    """(folder, status): a memory cgroup below our own, limited to the worker's memory plus its
    disk (tmpfs pages, memfd and shared memory are charged to it too), or (None, why not)."""
    if not config["isolate"]:
        return None, TURNED_OFF
    limits = config["limits"]
    limit = limits["memory_bytes"] + limits["disk_bytes"]
    try:
        parent, version = _own_memory_cgroup()
        folder = os.path.join(parent, f"autograder-{os.getpid()}")
        os.mkdir(folder)
    except OSError as error:
        return None, f"not available: {error.strerror or error}"
    try:
        if version == 2:
            _write(os.path.join(folder, "memory.max"), limit)
            if os.path.exists(os.path.join(folder, "memory.swap.max")):
                _write(os.path.join(folder, "memory.swap.max"), 0)
        else:
            _write(os.path.join(folder, "memory.limit_in_bytes"), limit)
            if os.path.exists(os.path.join(folder, "memory.memsw.limit_in_bytes")):
                _write(os.path.join(folder, "memory.memsw.limit_in_bytes"), limit)
    except OSError as error:
        remove_cgroup(folder)
        return None, f"not available: {error.strerror or error}"
    return folder, ACTIVE


def _own_memory_cgroup():
    """(folder of this process's memory cgroup, cgroup version); OSError where there is none."""
    mounts = {}  # version -> (mount point, root of the hierarchy it shows)
    with open("/proc/self/mountinfo") as mountinfo:
        for line in mountinfo:
            before, _, after = line.partition(" - ")
            fields, (fstype, _, options) = before.split(), after.split()[:3]
            if fstype == "cgroup2":
                mounts.setdefault(2, (fields[4], fields[3]))
            elif fstype == "cgroup" and "memory" in options.split(","):
                mounts.setdefault(1, (fields[4], fields[3]))
    with open("/proc/self/cgroup") as own:
        paths = {}
        for line in own:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if controllers == "":
                paths[2] = path
            elif "memory" in controllers.split(","):
                paths[1] = path
    for version in (1, 2):  # where the memory controller is v1, the v2 tree has none
        if version in mounts and version in paths:
            mount_point, root = mounts[version]
            relative = os.path.relpath(paths[version], root) if root != "/" else paths[version]
            folder = os.path.normpath(os.path.join(mount_point, relative.lstrip("/")))
            # v2 gives a child a memory controller only where its parent enables it for
            # children, which a cgroup holding processes (ours) cannot do itself.
            if version == 2 and "memory" not in _read(os.path.join(folder,
                                                                   "cgroup.subtree_control")):
                raise OSError(0, f"{folder} does not delegate the memory controller")
            return folder, version
    raise OSError(0, "no memory cgroup controller is mounted")


def join_cgroup(folder, pid):
    _write(os.path.join(folder, "cgroup.procs"), pid)


def cgroup_ran_out(folder):
    """Whether the kernel killed a process of the cgroup for memory."""
    for name in ("memory.events", "memory.oom_control"):
        try:
            for line in _read(os.path.join(folder, name)).splitlines():
                key, _, count = line.partition(" ")
                if key == "oom_kill" and count.strip() not in ("", "0"):
                    return True
        except OSError:
            continue
    return False


def remove_cgroup(folder):
    for _ in range(100):  # its last processes may still be leaving it
        try:
            os.rmdir(folder)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.005)


def _write(path, value):
    with open(path, "w") as file:
        file.write(str(value))


def _read(path):
    with open(path) as file:
        return file.read()


# ------------------------------------------------------------------- in the sandbox init

def enter_namespaces(config, uid, gid):
    """Network, IPC and mount namespaces for this process and its children, and the private
    root (pivoted into) when the mount namespace could be had. {protection: status}."""
    names = ("network namespace", "ipc namespace", "private root (mount namespace)")
    if not config["isolate"]:
        return dict.fromkeys(names, TURNED_OFF)
    found = {
        names[0]: _attempt(lambda: _checked(_kernel.unshare(CLONE_NEWNET), "unshare(NEWNET)")),
        names[1]: _attempt(lambda: _checked(_kernel.unshare(CLONE_NEWIPC), "unshare(NEWIPC)")),
    }
    found[names[2]] = _attempt(lambda: _private_root(config, uid, gid,
                                                     found[names[1]] == ACTIVE))
    return found


def _private_root(config, uid, gid, own_ipc):
    _checked(_kernel.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount reaches the grader's view
    root, limits = config["root"], config["limits"]
    _mount("autograder-sandbox", root, "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={limits['disk_bytes']},nr_inodes={limits['files']},mode=755")
    for path in config["readonly"]:
        _bind_readonly(path, root + path)
    for path in config["hidden"]:  # inside a read-only tree (an installed grader): blanked
        inside = root + path
        if os.path.isdir(inside):
            _mount("hidden", inside, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k")
        elif os.path.lexists(inside):
            _bind_readonly("/dev/null", inside)
    os.makedirs(root + "/dev", 0o755)
    for name in DEVICES:
        _bind_readonly(f"/dev/{name}", f"{root}/dev/{name}", readonly=False)
    os.symlink("/proc/self/fd", f"{root}/dev/fd")
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{number}", f"{root}/dev/{name}")
    for path in ("/tmp", "/dev/shm"):
        os.makedirs(root + path, exist_ok=True)
        os.chmod(root + path, 0o1777)
    os.makedirs(root + "/proc")
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
    if own_ipc:  # System V shared memory of this namespace: bounded like the disk
        for name, value in (("shmmax", limits["disk_bytes"]),
                            ("shmall", limits["disk_bytes"] // 4096)):
            _write(f"{root}/proc/sys/kernel/{name}", value)
    workdir = root + config["workdir"]
    os.makedirs(os.path.dirname(workdir), 0o711, exist_ok=True)
    os.mkdir(workdir, 0o700)
    staging = root + config["staging"]
    os.mkdir(staging, 0o700)
    _bind_readonly(config["workdir"], staging)  # the grader's copies of the submission
    if uid is not None:
        os.chown(workdir, uid, gid)
    os.chdir(root)
    if SYS_PIVOT_ROOT is not None:  # the old root stacked on the new one, then detached
        _checked(_kernel.syscall(SYS_PIVOT_ROOT, b".", b"."), "pivot_root")
        _checked(_kernel.umount2(b".", MNT_DETACH), "detach the old root")
    else:
        os.chroot(".")
    os.chdir("/")


def _bind_readonly(source, target, readonly=True):
    """Mount `source` at `target` (made in the new root to match); symbolic links are copied."""
    if os.path.islink(source):
        os.makedirs(os.path.dirname(target), 0o755, exist_ok=True)
        os.symlink(os.readlink(source), target)
        return
    if os.path.isdir(source):
        os.makedirs(target, 0o755, exist_ok=True)
    elif os.path.exists(source):
        os.makedirs(os.path.dirname(target), 0o755, exist_ok=True)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o644))
    else:
        return
    _mount(source, target, None, MS_BIND | MS_REC)
    if readonly:
        _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


# -------------------------------------------------------------------- in the worker, last

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7, "arm64": 0xC00000B7}
# system call numbers: x86_64 has the old calls too; aarch64 has only the *at forms
CALLS = {
    "x86_64": {"socket": 41, "memfd_create": 319, "memfd_secret": 447, "shmget": 29,
               "clone": 56, "clone3": 435, "fork": 57, "vfork": 58, "open": 2, "openat": 257,
               "openat2": 437, "creat": 85, "mkdir": 83, "mkdirat": 258, "mknod": 133,
               "mknodat": 259, "link": 86, "linkat": 265, "symlink": 88, "symlinkat": 266,
               "io_uring_setup": 425, "seccomp": 317},
    "aarch64": {"socket": 198, "memfd_create": 279, "memfd_secret": 447, "shmget": 194,
                "clone": 220, "clone3": 435, "openat": 56, "openat2": 437, "mkdirat": 34,
                "mknodat": 33, "linkat": 37, "symlinkat": 36, "io_uring_setup": 425,
                "seccomp": 277},
}
CALLS["arm64"] = CALLS["aarch64"]
EPERM, ENOSYS = 1, 38
O_CREAT, O_TMPFILE_BIT, CLONE_THREAD = 0o100, 0o20000000, 0x00010000
# (call, errno, None or (argument, bits, refused when the bits are set: True / clear: False));
# ENOSYS where the C library then falls back to a call that is checked (clone3 -> clone)
WITHOUT = {
    "network namespace": ("sockets", [("socket", EPERM, None)]),
    "ipc namespace": ("System V shared memory", [("shmget", EPERM, None)]),
    "memory cgroup": ("memfds and new processes", [
        ("memfd_create", EPERM, None), ("memfd_secret", EPERM, None),
        ("clone", EPERM, (0, CLONE_THREAD, False)), ("clone3", ENOSYS, None),
        ("fork", EPERM, None), ("vfork", EPERM, None)]),
    "private root (mount namespace)": ("new files", [
        ("open", EPERM, (1, O_CREAT | O_TMPFILE_BIT, True)),
        ("openat", EPERM, (2, O_CREAT | O_TMPFILE_BIT, True)), ("openat2", ENOSYS, None),
        ("creat", EPERM, None), ("mkdir", EPERM, None), ("mkdirat", EPERM, None),
        ("mknod", EPERM, None), ("mknodat", EPERM, None), ("link", EPERM, None),
        ("linkat", EPERM, None), ("symlink", EPERM, None), ("symlinkat", EPERM, None)]),
}
# io_uring would make the same calls without passing the filter
ALWAYS = [("io_uring_setup", ENOSYS, None)]
SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 1, 1
RET_ALLOW, RET_ERRNO, RET_KILL_PROCESS = 0x7FFF0000, 0x00050000, 0x80000000
LD_W_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
X32_SYSCALL_BIT = 0x40000000


class _Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def refused_calls(protections):
    """(what is refused, [(call, errno, condition)]) for the protections that are missing."""
    refused, rules = [], list(ALWAYS)
    for protection, (what, its_rules) in WITHOUT.items():
        if protections.get(protection) != ACTIVE:
            refused.append(what)
            rules += its_rules
    return refused, rules


def filter_program(machine, rules):
    """The classic-BPF program of a seccomp filter: another architecture's calls kill the
    process (their numbers mean other calls), x32 calls fail, each rule's call fails with its
    errno (when its condition on an argument holds), everything else is allowed."""
    calls = CALLS[machine]
    program = [(LD_W_ABS, 0, 0, 4), (JEQ, 1, 0, AUDIT_ARCH[machine]), (RET, 0, 0, RET_KILL_PROCESS),
               (LD_W_ABS, 0, 0, 0)]
    if machine == "x86_64":
        program += [(JGE, 0, 1, X32_SYSCALL_BIT), (RET, 0, 0, RET_ERRNO | ENOSYS)]
    for call, errno, condition in rules:
        if call not in calls:
            continue
        refuse = (RET, 0, 0, RET_ERRNO | errno)
        if condition is None:
            program += [(LD_W_ABS, 0, 0, 0), (JEQ, 0, 1, calls[call]), refuse]
        else:
            argument, bits, when_set = condition  # the low 32 bits of the argument
            program += [(LD_W_ABS, 0, 0, 0), (JEQ, 0, 3, calls[call]),
                        (LD_W_ABS, 0, 0, 16 + 8 * argument),
                        (JSET, 0, 1, bits) if when_set else (JSET, 1, 0, bits), refuse]
    return program + [(RET, 0, 0, RET_ALLOW)]


def restrict_system_calls(protections):
    """Install the seccomp filter standing in for the protections that are missing (after
    PR_SET_NO_NEW_PRIVS, for every thread); its status for the report."""
    refused, rules = refused_calls(protections)
    if not refused:
        return "not needed: the namespaces and the memory cgroup are active"
    machine = os.uname().machine
    if machine not in CALLS:
        return f"not available: no system call table for {machine}"
    instructions = filter_program(machine, rules)
    array = (_Instruction * len(instructions))(*(_Instruction(*i) for i in instructions))
    program = _Program(len(instructions), array)
    result = _kernel.syscall(ctypes.c_long(CALLS[machine]["seccomp"]),
                             ctypes.c_long(SECCOMP_SET_MODE_FILTER),
                             ctypes.c_long(SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(program))
    if result != 0:
        return f"not available: seccomp: {os.strerror(ctypes.get_errno())}"
    return "active: refuses " + "; ".join(refused)
