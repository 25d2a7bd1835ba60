#!/bin/bash
# ACCESS_RW honours the caller's page protections.  The daemon reaches
# unpinned memory through /proc/TID/mem, which writes read-only and reads
# PROT_NONE memory (FOLL_FORCE); the kernel's copy_to_user() and
# pin_user_pages(FOLL_WRITE) fail there with EFAULT.  uid 1000 maps its own
# anonymous page, makes it read-only, then PROT_NONE, and has the daemon
# write and read it.  Legitimate: the write while it is writable, the read
# while it is readable.
. "$(dirname "$0")/lib.sh"
sec_init "$@"
sec_start_daemon
as_user -- timeout 20 "$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$SEC_PROGS/sec_view_attack" ro "$SEC_NODE"
rc=$?
[ "$rc" -eq 0 ] || sec_fail "sec_view_attack ro exited $rc"
sec_daemon_answers || sec_fail "the daemon no longer answers a root client"
sec_finish
