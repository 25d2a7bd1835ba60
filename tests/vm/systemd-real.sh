#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm-systemd: the Debian package under systemd for real.  Boots a Debian 12
# guest (debootstrap rootfs, Debian's own 6.1 kernel with CUSE as a module,
# systemd as PID 1) in QEMU (TCG is enough), installs the .deb there and runs
# systemd/guest-test.sh: start, readiness, /dev/iommu, uiommufdctl status,
# watchdog, per-ioctl journal lines at debug level, a stop that releases a
# client's pins, tests/service/unit_real.sh, purge.
#
#   systemd-real.sh DEB_OUT UIOMMUFD UIOMMUFDCTL UNIT_FILE SVC_CLIENT DEMO_CLIENT
#
# DEB_OUT is where tests/package/build-deb.sh keeps the package (the
# package test's build of the same sources is reused).  The other arguments
# are the build's programs, for unit_real.sh and as clients in the guest.
#
# Cache (kernel package, debootstrap tree, disk image; about 1 GB):
# $UIOMMUFD_SYSTEMD_VM_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/uiommufd-systemd-vm.
# The first run builds the rootfs (debootstrap as root, network to
# $UIOMMUFD_DEBIAN_MIRROR or deb.debian.org): a few minutes.
# Exit: the guest test's status; 77 where QEMU, debootstrap, root (for a
# first rootfs), the kernel package or the packaging tools are not at hand;
# 1 when the guest did not report (time limit $UIOMMUFD_SYSTEMD_VM_TIMEOUT,
# default 1800 s, or a crash).  On an idle 2-CPU machine the guest part
# takes a few minutes; on a crowded one much longer.
set -u
[ $# -eq 6 ] || { echo "usage: $0 DEB_OUT UIOMMUFD UIOMMUFDCTL UNIT_FILE SVC_CLIENT DEMO_CLIENT"; exit 99; }
deb_out=$1 daemon=$2 ctl=$3 unit=$4 svc_client=$5 demo_client=$6
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/../.." && pwd -P)
say() { echo "vm-systemd: $*"; }
skip() { echo "SKIP: $*"; exit 77; }
PATH=$PATH:/usr/sbin:/sbin

for t in qemu-system-x86_64 qemu-img mke2fs; do
	command -v $t >/dev/null || skip "no $t (scripts/deps.sh: uiommufd_install_deps, uiommufd_install_pkg_deps)"
done
cache=${UIOMMUFD_SYSTEMD_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/uiommufd-systemd-vm}
mkdir -p "$cache" || skip "cannot create the cache $cache"
limit=${UIOMMUFD_SYSTEMD_VM_TIMEOUT:-1800}

# The kernel: the vm suite's fetcher when the tree has it, else ours.
if [ -x "$here/debian-kernel.sh" ]; then
	kdir=$("$here/debian-kernel.sh" image)
else
	kdir=$("$here/systemd/debian-kernel-min.sh" "$cache/kernel")
fi
rc=$?
[ $rc -eq 77 ] && skip "Debian's kernel package cannot be had here (see above)"
[ $rc -eq 0 ] || { say "fetching the kernel failed"; exit 1; }
img=$("$here/systemd/mkrootfs.sh" "$cache" "$kdir")
rc=$?
[ $rc -eq 0 ] || { echo "$img"; exit $rc; }
deb=$(DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck} "$root/tests/package/build-deb.sh" "$deb_out")
rc=$?
[ $rc -eq 0 ] || { echo "$deb"; exit $rc; }
say "kernel $(cat "$img/release"), image $img, package ${deb##*/}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vm-systemd.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# The second disk: the test, the package and the build's programs.
t=$tmp/disk
mkdir -p "$t/bin" || exit 99
nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
echo "$nonce" > "$t/nonce"
cp "$here/systemd/guest-test.sh" "$t/run.sh"
cp "$root/tests/service/unit_real.sh" "$t/unit_real.sh"
cp "$deb" "$t/" || exit 99
cp "$daemon" "$ctl" "$svc_client" "$demo_client" "$t/bin/" || exit 99
cp "$unit" "$t/bin/uiommufd.service" || exit 99
mke2fs -q -F -t ext2 -L uiommufd-test -d "$t" "$tmp/test.img" 64M > /dev/null || exit 99
# The root disk stays as cached: the guest writes to an overlay.
qemu-img create -q -f qcow2 -F raw -b "$img/root.img" "$tmp/root.qcow2" || exit 99

accel=tcg cpu=max
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accel=kvm cpu=host; fi
log=$tmp/console
t0=$(date +%s)
# console on the serial port, streamed live into the test log; -no-reboot
# and panic=-1 make a crash end QEMU instead of looping
timeout -k 10 "$limit" nice -n 10 qemu-system-x86_64 -machine q35 -accel $accel -cpu $cpu \
	-m 1024 -smp 1 -display none -monitor none -serial stdio -no-reboot \
	-kernel "$img/vmlinuz" -initrd "$img/initrd.cpio.gz" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4 systemd.show_status=error" \
	-drive "file=$tmp/root.qcow2,if=virtio,format=qcow2" \
	-drive "file=$tmp/test.img,if=virtio,format=raw,readonly=on" \
	-nic none < /dev/null 2>&1 | sed -u 's/\r$//' | tee "$log"
wall=$(( $(date +%s) - t0 ))

# systemd puts "[uptime] vmtest-run[pid]: " before the runner's lines
status=$(sed -n "s/.*=== vmtest exit $nonce \([0-9]\{1,\}\) .*/\1/p" "$log" | tail -1)
if [ -z "$status" ]; then
	grep -q "=== vmtest up $nonce" "$log" && booted=" (the test had started)" || booted=
	say "FAIL: the guest did not report a status after ${wall} s$booted"
	exit 1
fi
say "guest test exited $status (${wall} s with boot)"
exit "$status"
