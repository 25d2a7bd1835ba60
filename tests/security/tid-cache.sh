#!/bin/bash
# Attack class 2, the source cache keyed by (thread ID, uid): a dead
# thread's mapping source handed to whoever gets that TID next.  The
# victim, a non-dumpable uid-1000 process holding a 0600 key and a client
# of the daemon, makes an IOAS_MAP from a thread that then exits; the test
# starts the attacker (uid 1000, under uiommufd-exec) as that TID
# (ns_last_pid).  It maps its own private memory at the victim's address
# and reads it back through ACCESS_RW: the old daemon reused the cached
# source (the victim's process) and returned the key.  The fixed daemon
# binds the map to the caller's address space: ACCESS_RW returns the
# attacker's own bytes, never the victim's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_pin.sh"
sec_init "$@"
echo 0 2>/dev/null >/proc/sys/kernel/ns_last_pid ||
	sec_skip "cannot write /proc/sys/kernel/ns_last_pid"
KEY=$SEC_DIR/user/key
sec_secret_file "$KEY" "$SEC_UID"

sec_start_daemon
"${SEC_AS_USER[@]}" "$SEC_PROGS/sec_victim" "$KEY" sleep nodump "$SEC_NODE" \
	>"$SEC_DIR/victim.out" 2>&1 &
VPID=$!
sec_bg "$VPID"
if ! sec_wait_file "$SEC_DIR/victim.out" "^ready $VPID "; then
	cat "$SEC_DIR/victim.out"
	sec_fail "the victim did not start"
	sec_finish
fi
TID=$(awk '/^ready/ { print $3 }' "$SEC_DIR/victim.out")
[ "$TID" != "$VPID" ] || { sec_fail "the victim's mapper was not a thread"; sec_finish; }
if ! sec_spawn_at "$TID" "$SEC_DIR/attack.out" "${SEC_AS_USER[@]}" \
	"$SEC_EXEC" --socket "$SEC_FDPASS" "$SEC_PROGS/sec_tid_attack" "$SEC_NODE"; then
	sec_stop_daemon
	sec_skip "could not start the attacker as TID $TID"
fi
wait "$SEC_SPAWNED"
rc=$?
cat "$SEC_DIR/attack.out"
grep -q "^attacker: PID $TID\$" "$SEC_DIR/attack.out" ||
	sec_fail "the attacker did not run as TID $TID"
case $rc in
0) sec_ok "the victim was not reached through the dead thread's ID" ;;
1) sec_fail "the attack program says so above" ;;
*) sec_fail "sec_tid_attack exited $rc (setup failure or timeout)" ;;
esac
kill -9 "$VPID"
wait "$VPID" 2>/dev/null
sec_daemon_answers || sec_fail "the daemon no longer answers a root client"
sec_finish
