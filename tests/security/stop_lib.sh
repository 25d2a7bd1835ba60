#!/bin/bash
# The stop-fuse-* tests (attack class 3b of issue 10, the stop): a worker of
# a root daemon (--stop-timeout 3) left waiting on the attacker's own
# never-answering FUSE file somewhere other than the ioctl argument, where
# the kernel may keep it uninterruptibly, so that not even the process's
# exit ends the wait.  The attacker (a uid of its own, below) owns that mount (hang_fuse
# --flush, which answers neither READ nor FLUSH); uid 1001 owns another one
# with a READ of its own waiting.  Asserted:
#  - a root client is still served while the attacker is stuck,
#  - SIGTERM ends the daemon, exit 0, within 5 s,
#  - the daemon aborted the attacker's connection (one log line each) and not uid
#    1001's: that reader is still waiting, nothing names uid 1001.
# Both servers are killed at the end, whatever happened.
#   stop_fuse_test flush|access    (see sec_stop_attack.c)
# The attacker is a uid no other test mounts FUSE as: the stop aborts every
# connection of the stuck caller's uid with requests waiting, and other
# tests' hang mounts (uid 1000) may be live on the same machine.  That
# holds for other runs of these tests too (another build, another checkout,
# run at the same time): with one fixed uid, one daemon's stop aborted the
# other run's attacker connection, whose call then ended before its own
# daemon could abort it ("not one log line for each aborted connection",
# seen under load).  So each run takes a uid of its own, 1006 to 1013,
# held by a lock for as long as the test runs.
if [ -n "${SEC_STOP_UID:-}" ]; then
	SEC_UID=$SEC_STOP_UID
else
	# Not in a subshell: the lock's fd 9 stays open in this shell.
	for SEC_UID in $(seq 1006 1013) none; do
		[ "$SEC_UID" = none ] && break
		exec 9>"/tmp/uiommufd-stop-uid.$SEC_UID" 2>/dev/null || continue
		flock -n 9 && break
		exec 9>&-
	done
	if [ "$SEC_UID" = none ]; then
		echo "SKIP: every attacker uid 1006-1013 is in use by another run"
		exit 77
	fi
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"

stop_cleanup() {
	local p
	for p in ${hang_pid:-} ${other_pid:-} ${reader_pid:-}; do
		kill -9 "$p" 2>/dev/null
	done
	umount -l "$SEC_DIR/user/mnt" 2>/dev/null
	umount -l "$SEC_DIR/other/mnt" 2>/dev/null
}

# stop_mount UID DIR LOG [HANG-OPTION]: a hang_fuse mount owned by UID, the
# way fusermount3 makes one (user_id=UID), served as UID; $! its server.
stop_mount() {
	local uid=$1 dir=$2 log=$3
	shift 3
	exec 7<>/dev/fuse || sec_skip "cannot open /dev/fuse"
	mount -i -t fuse -o "fd=7,rootmode=40000,user_id=$uid,group_id=$uid,nosuid,nodev" \
		hang_fuse "$dir" || sec_skip "cannot mount a FUSE file for uid $uid"
	sec_user_bg "$uid" "$SEC_PROGS/hang_fuse" "$@" /dev/fd/7 2>"$log"
	exec 7>&-
}

# stop_wait_for FILE TEXT: up to 5 s for TEXT to appear in FILE.
stop_wait_for() {
	for _ in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

stop_fuse_test() {
	local mode=$1 other_mnt attack attack_stuck=
	sec_init "${@:2}"
	sec_cost_init
	SEC_COST_CLEANUP=stop_cleanup
	HANG_MNT=$SEC_DIR/user/mnt
	mkdir -m 0700 "$SEC_DIR/other"
	chown "$SEC_UID2:$SEC_UID2" "$SEC_DIR/other"
	other_mnt=$SEC_DIR/other/mnt
	as_user -- mkdir "$HANG_MNT" || sec_skip "cannot make the attacker's mount point"
	as_user "$SEC_UID2" -- mkdir "$other_mnt" || sec_skip "cannot make uid $SEC_UID2's mount point"

	sec_start_daemon --stop-timeout 3

	# The bystander: uid 1001's own mount with one request waiting.
	stop_mount "$SEC_UID2" "$other_mnt" "$SEC_DIR/other.log"
	other_pid=$!
	sec_user_bg "$SEC_UID2" cat "$other_mnt/bait" >/dev/null 2>"$SEC_DIR/reader.log"
	reader_pid=$!
	stop_wait_for "$SEC_DIR/other.log" 'holding a READ' ||
		sec_skip "uid $SEC_UID2's reader did not reach its FUSE file"

	# The attacker.
	stop_mount "$SEC_UID" "$HANG_MNT" "$SEC_DIR/hang.log" --flush
	hang_pid=$!
	if [ "$mode" = flush ]; then
		attack=(sec_stop_attack flush); held='holding a'
		sec_user_bg "$SEC_UID" "$SEC_PROGS/sec_stop_attack" flush \
			"$SEC_NODE" "$HANG_MNT/bait" >"$SEC_DIR/attacker.out" 2>&1
	else
		attack=(sec_stop_attack access); held='holding a'
		sec_user_bg "$SEC_UID" "$SEC_EXEC" --socket "$SEC_FDPASS" \
			"$SEC_PROGS/sec_stop_attack" access "$SEC_NODE" \
			"$HANG_MNT/bait" >"$SEC_DIR/attacker.out" 2>&1
	fi
	if stop_wait_for "$SEC_DIR/hang.log" "$held"; then
		sleep 0.3
		if grep -q returned "$SEC_DIR/attacker.out"; then
			sec_ok "the attacker's ${attack[*]} returned: nothing stays stuck"
		else
			attack_stuck=1
			sec_ok "a request is stuck on the attacker's FUSE file ($(grep -m1 "holding a" "$SEC_DIR/hang.log"))"
		fi
	elif grep -q returned "$SEC_DIR/attacker.out"; then
		sec_ok "the daemon refused ${attack[*]} without waiting on the attacker's file"
	else
		cat "$SEC_DIR/hang.log" "$SEC_DIR/attacker.out"
		sec_fail "the attack neither reached the attacker's FUSE file nor returned"
	fi

	if sec_probe_within 3; then
		sec_ok "root IOAS_ALLOC+DESTROY within 3 s while the attacker is stuck"
	else
		sec_fail "root IOAS_ALLOC+DESTROY did not complete within 3 s"
	fi

	# Should the daemon not stop, the servers go well after the limit, so
	# that the forced stop does not wait for ever with the stuck worker.
	( sleep 15; kill -9 "$hang_pid" ) >/dev/null 2>&1 &
	sec_bg $!
	SECONDS=0
	sec_stop_daemon 5
	echo "stop took about $SECONDS s"

	if kill -0 "$reader_pid" 2>/dev/null && kill -0 "$other_pid" 2>/dev/null; then
		sec_ok "uid $SEC_UID2's FUSE connection was left alone (its reader still waits)"
	else
		sec_fail "uid $SEC_UID2's waiting reader or its server is gone: $(cat "$SEC_DIR/reader.log")"
	fi
	if grep -q "aborted FUSE connection.*uid $SEC_UID2\b" "$SEC_LOG"; then
		sec_fail "the daemon aborted a FUSE connection of uid $SEC_UID2"
	fi
	if [ "$attack_stuck" ]; then
		local lines conns
		lines=$(grep -c "aborted FUSE connection.*uid $SEC_UID\b" "$SEC_LOG")
		conns=$(grep -o "aborted FUSE connection [0-9]*" "$SEC_LOG" | sort -u | wc -l)
		[ "$lines" -ge 1 ] && [ "$conns" -eq "$(grep -c "aborted FUSE connection" "$SEC_LOG")" ] &&
			sec_ok "one log line for each aborted connection of the attacker" ||
			sec_fail "not one log line for each aborted connection of uid $SEC_UID"
	fi
	sec_finish 5
}
