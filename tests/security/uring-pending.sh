#!/bin/bash
# A request that went pending in the kernel while a ring queue had no entry
# free must still be served (docs/uring-loop.md, "Requests that wait in the
# kernel").  The kernel hands a pending request to an entry only when a
# request of that queue is committed, not when a new entry registers.  With
# few fast workers per queue (--threads 1; the start may have added one or
# two), every client on CPU 0, and the daemon told to wait 1 s before each
# later registration (a test-only setting that widens the window a loaded
# machine opens by chance):
#  - the attacker's 3 requests take queue 0's entries and never finish
#    (their argument in a page of its own stuck FUSE file),
#  - a root client's open and ioctls arrive while no entry is free and go
#    pending; new workers' entries register 1 s later each,
# and nothing else runs on CPU 0.  Asserted: the root client is served
# (within 10 s: up to 3 registrations come first), twice, and the daemon
# stops with exit 0.  Without the daemon's kick the root client waits for
# ever whenever queue 0 had 3 entries or fewer (nearly always).  Run with
# SEC_LOOP=uring SEC_PIN=0 (meson.build); with classic: skipped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"
sec_init "$@"
[ "${SEC_LOOP:-classic}" = uring ] || sec_skip "a test of the io_uring loop"
[ -n "${SEC_PIN:-}" ] || sec_skip "needs every client on one CPU (SEC_PIN)"

sec_cost_init
UIOMMUFD_TEST_URING_REGISTER_DELAY_MS=1000 sec_start_daemon --stop-timeout 3 \
	--threads 1

sec_mount_hang
sec_user_bg "$SEC_UID" "$SEC_PROGS/sec_stall_fuse" "$SEC_NODE" "$HANG_MNT/bait" 3 \
	>"$SEC_DIR/attacker.out" 2>&1
for _ in $(seq 200); do
	grep -q 'holding a READ' "$SEC_DIR/hang.log" && break
	kill -0 "$hang_pid" 2>/dev/null || break
	sleep 0.01
done
if ! grep -q 'holding a READ' "$SEC_DIR/hang.log"; then
	cat "$SEC_DIR/hang.log" "$SEC_DIR/attacker.out"
	grep -q 'mounted on' "$SEC_DIR/hang.log" ||
		sec_skip "uid $SEC_UID cannot mount a FUSE file here (fusermount3)"
	sec_fail "the attacker's call did not reach its FUSE page"
	sec_finish 5
fi
# At once: the replacement entry is still 2 s away.
if sec_probe_within 10; then
	sec_ok "a root client that came while queue 0 had no entry free was served"
else
	sec_fail "a root client that came while queue 0 had no entry free was not served within 10 s"
fi
if sec_probe_within 10; then
	sec_ok "and the next one too"
else
	sec_fail "the next root client was not served within 10 s"
fi

( sleep 12; kill -9 "$hang_pid" 2>/dev/null ) &
sec_bg $!
sec_finish 5
