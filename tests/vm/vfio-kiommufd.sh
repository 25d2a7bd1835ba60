# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-kiommufd.sh: guest script for the reference kernel (run-vm-suite.sh
# -R): QEMU's real edu behind the emulated Intel IOMMU, bound to vfio-pci,
# given to clients by the daemon with --device vfio:BDF, which holds it
# through the kernel's own iommufd (the "iommufd" backend).  The kernel has
# its own /dev/iommu, so the daemon's CUSE node is /dev/uiommu.
#
# Checks: client_edu unchanged against the daemon's nodes (real DMA through
# the real IOMMU, pins outliving munmap, DMA after IOAS_UNMAP blocked);
# real_map_bench --check-file (the IOAS's usable ranges leave out the MSI
# window, the domain's hole; a MAP_FILE mapping, forwarded as the kernel's
# IOAS_MAP_FILE, carries DMA; blocked again after unmap); a client
# killed mid-DMA leaves no client, mapping, pin or binding in status, and
# the daemon's kernel IOAS empty (the daemon logs an ERROR when the
# kernel's IOAS_UNMAP of everything finds bytes left as a domain goes, and
# status shows what its hardware maps); the next client binds; the demo.
#
# With BENCH_SECS set (scripts/bench-vfio-kiommufd.sh): only the benchmark,
# BENCH_ROUNDS (2) interleaved rounds of:
# the kernel's /dev/iommu with the edu cdev first, then the daemon's nodes
# (vfio:BDF, then the software edu for what the daemon costs by itself),
# results under /out.
#
# Skips (77) where the kernel has no iommufd, no edu can be bound, or the
# daemon has no vfio provider.
[ -e /dev/iommu ] || { echo "SKIP: this kernel has no /dev/iommu"; exit 77; }
[ -c /dev/cuse ] || { echo "SKIP: the guest has no /dev/cuse"; exit 77; }
set -- $(vfio-bind 1234:11e8)
[ -n "${1:-}" ] || { echo "SKIP: no edu device to bind"; exit 77; }
bdf=$1
kdev=$(ls /dev/vfio/devices/ 2>/dev/null | head -1)
[ -n "$kdev" ] || { echo "SKIP: no VFIO device cdev for $bdf"; exit 77; }
kdev=/dev/vfio/devices/$kdev
echo "edu $bdf (group $2) at $kdev"
fail=0
sock=/run/uiommufd/status.sock
node=/dev/uiommu
dev=/dev/vfio/devices/uvfio0
mkdir -p /out /run/uiommufd

. "$(dirname "$0")/guest-lib.sh"

start_daemon() {
	./uiommufd --cuse --name uiommu --mode 0666 --device "${1:-vfio:$bdf}" \
		--status-socket $sock --log-level info 2>/tmp/daemon.log &
	dpid=$!
	if ! wait_for $node 20 || ! wait_for $dev 20 || ! wait_for $sock 20; then
		echo "FAIL: $node, $dev or $sock did not appear"; cat /tmp/daemon.log
		kill -9 $dpid 2>/dev/null
		grep -q "unknown device kind\|no provider" /tmp/daemon.log &&
			{ echo "SKIP: this daemon has no vfio provider"; exit 77; }
		exit 1
	fi
}

stop_daemon() {
	kill -TERM $dpid
	wait $dpid || { echo "FAIL: daemon exited $?"; fail=1; }
	[ -e $dev ] && { echo "FAIL: $dev still there after the daemon stopped"; fail=1; }
	if grep -q 'ERROR' /tmp/daemon.log; then echo "FAIL: the daemon logged errors"; fail=1; fi
	grep -v 'debug:' /tmp/daemon.log | tail -20
}

if [ -n "${BENCH_SECS:-}" ]; then
	# interleaved rounds: a busy host slows one round, not one column
	for r in $(seq "${BENCH_ROUNDS:-2}"); do
		echo "=== round $r: the kernel's /dev/iommu, $kdev"
		./real_map_bench /dev/iommu $kdev --secs "$BENCH_SECS" | tee -a /out/kernel.txt || fail=1
		start_daemon
		echo "=== round $r: the daemon, $node + $dev (vfio:$bdf)"
		./real_map_bench $node $dev --secs "$BENCH_SECS" | tee -a /out/daemon.txt || fail=1
		stop_daemon
		# what the daemon costs without a real IOMMU behind it
		start_daemon edu
		echo "=== round $r: the daemon, $node + $dev (software edu)"
		./real_map_bench $node $dev --secs "$BENCH_SECS" | tee -a /out/edu.txt || fail=1
		stop_daemon
	done
	exit $fail
fi

hw_leftovers() { echo "$1" | grep -q '"hw_mapped_ranges":[1-9]' && echo "hardware mappings"; }

start_daemon
grep -q 'backend iommufd\|"iommufd"\|iommufd backend' /tmp/daemon.log ||
	./uiommufdctl --socket $sock status | grep -q iommufd ||
	{ echo "FAIL: the device is not held through the kernel's iommufd"; fail=1; }
./uiommufdctl --socket $sock status

echo "=== client_edu against $node and $dev"
./client_edu $node $dev 2>&1 | tee /out/client_edu.out
tail -1 /out/client_edu.out | grep -q ' 0 failed' || fail=1

echo "=== the MSI window reserved; MAP_FILE forwarded as the kernel's IOAS_MAP_FILE"
./real_map_bench $node $dev --check-file --secs 0 >/tmp/check.out 2>&1 || fail=1
grep check_ /tmp/check.out
grep -q 'check_map_file ok' /tmp/check.out || { cat /tmp/check.out; fail=1; }

echo "=== a client killed mid-DMA"
loop_start $node $dev
loop_kill "ok: no client, mapping, pin, binding or hardware mapping left"
grep -q 'still mapped' /tmp/daemon.log &&
	{ echo "FAIL: the kernel IOAS was not empty when its domain went"; fail=1; }
edu_again $node $dev

echo "=== the demo"
./demo_client $node $dev -- ./uiommufdctl --socket $sock status || fail=1
stop_daemon
[ $fail -eq 0 ] && echo "vfio-kiommufd: ok"
exit $fail
