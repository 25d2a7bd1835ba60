#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""SIGTERM with clients holding mappings, then a second start.

  test_sigterm.py UIOMMUFD UIOMMUFDCTL SVC_CLIENT

Two clients hold IOAS with a mock domain and a 4 MiB shared mapping each
(pinned and mlocked by the daemon where pinning exists).  On SIGTERM the
daemon must exit 0 within 10 s, with its locked memory back at the baseline
it started with (it says so in its last log line, after releasing every
context and before exit tears anything down), the node unmounted and the
status socket gone; each client's next ioctl must fail with an error, not
hang.  A second daemon on the same directory and socket must serve again.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svc  # noqa: E402
from test_status import Client  # noqa: E402

MAP = 4 << 20


def status(ctl_bin, sock):
    r = subprocess.run([ctl_bin, "--socket", sock, "status", "--json"],
                       capture_output=True, text=True, timeout=20)
    if r.returncode:
        svc.fail(f"uiommufdctl: {r.stderr}")
    return json.loads(r.stdout)


def main():
    svc.need_fuse()
    daemon_bin, ctl_bin, client_bin = sys.argv[1:4]
    wd = svc.workdir()
    sock = os.path.join(wd, "status.sock")
    args = ["--status-socket", sock, "--test-interface", "--stop-timeout", "8"]
    d = svc.Daemon(daemon_bin, wd, args)
    clients = []
    d2 = None
    try:
        d.wait_node()
        base = svc.vmlck_bytes(d.proc.pid)
        for _ in range(2):
            clients.append(Client(client_bin, d.node, "1,1", "--mock", "--map", str(MAP)))
        info = clients[0].info
        held = svc.vmlck_bytes(d.proc.pid)
        doc = status(ctl_bin, sock)
        print(f"     clients: mock={info['mock']} map={info['map']}; daemon VmLck "
              f"{base} -> {held}, pinned {doc['totals']['pinned_bytes']}")
        if info["map"] == "0" and info["mock"] == "0" and doc["totals"]["pinned_bytes"] == 0:
            print("note nothing pinned: the pages layer does not pin here yet")

        t0 = time.monotonic()
        rc = d.stop(timeout=10)
        took = time.monotonic() - t0
        if rc is None:
            svc.fail("the daemon did not exit within 10 s of SIGTERM", d)
        if rc != 0:
            svc.fail(f"exit status {rc} after SIGTERM", d)
        print(f"ok   exit 0 after {took:.2f} s with {len(clients)} clients holding mappings")
        m = re.search(r"stopped: every context released, (\d+) bytes locked", d.log_text())
        if not m or int(m.group(1)) != (base or 0):
            svc.fail(f"locked memory after the stop is not the baseline {base}", d)
        print(f"ok   locked memory back to the baseline ({m.group(1)} bytes) before exit")
        if os.path.ismount(d.dir) or os.path.exists(d.node):
            svc.fail("the node is still there after the stop", d)
        if os.path.exists(sock):
            svc.fail("the status socket is still there after the stop", d)
        print("ok   node unmounted, status socket removed")

        for c in clients:
            c.proc.stdin.write("probe\n")
            c.proc.stdin.flush()
            line = c.proc.stdout.readline().strip()
            if not line.startswith("probe OK"):
                svc.fail(f"client {c.pid} after the stop: {line or 'no answer (hang?)'}", d)
            print(f"ok   client {c.pid}: next ioctl fails: {line[9:]}")
            c.close()

        d2 = svc.Daemon(daemon_bin, wd, args)
        d2.wait_node()
        c = Client(client_bin, d2.node, "1")
        clients.append(c)
        if status(ctl_bin, sock)["totals"]["clients"] != 1:
            svc.fail("the second daemon does not serve", d2)
        c.close()
        if d2.stop() != 0:
            svc.fail("the second daemon did not stop with 0", d2)
        print("ok   a second start registers the node again")
        for x in (d, d2):
            if svc.sanitizer_report(x.log_text()):
                svc.fail("sanitizer report", x)
    finally:
        for c in clients:
            if c.proc.poll() is None:
                c.proc.kill()
        for x in (d, d2):
            if x:
                x.kill()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
