#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stuck client stalls only itself: the worker pool and the per-uid queue.

  test_stall.py UIOMMUFD UIOMMUFDCTL STALL_CLIENT HANG_FUSE

Two unprivileged uids each run 6 threads whose IOAS_ALLOC argument lies in a
page nobody will ever fault in (userfaultfd), against a daemon started with
--threads 2 --max-threads 8 --max-requests-per-user 2 --stop-timeout 3.
Each uid then holds 2 workers and queues the rest, so:
- a root client's IOAS_ALLOC is answered within 3 s, more than once;
- the daemon has at most --max-threads workers (plus its own few threads);
- `uiommufdctl status` answers within 3 s and lists the stuck contexts;
- WATCHDOG=1 keeps coming (one client's stuck requests are no wedge);
- SIGTERM: exit 0 within --stop-timeout + 1 s, naming the abandoned requests.

With --max-threads 2 and 4 stuck requests allowed per uid, one client does
wedge the service: then, and only then, the pings stop.

Then the same client with its argument on a FUSE mount of its own that never
answers a read (hang_fuse): a root client is served meanwhile, and SIGTERM
aborts that connection (the client's own mount, user_id=its uid) so the stop
ends cleanly, every context released.  That part needs the FUSE control file
system (/sys/fs/fuse/connections, mounted here when it is not).
"""
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svc  # noqa: E402

STOP_TIMEOUT = 3
MAX_THREADS = 8
# The pool bounds asserted here are the classic loop's; the io_uring loop
# keeps --max-threads workers per CPU queue (docs/uring-loop.md), and its
# stalls and stops are tested by tests/security's sec-uring-* on CPU 0.
LOOP = ["--loop", "classic"]
ALLOC = """
import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for _ in range(3):
    buf = bytearray(struct.pack("III", 12, 0, 0))
    fcntl.ioctl(fd, 0x3B81, buf, True)
print(struct.unpack("III", buf)[2])
"""


def root_alloc(node):
    t0 = time.monotonic()
    try:
        r = subprocess.run([sys.executable, "-c", ALLOC, node], capture_output=True,
                           text=True, timeout=3)
    except subprocess.TimeoutExpired:
        return None, 3.0
    if r.returncode:
        svc.fail(f"root client: {r.stderr.strip()}")
    return r.stdout.strip(), time.monotonic() - t0


def fuse_mount_part(daemon_bin, wd, args, stall_bin, hang_bin):
    ctl = "/sys/fs/fuse/connections"
    ours = False
    if not os.path.ismount(ctl):
        ours = subprocess.run(["mount", "-t", "fusectl", "none", ctl],
                              check=False).returncode == 0
    if not os.path.ismount(ctl):
        print(f"note no FUSE control file system at {ctl}: the abort part is skipped")
        return
    try:
        fuse_mount_run(daemon_bin, wd, args, stall_bin, hang_bin)
    finally:
        if ours:
            subprocess.run(["umount", ctl], check=False)


def fuse_mount_run(daemon_bin, wd, args, stall_bin, hang_bin):
    hdir = os.path.join(wd, "hang")
    os.makedirs(hdir)
    os.chown(hdir, 1000, 1000)
    d = svc.Daemon(daemon_bin, wd, [a for a in args])
    hang = client = None
    try:
        d.wait_node()
        hang = subprocess.Popen([hang_bin, hdir, "1000"], stdout=subprocess.PIPE, text=True)
        if hang.stdout.readline().strip() != "mounted":
            svc.fail("hang_fuse did not mount", d)
        client = subprocess.Popen([stall_bin, d.node, "3", "1000", os.path.join(hdir, "f")],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if not client.stdout.readline().startswith("stalling"):
            svc.fail("stall_client on the FUSE file did not start", d)
        time.sleep(1.0)
        got, took = root_alloc(d.node)
        if got is None:
            svc.fail("a root client's IOAS_ALLOC took over 3 s (argument on a hung FUSE page)", d)
        print(f"ok   root IOAS_ALLOC answered in {took:.2f} s while 2 requests wait on a hung FUSE page")
        t0 = time.monotonic()
        rc = d.stop(timeout=STOP_TIMEOUT + 2)
        took = time.monotonic() - t0
        if rc != 0 or took > STOP_TIMEOUT + 1:
            svc.fail(f"stop: exit {rc} after {took:.2f} s", d)
        log = d.log_text()
        if "aborted FUSE connection" not in log:
            svc.fail("the stop did not abort the caller's own FUSE connection", d)
        print("     " + [ln for ln in log.splitlines() if "aborted FUSE" in ln][0])
        if "stopped: every context released" not in log:
            svc.fail("after the abort the stop did not end cleanly", d)
        print(f"ok   exit 0 {took:.2f} s after SIGTERM: the caller's own FUSE connection"
              " aborted, every context released")
        if svc.sanitizer_report(log):
            svc.fail("sanitizer report", d)
    finally:
        for p in (client, hang):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        d.kill()
        # hang_fuse mounted with mount(2), not fusermount3: nobody else unmounts it.
        subprocess.run(["umount", "-l", hdir], check=False, stderr=subprocess.DEVNULL)
        if os.path.ismount(hdir):
            subprocess.run(["umount", "-l", hdir], check=False)


def wedged_part(daemon_bin, wd, env, stall_bin, pings):
    """Every worker the pool may have stuck: that, and only that, stops the pings."""
    d = svc.Daemon(daemon_bin, wd, [*LOOP, "--status-socket", "none", "--mode", "0666",
                                    "--threads", "1", "--max-threads", "2",
                                    "--max-requests-per-user", "4",
                                    "--stop-timeout", str(STOP_TIMEOUT)],
                   env=env, wrap_watchdog_pid=True)
    p = None
    try:
        d.wait_node()
        t0 = time.monotonic()
        if not svc.wait_for(lambda: any(t > t0 for t in pings), 3):
            svc.fail("no WATCHDOG=1 from an idle daemon", d)
        p = subprocess.Popen([stall_bin, d.node, "4", "1000"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        if not p.stdout.readline().startswith("stalling"):
            svc.fail("stall_client did not start", d)
        time.sleep(2.0)
        now = time.monotonic()
        recent = [t for t in pings if t > now - 1.0]
        if recent:
            svc.fail(f"{len(recent)} WATCHDOG=1 in the last 1 s with both of 2 workers stuck", d)
        print("ok   both of --max-threads 2 workers stuck: the watchdog pings stop (wedged)")
        rc = d.stop(timeout=STOP_TIMEOUT + 2)
        if rc != 0:
            svc.fail(f"wedged daemon: exit {rc} after SIGTERM", d)
        print("ok   the wedged daemon still stops with 0")
    finally:
        if p and p.poll() is None:
            p.kill()
            p.wait()
        d.kill()


def main():
    svc.need_fuse()
    if os.geteuid() != 0:
        svc.skip("needs root (clients of other uids, userfaultfd for kernel faults)")
    daemon_bin, ctl_bin, stall_bin, hang_bin = sys.argv[1:5]
    wd = svc.workdir()
    sock = os.path.join(wd, "status.sock")
    notify = os.path.join(wd, "notify.sock")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
    ns.bind(notify)
    ns.settimeout(0.2)
    pings = []
    done = threading.Event()

    def collect():
        while not done.is_set():
            try:
                data = ns.recv(4096).decode()
            except socket.timeout:
                continue
            except OSError:
                return
            if "WATCHDOG=1" in data.split("\n"):
                pings.append(time.monotonic())

    env = os.environ.copy()
    env.update(NOTIFY_SOCKET=notify, WATCHDOG_USEC="400000")
    args = [*LOOP, "--status-socket", sock, "--mode", "0666", "--threads", "2",
            "--max-threads", str(MAX_THREADS), "--max-requests-per-user", "2",
            "--stop-timeout", str(STOP_TIMEOUT)]
    collector = threading.Thread(target=collect, daemon=True)
    collector.start()
    d = svc.Daemon(daemon_bin, wd, args, env=env, wrap_watchdog_pid=True)
    attackers = []
    try:
        d.wait_node()
        os.chmod(wd, 0o755)
        for uid in (1000, 1002):
            p = subprocess.Popen([stall_bin, d.node, "6", str(uid)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            attackers.append(p)
            line = p.stdout.readline().strip()
            if line.startswith("skip:"):
                svc.skip(f"stall_client: {line[6:]}")
            if not line.startswith("stalling"):
                svc.fail(f"stall_client (uid {uid}) did not start: {line!r}", d)
        time.sleep(1.0)

        for i in range(2):
            got, took = root_alloc(d.node)
            if got is None:
                svc.fail("a root client's IOAS_ALLOC took over 3 s with two uids stuck", d)
            print(f"ok   root IOAS_ALLOC answered in {took:.2f} s (ioas {got}) with 12 stuck ioctls")

        tasks = len(os.listdir(f"/proc/{d.proc.pid}/task"))
        # Workers plus the main, status and deadline-free service threads.
        if tasks > MAX_THREADS + 3:
            svc.fail(f"{tasks} threads in the daemon (--max-threads {MAX_THREADS})", d)
        print(f"ok   {tasks} threads in the daemon: stuck uids hold 2 workers each")

        t0 = time.monotonic()
        try:
            r = subprocess.run([ctl_bin, "--socket", sock, "status"], capture_output=True,
                               text=True, timeout=3)
        except subprocess.TimeoutExpired:
            svc.fail("uiommufdctl status hangs while requests are stuck", d)
        if r.returncode:
            svc.fail(f"uiommufdctl status: {r.stderr.strip()}", d)
        print(f"ok   uiommufdctl status answered in {time.monotonic() - t0:.2f} s")

        now = time.monotonic()
        recent = [t for t in pings if t > now - 1.5]
        if len(recent) < 4:
            svc.fail(f"only {len(recent)} WATCHDOG=1 in the last 1.5 s while clients are stuck", d)
        print(f"ok   {len(recent)} WATCHDOG=1 in the last 1.5 s: no wedge")

        t0 = time.monotonic()
        rc = d.stop(timeout=STOP_TIMEOUT + 2)
        took = time.monotonic() - t0
        if rc is None:
            svc.fail(f"no exit {STOP_TIMEOUT + 2} s after SIGTERM with requests stuck", d)
        if rc != 0:
            svc.fail(f"exit status {rc} after SIGTERM", d)
        if took > STOP_TIMEOUT + 1:
            svc.fail(f"the stop took {took:.2f} s (--stop-timeout {STOP_TIMEOUT})", d)
        said = [ln for ln in d.log_text().splitlines() if "abandoned" in ln]
        if not said or "IOAS_ALLOC pid" not in said[0]:
            svc.fail("no log line naming the abandoned requests", d)
        print(f"     {said[0]}")
        print(f"ok   exit 0 {took:.2f} s after SIGTERM, stuck requests named and abandoned")
        if svc.sanitizer_report(d.log_text()):
            svc.fail("sanitizer report", d)
        for p in attackers:
            p.kill()
            p.wait()
        fuse_mount_part(daemon_bin, wd, args, stall_bin, hang_bin)
        wedged_part(daemon_bin, wd, env, stall_bin, pings)
    finally:
        done.set()
        for p in attackers:
            if p.poll() is None:
                p.kill()
                p.wait()
        d.kill()
        ns.close()
        import shutil
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
