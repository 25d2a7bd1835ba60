# SPDX-License-Identifier: GPL-2.0-or-later
# kernel-check.sh: guest script for run-vm-suite.sh -R: the kernel with the
# kernel's own iommufd has what the -R tests expect of it, all built in:
# /dev/iommu, /dev/cuse, the VFIO container, the edu device bound to
# vfio-pci behind the emulated IOMMU with its group node and device cdev.
# FUSE-over-io_uring is reported, not required (6.12 has none).
fail=0
no() { echo "FAIL: $*"; fail=1; }
echo "kernel $(uname -r)"
[ -c /dev/iommu ] || no "no /dev/iommu (CONFIG_IOMMUFD)"
[ -c /dev/cuse ] || no "no /dev/cuse (CONFIG_CUSE)"
[ -c /dev/vfio/vfio ] || no "no /dev/vfio/vfio (CONFIG_VFIO_CONTAINER)"
if set -- $(vfio-bind 1234:11e8); then
	[ -c "/dev/vfio/$2" ] || no "no group node /dev/vfio/$2"
	ls /sys/bus/pci/devices/$1/vfio-dev/ 2>/dev/null | grep -q '^vfio[0-9]' ||
		no "no device cdev for $1 (CONFIG_VFIO_DEVICE_CDEV)"
	ls -l /dev/vfio/devices/ 2>/dev/null
else
	no "vfio-bind failed"
fi
grep -q DMAR /sys/firmware/acpi/tables/DMAR 2>/dev/null || [ -d /sys/class/iommu/dmar0 ] ||
	no "no DMAR unit (CONFIG_INTEL_IOMMU)"
if [ -e /sys/module/fuse/parameters/enable_uring ]; then
	echo "FUSE-over-io_uring: present"
else
	echo "FUSE-over-io_uring: absent in this kernel"
fi
[ $fail -eq 0 ] && echo "kernel-check: ok"
exit $fail
