#!/bin/bash
# Helpers of the attack tests of classes 1, 2 and 6 (sourced after lib.sh).

# as_pinner [UID] -- CMD...: as_user, but keeping CAP_IPC_LOCK (ambient).
# Pins of a caller with CAP_IPC_LOCK are not charged to RLIMIT_MEMLOCK, so
# tests about *what* is pinned do not depend on whether the daemon can read
# another uid's limit (without CAP_SYS_RESOURCE the old daemon read it as 0
# and every pin failed with ENOMEM; sec-access-nodes tests that part).
# CAP_IPC_LOCK gives no access to any file or process.
as_pinner() {
	local uid=$SEC_UID
	if [ "$1" != -- ]; then uid=$1; shift; fi
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		--inh-caps=-all,+ipc_lock --ambient-caps=+ipc_lock \
		--bounding-set=-all,+ipc_lock -- "$@"
}

# sec_extra_dir PARENT: a new root-owned 0755 directory under PARENT,
# removed with the test's other files; its path in SEC_EXTRA_DIR.
sec_extra_dir() {
	SEC_EXTRA_DIR=$(mktemp -d "$1/uiommufd-sec.XXXXXX") || return 1
	chmod 0755 "$SEC_EXTRA_DIR"
	SEC_EXTRA_DIRS="${SEC_EXTRA_DIRS:-} $SEC_EXTRA_DIR"
	trap 'rm -rf $SEC_EXTRA_DIRS; sec_cleanup' EXIT
}

# A directory on tmpfs (MAP_FILE pins only shmem/hugetlbfs) in SEC_SHM;
# skips the test when there is none.
sec_tmpfs_dir() {
	[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] ||
		sec_skip "/dev/shm is not tmpfs"
	sec_extra_dir /dev/shm || sec_skip "cannot write /dev/shm"
	SEC_SHM=$SEC_EXTRA_DIR
}

# The setpriv of as_user as a plain command line, for programs that must be
# the very process the shell forks (so that $! is their PID).
SEC_AS_USER=(setpriv --reuid="$SEC_UID" --regid="$SEC_UID" --clear-groups
	--inh-caps=-all --bounding-set=-all --)

# sec_spawn_at PID OUT CMD...: start CMD in the background with stdout and
# stderr to OUT so that it gets PID, through ns_last_pid (another process
# of the machine may take the number first: a few tries).  Sets
# SEC_SPAWNED; returns 1 when the PID could not be had; skips the test when
# ns_last_pid cannot be written.
sec_spawn_at() {
	local want=$1 out=$2
	shift 2
	for _ in $(seq 40); do
		echo $((want - 1)) 2>/dev/null >/proc/sys/kernel/ns_last_pid ||
			sec_skip "cannot write /proc/sys/kernel/ns_last_pid"
		"$@" >"$out" 2>&1 &
		SEC_SPAWNED=$!
		sec_bg "$SEC_SPAWNED"
		[ "$SEC_SPAWNED" -eq "$want" ] && return 0
		kill -9 "$SEC_SPAWNED" 2>/dev/null
		wait "$SEC_SPAWNED" 2>/dev/null
		# The number may not be free yet (a thread's ID is released a
		# little after pthread_join() returns): give it time.
		sleep 0.05
	done
	echo "PID $want: $(ps -o pid=,comm= -p "$want" || echo free)"
	return 1
}

# sec_wait_file FILE [PATTERN] [SECONDS]: until FILE exists (and holds a
# line matching PATTERN), at most SECONDS (default 10).
sec_wait_file() {
	local file=$1 pat=${2:-} limit=${3:-10}
	for _ in $(seq $((limit * 50))); do
		if [ -e "$file" ] && { [ -z "$pat" ] || grep -q "$pat" "$file"; }; then
			return 0
		fi
		sleep 0.02
	done
	return 1
}

# A setuid-root copy of sec_victim (SEC_SUID_VICTIM) in the first of
# $SEC_DIR, /var/tmp, /dev/shm whose mount honours setuid (skips the test
# when none does), and root's 0600 secret (SEC_SECRET).
sec_setuid_victim() {
	local d dir=
	for d in "$SEC_DIR" /var/tmp /dev/shm; do
		[ -d "$d" ] || continue
		findmnt -no OPTIONS -T "$d" | grep -qw nosuid && continue
		if [ "$d" = "$SEC_DIR" ]; then
			dir=$d
		else
			sec_extra_dir "$d" || continue
			dir=$SEC_EXTRA_DIR
		fi
		break
	done
	[ -n "$dir" ] ||
		sec_skip "$SEC_DIR, /var/tmp and /dev/shm are nosuid mounts: no setuid victim possible"
	SEC_SUID_VICTIM=$dir/victim-suid
	install -o root -g root -m 4755 "$SEC_PROGS/sec_victim" "$SEC_SUID_VICTIM"
	SEC_SECRET=$SEC_DIR/secret
	sec_secret_file "$SEC_SECRET" 0
}

# sec_secret_file PATH UID: a 0600 secret that starts with the tag the
# attack programs look for.
sec_secret_file() {
	echo "UIOMMUFD-SECRET-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$1"
	chown "$2:$2" "$1"
	chmod 0600 "$1"
}
