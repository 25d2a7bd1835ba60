#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Readiness, STATUS= and watchdog pings against a notify socket this test
provides (NOTIFY_SOCKET), and SIGHUP re-reading the log level from --config.

  test_notify.py UIOMMUFD

- READY=1 arrives, and when it does the node exists and opens;
- STATUS= arrives and follows the clients (1 client, 1 context, 1 object);
- WATCHDOG=1 arrives every WATCHDOG_USEC/2 (WATCHDOG_PID = the daemon);
- after the config file says debug and SIGHUP, an ioctl is traced;
- SIGTERM sends STOPPING=1 and the daemon exits 0.
"""
import fcntl
import os
import shutil
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svc  # noqa: E402

IOMMU_IOAS_ALLOC = 0x3B81  # _IO(';', 0x81)


def ioas_alloc(fd):
    buf = bytearray(struct.pack("III", 12, 0, 0))
    fcntl.ioctl(fd, IOMMU_IOAS_ALLOC, buf, True)
    return struct.unpack("III", buf)[2]


def main():
    svc.need_fuse()
    daemon_bin = sys.argv[1]
    wd = svc.workdir()
    sock_path = os.path.join(wd, "notify.sock")
    conf = os.path.join(wd, "uiommufd.conf")
    with open(conf, "w") as f:
        f.write("# test config\nUIOMMUFD_LOG_LEVEL=info\n")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
    ns.bind(sock_path)
    ns.settimeout(0.2)

    env = os.environ.copy()
    env.pop("UIOMMUFD_LOG_LEVEL", None)
    env.update(NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="400000")
    d = svc.Daemon(daemon_bin, wd, ["--status-socket", "none", "--config", conf],
                   env=env, wrap_watchdog_pid=True)
    msgs = []          # (time, line)
    ready_ok = None    # node state when READY=1 came

    def pump(until, pred):
        nonlocal ready_ok
        end = time.monotonic() + until
        while time.monotonic() < end:
            if pred():
                return True
            try:
                data = ns.recv(4096).decode()
            except socket.timeout:
                if d.proc.poll() is not None:
                    svc.fail(f"the daemon exited with {d.proc.returncode}", d)
                continue
            for line in data.split("\n"):
                if line == "READY=1" and ready_ok is None:
                    try:
                        os.close(os.open(d.node, os.O_RDWR))
                        ready_ok = True
                    except OSError as e:
                        ready_ok = f"{d.node}: {e}"
                msgs.append((time.monotonic(), line))
        return pred()

    def count(prefix):
        return sum(1 for _, m in msgs if m.startswith(prefix))

    def statuses():
        return [m for _, m in msgs if m.startswith("STATUS=")]

    try:
        if not pump(10, lambda: count("READY=1") and count("STATUS=")):
            svc.fail(f"no READY=1 and STATUS= within 10 s; got {[m for _, m in msgs]}", d)
        if ready_ok is not True:
            svc.fail(f"READY=1 came before the node answered: {ready_ok}", d)
        print("ok   READY=1 once the node answers")
        print(f"ok   {statuses()[0]}")

        t0 = time.monotonic()
        if not pump(3, lambda: count("WATCHDOG=1") >= 4):
            svc.fail(f"only {count('WATCHDOG=1')} WATCHDOG=1 in 3 s (WATCHDOG_USEC=400000)", d)
        pings = [t for t, m in msgs if m == "WATCHDOG=1"]
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        if max(gaps) > 0.4:
            svc.fail(f"watchdog gap {max(gaps):.3f} s exceeds WATCHDOG_USEC", d)
        print(f"ok   {len(pings)} WATCHDOG=1, largest gap {max(gaps):.3f} s"
              f" (after {time.monotonic() - t0:.1f} s)")

        fd = os.open(d.node, os.O_RDWR)
        ioas_alloc(fd)
        want = "STATUS=1 client, 1 context, 1 object, 0 B pinned"
        if not pump(3, lambda: want in statuses()):
            svc.fail(f"STATUS= did not follow the client: {statuses()}", d)
        print(f"ok   {want}")
        if "IOAS_ALLOC" in d.log_text():
            svc.fail("an ioctl was traced at log level info", d)

        with open(conf, "w") as f:
            f.write("UIOMMUFD_LOG_LEVEL='debug'\n")
        d.proc.send_signal(signal.SIGHUP)
        if not svc.wait_for(lambda: "log level is now 7" in d.log_text(), 5):
            svc.fail("SIGHUP did not reload the log level from --config", d)
        ioas_alloc(fd)
        if not svc.wait_for(lambda: "IOAS_ALLOC" in d.log_text(), 5):
            svc.fail("no ioctl trace after SIGHUP switched to debug", d)
        print("ok   SIGHUP re-read UIOMMUFD_LOG_LEVEL from --config")
        os.close(fd)

        d.proc.send_signal(signal.SIGTERM)
        pump(5, lambda: count("STOPPING=1"))
        rc = d.stop()
        if not count("STOPPING=1"):
            svc.fail("no STOPPING=1 on SIGTERM", d)
        if rc != 0:
            svc.fail(f"exit status {rc} after SIGTERM", d)
        if svc.sanitizer_report(d.log_text()):
            svc.fail("sanitizer report", d)
        print("ok   STOPPING=1, exit 0")
    finally:
        d.kill()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
