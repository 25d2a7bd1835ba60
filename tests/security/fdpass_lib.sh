#!/bin/bash
# Helpers of the fd-passing stall tests (sec-fdpass-*), on top of lib.sh and
# cost_lib.sh: the attacker's own never-answering FUSE server, and the
# checks that the shared paths still serve everyone else.

HANG_MNT=
hang_pid=
fdpass_hang_cleanup() {
	[ -n "${hang_pid:-}" ] && kill -9 "$hang_pid" 2>/dev/null
	[ -n "$HANG_MNT" ] && umount -l "$HANG_MNT" 2>/dev/null
}

# fdpass_mount_hang [--flush]: uid $SEC_UID's hang_fuse (with --flush, FLUSH
# is not answered either) on $HANG_MNT, its log in $SEC_DIR/hang.log;
# $hang_pid.
fdpass_mount_hang() {
	HANG_MNT=$SEC_DIR/user/mnt
	SEC_COST_CLEANUP=fdpass_hang_cleanup
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

# fdpass_launch_ok SECONDS: uid $SEC_UID2 launches a program with
# uiommufd-exec and gets a CREATE_ACCESS fd within SECONDS.
fdpass_launch_ok() {
	sec_within "$1" as_user "$SEC_UID2" -- "$SEC_EXEC" --socket "$SEC_FDPASS" \
		"$SEC_PROGS/sec_node_client" access "$SEC_NODE"
}

# The checks every fd-passing stall test makes while its attack is on,
# then SIGTERM: the daemon (started with --stop-timeout 3) must exit 0
# within 3 + 2 s.
fdpass_check_and_stop() {
	local i
	for i in 1 2; do
		if fdpass_launch_ok 5; then
			sec_ok "uid $SEC_UID2 CREATE_ACCESS through uiommufd-exec #$i within 5 s"
		else
			sec_fail "uid $SEC_UID2 CREATE_ACCESS through uiommufd-exec #$i did not complete within 5 s"
		fi
	done
	if sec_probe_within 3; then
		sec_ok "root IOAS_ALLOC+DESTROY within 3 s"
	else
		sec_fail "root IOAS_ALLOC+DESTROY did not complete within 3 s"
	fi
	if sec_status_answers 3; then
		sec_ok "uiommufdctl status answered within 3 s"
	else
		sec_fail "uiommufdctl status did not answer within 3 s"
	fi
	# Should the daemon not stop, the hang server goes well after the
	# limit, so that the forced stop does not wait with stuck threads.
	if [ -n "${hang_pid:-}" ]; then
		( sleep 12; kill -9 "$hang_pid" 2>/dev/null ) >/dev/null 2>&1 &
		sec_bg $!
	fi
	sec_finish 5
}
