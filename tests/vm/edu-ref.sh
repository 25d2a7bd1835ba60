# SPDX-License-Identifier: GPL-2.0-or-later
# edu-ref.sh: guest script for the reference kernel (run-vm-suite.sh -R):
# client_edu against the kernel's own /dev/iommu and vfio-pci with QEMU's
# edu device behind the emulated Intel IOMMU: the reference the daemon's
# software edu is held to.  Then the same client killed mid-DMA, and a new
# one that binds the device again, and the README's demo.  Skips (77) where the kernel has no
# iommufd or the device cdev does not appear.
[ -e /dev/iommu ] || { echo "SKIP: this kernel has no /dev/iommu"; exit 77; }
set -- $(vfio-bind 1234:11e8)
[ -n "${1:-}" ] || { echo "SKIP: no edu device to bind"; exit 77; }
dev=$(ls /dev/vfio/devices/ 2>/dev/null | head -1)
[ -n "$dev" ] || { echo "SKIP: no VFIO device cdev for $1"; exit 77; }
dev=/dev/vfio/devices/$dev
echo "edu $1 (group $2) at $dev"
mkdir -p /out
fail=0
./client_edu /dev/iommu $dev 2>&1 | tee /out/client_edu.out
tail -1 /out/client_edu.out | grep -q ' 0 failed' || fail=1

./client_edu /dev/iommu $dev loop >/tmp/loop.out 2>&1 &
pid=$!
i=0
until grep -q looping /tmp/loop.out; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "FAIL: the looping client did not start"; cat /tmp/loop.out; fail=1; break; }
	kill -0 $pid 2>/dev/null || { echo "FAIL: the looping client died"; cat /tmp/loop.out; fail=1; break; }
	sleep 0.1
done
sleep 0.5
kill -KILL $pid
wait $pid 2>/dev/null
# QEMU's edu has no reset: a DMA the killed client started runs out its
# 100 ms timer, and the device ignores DMA register writes until then.
sleep 0.3
echo "=== after a client killed mid-DMA"
./client_edu /dev/iommu $dev >/tmp/again.out 2>&1 || { fail=1; cat /tmp/again.out; }
tail -1 /tmp/again.out
echo "=== the README's demo against the kernel"
./demo_client /dev/iommu $dev || fail=1
[ $fail -eq 0 ] && echo "edu-ref: ok"
exit $fail
