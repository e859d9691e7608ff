"""The sandbox: student code in a limited worker process, plain data across, nothing left behind.

Run as root (CI, Gradescope) these tests exercise the privilege drop; the session fixture
below first grants o+x on the directories above this python and numpy (as setup.sh does via
autograder.sandbox.prepare), because a pyenv python under /root (0700) cannot otherwise be
used by the sandbox user. The bits are left in place: other test sessions may rely on them.
Run as a plain user, the tests that need root are skipped and the rest run without a drop.
"""

import os
import stat
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder.errors import AutograderError, GraderFault
from autograder.sandbox import (CodecError, Handle, Limits, Rng, Sandbox, WorkerPool,
                                check_sandbox_user_can_run, codec)
from autograder.sandbox.prepare import directories_to_open
from autograder.sandbox import sandbox as sandbox_module
from autograder.sandbox.sandbox import GRADER_ROOT

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="the privilege drop needs a root grader")
# Hostile code gets little time and memory (enough for 100 MB of prints) so that each test
# stays quick: filling 1 GiB page by page takes longer than 1.5 s.
FAST = Limits(cpu_seconds_per_call=1, wall_seconds_per_call=1.5, memory_bytes=512 << 20)


@pytest.fixture(scope="session", autouse=True)
def sandbox_user_can_run_python():
    if ROOT:
        targets = [Path(sys.executable), Path(np.__file__).parent, Path(os.__file__).parent]
        for directory in directories_to_open(targets):
            directory.chmod(directory.stat().st_mode | stat.S_IXOTH)
        check_sandbox_user_can_run(sys.executable)


def write_module(folder: Path, source: str, name: str = "student") -> Path:
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


@pytest.fixture
def box():
    with Sandbox(FAST) as sandbox:
        yield sandbox


def loaded(box, tmp_path, source):
    outcome = box.load(write_module(tmp_path, source))
    assert outcome.ok, outcome.message
    return box


def processes_of(uid: int) -> list:
    """The pids (as the grader sees them) of every live process of `uid`. Student code sees
    its own PID namespace's numbers, so what it left behind is found by its user instead."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}").stat().st_uid == uid and alive(int(pid)):
                found.append(int(pid))
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    """True while pid is a process that has not exited (zombies count as gone)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return status.rsplit(b")", 1)[1].split()[0] != b"Z"


# ------------------------------------------------------------------------------ plain data

def test_codec_round_trips_plain_data_exactly():
    value = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": (1, 2.5, None, True),
             "c": [np.array(3 + 4j), np.zeros((0, 4)), np.array([np.nan, -0.0, np.inf])],
             "d": "ünïcode", "e": Rng(7), "f": Handle(3, "Cache", "tok"),
             "g": np.array([[True, False]]), "h": np.arange(3, dtype=">i4")}
    data = codec.encode(value)
    header_len, body_len = codec.read_prefix(data[:codec.PREFIX.size])
    back = codec.decode(data[codec.PREFIX.size:codec.PREFIX.size + header_len],
                        data[codec.PREFIX.size + header_len:])
    assert back.keys() == value.keys() and type(back["b"]) is tuple and back["b"] == value["b"]
    for mine, theirs in [(back["a"], value["a"]), *zip(back["c"], value["c"]),
                         (back["g"], value["g"]), (back["h"], value["h"])]:
        native = theirs.dtype.newbyteorder("=")
        assert mine.dtype == native and mine.shape == theirs.shape
        assert mine.tobytes() == theirs.astype(native).tobytes()
        assert mine.flags.writeable
    assert back["e"] == Rng(7) and back["f"] == Handle(3, "Cache", "tok") and back["d"] == "ünïcode"


@pytest.mark.parametrize("header, body, problem", [
    (b'{"x": 1}', b"", "unexpected header node"),               # an untagged JSON object
    (b'["D", {"a": 1, "a": 2}]', b"", "duplicate"),
    (b'["A", "|O", [1]]', b"\0" * 8, "not allowed"),            # object arrays carry code
    (b'["A", "<f8", [2]]', b"\0" * 8, "past the end"),
    (b'["A", "<f8", [1]]', b"\0" * 9, "not described"),         # leftover body bytes
    (b'["A", "<f8", [-1]]', b"", "bad array shape"),
    (b'["H", 1, "x"]', b"", "malformed handle"),
    (b'["R", -3]', b"", "malformed rng"),
    (b'["L", ' * 40 + b'1' + b']' * 40, b"", "nested deeper"),
    (b'{"x": ', b"", "malformed header"),
])
def test_decode_rejects_anything_but_exact_plain_data(header, body, problem):
    with pytest.raises(CodecError, match=problem):
        codec.decode(header, body)


def test_encode_refuses_non_plain_values_and_oversized_messages():
    class MyFloat(float):
        pass
    for value in [MyFloat(1.0), {1: 2}, np.array([object()]), object(), np.float64(1.0)]:
        with pytest.raises(CodecError):
            codec.encode(value)
    with pytest.raises(CodecError, match="exceeds"):
        codec.encode(np.zeros(1000), max_bytes=1000)
    with pytest.raises(CodecError, match="not a sandbox frame"):
        codec.read_prefix(b"XXXX" + bytes(12))


# ------------------------------------------------------------------------------ normal use

NORMAL = """
    import os, sys
    import numpy as np

    class Cache:
        def __init__(self, x):
            self.x = x

    def affine(X, W, b):
        return X @ W + b

    def shapes(params):
        return {name: value.shape for name, value in params.items()}

    def stats(x):
        return np.float64(x.sum()), np.int64(x.size), np.bool_(x.any()), np.float32(0.5)

    def draw(rng, n):
        return rng.random(n)

    def forward(x):
        return 2 * x, Cache(x)

    def backward(dout, cache):
        return dout * cache.x

    def whoami():
        import tempfile
        try:  # it tries a file in each candidate: none where new files are refused
            tmp = tempfile.gettempdir()
        except OSError:
            tmp = None
        return {"pid": os.getpid(), "uid": os.getuid(), "cwd": os.getcwd(), "path": sys.path,
                "env": dict(os.environ), "modules": sorted(m for m in sys.modules
                                                           if m.startswith("autograder")),
                "tmp": tmp}

    def import_grader():
        import autograder
"""


def test_plain_data_round_trips_through_student_functions(box, tmp_path):
    loaded(box, tmp_path, NORMAL)
    X, W, b = np.arange(6.0).reshape(3, 2), np.ones((2, 4)), np.arange(4.0)
    outcome = box.call("affine", X, W, b=b)
    assert outcome.ok and type(outcome.value) is np.ndarray
    np.testing.assert_array_equal(outcome.value, X @ W + b)
    assert box.call("shapes", {"W1": W, "b1": b}).value == {"W1": (2, 4), "b1": (4,)}
    value = box.call("stats", np.array([1.0, 2.0])).value
    assert value == (3.0, 2, True, 0.5) and [type(v) for v in value] == [float, int, bool, float]


def test_rng_argument_is_a_fresh_generator_per_call(box, tmp_path):
    loaded(box, tmp_path, NORMAL)
    first, second = box.call("draw", Rng(5), 4).value, box.call("draw", Rng(5), 4).value
    np.testing.assert_array_equal(first, np.random.default_rng(5).random(4))
    np.testing.assert_array_equal(first, second)


def test_an_opaque_cache_stays_in_the_worker_as_a_handle(box, tmp_path):
    loaded(box, tmp_path, NORMAL)
    out, cache = box.call("forward", np.array([1.0, -2.0])).value
    assert type(cache) is Handle and cache.type_name == "Cache"
    np.testing.assert_array_equal(out, [2.0, -4.0])
    np.testing.assert_array_equal(box.call("backward", np.array([3.0, 3.0]), cache).value,
                                  [3.0, -6.0])


def test_a_package_installed_with_the_interpreter_imports_even_in_a_venv_inside_the_checkout(
        box, tmp_path):
    """setup.sh's .venv lies in the checkout, whose paths the worker drops: its site-packages
    must stay, or a module the keeper did not import first (yaml here; gradescope-utils for a
    unittest file) could not be imported by student code."""
    loaded(box, tmp_path, "def which():\n    import yaml\n    return yaml.__name__\n")
    outcome = box.call("which")
    assert outcome.ok and outcome.value == "yaml", outcome.message


def test_without_a_pid_namespace_the_worker_is_the_keepers_own_child(tmp_path, monkeypatch):
    """An init that would not be PID 1 only costs a fork: the keeper starts the worker itself,
    and still reports how it ended."""
    monkeypatch.setenv(sandbox_module.ISOLATION_SWITCH, "0")
    with Sandbox(FAST) as box:
        loaded(box, tmp_path, NORMAL + "\n    def leave():\n        os._exit(3)\n")
        assert box.protections["pid namespace"] != "active"
        worker = box.call("whoami").value["pid"]
        assert worker == box.pid
        keeper = int(Path(f"/proc/{worker}/stat").read_text().rsplit(")", 1)[1].split()[1])
        assert keeper == box._worker.keeper_pid
        left = box.call("leave")
        assert not left.ok and left.kind == "crashed" and "3" in left.message, left


def test_student_code_runs_in_another_process_confined_to_its_directory(box, tmp_path):
    loaded(box, tmp_path, NORMAL)
    seen = box.call("whoami").value
    # box.pid is the sandbox's process as the grader sees it; in a PID namespace the worker
    # sees itself as another number.
    assert seen["pid"] != os.getpid() and box.pid not in (None, os.getpid())
    assert seen["cwd"] == str(box.workdir) == seen["env"]["TMPDIR"]
    if "new files" not in box.protections["system call filter"]:
        assert seen["tmp"] == str(box.workdir)
    assert seen["env"]["HOME"] == str(box.workdir)
    assert set(seen["env"]) == {"PATH", "LANG", "HOME", "TMPDIR", "OPENBLAS_NUM_THREADS",
                                "OMP_NUM_THREADS", "MKL_NUM_THREADS"}
    assert not any(entry == str(GRADER_ROOT) for entry in seen["path"])
    assert seen["modules"] == []
    assert box.call("import_grader").kind == "exception"
    if ROOT:
        assert seen["uid"] != 0


def test_the_worker_has_the_graders_numpy_and_sites_builtins(box, tmp_path):
    # The keeper starts without site's scan of site-packages (-S): what a student's file may
    # use from a normal start must still be there, a leftover help() or exit() included.
    loaded(box, tmp_path, """
        import builtins
        import numpy

        def numpy_file():
            return numpy.__file__

        def builtins_present():
            return [hasattr(builtins, name)
                    for name in ("exit", "quit", "help", "copyright", "credits", "license")]
    """)
    assert box.call("numpy_file").value == np.__file__
    assert box.call("builtins_present").value == [True] * 6


def test_modified_inputs_are_reported_by_position_and_name(box, tmp_path):
    loaded(box, tmp_path, """
        def update(x, y, params, lr=0.1):
            x[0] = 99.0
            params["W"] -= lr
            params["new"] = 1
            return x.sum() + y.sum()

        def pure(x, params):
            return x * 2, dict(params)
    """)
    x, y, params = np.ones(3), np.ones(2), {"W": np.ones((2, 2))}
    outcome = box.call("update", x, y, params=params)
    assert outcome.ok and set(outcome.mutated_args) == {0, "params"}
    assert x[0] == 1.0 and "new" not in params  # the grader's own arguments are never touched
    assert box.call("pure", np.array([np.nan]), params).mutated_args == ()


# ------------------------------------------------------------------------------ load errors

def test_missing_file_syntax_error_and_exception_at_import(box, tmp_path):
    missing = box.load(tmp_path / "hw6.py")
    assert not missing.ok and missing.kind == "missing-file" and "hw6.py" in missing.message
    assert box.call("anything").kind == "not-loaded"

    syntax = box.load(write_module(tmp_path, "x = 1\ndef broken(:\n    pass\n"))
    assert syntax.kind == "syntax" and syntax.line == 2 and "student.py" in syntax.message
    assert str(box.workdir) not in syntax.message

    raising = box.load(write_module(tmp_path, """
        import numpy as np

        def helper():
            return 1 / 0

        print("before the error")
        helper()
    """))
    assert raising.kind == "exception" and raising.line == 5
    assert "ZeroDivisionError" in raising.message and 'File "student.py", line 8' in raising.message
    assert "importlib" not in raising.message and str(box.workdir) not in raising.message
    assert raising.output == "before the error\n"


def test_a_renamed_upload_still_loads(box, tmp_path):
    renamed = tmp_path / "hw6 (1).py"
    renamed.write_text("def ok():\n    return __name__\n")
    assert box.load(renamed).ok and box.call("ok").value == "hw6__1_"


def test_a_missing_function_and_an_exception_in_a_call(box, tmp_path):
    loaded(box, tmp_path, """
        not_a_function = 3

        def fails(x):
            raise ValueError(f"bad shape {x.shape}")
    """)
    assert box.call("absent").kind == "missing"
    assert box.call("not_a_function").kind == "missing"
    outcome = box.call("fails", np.zeros((2, 3)))
    assert outcome.kind == "exception" and "ValueError: bad shape (2, 3)" in outcome.message
    assert outcome.message.count("File ") == 1  # only the student's frame, not the worker's


# ------------------------------------------------------------------------------ hostile code

def test_infinite_loop_at_import_times_out_and_later_calls_fail_fast(box, tmp_path):
    outcome = box.load(write_module(tmp_path, "while True:\n    pass\n"))
    assert outcome.kind == "timeout" and "1.5 s" in outcome.message
    call = box.call("anything")  # answered by the grader: no worker is started for it
    assert call.kind == "not-loaded" and "did not finish" in call.message and box.pid is None


HOSTILE = """
    import ctypes, os, signal, sys
    import numpy as np

    def ok(x):
        return x + 1

    def spin():
        while True:
            pass

    def spin_ignoring_signals():
        for s in (signal.SIGXCPU, signal.SIGTERM, signal.SIGINT):
            signal.signal(s, signal.SIG_IGN)
        while True:
            pass

    def sleep():
        import time
        time.sleep(60)

    def hog_at_once():
        return np.ones(10**10)

    def hog_slowly():  # 10 MB at a time, untouched: as quick on a loaded machine as on a free one
        blocks = []
        while True:
            blocks.append(np.empty(10**7, dtype=np.uint8))

    def exit_politely():
        sys.exit(0)

    def exit_hard():
        os._exit(0)

    def kill_myself():
        os.kill(os.getpid(), signal.SIGKILL)

    def segfault():
        ctypes.string_at(0)

    def pid():
        return os.getpid()
"""


@pytest.mark.parametrize("function, kind, says", [
    ("spin", "timeout", "1.5 s"),
    ("sleep", "timeout", "wall-clock"),
    ("hog_at_once", "memory", "MemoryError"),
    ("hog_slowly", "memory", "MemoryError"),
    ("exit_politely", "exception", "sys.exit"),
    ("exit_hard", "crashed", "exited (status 0)"),
    ("kill_myself", "crashed", "SIGKILL"),
    ("segfault", "crashed", "SIGSEGV"),
])
def test_a_failing_call_says_what_happened_and_the_next_call_works(box, tmp_path, function, kind,
                                                                    says):
    loaded(box, tmp_path, HOSTILE)
    outcome = box.call(function)
    assert not outcome.ok and outcome.kind == kind and says in outcome.message
    assert outcome.message.startswith(f"{function}: ") or kind in ("memory", "exception")
    after = box.call("ok", np.array([1.0]))
    assert after.ok and after.value.tolist() == [2.0]


def test_cpu_limit_stops_a_loop_before_the_wall_clock_does():
    limits = Limits(cpu_seconds_per_call=1, wall_seconds_per_call=30)
    with Sandbox(limits) as box, _tmp_module(HOSTILE) as path:
        assert box.load(path).ok
        outcome = box.call("spin")  # what stopped it is in the message: CPU, not the wall clock
        assert outcome.kind == "timeout" and "CPU time" in outcome.message
        assert box.call("ok", 1).value == 2


def test_a_loop_that_ignores_the_cpu_signal_meets_the_wall_clock(box, tmp_path):
    loaded(box, tmp_path, HOSTILE)
    outcome = box.call("spin_ignoring_signals")
    assert outcome.kind == "timeout" and "wall-clock" in outcome.message
    assert box.call("ok", 1).value == 2


@pytest.mark.parametrize("breaker, kind", [("spin", "timeout"), ("exit_hard", "crashed")])
def test_several_calls_in_one_request_stop_where_one_breaks_the_worker(tmp_path, breaker, kind):
    # a wall clock far beyond the CPU limit: four calls of 0.8 s of CPU must not meet it when
    # the machine is loaded
    with Sandbox(Limits(cpu_seconds_per_call=1, wall_seconds_per_call=60,
                        memory_bytes=512 << 20)) as box:
        _several_calls_stop_where_one_breaks(box, tmp_path, breaker, kind)


def _several_calls_stop_where_one_breaks(box, tmp_path, breaker, kind):
    loaded(box, tmp_path, HOSTILE + """
    def fails():
        raise ValueError("as usual")

    def burn(seconds):
        import time
        started = time.process_time()
        while time.process_time() - started < seconds:
            pass
        return seconds
    """)
    first_pid = box.pid
    outcomes = box.call_many([("ok", (1,), {}), ("fails", (), {}), ("ok", (), {"x": 2}),
                              (breaker, (), {}), ("ok", (3,), {})])
    # An exception is that call's outcome only; a broken worker ends the list at its call.
    assert [o.ok for o in outcomes] == [True, False, True, False]
    assert [outcomes[0].value, outcomes[2].value] == [2, 3]
    assert outcomes[1].kind == "exception" and "as usual" in outcomes[1].message
    assert outcomes[3].kind == kind and outcomes[3].message.startswith(f"{breaker}: ")
    # The rest go to the replacement, and each call has the limits of one call: four calls of
    # 0.8 s of CPU each pass a limit of 1 s of CPU per call.
    again = box.call_many([("ok", (3,), {})] + [("burn", (0.8,), {})] * 4)
    assert box.pid != first_pid and [o.value for o in again] == [4] + [0.8] * 4


def test_calls_too_large_for_one_message_together_go_in_several(tmp_path):
    limits = Limits(message_bytes=300_000)
    with Sandbox(limits) as box:
        loaded(box, tmp_path, HOSTILE)
        arrays = [np.full(12_500, float(k)) for k in range(5)]  # 100 kB each, 500 kB in all
        outcomes = box.call_many([("ok", (x,), {}) for x in arrays])
        assert [o.value[0] for o in outcomes] == [1.0, 2.0, 3.0, 4.0, 5.0]
        with pytest.raises(CodecError, match="exceeds"):  # one alone: the caller's mistake
            box.call("ok", np.zeros(40_000))


class _tmp_module:
    def __init__(self, source):
        self.source = source

    def __enter__(self):
        import tempfile
        self.folder = tempfile.TemporaryDirectory()
        return write_module(Path(self.folder.name), self.source)

    def __exit__(self, *exc_info):
        self.folder.cleanup()


def test_a_replacement_worker_captures_output_whatever_was_left_in_its_directory(box,
                                                                                 tmp_path):
    # The output file's name is the worker's; a student's file or link under that name, left
    # by a worker that then died, must not stop the next one or receive its output.
    loaded(box, tmp_path, HOSTILE + """
    def squat(target):
        try:  # refused where the system call filter refuses new files
            os.symlink(target, ".autograder-output")
        finally:
            os._exit(1)

    def shout():
        print("captured")
        return 1
    """)
    target = tmp_path / "elsewhere.txt"
    assert box.call("squat", str(target)).kind == "crashed"
    outcome = box.call("shout")
    assert outcome.ok and outcome.output == "captured\n"
    assert not target.exists()


def test_a_replaced_worker_reloads_the_module_and_forgets_old_handles(box, tmp_path):
    loaded(box, tmp_path, NORMAL + HOSTILE)
    _, cache = box.call("forward", np.ones(2)).value
    first_pid = box.pid
    assert box.call("exit_hard").kind == "crashed"
    assert box.call("ok", 1).value == 2 and box.pid != first_pid and box.restarts == 1
    stale = box.call("backward", np.ones(2), cache)
    assert stale.kind == "stale-handle"


@pytest.mark.parametrize("when", ["import", "call"])
def test_exits_at_import(box, tmp_path, when):
    if when == "import":
        polite = box.load(write_module(tmp_path, "import sys\nsys.exit(0)\n"))
        assert polite.kind == "exception" and "SystemExit" in polite.message
        hard = box.load(write_module(tmp_path, "import os\nos._exit(0)\n"))
        assert hard.kind == "crashed" and "exited (status 0)" in hard.message
        assert box.call("ok").kind == "not-loaded"
    assert box.load(write_module(tmp_path, HOSTILE)).ok  # the sandbox is still usable


def test_100mb_of_prints_is_capped_quickly(box, tmp_path):
    loaded(box, tmp_path, """
        import os

        def shout():
            print("x" * 100_000_000)
            for _ in range(10_000):
                print("y" * 100)
            return 42

        def shout_in_c():
            return os.write(1, b"z" * 100_000_000)
    """)
    outcome = box.call("shout")
    # Python-level prints never fail: the function finishes and is graded honestly.
    assert outcome.ok and outcome.value == 42
    assert len(outcome.output) == FAST.output_bytes and outcome.output_truncated
    assert set(outcome.output) == {"x"}
    # A raw write to fd 1 goes to a file capped by RLIMIT_FSIZE: it writes only that much.
    raw = box.call("shout_in_c")
    assert raw.ok and raw.value <= FAST.file_bytes and raw.output_truncated
    assert box.call("shout").output.startswith("x")  # every request gets its own budget


def test_lying_return_values_arrive_as_plain_data_or_handles(box, tmp_path):
    loaded(box, tmp_path, """
        import collections
        import numpy as np

        class Liar(np.ndarray):
            def __eq__(self, other):
                return np.ones(self.shape, bool)
            def __array_function__(self, func, types, args, kwargs):
                return True
            def __array_ufunc__(self, *args, **kwargs):
                return np.zeros(self.shape)

        class AlwaysEqual:
            def __eq__(self, other):
                return True

        class LyingFloat(float):
            def __eq__(self, other):
                return True

        class LyingStr(str):
            __hash__ = str.__hash__

            def __eq__(self, other):
                return True

        Pair = collections.namedtuple("Pair", "a b")

        def lying_array():
            return np.arange(3.0).view(Liar)

        def lying_objects():
            return AlwaysEqual(), LyingFloat(0.25), Pair(1, 2), {LyingStr("k"): LyingStr("v")}

        def object_array():
            return np.array([AlwaysEqual()], dtype=object)
    """)
    array = box.call("lying_array").value  # an ndarray subclass stays in the worker
    assert type(array) is Handle and array.type_name == "Liar (a subclass of numpy.ndarray)"
    liar, number, pair, mapping = box.call("lying_objects").value
    assert type(liar) is Handle and liar != Handle(liar.id, "other", liar.token)
    assert type(number) is float and number == 0.25 and number != 1.0
    assert type(pair) is tuple and pair == (1, 2)
    assert mapping == {"k": "v"} and all(type(s) is str for s in [*mapping, *mapping.values()])
    objects = box.call("object_array").value
    assert type(objects) is Handle and objects.type_name == "numpy array of dtype object"


def test_monkeypatched_numpy_stays_in_the_worker(box, tmp_path):
    loaded(box, tmp_path, """
        import numpy as np
        np.allclose = lambda *args, **kwargs: True
        np.array_equal = lambda *args, **kwargs: True
        np.ascontiguousarray = np.frombuffer = np.dtype = lambda *args, **kwargs: np.zeros(1)
        np.ndarray = type("fake", (), {})
        np.testing.assert_allclose = lambda *args, **kwargs: None

        def wrong(x):
            return x + 1
    """)
    outcome = box.call("wrong", np.zeros(3))
    assert outcome.value.tolist() == [1.0, 1.0, 1.0]
    assert not np.allclose(outcome.value, np.zeros(3))
    assert not np.array_equal(outcome.value, np.zeros(3))


def test_garbage_on_the_reply_pipe_is_retried_then_not_graded(box, tmp_path):
    # Malformed frames are not a student's failure: the call goes to a fresh worker once; when
    # that one's frames are malformed too, the submission is not graded (never a 0).
    loaded(box, tmp_path, HOSTILE + """
    import fcntl, stat
    def forge():
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            try:
                is_pipe = stat.S_ISFIFO(os.fstat(fd).st_mode)
                write_end = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
            except OSError:
                continue
            if is_pipe and write_end and fd > 2:
                os.write(fd, b"SBX1" + (20).to_bytes(4, "big") + bytes(8) + b"not json at all!!!!!")
        return 0
    """)
    with pytest.raises(GraderFault, match="broke twice .*malformed.*not graded"):
        box.call("forge")
    assert box.call("ok", 1).value == 2 and box.restarts == 2


def test_one_malformed_reply_is_retried_on_a_fresh_worker(box, tmp_path, monkeypatch):
    loaded(box, tmp_path, HOSTILE)
    real, broken = sandbox_module._check_reply, []

    def garbled_once(reply, kinds):
        if not broken:
            broken.append(reply)
            raise sandbox_module._Broken("channel", "the worker sent a malformed reply")
        real(reply, kinds)

    monkeypatch.setattr(sandbox_module, "_check_reply", garbled_once)
    assert box.call("ok", 1).value == 2 and box.restarts == 1 and broken


def test_lone_surrogates_cross_the_boundary_as_they_are(box, tmp_path):
    loaded(box, tmp_path, """
        def odd_text():
            print("\\ud800 printed")
            return "\\udc80 returned"

        def odd_error():
            raise ValueError("\\udfff raised")
    """)
    returned = box.call("odd_text")
    assert returned.ok and returned.value == "\udc80 returned"
    assert "printed" in returned.output
    raised = box.call("odd_error")
    assert raised.kind == "exception" and "\udfff raised" in raised.message


def test_background_processes_are_killed_on_close_and_on_restart(tmp_path):
    source = HOSTILE + """
    def daemon():
        read_end, write_end = os.pipe()
        middle = os.fork()
        if middle == 0:
            os.setsid()
            if os.fork() == 0:
                for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                    signal.signal(s, signal.SIG_IGN)
                os.write(write_end, str(os.getpid()).encode())
                while True:
                    signal.pause()
            os._exit(0)
        daemon_pid = int(os.read(read_end, 32))
        os.waitpid(middle, 0)  # else the middle process may still be counted as the sandbox's
        return daemon_pid
    """
    if not ROOT:
        pytest.skip("the sandbox's processes are told apart by its user")
    with Sandbox(FAST) as box:
        assert box.load(write_module(tmp_path, source)).ok
        if refuses_new_processes(box):  # no memory cgroup here: the filter stands in
            refused = box.call("daemon")
            assert refused.kind == "exception" and "Operation not permitted" in refused.message
            assert len(processes_of(box.user.uid)) == 1  # the worker alone
            return
        assert box.call("daemon").ok and box.call("daemon").ok
        assert len(processes_of(box.user.uid)) == 3  # the worker and two daemons
        assert box.call("exit_hard").kind == "crashed"
        assert processes_of(box.user.uid) == []
        assert box.call("daemon").ok
        assert len(processes_of(box.user.uid)) == 2
    assert processes_of(box.user.uid) == []


def refuses_new_processes(box) -> bool:
    """Whether the worker's system call filter refuses fork (where there is no memory cgroup)."""
    return "new processes" in box.protections["system call filter"]


KILLERS = HOSTILE + """
    def kill_parent():
        os.kill(os.getppid(), signal.SIGKILL)

    def kill_pid(pid):
        os.kill(pid, signal.SIGKILL)

    def kill_everything():
        os.kill(-1, signal.SIGKILL)
        return "still here"
"""


def test_killing_its_parent_reaches_the_keeper_not_the_grader(box, tmp_path):
    loaded(box, tmp_path, KILLERS)
    parent = box.call("kill_parent")
    if ROOT:  # the keeper stays root: the student's user may not signal it
        assert parent.kind == "exception" and "PermissionError" in parent.message
    else:  # same user: the keeper dies, the worker with it (PDEATHSIG), the grader lives on;
        # the call may still have answered before the worker was killed.
        assert parent.ok or (parent.kind == "crashed" and "supervisor died" in parent.message)
    answer = box.call("ok", 1)
    if not ROOT and parent.ok and answer.kind == "crashed":
        # It answered before PDEATHSIG reached the worker: the next call finds it dead, once.
        answer = box.call("ok", 1)
    assert answer.value == 2


@needs_root
def test_the_student_cannot_kill_the_grader_or_other_processes(tmp_path):
    # As `nobody`, not the dedicated user: other test sessions may have workers running as
    # autograder-student right now, and kill(-1) would reach them.
    with Sandbox(FAST, user="nobody") as box:
        if any(Path(f"/proc/{pid}").stat().st_uid == box.user.uid
               for pid in filter(str.isdigit, os.listdir("/proc")) if pid != str(box.pid)):
            pytest.skip("other processes of nobody exist; kill(-1) would reach them")
        loaded(box, tmp_path, KILLERS)
        assert "PermissionError" in box.call("kill_pid", os.getpid()).message
        # Linux spares the caller of kill(-1); every other process of the user would die.
        assert box.call("kill_everything").value == "still here"
        assert box.call("ok", 1).value == 2


@needs_root
def test_a_fork_bomb_meets_the_process_limit_and_is_cleaned_up(tmp_path):
    with Sandbox(Limits(wall_seconds_per_call=5, processes=20)) as box:
        loaded(box, tmp_path, HOSTILE + """
    def fork_bomb():
        children = []
        try:
            while True:
                child = os.fork()
                if child == 0:
                    signal.pause()
                children.append(child)
        except OSError:
            return children
        """)
        children = box.call("fork_bomb").value
        # the process limit, or (no memory cgroup here) the system call filter, stops it
        assert 0 < len(children) < 20 or (children == [] and refuses_new_processes(box))
        assert len(processes_of(box.user.uid)) == len(children) + 1
    assert processes_of(box.user.uid) == []


@needs_root
def test_the_student_cannot_read_grader_files_or_write_results(box, tmp_path):
    results = tmp_path / "results"
    results.mkdir(mode=0o755)
    secret = tmp_path / "answers.yaml"
    secret.write_text("the answers")
    secret.chmod(0o600)
    loaded(box, tmp_path, """
        def write(path):
            with open(path, "w") as f:
                f.write('{"score": 100}')

        def read(path):
            with open(path) as f:
                return f.read()
    """)
    # Outside its private root the paths do not exist; without one, permissions stop it.
    unreachable = ("FileNotFoundError", "PermissionError")
    written = box.call("write", str(results / "results.json"))
    assert written.kind == "exception" and any(e in written.message for e in unreachable)
    assert not (results / "results.json").exists()
    assert any(e in box.call("read", str(secret)).message for e in unreachable)


def test_output_bad_for_the_boundary_is_reported():
    limits = Limits(wall_seconds_per_call=5, message_bytes=1 << 20)
    with Sandbox(limits) as box, _tmp_module("""
        import numpy as np

        def huge():
            return np.zeros(10**6)

        def cyclic():
            items = []
            items.append(items)
            return items
    """) as path:
        assert box.load(path).ok
        huge = box.call("huge")
        assert huge.kind == "bad-output" and "exceeds" in huge.message
        assert box.call("cyclic").kind == "bad-output"


# ------------------------------------------------------------------------------ setup

@needs_root
def test_a_user_who_cannot_reach_the_interpreter_gets_instructions(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o700)
    python = locked / "python"
    python.write_bytes(Path(os.path.realpath(sys.executable)).read_bytes())
    python.chmod(0o755)
    with pytest.raises(AutograderError, match=f"chmod o\\+x .*{locked}"):
        check_sandbox_user_can_run(str(python))


@needs_root
def test_unknown_user_falls_back_to_nobody_with_a_log_line(capsys):
    with Sandbox(FAST, user="no-such-user-here") as box:
        assert box.user.name == "nobody"
    assert any("no-such-user-here" in line and "'nobody'" in line for line in box.log)
    assert capsys.readouterr().err == ""  # the instructor's log is the caller's to print


# ------------------------------------------------------------------------------ pool

def test_pool_forks_workers_that_behave_like_spawned_ones(tmp_path):
    path = write_module(tmp_path, NORMAL + HOSTILE)
    with WorkerPool() as pool:
        with Sandbox(FAST, pool=pool) as first, Sandbox(FAST, pool=pool) as second:
            assert first.load(path).ok and second.load(path).ok
            assert first.pid != second.pid and pool._process.pid not in (first.pid, second.pid)
            np.testing.assert_array_equal(first.call("draw", Rng(1), 3).value,
                                          second.call("draw", Rng(1), 3).value)
            assert first.call("spin").kind == "timeout"
            assert first.call("ok", 1).value == 2 and second.call("ok", 2).value == 3
            seen = first.call("whoami").value
            assert seen["env"]["HOME"] == str(first.workdir) and seen["modules"] == []
            if ROOT:
                assert seen["uid"] != 0


def test_spawned_and_forked_workers_answer_alike(tmp_path):
    # How much sooner a forked worker answers is measured by benchmarks/sandbox_start.py.
    path = write_module(tmp_path, "def ok(x):\n    return x + 1\n")
    with Sandbox(FAST) as spawned:
        assert spawned.load(path).ok and spawned.call("ok", 1).value == 2
    with WorkerPool() as pool, Sandbox(FAST, pool=pool) as forked:
        assert forked.load(path).ok and forked.call("ok", 1).value == 2


def test_a_package_placed_in_folders_is_imported_and_called_by_module(box, tmp_path):
    init = write_module(tmp_path, "", "init")
    helpers = write_module(tmp_path, "def scale(x, k):\n    return x * k\n", "helpers")
    layers = write_module(tmp_path, """
        from pkg.helpers import scale

        def double(x):
            return scale(x, 2)
    """, "layers")
    for path, name in ((init, "pkg/__init__.py"), (helpers, "pkg/helpers.py"),
                       (layers, "pkg/layers.py")):
        box.place(path, name)
    assert box.import_module("pkg.layers").ok and box.import_module("pkg.helpers").ok
    assert box.call("pkg.layers:double", 3).value == 6
    assert box.call("pkg.helpers:scale", 3, 5).value == 15
    missing = box.call("pkg.layers:triple", 1)
    assert missing.kind == "missing" and "triple is not defined" in missing.message
    with pytest.raises(ValueError):
        box.place(layers, "../outside.py")


def test_a_link_left_where_a_package_folder_goes_is_never_followed(box, tmp_path):
    """The student's code swaps its package folder for a link to a folder of ours and crashes;
    the replacement worker's files are placed in a real folder, not through the link."""
    ours = tmp_path / "ours"
    ours.mkdir()
    layers = write_module(tmp_path, f"""
        import os, shutil

        def swap():
            shutil.rmtree("pkg")
            try:  # refused where the system call filter refuses new files
                os.symlink({str(ours)!r}, "pkg")
            finally:
                os._exit(1)

        def where():
            return os.path.islink("pkg"), sorted(os.listdir("pkg"))
    """, "layers")
    box.place(layers, "pkg/layers.py")
    assert box.import_module("pkg.layers").ok
    assert box.call("pkg.layers:swap").kind == "crashed"
    assert box.call("pkg.layers:where").value == (False, ["layers.py"])
    assert list(ours.iterdir()) == []
