# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-device-ref.sh: guest script for the reference kernel
# (run-vm-suite.sh -R): client_vfio_device, the device look-alike's errno
# rules, against the kernel's own /dev/iommu and vfio-pci cdev with QEMU's
# edu: every rule the daemon copies, checked where it comes from.  Skips
# (77) where the kernel has no iommufd or the device cdev does not appear.
[ -e /dev/iommu ] || { echo "SKIP: this kernel has no /dev/iommu"; exit 77; }
set -- $(vfio-bind 1234:11e8)
[ -n "${1:-}" ] || { echo "SKIP: no edu device to bind"; exit 77; }
dev=$(ls /dev/vfio/devices/ 2>/dev/null | head -1)
[ -n "$dev" ] || { echo "SKIP: no VFIO device cdev for $1"; exit 77; }
dev=/dev/vfio/devices/$dev
echo "edu $1 (group $2) at $dev"
./client_vfio_device /dev/iommu $dev
