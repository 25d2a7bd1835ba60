# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-type1.sh: guest script (Debian's 6.1 kernel: VFIO type1, no iommufd)
# for a real device given to clients: QEMU's edu bound to vfio-pci, served
# by the daemon as --device vfio:BDF through a type1 container of its own.
# client_edu, unchanged, against the daemon's CUSE /dev/iommu and device
# node: real DMA through the emulated Intel IOMMU, pins that outlive
# munmap, DMA blocked by the IOMMU after IOAS_UNMAP, both interrupts.
# Then a client killed mid-DMA (nothing may be left mapped in the
# container, nothing pinned, no binding) and a new one; the demo; the
# start-up refusals (not vfio-pci, a bad address).
fail=0
sock=/run/uiommufd/status.sock
dev=/dev/vfio/devices/uvfio0

. "$(dirname "$0")/guest-lib.sh"


# A field missing counts as something left: the container's counts must be
# in status and be 0.
hw_leftovers() {
	echo "$1" | grep -q '"hw_mapped_ranges":0,' || echo "ranges mapped in the container"
	echo "$1" | grep -q '"hw_mapped_bytes":0[,}]' || echo "bytes mapped in the container"
}

[ -c /dev/cuse ] || { echo "SKIP: the guest has no /dev/cuse"; exit 77; }
[ -e /dev/vfio/vfio ] || { echo "SKIP: the guest has no VFIO container"; exit 77; }
set -- $(vfio-bind 1234:11e8)
[ -n "${1:-}" ] || { echo "SKIP: no edu device to bind"; exit 77; }
bdf=$1
echo "edu $bdf (group $2), bound to vfio-pci"
mkdir -p /run/uiommufd /out

echo "=== refusals at start"
out=$(./uiommufd --cuse --device vfio:0000:00:1f.7 2>&1) && { echo "FAIL: a missing device was accepted"; fail=1; }
echo "$out" | grep -q "no such PCI device" || { echo "FAIL: missing device: $out"; fail=1; }
out=$(./uiommufd --cuse --device vfio:00:zz.0 2>&1) && { echo "FAIL: a bad address was accepted"; fail=1; }
echo "$out" | grep -q "not a PCI address" || { echo "FAIL: bad address: $out"; fail=1; }
# The host bridge is bound to no driver, certainly not to vfio-pci.
out=$(./uiommufd --cuse --device vfio:0000:00:00.0 2>&1) && { echo "FAIL: a device not on vfio-pci was accepted"; fail=1; }
echo "$out" | grep -q "not vfio-pci" || { echo "FAIL: not vfio-pci: $out"; fail=1; }

./uiommufd --cuse --mode 0666 --device vfio:$bdf --status-socket $sock \
	2>/tmp/daemon.log &
dpid=$!
if ! wait_for /dev/iommu 20 || ! wait_for $dev 20 || ! wait_for $sock 20; then
	echo "FAIL: the daemon's nodes did not appear"; cat /tmp/daemon.log
	kill -9 $dpid; exit 1
fi
./uiommufdctl --socket $sock status
status_json | grep -q "\"kind\":\"vfio\",.*\"address\":\"$bdf\",\"backend\":\"vfio-type1\"" ||
	{ echo "FAIL: status does not show the real device"; status_json; fail=1; }

echo "=== client_edu through the type1 backend"
./client_edu /dev/iommu $dev 2>&1 | tee /out/client_edu.out
tail -1 /out/client_edu.out | grep -q ' 0 failed' || fail=1
grep -q 'DMAR' /tmp/daemon.log && echo "(the daemon's log mentions DMAR)"
dmesg | grep -i 'dmar.*fault' | tail -3

echo "=== a client killed mid-DMA"
loop_start /dev/iommu $dev
status_json | grep -q '"hw_mapped_ranges":0,' &&
	{ echo "FAIL: the looping client's mappings are not in the container"; fail=1; }
loop_kill "ok: nothing mapped in the container, no client, pin or binding left"
edu_again /dev/iommu $dev

echo "=== the demo"
./demo_client /dev/iommu $dev -- ./uiommufdctl --socket $sock status || fail=1

kill -TERM $dpid
wait $dpid || { echo "FAIL: daemon exited $?"; fail=1; }
if grep -q 'ERROR' /tmp/daemon.log; then cat /tmp/daemon.log; fail=1; fi
cp /tmp/daemon.log /out/ 2>/dev/null
[ $fail -eq 0 ] && echo "vfio-type1: ok"
exit $fail
