#!/bin/bash
# The whole fault-injection sweep (tests/faults/fault_shim.c): builds
# build-fault with -Dfault_injection=true, then runs each integration
# client against that daemon with every ioctl swept (every call, not the
# first few per command that the 'faults' suite sweeps in CI).
#   scripts/faults.sh [CLIENT...]            default: every integration client
#   UIOMMUFD_FAULT_PER_CMD=K scripts/faults.sh   the first K calls per command only
#   UIOMMUFD_FUZZ_CALLS=N                    calls per fuzz process (default 1000)
#   UIOMMUFD_SELFTEST_DIR=DIR scripts/faults.sh selftest
#       also the kernel's own iommufd self-test, DIR holding its built
#       'iommufd' binary (a kernel tree you fetched yourself; optional)
# Prints one line per client (calls swept, failure points, seconds) and
# every finding; exits non-zero if any client failed or anything was found.
set -u
cd "$(dirname "$0")/.."
[ -f build-fault/build.ninja ] ||
	meson setup build-fault -Dfault_injection=true >/dev/null || exit 1
nice -n 10 ninja -C build-fault >/dev/null || exit 1
b=$PWD/build-fault
export UIOMMUFD_EXEC=$b/tools/uiommufd-exec
export FAULT_SHIM=$b/tests/faults/libfault_shim.so
export UIOMMUFD_FAULT_PER_CMD=${UIOMMUFD_FAULT_PER_CMD:-0}
# Each of the fuzz client's 6 processes makes 20,000 calls by default:
# every one of them swept would take hours.
export UIOMMUFD_FUZZ_CALLS=${UIOMMUFD_FUZZ_CALLS:-1000}
summary=$(mktemp); export FAULT_SUMMARY_FILE=$summary
trap 'rm -f "$summary"' EXIT

many='--daemon-arg --max-requests-per-user=64 --daemon-arg --max-threads=64'
daemon_args() {
	case $1 in
	# their threads and processes wait for each other's sweeps inside
	# the daemon, beyond the default per-user and worker bounds
	fuzz) echo --daemon-arg --test-interface --daemon-arg --vfio-node $many ;;
	core) echo $many ;;
	vfio) echo --daemon-arg --vfio-node --daemon-arg --test-interface ;;
	ioas|hwpt) echo --daemon-arg --test-interface ;;
	access|eventq|dmabuf) echo --daemon-arg --test-interface --fdpass ;;
	selftest) echo --daemon-arg --test-interface --daemon-arg --vfio-node --fdpass ;;
	esac
}

clients=("$@")
[ ${#clients[@]} -gt 0 ] || clients=(core ioas vfio hwpt access eventq dmabuf fuzz)
status=0 t0=$(date +%s)
for c in "${clients[@]}"; do
	if [ "$c" = selftest ]; then
		# The kernel's harness runs each case in a child; it opens
		# /dev/iommu, so the node is bound there in a private mount
		# namespace, as the conformance runs do.
		dir=${UIOMMUFD_SELFTEST_DIR:-}
		if [ -z "$dir" ] || [ ! -x "$dir/iommufd" ]; then
			echo "selftest: skipped (set UIOMMUFD_SELFTEST_DIR to a built tools/testing/selftests/iommu)"
			continue
		fi
		export FAULT_CLIENT=$PWD/tests/faults/selftest-client.sh SELFTEST_DIR=$dir
	else
		export FAULT_CLIENT=$b/tests/integration/client_$c
	fi
	extra=()
	[ "$c" = vfio ] && extra=(vfio)
	# client_core's many_clients makes 9,600 identical IOAS_ALLOC/DESTROY
	# calls from 12 threads and processes: the first 50 of each do.
	per=$UIOMMUFD_FAULT_PER_CMD
	[ "$c" = core ] && [ "$per" = 0 ] && per=50
	# shellcheck disable=SC2046
	UIOMMUFD_FAULT_PER_CMD=$per nice -n 10 tests/integration/with-daemon.sh $(daemon_args "$c") \
		"$b/daemon/uiommufd" tests/faults/preload.sh "${extra[@]}" \
		>"$b/faults-$c.log" 2>&1 || status=1
	grep -E '^fault sweep' "$b/faults-$c.log"
	grep -A3 -E '^(findings|FINDING)' "$b/faults-$c.log" | head -40
done
awk '{ s += $6; p += $8 } END { printf "total: %d calls swept, %d failure points\n", s, p }' "$summary"
echo "$(( $(date +%s) - t0 )) s; logs in build-fault/faults-*.log"
exit $status
