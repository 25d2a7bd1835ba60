#!/bin/bash
# Runs a client against a real daemon serving a FUSE file on this host.
#   with-daemon.sh [--daemon-arg ARG]... [--fdpass] DAEMON CLIENT [CLIENT-ARG]...
# The client gets the node path as its first argument.  --fdpass starts the
# daemon with --fdpass-socket and exports UIOMMUFD_FDPASS_SOCKET (clients
# run themselves under $UIOMMUFD_EXEC, see client_access.c).  The test fails if
# the client fails, if the daemon does not exit 0 on SIGTERM within 10 s, or
# if the daemon printed a sanitizer report.  Exit 77 (skip) without FUSE.
# --uring runs the daemon with --loop uring: it sets the kernel's
# enable_uring knob for as long as the daemon registers its queues and puts
# it back, skips (77) where the kernel has no FUSE-over-io_uring, and fails
# unless requests did come by the ring.
set -u
daemon_args=()
fdpass=
uring=
knob=/sys/module/fuse/parameters/enable_uring
knob_old=
while :; do
	case "${1:-}" in
	--daemon-arg) daemon_args+=("$2"); shift 2 ;;
	--fdpass) fdpass=1; shift ;;
	--uring) uring=1; shift ;;
	*) break ;;
	esac
done
daemon=$1 client=$2; shift 2

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	echo "SKIP: no /dev/fuse or fusermount3 on this machine"; exit 77
fi
if [ -n "$uring" ]; then
	[ -e "$knob" ] || { echo "SKIP: this kernel has no FUSE-over-io_uring (no $knob)"; exit 77; }
	knob_old=$(cat "$knob")
	if [ "$knob_old" != Y ] && ! echo Y 2>/dev/null >"$knob"; then
		echo "SKIP: cannot turn on $knob (not root?)"; exit 77
	fi
	daemon_args+=(--loop uring)
fi
knob_restore() {
	[ -n "$knob_old" ] && [ "$knob_old" != Y ] && echo "$knob_old" >"$knob"
	knob_old=
}
dir=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-it.XXXXXX")
log=$dir.log
# Sockets live in a directory only the daemon's user writes (mktemp: 0700).
run=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-run.XXXXXX")
if [ -n "$fdpass" ]; then
	daemon_args+=(--fdpass-socket "$run/fdpass.sock")
	export UIOMMUFD_FDPASS_SOCKET=$run/fdpass.sock
fi
cleanup() {
	knob_restore
	[ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null
	mountpoint -q "$dir" && fusermount3 -u -z "$dir"
	rmdir "$dir" 2>/dev/null; rm -f "$log"; rm -rf "$run"
}
trap cleanup EXIT

"$daemon" --fuse "$dir" "${daemon_args[@]}" 2>"$log" &
pid=$!
# Clients that check the daemon's own state (VmLck after a pin) read this.
export UIOMMUFD_DAEMON_PID=$pid
for _ in $(seq 200); do
	[ -e "$dir/iommu" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
if [ ! -e "$dir/iommu" ]; then
	echo "daemon did not come up:"; cat "$log"; exit 1
fi
if [ -n "$uring" ]; then
	# The queues are registered once the node answers: the connection
	# keeps the ring whatever the knob says afterwards.
	for _ in $(seq 40); do
		grep -qE 'serving with FUSE-over-io_uring|ring is not in use' "$log" && break
		sleep 0.05
	done
	knob_restore
	if ! grep -q 'serving with FUSE-over-io_uring' "$log"; then
		echo "SKIP: the kernel did not take the ring:"; cat "$log"; exit 77
	fi
fi

"$client" "$dir/iommu" "$@"
rc=$?

kill -TERM "$pid"
for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then
	echo "daemon did not stop within 10 s of SIGTERM"; rc=1
else
	wait "$pid"; drc=$?
	pid=
	[ "$drc" -eq 0 ] || { echo "daemon exited with $drc"; rc=1; }
fi
if [ -n "$uring" ] && ! grep -qE 'io_uring loop: [1-9][0-9]* requests came by the ring' "$log"; then
	echo "no request came by the ring"; rc=1
fi
if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$log"; then
	echo "sanitizer report from the daemon:"; rc=1
fi
[ "$rc" -eq 0 ] || { echo "--- daemon log"; cat "$log"; }
exit $rc
