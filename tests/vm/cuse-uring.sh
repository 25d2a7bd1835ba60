# SPDX-License-Identifier: GPL-2.0-or-later
# cuse-uring.sh: guest script for the reference kernel (run-vm-suite.sh -R):
# the daemon's CUSE node on FUSE-over-io_uring (--loop uring).  That kernel
# has its own /dev/iommu, so the node is /dev/uiommu.  Sets enable_uring
# (the guest is thrown away), runs client_core and client_ioas against the
# node, stops the daemon, and checks that requests came by the ring.
# Skips (77) on a kernel without the ring.

K=/sys/module/fuse/parameters/enable_uring
[ -e $K ] || { echo "SKIP: this kernel has no FUSE-over-io_uring"; exit 77; }
echo Y > $K
./uiommufd --cuse --name uiommu --mode 0666 --test-interface --loop uring \
	--status-socket none 2>/tmp/daemon.log &
dpid=$!
i=0
while [ ! -e /dev/uiommu ]; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "FAIL: /dev/uiommu did not appear"; cat /tmp/daemon.log; exit 1; }
	sleep 0.1
done
i=0
until grep -q 'serving with FUSE-over-io_uring\|ring is not in use' /tmp/daemon.log; do
	i=$((i + 1)); [ $i -gt 50 ] && break; sleep 0.1
done
fail=0
grep -q 'serving with FUSE-over-io_uring' /tmp/daemon.log ||
	{ echo "FAIL: the CUSE node is not on the ring"; fail=1; }
export UIOMMUFD_DAEMON_PID=$dpid
for c in ./client_core ./client_ioas; do
	echo "=== $c on the ring"
	$c /dev/uiommu >/tmp/client.out 2>&1 || fail=1
	tail -2 /tmp/client.out
done
kill -TERM $dpid
wait $dpid || { echo "FAIL: daemon exit status $?"; fail=1; }
grep -v 'debug:' /tmp/daemon.log
grep -q 'io_uring loop: [1-9][0-9]* requests came by the ring' /tmp/daemon.log ||
	{ echo "FAIL: no request came by the ring"; fail=1; }
[ $fail -eq 0 ] && echo "cuse-uring: ok"
exit $fail
