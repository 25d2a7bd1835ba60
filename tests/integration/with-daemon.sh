#!/bin/bash
# Runs a client against a real daemon serving a FUSE file on this host.
#   with-daemon.sh [--daemon-arg ARG]... [--fdpass] DAEMON CLIENT [CLIENT-ARG]...
# The client gets the node path as its first argument.  --fdpass starts the
# daemon with --fdpass-socket and exports UIOMMUFD_FDPASS_SOCKET (clients
# run themselves under $UIOMMUFD_EXEC, see client_access.c).  The test fails if
# the client fails, if the daemon does not exit 0 on SIGTERM within 10 s, or
# if the daemon printed a sanitizer report.  Exit 77 (skip) without FUSE.
set -u
daemon_args=()
fdpass=
while :; do
	case "${1:-}" in
	--daemon-arg) daemon_args+=("$2"); shift 2 ;;
	--fdpass) fdpass=1; shift ;;
	*) break ;;
	esac
done
daemon=$1 client=$2; shift 2

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	echo "SKIP: no /dev/fuse or fusermount3 on this machine"; exit 77
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-it.XXXXXX")
log=$dir.log
# Sockets live in a directory only the daemon's user writes (mktemp: 0700).
run=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-run.XXXXXX")
if [ -n "$fdpass" ]; then
	daemon_args+=(--fdpass-socket "$run/fdpass.sock")
	export UIOMMUFD_FDPASS_SOCKET=$run/fdpass.sock
fi
cleanup() {
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
if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$log"; then
	echo "sanitizer report from the daemon:"; rc=1
fi
[ "$rc" -eq 0 ] || { echo "--- daemon log"; cat "$log"; }
exit $rc
