# SPDX-License-Identifier: GPL-2.0-or-later
# floor.sh: guest script (busybox sh, run by run-vm in /opt) measuring the
# bare CUSE transport floor: floor_server answers every ioctl at once, in
# each --arg mode (none / retry / pvm), and ioctl_bench times FLOOR_ITERS
# ioctls against it.  FUSE-file mode is measured too, for comparison with
# the same kernel and emulated CPU.  Needs floor_server and ioctl_bench in
# /opt.  Prints the RESULT lines (also to /out/floor-results.txt when run
# with -o); fails if any server does not come up or exit cleanly, or any
# ioctl fails.
#
# Timing under TCG is emulated (see docs/testing.md): compare the modes
# with each other, not with host figures.

N=${FLOOR_ITERS:-1000}
fail=0
results=/tmp/floor-results.txt
: > "$results"

. "$(dirname "$0")/guest-lib.sh"

# bench LABEL NODE CMD SERVER-ARGS...: start a floor_server, wait for NODE,
# time CMD on it, stop the server and check it exits 0
bench() {
	label=$1 node=$2 cmd=$3
	shift 3
	./floor_server "$@" &
	spid=$!
	if ! wait_for "$node" 20; then
		echo "FAIL $label: $node did not appear"
		kill -TERM "$spid" 2>/dev/null; wait "$spid"
		fail=1
		return
	fi
	if ./ioctl_bench "$node" --iters "$N" --cmd "$cmd" --label "$label" > /tmp/bench.out; then
		grep '^RESULT ' /tmp/bench.out >> "$results"
	else
		echo "FAIL $label: ioctl_bench exited $?"
		fail=1
	fi
	cat /tmp/bench.out
	kill -TERM "$spid"
	wait "$spid"
	src=$?
	if [ "$src" != 0 ]; then
		echo "FAIL $label: floor_server exited $src"
		fail=1
	fi
}

if [ ! -c /dev/cuse ]; then
	# run-vm loads cuse: its absence is a broken setup, not a reason to skip
	echo "FAIL: no /dev/cuse in the guest"
	exit 1
fi
echo "floor: $N ioctls per mode, $(grep -c ^processor /proc/cpuinfo) vCPU, kernel $(uname -r)"

# one device name per mode: a node of a server that just exited may linger
# in devtmpfs for a moment and must not be mistaken for the next one
for mode in none retry pvm; do
	bench "cuse-$mode" "/dev/uiommufd-floor-$mode" empty --cuse "uiommufd-floor-$mode" --arg "$mode"
done
bench cuse-none-alloc-destroy /dev/uiommufd-floor-ad alloc-destroy --cuse uiommufd-floor-ad --arg none

for mode in none pvm; do
	mkdir -p "/tmp/floor-$mode"
	bench "guest-fuse-$mode" "/tmp/floor-$mode/iommu" empty --fuse "/tmp/floor-$mode" --arg "$mode"
done

echo "--- floor results (us: mean median)"
cat "$results"
[ -d /out ] && cp "$results" /out/
[ "$(grep -c '^RESULT ' "$results")" = 6 ] || fail=1
exit "$fail"
