# SPDX-License-Identifier: GPL-2.0-or-later
# private-memory.sh: guest script (Debian's 6.1 kernel, VFIO type1, no
# iommufd) for the private-memory answer on real hardware: QEMU's edu bound
# to vfio-pci, served by the daemon as --device vfio:BDF (a hardware
# domain: needs_phys).  private_dma, unmodified, allocates its DMA memory
# MAP_PRIVATE|MAP_ANONYMOUS: without the shim IOAS_MAP is refused with
# EOPNOTSUPP (exit 2); under `uiommufd-exec --shared-anon` the same binary
# maps, moves data through the real IOMMU, and still reads a source it
# munmap()ed after the map (the pages stay pinned, as with the kernel).
fail=0
sock=/run/uiommufd/status.sock
dev=/dev/vfio/devices/uvfio0
export UIOMMUFD_SHARED_ANON_LIB=/opt/libuiommufd-shared-anon.so

. "$(dirname "$0")/guest-lib.sh"

# expect WANT LABEL COMMAND...: the command's exit status must be WANT.
expect() {
	want=$1 label=$2
	shift 2
	"$@" >/tmp/run.out 2>&1
	rc=$?
	cat /tmp/run.out
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $label: exit $rc, want $want"; fail=1
	else
		echo "ok   $label (exit $rc)"
	fi
}

[ -c /dev/cuse ] || { echo "SKIP: the guest has no /dev/cuse"; exit 77; }
[ -e /dev/vfio/vfio ] || { echo "SKIP: the guest has no VFIO container"; exit 77; }
./uiommufd --help 2>&1 | grep -q 'vfio:' ||
	{ echo "SKIP: this daemon has no --device vfio:BDF"; exit 77; }
set -- $(vfio-bind 1234:11e8)
[ -n "${1:-}" ] || { echo "SKIP: no edu device to bind"; exit 77; }
bdf=$1
echo "edu $bdf (group $2), bound to vfio-pci"
mkdir -p /run/uiommufd /out

./uiommufd --cuse --mode 0666 --device vfio:$bdf --status-socket $sock \
	2>/tmp/daemon.log &
dpid=$!
if ! wait_for /dev/iommu 20 || ! wait_for $dev 20 || ! wait_for $sock 20; then
	echo "FAIL: the daemon's nodes did not appear"; cat /tmp/daemon.log
	kill -9 $dpid; exit 1
fi

echo "=== private memory, no shim: the hardware domain refuses it"
expect 2 "IOAS_MAP of private memory is EOPNOTSUPP" \
	./private_dma /dev/iommu $dev
grep -q 'private (MAP_PRIVATE) memory cannot be given to a hardware domain' \
	/tmp/daemon.log || { echo "FAIL: the daemon did not say why"; fail=1; }

echo "=== the same program under uiommufd-exec --shared-anon"
expect 0 "DMA through the real IOMMU" \
	./uiommufd-exec --shared-anon ./private_dma /dev/iommu $dev
expect 0 "the source munmap()ed after the map is still read (pinned)" \
	./uiommufd-exec --shared-anon ./private_dma /dev/iommu $dev --unmap-source
expect 0 "after fork the device reads the parent's pages, not the child's copy" \
	./uiommufd-exec --shared-anon ./private_dma /dev/iommu $dev --fork
echo "=== timing (10 round trips: QEMU's edu completes each DMA on a 100 ms timer)"
expect 0 "10 round trips" \
	./uiommufd-exec --shared-anon ./private_dma /dev/iommu $dev --rounds 10
cp /tmp/run.out /out/rounds.out

kill -TERM $dpid
wait $dpid || { echo "FAIL: daemon exited $?"; fail=1; }
if grep -q 'ERROR' /tmp/daemon.log; then cat /tmp/daemon.log; fail=1; fi
cp /tmp/daemon.log /out/ 2>/dev/null
[ $fail -eq 0 ] && echo "private-memory: ok"
exit $fail
