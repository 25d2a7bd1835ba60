#!/bin/bash
# The long reliability runs of issue 14, whose figures are in RELIABILITY.md:
#   kill storm      1000 clients x 64 MiB pinned, 8 at once, each SIGKILLed
#                   inside one of its first IOAS_MAPs
#   daemon restart  50 rounds of SIGKILL under 16 clients in their ioctls
#   soak            64 processes x 100,000 steps of the fuzz op mix (<= 1 h)
# Each is the meson test of tests/reliability/ with its size raised; the
# test's own output (figures, baseline, every check) goes to stdout and to
# build-reliability/NAME.log.  Runs niced.  Needs root and FUSE.
#   scripts/reliability.sh [storm|restart|soak]...   (default: all three)
set -u
cd "$(dirname "$0")/.."
build=${UIOMMUFD_BUILD:-build}
[ -d "$build" ] || meson setup "$build" >/dev/null
nice -n 10 ninja -C "$build" >/dev/null || exit 1
out=build-reliability
mkdir -p "$out"
printf '*\n' >"$out/.gitignore"
args=("$build/daemon/uiommufd" "$build/tools/uiommufd-exec"
      "$build/tools/uiommufdctl" "$PWD/$build/tests/reliability")
run() {
	local name=$1 rc
	shift
	echo "== $name: $* ($(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg))"
	env "$@" nice -n 10 "tests/reliability/$name.sh" "${args[@]}" 2>&1 |
		tee "$out/$name.log"
	rc=${PIPESTATUS[0]}
	echo "== $name: exit $rc"
	return "$rc"
}
failed=0
for what in "${@:-storm restart soak}"; do
	for w in $what; do
		case $w in
		storm) run kill-storm REL_STORM_CLIENTS=1000 REL_STORM_PARALLEL=8 \
			REL_STORM_MIB=64 || failed=1 ;;
		restart) run daemon-restart REL_RESTART_ROUNDS=50 \
			REL_RESTART_CLIENTS=16 REL_RESTART_MIB=64 || failed=1 ;;
		soak) run soak REL_SOAK_PROCS=64 REL_SOAK_OPS=100000 \
			REL_SOAK_SECONDS=3600 REL_SOAK_UIDS=8 || failed=1 ;;
		*) echo "unknown run $w (storm, restart, soak)"; exit 2 ;;
		esac
	done
done
exit "$failed"
