#!/bin/bash
# The daemon's own death (issue 14): SIGKILL of the daemon while clients
# are inside ioctls (mapping MIB MiB through a mock domain, allocating and
# destroying IOAS; more clients of one uid than --max-requests-per-user, so
# some wait in the daemon's admission queue).  Every client must get an
# error and none may hang: the call under way, a later call on the same fd
# and a new open each fail with ECONNABORTED, ENOTCONN or ENODEV (what the
# kernel's FUSE gives; this host gives ECONNABORTED for the calls in
# flight, now and then for a call on the same fd racing the abort, and
# ENOTCONN after).  A daemon started again on the same directory
# (over the dead mount the killed one left, and at the end over two
# stacked ones) serves new clients, and a storm of killed pinning clients
# leaves it clean.  ROUNDS rounds.
# Size: REL_RESTART_ROUNDS (3), REL_RESTART_CLIENTS (8), REL_RESTART_MIB (16).
. "$(dirname "$0")/rel_lib.sh"
. "$(dirname "$0")/../security/lib_pin.sh"
rel_init "$@"
rounds=${REL_RESTART_ROUNDS:-3}
nclients=${REL_RESTART_CLIENTS:-8}
mib=${REL_RESTART_MIB:-16}
uid0=${REL_UID0:-2000}
declare -A seen

for round in $(seq "$rounds"); do
	rel_start_daemon --max-requests-per-user 4
	rel_probe_within 5 || sec_fail "round $round: a new daemon does not serve"
	pids=()
	for i in $(seq "$nclients"); do
		# Three quarters of them one uid: some wait for admission.
		uid=$uid0
		[ $((i % 4)) -eq 0 ] && uid=$((uid0 + 1))
		as_pinner "$uid" -- "$REL_CLIENT" hold "$SEC_NODE" "$mib" 60 \
			>"$SEC_DIR/hold.$i" 2>&1 &
		pids+=($!)
		sec_bg $!
	done
	for _ in $(seq 200); do
		[ "$(cat "$SEC_DIR"/hold.* | grep -c '^hold ready')" -eq "$nclients" ] && break
		sleep 0.05
	done
	# Let them get into their calls, then kill the daemon.
	sleep 0.3
	kill -9 "$SEC_PID"
	wait "$SEC_PID" 2>/dev/null
	SEC_PID=
	hung=0
	# A hang detector, not a speed bound: a client is either aborted
	# at once or stuck for good.
	for p in "${pids[@]}"; do
		for _ in $(seq 400); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.05
		done
		kill -0 "$p" 2>/dev/null && hung=$((hung + 1))
	done
	[ "$hung" -eq 0 ] && sec_ok "round $round: all $nclients clients returned within 20 s of the daemon's death" ||
		sec_fail "round $round: $hung of $nclients clients still in the daemon's node 20 s after its death"
	for i in $(seq "$nclients"); do
		line=$(grep '^hold first=' "$SEC_DIR/hold.$i")
		if [ -z "$line" ]; then
			sec_fail "round $round: client $i said: $(tail -1 "$SEC_DIR/hold.$i")"
			continue
		fi
		seen["${line#hold }"]=1
		grep -qE '^hold first=(ECONNABORTED|ENOTCONN|ENODEV) op=[A-Z_]+ later=(ECONNABORTED|ENOTCONN|ENODEV) open=(ENOTCONN|ENODEV) close=0$' <<<"$line" ||
			sec_fail "round $round: client $i: $line"
	done
	rm -f "$SEC_DIR"/hold.*
done
echo "what the clients saw (first call, its op, a later call, a new open, close):"
for k in "${!seen[@]}"; do echo "  $k"; done

# Dead mounts stacked, as when a daemon once mounted over one whose server
# was still dying: a serving daemon, a FUSE mount over it that nobody will
# answer, then both gone.  The next start must detach both layers.
rel_start_daemon
exec {fusefd}<>/dev/fuse
mount -i -t fuse.uiommufd -o "fd=$fusefd,rootmode=40000,user_id=0,group_id=0" \
	uiommufd "$SEC_DIR/mnt" || sec_fail "could not mount a second layer"
exec {fusefd}>&-
kill -9 "$SEC_PID"
wait "$SEC_PID" 2>/dev/null
layers=$(awk -v m="$SEC_DIR/mnt" '$5 == m' /proc/self/mountinfo | wc -l)
[ "$layers" -ge 2 ] || sec_fail "$layers mount layers at $SEC_DIR/mnt, not 2"

# The last restart serves, and cleans up after killed pinning clients.
rel_start_daemon
rel_probe_within 5 && sec_ok "a daemon started over two stacked dead mounts serves" ||
	sec_fail "a daemon started over two stacked dead mounts does not serve"
grep -q "detached 2 dead mounts" "$SEC_LOG" ||
	sec_fail "the daemon did not say it detached both dead mounts: $(cat "$SEC_LOG")"
rel_wait_clean 10 || sec_fail "a fresh daemon's accounts are not 0: $REL_ACCOUNTS"
# Warm-up: the worker pool grows to the storm's size before the baseline.
"$REL_CLIENT" storm "$SEC_NODE" 4 4 "$mib" "$uid0" 4 0 0 >/dev/null
rel_wait_clean 30 || sec_fail "warm-up: accounts did not drain: $REL_ACCOUNTS"
rel_baseline
"$REL_CLIENT" storm "$SEC_NODE" 8 4 "$mib" "$uid0" 4 "$round" 0 ||
	sec_fail "a storm on the restarted daemon"
rel_check_clean "storm after restart" 30
sec_finish 10
