#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# edu.sh DAEMON CLIENT_EDU UIOMMUFDCTL DEMO_CLIENT: the software edu device
# on this host.  Starts the daemon on a FUSE mount with --device edu and a
# status socket; runs client_edu against DIR/iommu and DIR/devices/uvfio0
# (the same client that passes against the kernel's iommufd and vfio-pci,
# tests/vm/edu-ref.sh); kills a client with SIGKILL in the middle of its
# DMA loop and checks with `uiommufdctl status --json` that it left no
# client, mapping, pin or binding behind; runs the client again (it must
# bind); runs the README's demo; stops the daemon (SIGTERM, exit 0, no
# sanitizer report).  Skips (77) without FUSE.
set -u
daemon=$1 client=$2 ctl=$3 demo=$4

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	echo "SKIP: no /dev/fuse or fusermount3 on this machine"; exit 77
fi
if ! "$daemon" --help 2>&1 | grep -q -- '--device'; then
	echo "SKIP: this daemon has no --device (the VFIO device layer is not built in)"; exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-edu.XXXXXX")
run=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-edu-run.XXXXXX")
log=$run/daemon.log
sock=$run/status.sock
pid= lpid=
cleanup() {
	[ -n "$lpid" ] && kill -9 "$lpid" 2>/dev/null
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	mountpoint -q "$dir" && fusermount3 -u -z "$dir"
	rmdir "$dir" 2>/dev/null; rm -rf "$run"
}
trap cleanup EXIT

"$daemon" --fuse "$dir" --device edu --status-socket "$sock" 2>"$log" &
pid=$!
dev=$dir/devices/uvfio0
for _ in $(seq 200); do
	[ -e "$dir/iommu" ] && [ -e "$dev" ] && [ -S "$sock" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
if [ ! -e "$dev" ]; then
	echo "daemon did not come up with $dev:"; cat "$log"; exit 1
fi
fail=0

echo "=== client_edu"
"$client" "$dir/iommu" "$dev" || fail=1

# Nothing of a client is left once its files are released (FUSE releases
# after close() returns, so give it a moment).
idle() {
	"$ctl" --socket "$sock" status --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
t = s["totals"]
left = [k for k in ("clients", "ioas", "areas", "mapped_bytes", "pinned_bytes") if t.get(k)]
for d in s.get("devices", []):
	if d.get("bound") or d.get("attached") or d.get("pinned_bytes"):
		left.append("device %s bound" % d.get("path", "?"))
if left:
	print("left behind: " + ", ".join(left))
	sys.exit(1)
'
}

echo "=== a client killed in the middle of its DMA loop"
"$client" "$dir/iommu" "$dev" loop >"$run/loop.out" 2>&1 &
lpid=$!
for _ in $(seq 200); do
	grep -q looping "$run/loop.out" && break
	kill -0 "$lpid" 2>/dev/null || break
	sleep 0.05
done
if grep -q looping "$run/loop.out"; then
	sleep 0.3
	"$ctl" --socket "$sock" status
	kill -KILL "$lpid"
	wait "$lpid" 2>/dev/null
	lpid=
	ok=
	for _ in $(seq 100); do
		idle >/dev/null 2>&1 && { ok=1; break; }
		sleep 0.05
	done
	if [ -z "$ok" ]; then
		echo "FAIL: after SIGKILL:"; idle; "$ctl" --socket "$sock" status; fail=1
	else
		echo "ok: no client, mapping, pin or binding left"
	fi
	"$client" "$dir/iommu" "$dev" >"$run/again.out" 2>&1 ||
		{ echo "FAIL: the next client:"; cat "$run/again.out"; fail=1; }
	tail -1 "$run/again.out"
else
	echo "FAIL: the looping client did not start:"; cat "$run/loop.out"; fail=1
fi

echo "=== the demo"
"$demo" "$dir/iommu" "$dev" -- "$ctl" --socket "$sock" status || fail=1

kill -TERM "$pid"
for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then
	echo "daemon did not stop within 10 s of SIGTERM"; fail=1
else
	wait "$pid"; drc=$?
	pid=
	[ "$drc" -eq 0 ] || { echo "daemon exited with $drc"; fail=1; }
fi
if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$log"; then
	echo "sanitizer report from the daemon:"; fail=1
fi
[ "$fail" -eq 0 ] || { echo "--- daemon log"; cat "$log"; }
exit $fail
