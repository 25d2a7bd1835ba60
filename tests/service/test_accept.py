#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The status socket's accept loop when the daemon's fds run out.

  test_accept.py UIOMMUFD UIOMMUFDCTL

The daemon's RLIMIT_NOFILE is lowered (prlimit) to what it has open, then
clients connect to the status socket and wait: accept() fails with EMFILE
and the connection stays queued.  The daemon must not spin on the readable
socket (under 25% of a CPU over 2 s), must say so once, and must answer
again once fds are back.
"""
import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svc  # noqa: E402


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def main():
    svc.need_fuse()
    if not shutil.which("prlimit"):
        svc.skip("no prlimit")
    daemon_bin, ctl_bin = sys.argv[1:3]
    wd = svc.workdir()
    sock = os.path.join(wd, "status.sock")
    d = svc.Daemon(daemon_bin, wd, ["--status-socket", sock])
    conns = []
    try:
        d.wait_node()
        if not svc.wait_for(lambda: os.path.exists(sock), 5):
            svc.fail("no status socket", d)
        pid = d.proc.pid
        nfds = len(os.listdir(f"/proc/{pid}/fd"))
        soft = subprocess.run(["prlimit", f"--pid={pid}", "--nofile", "-o", "SOFT",
                               "--noheadings"], capture_output=True, text=True).stdout.strip()
        # Only the soft limit: raising it back needs no privilege.
        if subprocess.run(["prlimit", f"--pid={pid}", f"--nofile={nfds}:"]).returncode:
            svc.skip("cannot lower the daemon's RLIMIT_NOFILE")
        for _ in range(3):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(sock)
            conns.append(c)
        t0, c0 = time.monotonic(), cpu_ticks(pid)
        time.sleep(2)
        used = (cpu_ticks(pid) - c0) / os.sysconf("SC_CLK_TCK") / (time.monotonic() - t0)
        if used > 0.25:
            svc.fail(f"the daemon used {used:.0%} of a CPU with accept() failing", d)
        if "pausing accepts" not in d.log_text():
            svc.fail("no log line about the failing accept()", d)
        print(f"ok   accept() out of fds: {used:.0%} of a CPU, said once")
        for c in conns:
            c.close()
        conns = []
        subprocess.run(["prlimit", f"--pid={pid}", f"--nofile={soft}:"], check=True)
        r = subprocess.run([ctl_bin, "--socket", sock, "status"], capture_output=True,
                           text=True, timeout=10)
        if r.returncode:
            svc.fail(f"status after fds came back: {r.stderr.strip()}", d)
        print("ok   status answers again once fds are back")
        if d.stop() != 0:
            svc.fail("exit status after SIGTERM", d)
        if svc.sanitizer_report(d.log_text()):
            svc.fail("sanitizer report", d)
    finally:
        for c in conns:
            c.close()
        d.kill()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
