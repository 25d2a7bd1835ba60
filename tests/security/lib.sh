#!/bin/bash
# Shared harness of the security tests: a root daemon serving a FUSE file
# the way CI and docs/fd-passing.md run it, attacked by an unprivileged uid.
#   . lib.sh; sec_init "$@"; sec_start_daemon [DAEMON-OPTION]...
# Arguments every test gets from meson: DAEMON EXEC CTL PROGDIR
#   DAEMON  the uiommufd binary        EXEC  uiommufd-exec
#   CTL     uiommufdctl                PROGDIR where the attack programs are
# Exit codes: 0 the attack failed and the legitimate use worked, 1 otherwise,
# 77 when this machine cannot run the test (not root, no FUSE, no setpriv).
# SEC_LOOP=uring: the daemon serves with --loop uring (the kernel's
# enable_uring knob is set while its queues register, then put back; 77
# where the kernel has no ring).  SEC_PIN=CPU: the test and every client
# run on that CPU, the daemon anywhere (so the ring gives them all one
# queue).
set -u
SEC_KNOB=/sys/module/fuse/parameters/enable_uring
SEC_KNOB_OLD=

SEC_UID=${SEC_UID:-1000}
SEC_UID2=${SEC_UID2:-1001}

sec_skip() { echo "SKIP: $*"; exit 77; }
sec_fail() { echo "FAIL: $*"; SEC_FAILED=1; }
sec_ok() { echo "ok: $*"; }

sec_init() {
	SEC_DAEMON=$1 SEC_EXEC=$2 SEC_CTL=$3 SEC_PROGS=$4
	SEC_FAILED=0
	[ "$(id -u)" -eq 0 ] || sec_skip "needs root (the daemon runs as root)"
	[ -c /dev/fuse ] && command -v fusermount3 >/dev/null ||
		sec_skip "no /dev/fuse or fusermount3"
	command -v setpriv >/dev/null || sec_skip "no setpriv"
	# A private directory only root writes; everybody may traverse it.
	SEC_DIR=$(mktemp -d /tmp/uiommufd-sec.XXXXXX)
	chmod 0755 "$SEC_DIR"
	mkdir -m 0755 "$SEC_DIR/mnt" "$SEC_DIR/run"
	# A directory the attacker owns, for its files and programs' output.
	mkdir -m 0700 "$SEC_DIR/user"
	chown "$SEC_UID:$SEC_UID" "$SEC_DIR/user"
	SEC_NODE=$SEC_DIR/mnt/iommu
	SEC_VFIO=$SEC_DIR/mnt/vfio
	SEC_STATUS=$SEC_DIR/run/status.sock
	SEC_FDPASS=$SEC_DIR/run/fdpass.sock
	SEC_LOG=$SEC_DIR/daemon.log
	SEC_PID=
	trap sec_cleanup EXIT
	if [ -n "${SEC_PIN:-}" ]; then
		SEC_CPUS=$(taskset -cp $$ | sed 's/.*: //')
		taskset -cp "$SEC_PIN" $$ >/dev/null ||
			sec_skip "cannot run on CPU $SEC_PIN"
	fi
}

sec_knob_restore() {
	[ -n "$SEC_KNOB_OLD" ] && [ "$SEC_KNOB_OLD" != Y ] &&
		echo "$SEC_KNOB_OLD" >"$SEC_KNOB"
	SEC_KNOB_OLD=
}

sec_cleanup() {
	local p
	sec_knob_restore
	for p in ${SEC_BG_PIDS:-}; do kill -9 "$p" 2>/dev/null; done
	[ -n "${SEC_PID:-}" ] && kill -9 "$SEC_PID" 2>/dev/null
	# By name: mountpoint(1) cannot stat a dead FUSE connection.
	umount -l "$SEC_DIR/mnt" 2>/dev/null
	[ "${SEC_KEEP:-}" ] || rm -rf "$SEC_DIR"
}

# Remember a background process for cleanup.
sec_bg() { SEC_BG_PIDS="${SEC_BG_PIDS:-} $1"; }

# sec_start_daemon [OPTION]...: root daemon, node mode 0666, test interface,
# fd passing and a status socket, unless the options say otherwise.
sec_start_daemon() {
	local loop=()
	if [ "${SEC_LOOP:-classic}" = uring ]; then
		[ -e "$SEC_KNOB" ] || sec_skip "this kernel has no FUSE-over-io_uring"
		SEC_KNOB_OLD=$(cat "$SEC_KNOB")
		[ "$SEC_KNOB_OLD" = Y ] || echo Y 2>/dev/null >"$SEC_KNOB" ||
			sec_skip "cannot turn on $SEC_KNOB"
		loop=(--loop uring)
	fi
	# Pinned tests pin themselves and their clients, never the daemon.
	local unpin=()
	[ -n "${SEC_PIN:-}" ] && unpin=(taskset -c "$SEC_CPUS")
	"${unpin[@]}" "$SEC_DAEMON" --fuse "$SEC_DIR/mnt" --mode 0666 --test-interface \
		--fdpass-socket "$SEC_FDPASS" --status-socket "$SEC_STATUS" \
		"${loop[@]}" "$@" 2>"$SEC_LOG" &
	SEC_PID=$!
	# Ready when it says it serves: a killed daemon's node (through the
	# dentry cache of its dead mount) and socket can still look there.
	for _ in $(seq 200); do
		grep -q '^uiommufd: info: serving ' "$SEC_LOG" && break
		kill -0 "$SEC_PID" 2>/dev/null || break
		sleep 0.05
	done
	if ! grep -q '^uiommufd: info: serving ' "$SEC_LOG" ||
		! [ -e "$SEC_NODE" ] || ! [ -S "$SEC_STATUS" ]; then
		echo "daemon did not come up:"; cat "$SEC_LOG"; exit 1
	fi
	[ ${#loop[@]} -eq 0 ] && return 0
	for _ in $(seq 40); do
		grep -qE 'serving with FUSE-over-io_uring|ring is not in use' "$SEC_LOG" && break
		sleep 0.05
	done
	sec_knob_restore
	grep -q 'serving with FUSE-over-io_uring' "$SEC_LOG" ||
		sec_skip "the kernel did not take the ring"
}

# as_user [UID] -- CMD...: run CMD as an unprivileged user with no
# capabilities and no supplementary groups.
as_user() {
	local uid=$SEC_UID
	if [ "$1" != -- ]; then uid=$1; shift; fi
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		--inh-caps=-all --bounding-set=-all -- "$@"
}

# sec_within SECONDS CMD...: whether CMD (a program or a function such as
# as_user) exits 0 within SECONDS.  CMD runs in the background and one still
# running then is left to the cleanup: a process whose FUSE request the
# server already read cannot be killed before the server answers, so
# timeout(1) would wait with it.
sec_within() {
	local limit=$1 f pid
	shift
	f=$SEC_DIR/within.$RANDOM$RANDOM
	( "$@" >/dev/null 2>&1; echo $? >"$f" ) &
	pid=$!
	sec_bg "$pid"
	for _ in $(seq $((limit * 20))); do
		[ -s "$f" ] && break
		sleep 0.05
	done
	[ -s "$f" ] || { kill -9 "$pid" 2>/dev/null; return 124; }
	wait "$pid"
	return "$(cat "$f")"
}

# Whether the daemon still answers a root client (a fresh IOAS_ALLOC) within
# SECONDS (default 5).
sec_daemon_answers() {
	sec_within "${1:-5}" "$SEC_PROGS/sec_probe" "$SEC_NODE"
}

# sec_stop_daemon [SECONDS]: SIGTERM; fails the test when the daemon does not
# exit 0 within SECONDS (default 10) or printed a sanitizer report.
sec_stop_daemon() {
	local limit=${1:-10} rc
	[ -n "$SEC_PID" ] || return 0
	kill -TERM "$SEC_PID"
	for _ in $(seq $((limit * 20))); do
		kill -0 "$SEC_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$SEC_PID" 2>/dev/null; then
		sec_fail "daemon did not stop within $limit s of SIGTERM"
		kill -9 "$SEC_PID"; wait "$SEC_PID" 2>/dev/null
	else
		wait "$SEC_PID"; rc=$?
		[ "$rc" -eq 0 ] || sec_fail "daemon exited with $rc"
	fi
	SEC_PID=
	if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$SEC_LOG"; then
		sec_fail "sanitizer report from the daemon"
	fi
}

# The closing line meson and CI read.
sec_finish() {
	sec_stop_daemon "${1:-10}"
	if [ "$SEC_FAILED" -ne 0 ]; then
		echo "--- daemon log"; tail -50 "$SEC_LOG"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "1 passed, 0 failed"
	exit 0
}
