#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`uiommufdctl status`, table and --json, against a daemon holding known
objects, and its one-line errors.

  test_status.py UIOMMUFD UIOMMUFDCTL SVC_CLIENT

Client A holds two contexts (2 IOAS and 1 IOAS), client B one context with
one IOAS, a mock domain and a 2 MiB shared mapping when the daemon has those
ioctls.  The JSON must count exactly that, the table must show it, and the
errors (no socket, nothing listening, the socket file's permission, a peer
the daemon refuses by SO_PEERCRED) must each be one line and exit 1.
"""
import json
import os
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svc  # noqa: E402

MAP = 2 << 20
NOBODY = 65534


class Client:
    def __init__(self, binary, node, spec, *extra):
        self.proc = subprocess.Popen([binary, node, spec, *extra], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if not line or line[0] != "ready":
            svc.fail(f"svc_client {spec} did not get ready: {line}")
        self.info = dict(kv.split("=") for kv in line[1:])
        self.pid = int(self.info["pid"])

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("exit\n")
            self.proc.stdin.flush()
            self.proc.wait(10)


def ctl(ctl_bin, sock, *args, user=None, groups=None):
    argv = [ctl_bin, "--socket", sock, "status", *args]
    if user is not None:
        argv = ["setpriv", f"--reuid={user[0]}", f"--regid={user[1]}",
                f"--groups={groups}" if groups else "--clear-groups", *argv]
    return subprocess.run(argv, capture_output=True, text=True, timeout=20)


def expect_one_line_error(r, words, what):
    lines = r.stderr.strip().split("\n")
    if r.returncode != 1 or r.stdout or len(lines) != 1 or words not in lines[0]:
        svc.fail(f"{what}: want one line with '{words}' and exit 1, got "
                 f"rc={r.returncode} stdout={r.stdout!r} stderr={r.stderr!r}")
    print(f"ok   {what}: {lines[0]}")


def main():
    svc.need_fuse()
    daemon_bin, ctl_bin, client_bin = sys.argv[1:4]
    wd = svc.workdir()
    sock = os.path.join(wd, "status.sock")
    d = svc.Daemon(daemon_bin, wd, ["--status-socket", sock, "--status-group", str(NOBODY),
                                    "--test-interface"])
    clients = []
    try:
        d.wait_node()
        if not svc.wait_for(lambda: os.path.exists(sock), 5):
            svc.fail("no status socket", d)
        st = os.stat(sock)
        if st.st_mode & 0o777 != 0o660 or (os.geteuid() == 0 and st.st_gid != NOBODY):
            svc.fail(f"status socket mode {st.st_mode & 0o777:o} gid {st.st_gid}", d)

        a = Client(client_bin, d.node, "2,1")
        b = Client(client_bin, d.node, "1", "--mock", "--map", str(MAP))
        clients += [a, b]
        mapped = b.info["map"] == "0"
        pinned = mapped and b.info["mock"] == "0"
        print(f"     client B: mock={b.info['mock']} map={b.info['map']}")

        r = ctl(ctl_bin, sock, "--json")
        if r.returncode:
            svc.fail(f"status --json failed: {r.stderr}", d)
        doc = json.loads(r.stdout)
        by_pid = {c["pid"]: c for c in doc["clients"]}
        if set(by_pid) != {a.pid, b.pid}:
            svc.fail(f"clients {sorted(by_pid)} are not A={a.pid} B={b.pid}", d)
        ca, cb, tot = by_pid[a.pid], by_pid[b.pid], doc["totals"]
        checks = [
            (doc["daemon"]["pid"], d.proc.pid, "daemon pid"),
            (doc["daemon"]["frontend"], "fuse", "front end"),
            (doc["daemon"]["nodes"], [d.node], "nodes"),
            (ca["contexts"], 2, "A contexts"), (ca["ioas"], 3, "A ioas"),
            (ca["objects"], {"ioas": 3}, "A objects"), (ca["uid"], os.geteuid(), "A uid"),
            (ca["mapped_bytes"], 0, "A mapped"), (ca["areas"], 0, "A areas"),
            (cb["contexts"], 1, "B contexts"), (cb["ioas"], 1, "B ioas"),
            (cb["objects"].get("ioas"), 1, "B objects[ioas]"),
            (cb["nr_objects"], sum(cb["objects"].values()), "B nr_objects"),
            (cb["areas"], 1 if mapped else 0, "B areas"),
            (cb["mapped_bytes"], MAP if mapped else 0, "B mapped"),
            (tot["clients"], 2, "total clients"), (tot["contexts"], 3, "total contexts"),
            (tot["ioas"], 4, "total ioas"),
            (tot["nr_objects"], ca["nr_objects"] + cb["nr_objects"], "total objects"),
            (tot["mapped_bytes"], cb["mapped_bytes"], "total mapped"),
            (tot["pinned_bytes"], ca["pinned_bytes"] + cb["pinned_bytes"], "total pinned"),
            (doc["contexts_omitted"], 0, "omitted"),
        ]
        if pinned:
            checks.append((cb["pinned_bytes"], MAP, "B pinned"))
        for got, want, what in checks:
            if got != want:
                svc.fail(f"{what}: got {got!r}, want {want!r}\n{json.dumps(doc, indent=1)}", d)
        if pinned and doc["daemon"]["locked_bytes"] < MAP:
            print(f"note locked_bytes {doc['daemon']['locked_bytes']} < {MAP}: mlock not taken")
        print(f"ok   --json counts A (2 ctx, 3 IOAS) and B (1 ctx, {cb['nr_objects']} objects,"
              f" {cb['mapped_bytes']} mapped, {cb['pinned_bytes']} pinned)")

        r = ctl(ctl_bin, sock)
        lines = r.stdout.rstrip("\n").split("\n")
        if r.returncode or len(lines) != 5:
            svc.fail(f"table: rc={r.returncode}\n{r.stdout}{r.stderr}", d)
        head, rows = lines[1].split(), {ln.split()[0]: ln.split() for ln in lines[2:]}
        if head[:8] != ["PID", "UID", "COMMAND", "CTX", "IOAS", "AREAS", "MAPPED", "PINNED"]:
            svc.fail(f"table header: {lines[1]}", d)
        ra, rb, rt = rows.get(str(a.pid)), rows.get(str(b.pid)), rows.get("TOTAL")
        if not lines[0].startswith(f"uiommufd ") or f"pid {d.proc.pid}" not in lines[0]:
            svc.fail(f"table first line: {lines[0]}", d)
        if not ra or ra[3:6] != ["2", "3", "0"] or ra[-1] != "ioas:3":
            svc.fail(f"table row A: {ra}", d)
        if not rb or rb[3:5] != ["1", "1"] or (mapped and "2.0 MiB" not in lines[3]):
            svc.fail(f"table row B: {rb}", d)
        if not rt or rt[1:5] != ["2", "clients", "3", "4"]:
            svc.fail(f"table total: {rt}", d)
        print("ok   table:")
        print("\n".join("     " + ln for ln in lines))

        # The errors, one line each.
        expect_one_line_error(ctl(ctl_bin, os.path.join(wd, "none.sock")),
                              "no status socket", "no socket")
        stale = os.path.join(wd, "stale.sock")
        s = socket.socket(socket.AF_UNIX)
        s.bind(stale)
        s.close()
        expect_one_line_error(ctl(ctl_bin, stale), "nothing answers", "no daemon")
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            print("skip access checks: they need root and setpriv")
        else:
            r = ctl(ctl_bin, sock, "--json", user=(NOBODY, NOBODY))
            if r.returncode or json.loads(r.stdout)["totals"]["clients"] != 2:
                svc.fail(f"the status group (primary) was refused: {r.stderr}", d)
            r = ctl(ctl_bin, sock, "--json", user=(NOBODY, 12345), groups=str(NOBODY))
            if r.returncode:
                svc.fail(f"the status group (supplementary) was refused: {r.stderr}", d)
            print("ok   the status group is answered (primary and supplementary)")
            expect_one_line_error(ctl(ctl_bin, sock, user=(NOBODY, 12345)),
                                  "permission denied", "socket file refuses")
            os.chmod(sock, 0o666)  # past the file mode: the peer check must hold
            expect_one_line_error(ctl(ctl_bin, sock, user=(NOBODY, 12345)),
                                  "the daemon refused", "SO_PEERCRED refuses")

        for c in clients:
            c.close()
        rc = d.stop()
        if rc != 0:
            svc.fail(f"exit status {rc} after SIGTERM", d)
        if os.path.exists(sock):
            svc.fail("the status socket is left behind", d)
        if svc.sanitizer_report(d.log_text()):
            svc.fail("sanitizer report", d)
        print("ok   stop removes the status socket")
    finally:
        for c in clients:
            if c.proc.poll() is None:
                c.proc.kill()
        d.kill()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
