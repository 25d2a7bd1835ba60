#!/bin/bash
# One quick run, interleaved: the floor server and the daemon, each on the
# classic and the io_uring loop, ALLOC+DESTROY pairs (two round trips) with
# the client pinned (taskset -c 0) and unpinned; medians and p99 from
# ioctl_bench.  Sets /sys/module/fuse/parameters/enable_uring while the
# servers register and puts it back.  Needs root and FUSE.
#   loop_compare.sh BUILDDIR [ITERS]
set -u
B=$1 N=${2:-20000}
knob=/sys/module/fuse/parameters/enable_uring
[ -e "$knob" ] || { echo "no FUSE-over-io_uring on this kernel"; exit 77; }
old=$(cat "$knob")
echo Y >"$knob" || exit 77
names=(floor-classic floor-uring daemon-classic daemon-uring)
cmds=("$B/tests/bench/floor_server --loop classic"
      "$B/tests/bench/floor_server --loop uring"
      "$B/daemon/uiommufd --status-socket none --loop classic"
      "$B/daemon/uiommufd --status-socket none --loop uring")
dirs=() pids=()
cleanup() {
	echo "$old" >"$knob"
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	wait
	for d in "${dirs[@]}"; do
		mountpoint -q "$d" && fusermount3 -u -z "$d"; rmdir "$d"
	done
}
trap cleanup EXIT
for i in "${!names[@]}"; do
	d=$(mktemp -d); dirs+=("$d")
	${cmds[$i]} --fuse "$d" 2>/dev/null & pids+=($!)
	for _ in $(seq 100); do [ -e "$d/iommu" ] && break; sleep 0.05; done
done
sleep 1
echo "$old" >"$knob"
for mode in pinned unpinned; do
	pre=(); [ $mode = pinned ] && pre=(taskset -c 0)
	for i in "${!names[@]}"; do
		"${pre[@]}" "$B/tests/bench/ioctl_bench" "${dirs[$i]}/iommu" \
			--iters "$N" --warmup 2000 --cmd alloc-destroy \
			--label "${names[$i]}-$mode" | grep -v '^RESULT' |
			sed 's/ ALLOC+DESTROY pairs on [^:]*:/:/'
	done
done
