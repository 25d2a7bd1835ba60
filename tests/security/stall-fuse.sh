#!/bin/bash
# Attack class 3b of issue 10: an ioctl argument in a page that never
# arrives.  uid 1000 mounts its own FUSE file whose READ is never answered
# (hang_fuse), maps it, and from 8 threads (8 contexts) calls IOAS_ALLOC
# with the argument pointer in that mapping: whoever reads the argument
# waits for ever.  That must stall only the attacker's own requests:
#  - a root client's and a uid 1001 client's IOAS_ALLOC complete within 3 s,
#  - `uiommufdctl status` answers within 3 s,
#  - another client's context closes (open, close, the count drops, open
#    again),
#  - SIGTERM stops the daemon, exit 0, within --stop-timeout 3 (+2 s),
# all while the attacker's requests are stuck.  The hang server is killed
# at the end, whatever happened, so that nothing stays stuck.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"
sec_init "$@"

sec_cost_init

sec_start_daemon --stop-timeout 3

sec_mount_hang
sec_user_bg "$SEC_UID" "$SEC_PROGS/sec_stall_fuse" "$SEC_NODE" "$HANG_MNT/bait" 8 \
	>"$SEC_DIR/attacker.out" 2>&1
# The attack is on once the daemon faulted on the bait (a READ is held).
# A daemon that refuses such an argument without reading it (all 8 calls
# return) has defeated the attack as well; the checks below still run.
returned() { grep -c 'a call returned' "$SEC_DIR/attacker.out"; }
for _ in $(seq 100); do
	grep -q 'holding a READ' "$SEC_DIR/hang.log" && break
	[ "$(returned)" -ge 8 ] && break
	kill -0 "$hang_pid" 2>/dev/null || break
	sleep 0.05
done
if grep -q 'holding a READ' "$SEC_DIR/hang.log"; then
	sleep 0.5
	sec_ok "the daemon is stuck on the attacker's page"
elif [ "$(returned)" -ge 8 ]; then
	sec_ok "the daemon refused every argument in the attacker's page unread"
else
	cat "$SEC_DIR/hang.log" "$SEC_DIR/attacker.out"
	grep -q 'mounted on' "$SEC_DIR/hang.log" ||
		sec_skip "uid $SEC_UID cannot mount a FUSE file here (fusermount3)"
	sec_fail "the attacker's calls neither reached its FUSE page nor returned"
	sec_finish 5
fi

for i in 1 2; do
	if sec_probe_within 3; then
		sec_ok "root IOAS_ALLOC+DESTROY #$i within 3 s"
	else
		sec_fail "root IOAS_ALLOC+DESTROY #$i did not complete within 3 s"
	fi
done
if sec_within 3 as_user "$SEC_UID2" -- "$SEC_PROGS/sec_probe" "$SEC_NODE"; then
	sec_ok "uid $SEC_UID2 IOAS_ALLOC+DESTROY within 3 s"
else
	sec_fail "uid $SEC_UID2 IOAS_ALLOC+DESTROY did not complete within 3 s"
fi
if sec_status_answers 3; then
	sec_ok "uiommufdctl status answered within 3 s"
else
	sec_fail "uiommufdctl status did not answer within 3 s"
fi

# Another client's context: open and close it, see the count drop back,
# open again.
if base=$(sec_ctx_count); then
	if sec_probe_within 3 && sec_wait_ctx_count "$base" 3 &&
		sec_probe_within 3; then
		sec_ok "another client's context opened, closed ($base contexts again) and opened again"
	else
		sec_fail "another client's open, close, open did not complete (contexts: ${SEC_CTX_SEEN:-?}, want <= $base)"
	fi
else
	sec_fail "no context count from uiommufdctl status --json within 3 s"
fi

# SIGTERM with the attacker's requests still stuck.  Should the daemon not
# stop, the hang server goes well after the limit (sec_stop_daemon's clock
# is loose on a busy machine), so that the forced stop does not wait with
# the daemon's stuck threads.
( sleep 12; kill -9 "$hang_pid" 2>/dev/null ) &
sec_bg $!
sec_finish 5
