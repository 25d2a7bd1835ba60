#!/bin/bash
# ACCESS_RW of an unpinned MAP_FILE area stays inside the file.  uid 1000
# maps 1 MiB of a 4 KiB memfd (allowed, as the kernel allows it) and has the
# daemon write past the end: the old daemon pwrite()d there, growing the
# client's file with memory the daemon allocated and nobody was charged
# for.  The fixed one answers EFAULT (the kernel has no page to pin there)
# and the file keeps its size; writes and reads inside the file still work.
. "$(dirname "$0")/lib.sh"
sec_init "$@"
sec_start_daemon
as_user -- timeout 20 "$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$SEC_PROGS/sec_view_attack" grow "$SEC_NODE"
rc=$?
[ "$rc" -eq 0 ] || sec_fail "sec_view_attack grow exited $rc"
sec_daemon_answers || sec_fail "the daemon no longer answers a root client"
sec_finish
