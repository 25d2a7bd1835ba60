# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared pieces of the service tests: start the real daemon on a FUSE mount
in a temporary directory, wait for its node, stop it, and fail or skip with
one clear line.  Each test is a script run by meson; exit 77 means skip."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def fail(why, daemon=None):
    print(f"FAIL: {why}")
    if daemon is not None:
        daemon.dump_log()
    sys.exit(1)


def need_fuse():
    if not os.path.exists("/dev/fuse") or not shutil.which("fusermount3"):
        skip("no /dev/fuse or fusermount3 on this machine")


def wait_for(pred, timeout, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


class Daemon:
    """uiommufd --fuse DIR with extra arguments; stderr goes to a log file."""

    def __init__(self, binary, workdir, args=(), env=None, wrap_watchdog_pid=False):
        self.dir = os.path.join(workdir, "mnt")
        os.makedirs(self.dir, exist_ok=True)
        self.node = os.path.join(self.dir, "iommu")
        self.log_path = os.path.join(workdir, f"daemon-{time.monotonic_ns()}.log")
        self.log = open(self.log_path, "w")
        argv = [binary, "--fuse", self.dir, *args]
        if wrap_watchdog_pid:
            # WATCHDOG_PID must be the daemon's pid before it starts: let a
            # shell export its own pid and exec the daemon in its place.
            argv = ["/bin/sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"',
                    "sh", *argv]
        self.proc = subprocess.Popen(argv, stderr=self.log, stdin=subprocess.DEVNULL,
                                     env=env if env is not None else os.environ.copy())

    def wait_node(self, timeout=10):
        ok = wait_for(lambda: os.path.exists(self.node) or self.proc.poll() is not None,
                      timeout)
        if not ok or not os.path.exists(self.node):
            fail("the daemon did not come up", self)

    def stop(self, timeout=10):
        """SIGTERM; returns the exit status (None if it did not exit in time)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if os.path.ismount(self.dir):
            subprocess.run(["fusermount3", "-u", "-z", self.dir], check=False)

    def log_text(self):
        self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def dump_log(self):
        print("--- daemon log")
        print(self.log_text(), end="")
        print("---")


def workdir():
    d = tempfile.mkdtemp(prefix="uiommufd-svc.")
    # Other users (the access tests run the CLI as nobody) must reach files here.
    os.chmod(d, 0o755)
    return d


def sanitizer_report(text):
    return ("ERROR: AddressSanitizer" in text or "ERROR: LeakSanitizer" in text
            or "runtime error:" in text)


def vmlck_bytes(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmLck:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None
