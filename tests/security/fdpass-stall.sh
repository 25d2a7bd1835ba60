#!/bin/bash
# The fd-passing path, stalled through caller memory: uid 1000, under
# uiommufd-exec, calls IOMMU_TEST_CMD with the struct in a page of its own
# FUSE file whose READ is never answered, and again with only its size and
# op (CREATE_ACCESS) readable and the rest in that page.  Whoever reads
# there waits for ever; that must be a thread of the attacker's own, never
# the one that serves every user's fd passing, and in a wait that the
# process's exit ends.  While the attacker is stuck: uid 1001's
# CREATE_ACCESS through uiommufd-exec within 5 s, a root client, status,
# and SIGTERM stops the daemon, exit 0, within --stop-timeout 3 (+2 s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"
. "$(dirname "$0")/fdpass_lib.sh"
sec_init "$@"
sec_cost_init
sec_start_daemon --stop-timeout 3
sec_mount_hang

fdpass_launch_ok 5 || { sec_fail "uid $SEC_UID2 CREATE_ACCESS before the attack"; sec_finish; }
for mode in stall straddle; do
	sec_user_bg "$SEC_UID" "$SEC_EXEC" --socket "$SEC_FDPASS" \
		"$SEC_PROGS/sec_fdpass_attack" $mode "$SEC_NODE" "$HANG_MNT/bait" \
		>>"$SEC_DIR/attacker.out" 2>&1
done
# The attack is on once someone faulted on the bait (a READ is held); a
# daemon that answers without reading it has defeated the attack as well.
for _ in $(seq 100); do
	grep -q 'holding a READ' "$SEC_DIR/hang.log" && break
	[ "$(grep -c 'returned' "$SEC_DIR/attacker.out")" -ge 2 ] && break
	sleep 0.05
done
cat "$SEC_DIR/hang.log" "$SEC_DIR/attacker.out"
if grep -q 'holding a READ' "$SEC_DIR/hang.log"; then
	sec_ok "the attacker's op is being read from its page"
elif [ "$(grep -c 'returned' "$SEC_DIR/attacker.out")" -lt 2 ]; then
	sec_fail "the attack did not start"
fi
sleep 0.5
# Several calls of one program at once are all served, in turn.
if sec_within 10 as_user "$SEC_UID2" -- "$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$SEC_PROGS/sec_fdpass_attack" burst "$SEC_NODE" 12; then
	sec_ok "uid $SEC_UID2: 12 CREATE_ACCESS at once from one program"
else
	sec_fail "uid $SEC_UID2: 12 CREATE_ACCESS at once from one program did not all succeed within 10 s"
fi
fdpass_check_and_stop
