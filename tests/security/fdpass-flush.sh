#!/bin/bash
# The fd-passing path, stalled through a close(): uid 1000 connects to the
# fd-passing socket (mode 0666, no seccomp needed) and sends, instead of a
# seccomp listener, a descriptor of its own FUSE file whose FLUSH is never
# answered, again and again; and, under uiommufd-exec, makes a
# CREATE_ACCESS on a descriptor of that file instead of the node.  Every
# close() of that file waits for ever, the process's exit included: it must
# never enter the daemon's fd table.
# While the attacker goes on: no descriptor of the attacker's mount in the
# daemon, uid 1001's CREATE_ACCESS through uiommufd-exec within 5 s, a root
# client, status, and SIGTERM stops the daemon, exit 0, within
# --stop-timeout 3 (+2 s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"
. "$(dirname "$0")/fdpass_lib.sh"
sec_init "$@"
sec_cost_init
sec_start_daemon --stop-timeout 3
sec_mount_hang --flush

sec_user_bg "$SEC_UID" "$SEC_PROGS/sec_fdpass_attack" sendfd "$SEC_FDPASS" \
	"$HANG_MNT/bait" >"$SEC_DIR/attacker.out" 2>&1
sec_user_bg "$SEC_UID" "$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$SEC_PROGS/sec_fdpass_attack" foreign "$HANG_MNT/bait" \
	>"$SEC_DIR/foreign.out" 2>&1
for _ in $(seq 100); do
	grep -q 'holding a FLUSH' "$SEC_DIR/hang.log" && break
	sleep 0.05
done
sleep 1
cat "$SEC_DIR/hang.log" "$SEC_DIR/attacker.out" "$SEC_DIR/foreign.out"
grep -q started "$SEC_DIR/attacker.out" || sec_fail "the attack did not start"
if ls -l "/proc/$SEC_PID/fd" 2>/dev/null | grep -qF "$HANG_MNT"; then
	sec_fail "the daemon holds a descriptor of the attacker's FUSE file"
else
	sec_ok "no descriptor of the attacker's FUSE file in the daemon"
fi
fdpass_check_and_stop
