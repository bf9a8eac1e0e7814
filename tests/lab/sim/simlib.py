# simlib.py: plumbing shared by the hvsh lab's hypervisor CLI simulators
# (xe, vmrun, vmware-vdiskmanager): where state lives, locking, operation
# times and fault knobs. See README.md in this directory.
#
# Runtime: python3 only (Debian package "python3"), standard library only.
# The executables import this file by the real location of their script,
# because the lab reaches them through symlinks.

import fcntl
import json
import os
import sys
import time


def state_dir():
    """The simulator state directory: $HVSH_SIM_STATE, else ~/.hvsh-sim."""
    d = os.environ.get("HVSH_SIM_STATE") or os.path.join(
        os.path.expanduser("~"), ".hvsh-sim")
    os.makedirs(d, exist_ok=True)
    return d


def knob_path(name):
    return os.path.join(state_dir(), name)


def read_knob(name):
    """Contents of a knob file in the state directory, or None if absent."""
    try:
        with open(knob_path(name), "r", encoding="utf-8",
                  errors="replace") as f:
            return f.read()
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return None


def knob_exists(name):
    return os.path.exists(knob_path(name))


def speed():
    """Scale of every operation time: $HVSH_SIM_SPEED, else the file
    'speed' in the state directory, else 1. 0 means no delay at all."""
    for raw in (os.environ.get("HVSH_SIM_SPEED"), read_knob("speed")):
        if raw is None or raw.strip() == "":
            continue
        try:
            return max(0.0, float(raw.strip()))
        except ValueError:
            continue
    return 1.0


def delay_seconds(tool, op, default):
    """How long operation OP of TOOL takes, in seconds: DEFAULT unless the
    file 'delays' has a line "TOOL OP SECONDS" or "OP SECONDS", scaled by
    speed()."""
    base = default
    text = read_knob("delays")
    if text:
        for line in text.splitlines():
            w = line.split()
            try:
                if len(w) == 3 and w[0] == tool and w[1] == op:
                    base = float(w[2])
                elif len(w) == 2 and w[0] == op:
                    base = float(w[1])
            except ValueError:
                pass
    return max(0.0, base * speed())


def op_delay(tool, op, default):
    """Sleep for as long as operation OP of TOOL takes."""
    t = delay_seconds(tool, op, default)
    if t > 0:
        time.sleep(t)


# --- faults -------------------------------------------------------------

def hang_mode():
    """None if 'fault-hang' is absent; 'after' if it says so (hang once
    the operation took effect), otherwise 'before' (hang at once)."""
    text = read_knob("fault-hang")
    if text is None:
        if knob_exists("fault-hang"):
            return "before"
        return None
    return "after" if text.strip().lower().startswith("after") else "before"


def hang_forever():
    """Never answer: sleep until killed."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    while True:
        time.sleep(3600)


def take_fail_next():
    """Consume the one-shot 'fault-fail-next' file. Returns its text
    (maybe empty) if this process took it, None otherwise. The rename
    makes sure exactly one of several concurrent calls fails."""
    path = knob_path("fault-fail-next")
    mine = "%s.taken.%d" % (path, os.getpid())
    try:
        os.rename(path, mine)
    except (FileNotFoundError, IsADirectoryError):
        return None
    try:
        with open(mine, "r", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    try:
        os.unlink(mine)
    except OSError:
        pass
    return text


# --- state --------------------------------------------------------------

class Store:
    """Read-modify-write of STATE_DIR/NAME.json under an exclusive flock
    on STATE_DIR/lock. Use as a context manager; call save() with the new
    data. The file is replaced through a temporary file and rename, so a
    reader never sees half a file."""

    def __init__(self, name):
        self.dir = state_dir()
        self.path = os.path.join(self.dir, name + ".json")
        self.lockf = None
        self.orig = None

    def __enter__(self):
        self.lockf = open(os.path.join(self.dir, "lock"), "a+")
        fcntl.flock(self.lockf.fileno(), fcntl.LOCK_EX)
        return self

    def load(self):
        try:
            with open(self.path, "r", encoding="utf-8") as f:
                self.orig = f.read()
        except FileNotFoundError:
            self.orig = None
            return None
        try:
            return json.loads(self.orig)
        except ValueError:
            # A corrupt state file is kept aside, not silently reused.
            os.replace(self.path, self.path + ".corrupt")
            self.orig = None
            return None

    def save(self, data):
        text = json.dumps(data, indent=1, sort_keys=False) + "\n"
        if text == self.orig:
            return
        tmp = "%s.tmp.%d" % (self.path, os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self.orig = text

    def __exit__(self, *exc):
        if self.lockf is not None:
            fcntl.flock(self.lockf.fileno(), fcntl.LOCK_UN)
            self.lockf.close()
            self.lockf = None
        return False


# --- output -------------------------------------------------------------

def enc(s):
    if isinstance(s, bytes):
        return s
    return s.encode("utf-8", "surrogateescape")


class Output:
    """Buffered stdout/stderr of one invocation, so that the fault knobs
    'fault-garbage' and 'fault-truncate' can mangle what is written."""

    def __init__(self):
        self.out = bytearray()
        self.err = bytearray()

    def o(self, s):
        self.out += enc(s)

    def e(self, s):
        self.err += enc(s)

    def flush_now(self):
        """Write what is buffered so far (before reading an answer)."""
        self._write(bytes(self.out), bytes(self.err))
        self.out = bytearray()
        self.err = bytearray()

    @staticmethod
    def _write(out, err):
        if out:
            _write_all(1, out)
        if err:
            _write_all(2, err)

    def finish(self, code):
        out, err = bytes(self.out), bytes(self.err)
        if knob_exists("fault-garbage"):
            if not out and not err:
                out = garble(b"")
            else:
                out = garble(out) if out else b""
                err = garble(err) if err else b""
        elif knob_exists("fault-truncate"):
            out, err = out[:len(out) // 2], err[:len(err) // 2]
        self._write(out, err)
        return code


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BrokenPipeError:
            return
        view = view[n:]


def garble(data):
    """Random bytes of about the length of DATA, with a newline or two so
    that line-based readers see several broken lines."""
    n = max(len(data), 16)
    raw = bytearray(os.urandom(n))
    for i in range(0, n, 37):
        raw[i] = 0x0A
    return bytes(raw)


def log_bug():
    """Append the traceback of a simulator bug to STATE_DIR/sim-errors.log
    (the caller then answers with the tool's generic failure)."""
    import traceback
    try:
        with open(knob_path("sim-errors.log"), "a") as f:
            f.write("%s pid %d argv %r\n" % (time.strftime("%F %T"),
                                             os.getpid(), sys.argv))
            traceback.print_exc(file=f)
    except OSError:
        pass


def run(main):
    """Run MAIN(argv, out) -> exit code with an Output, apply the output
    faults and exit."""
    out = Output()
    try:
        code = main(sys.argv[1:], out)
    except KeyboardInterrupt:
        code = 130
    code = out.finish(code)
    sys.exit(code)
