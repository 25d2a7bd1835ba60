#!/bin/bash
# Helpers of the stall, fd and memory tests (attack classes 3-5 of issue
# 10), on top of lib.sh.  Source after lib.sh; call sec_cost_init after
# sec_init.

# SEC_COST_CLEANUP, when set, runs before the common cleanup (a test's
# own, e.g. unmounting the attacker's FUSE mount).
sec_cost_cleanup() {
	[ -n "${SEC_COST_CLEANUP:-}" ] && $SEC_COST_CLEANUP
	sec_cleanup
}

sec_cost_init() { trap sec_cost_cleanup EXIT; }

# sec_user_bg UID CMD...: CMD as that unprivileged uid in the background,
# with $! its own pid (setpriv execs CMD), remembered for cleanup.
sec_user_bg() {
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		--inh-caps=-all --bounding-set=-all -- "$@" &
	sec_bg $!
}

# Whether `uiommufdctl status` answers within SECONDS (default 3).
sec_status_answers() {
	sec_within "${1:-3}" "$SEC_CTL" --socket "$SEC_STATUS" status
}

# The daemon's context count (listed plus omitted) from `status --json`,
# or nothing when the status socket does not answer within 3 s.
sec_ctx_count() {
	local j n o
	j=$(timeout -s KILL 3 "$SEC_CTL" --socket "$SEC_STATUS" status --json 2>/dev/null) ||
		return 1
	n=$(sed -n 's/.*"totals":{"clients":[0-9]*,"contexts":\([0-9]*\).*/\1/p' <<<"$j")
	o=$(sed -n 's/.*"contexts_omitted":\([0-9]*\).*/\1/p' <<<"$j")
	[ -n "$n" ] || return 1
	echo $((n + ${o:-0}))
}

# sec_wait_ctx_count MAX SECONDS: wait until the daemon reports at most MAX
# contexts; fails after SECONDS.
sec_wait_ctx_count() {
	local max=$1 end=$((SECONDS + $2)) n
	while :; do
		n=$(sec_ctx_count) && [ "$n" -le "$max" ] && return 0
		[ "$SECONDS" -ge "$end" ] && { SEC_CTX_SEEN=${n:-none}; return 1; }
		sleep 0.1
	done
}

# Open descriptors of the daemon.
sec_fd_count() { ls "/proc/$SEC_PID/fd" 2>/dev/null | wc -l; }

# utime+stime of the daemon, in clock ticks.
sec_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SEC_PID/stat"; }

# Whether the daemon is a sanitizer build (its allocator costs several
# times the memory: bounds on RSS scale).
sec_sanitized() { ldd "$SEC_DAEMON" 2>/dev/null | grep -q 'lib\(a\|ub\)san'; }

# The daemon's resident set in kB.
sec_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SEC_PID/status"; }

# Whether a root client's IOAS_ALLOC+DESTROY completes within SECONDS.
sec_probe_within() {
	sec_within "$1" "$SEC_PROGS/sec_probe" "$SEC_NODE"
}

# The attacker's own FUSE server (hang_fuse), for the stall tests.
HANG_MNT=
hang_pid=
sec_hang_cleanup() {
	[ -n "${hang_pid:-}" ] && kill -9 "$hang_pid" 2>/dev/null
	[ -n "$HANG_MNT" ] && umount -l "$HANG_MNT" 2>/dev/null
}

# sec_mount_hang [--flush]: uid $SEC_UID's hang_fuse (with --flush, FLUSH
# is not answered either) on $HANG_MNT, its log in $SEC_DIR/hang.log;
# $hang_pid.
sec_mount_hang() {
	HANG_MNT=$SEC_DIR/user/mnt
	SEC_COST_CLEANUP=sec_hang_cleanup
	as_user -- mkdir "$HANG_MNT" || sec_skip "cannot make the attacker's mount point"
	if as_user -- test -r /dev/fuse -a -w /dev/fuse; then
		# libfuse runs the setuid fusermount3, which needs the
		# bounding set a user's session has (as_user clears it).
		setpriv --reuid="$SEC_UID" --regid="$SEC_UID" --clear-groups \
			--inh-caps=-all -- "$SEC_PROGS/hang_fuse" "$@" "$HANG_MNT" \
			2>"$SEC_DIR/hang.log" &
		hang_pid=$!
		sec_bg "$hang_pid"
	else
		# /dev/fuse is closed to users here: root mounts for the
		# attacker what fusermount3 would and hands over the fd.
		exec 7<>/dev/fuse || sec_skip "cannot open /dev/fuse"
		mount -i -t fuse -o "fd=7,rootmode=40000,user_id=$SEC_UID,group_id=$SEC_UID,nosuid,nodev" \
			hang_fuse "$HANG_MNT" || sec_skip "cannot mount the attacker's FUSE file"
		sec_user_bg "$SEC_UID" "$SEC_PROGS/hang_fuse" "$@" /dev/fd/7 2>"$SEC_DIR/hang.log"
		hang_pid=$!
		exec 7>&-
	fi
	for _ in $(seq 100); do
		grep -q 'mounted on' "$SEC_DIR/hang.log" && return 0
		kill -0 "$hang_pid" 2>/dev/null || break
		sleep 0.05
	done
	cat "$SEC_DIR/hang.log"
	sec_skip "uid $SEC_UID cannot mount a FUSE file here"
}
