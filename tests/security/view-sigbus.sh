#!/bin/bash
# A client's truncate must not end the daemon.  A pin of shared memory maps
# the client's file into the daemon; uid 1000 pins a memfd through a mock
# domain, truncates it to 0 and then makes the daemon read and write the
# pinned pages (MD_CHECK_MAP, ACCESS_RW).  The old daemon's memcpy took
# SIGBUS and the whole daemon died.  The fixed one answers EFAULT and keeps
# serving: the same context maps and reads another memfd, and a root client
# is served.
. "$(dirname "$0")/lib.sh"
sec_init "$@"
sec_start_daemon
as_user -- timeout 20 "$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$SEC_PROGS/sec_view_attack" sigbus "$SEC_NODE"
rc=$?
[ "$rc" -eq 0 ] || sec_fail "sec_view_attack sigbus exited $rc"
if kill -0 "$SEC_PID" 2>/dev/null && sec_daemon_answers; then
	sec_ok "the daemon is alive and answers a root client"
else
	sec_fail "the daemon died"
	wait "$SEC_PID"; echo "daemon exit status $?"; SEC_PID=
fi
sec_finish
