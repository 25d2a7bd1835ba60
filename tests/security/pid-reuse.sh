#!/bin/bash
# Attack class 2, exit and PID reuse: a mapping's process found again by
# its PID number.  A (uid 1000, under uiommufd-exec) holds an access on an
# IOAS into which its child P mapped private memory at a fixed address; P
# exits; the test makes the next process get P's PID (ns_last_pid) and
# starts a victim there that keeps a secret at that address: (1) a
# non-dumpable uid-1000 process holding a 0600 key, (2) a setuid-root
# program holding root's 0600 secret.  A reads the IOVA: the old daemon
# read the victim.  The fixed daemon must fail the read (rc < 0) and never
# return the secret; while P lives, A reads P's bytes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_pin.sh"
sec_init "$@"
echo 0 2>/dev/null >/proc/sys/kernel/ns_last_pid ||
	sec_skip "cannot write /proc/sys/kernel/ns_last_pid"
sec_setuid_victim
KEY=$SEC_DIR/user/key
sec_secret_file "$KEY" "$SEC_UID"
U=$SEC_DIR/user
RAN=0

# reuse_variant NAME VICTIM-COMMAND...
reuse_variant() {
	local name=$1 apid pid rc
	shift
	rm -f "$U/reuse.pid" "$U/reuse.go"
	as_user -- timeout 30 "$SEC_EXEC" --socket "$SEC_FDPASS" \
		"$SEC_PROGS/sec_reuse_attack" "$SEC_NODE" "$U" \
		>"$SEC_DIR/attack.out" 2>&1 &
	apid=$!
	sec_bg "$apid"
	if ! sec_wait_file "$U/reuse.pid"; then
		cat "$SEC_DIR/attack.out"
		sec_fail "$name: the attacker did not get to the exit of its mapper"
		return
	fi
	pid=$(cat "$U/reuse.pid")
	if ! sec_spawn_at "$pid" "$SEC_DIR/victim.out" "$@"; then
		echo "$name: could not start the victim as PID $pid; not run"
		kill "$apid"; wait "$apid" 2>/dev/null
		return
	fi
	if ! sec_wait_file "$SEC_DIR/victim.out" "^ready $pid "; then
		cat "$SEC_DIR/victim.out"
		sec_fail "$name: the victim did not start"
		return
	fi
	RAN=$((RAN + 1))
	touch "$U/reuse.go"
	wait "$apid"
	rc=$?
	sed "s/^/  $name: /" "$SEC_DIR/attack.out"
	kill -9 "$SEC_SPAWNED" 2>/dev/null
	wait "$SEC_SPAWNED" 2>/dev/null
	case $rc in
	0) sec_ok "$name: the victim at the dead mapper's PID was not reached" ;;
	1) sec_fail "$name: the attack program says so above" ;;
	*) sec_fail "$name: sec_reuse_attack exited $rc (setup failure or timeout)" ;;
	esac
}

sec_start_daemon
reuse_variant "non-dumpable uid $SEC_UID victim" \
	"${SEC_AS_USER[@]}" "$SEC_PROGS/sec_victim" "$KEY" sleep nodump
reuse_variant "setuid-root victim" \
	"${SEC_AS_USER[@]}" "$SEC_SUID_VICTIM" "$SEC_SECRET" sleep
[ "$RAN" -gt 0 ] || { sec_stop_daemon; sec_skip "no victim could be given the dead mapper's PID"; }
sec_daemon_answers || sec_fail "the daemon no longer answers a root client"
sec_finish
