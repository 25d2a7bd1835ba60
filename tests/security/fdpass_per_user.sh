#!/bin/bash
# Class 6: one user cannot take every fd-passing listener slot.  uid 1000
# launches programs that stay alive; the 17th launch is refused (EMFILE)
# while uid 1001 still launches.
. "$(dirname "$0")/lib.sh"
sec_init "$@"
sec_start_daemon
held=0
for i in $(seq 17); do
	as_user -- "$SEC_EXEC" --socket "$SEC_FDPASS" sleep 8 2>"$SEC_DIR/exec.err" &
	pid=$!
	sec_bg $pid
	sleep 0.2
	if kill -0 $pid 2>/dev/null; then
		held=$((held + 1))
	else
		break
	fi
done
if [ "$held" -eq 16 ] && grep -q "Too many open files" "$SEC_DIR/exec.err"; then
	sec_ok "uid $SEC_UID holds 16 listeners; the 17th is refused with EMFILE"
else
	sec_fail "uid $SEC_UID holds $held listeners: $(cat "$SEC_DIR/exec.err")"
fi
as_user "$SEC_UID2" -- "$SEC_EXEC" --socket "$SEC_FDPASS" "$SEC_PROGS/sec_probe" "$SEC_NODE" &&
	sec_ok "uid $SEC_UID2 still launches" || sec_fail "uid $SEC_UID2 cannot launch"
# The sleepers end by themselves (as_user runs in a subshell: its pid is not theirs).
sec_finish
