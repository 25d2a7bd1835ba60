#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The guest of the vm-systemd test: a Debian 12 root file system made by
# debootstrap, with systemd as PID 1, the kernel's modules and a service
# that runs the test found on a second disk; made into an ext4 image with
# mke2fs -d (no loop mounts), plus a small initramfs that loads the modules
# the root disk needs (Debian's kernel has virtio_blk and ext4 as modules).
#
#   mkrootfs.sh CACHE KERNEL_DIR
#
# KERNEL_DIR holds Debian's kernel package (pkg.deb), its vmlinuz and its
# release (tests/vm/debian-kernel.sh image).  Prints the directory that
# holds root.img, initrd.cpio.gz, vmlinuz and release.  Everything is kept
# under CACHE: the debootstrap tree (keyed by the package list and mirror)
# and the image (keyed by this script, the guest files and the kernel), so
# a second run costs nothing.  debootstrap needs root.
# Exit: 0; 77 what is needed is missing (one line says which); 1 failure.
set -u
cache=$1 kdir=$2
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
say() { echo "mkrootfs: $*" >&2; }
mirror=${UIOMMUFD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
# What the guest needs and nothing else: systemd as init, udev for /dev,
# kmod for modules-load.d, the package's libraries (no network in the
# guest: the .deb's dependencies must already be there).
include=systemd,systemd-sysv,udev,kmod,dbus,procps,libfuse3-3,liburing2,libsystemd0

PATH=$PATH:/usr/sbin:/sbin
for t in debootstrap mke2fs depmod modprobe busybox dpkg-deb; do
	command -v $t >/dev/null || { echo "SKIP: no $t (scripts/deps.sh: uiommufd_install_pkg_deps)"; exit 77; }
done
rel=$(cat "$kdir/release") || exit 1

key() { sha256sum | cut -c1-16; }
base=$cache/debootstrap-$(echo "$suite $mirror $include" | key)
img=$cache/image-$( (cat "$here"/mkrootfs.sh "$here"/vmtest-run "$here"/vmtest.service; echo "$base $rel"; cat "$kdir/release") | key)
[ -f "$img/.done" ] && { echo "$img"; exit 0; }
mkdir -p "$cache" || exit 1
exec 9>"$cache/.lock"
flock 9
[ -f "$img/.done" ] && { echo "$img"; exit 0; }

if [ ! -f "$base/.done" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: debootstrap needs root (or a cached rootfs in $cache)"; exit 77; }
	say "debootstrap $suite from $mirror into $base (once, a few minutes)"
	rm -rf "$base" && mkdir -p "$cache/debs" || exit 1
	if ! nice -n 10 debootstrap --variant=minbase --include="$include" \
		--cache-dir="$cache/debs" "$suite" "$base/root" "$mirror" > "$cache/debootstrap.log" 2>&1; then
		tail -n 30 "$cache/debootstrap.log"
		say "debootstrap failed (log: $cache/debootstrap.log)"
		# no network or no mirror is the host's lack, not the project's failure
		grep -qE "Failed getting release file|Couldn't download|Temporary failure|Could not resolve" \
			"$cache/debootstrap.log" && { echo "SKIP: debootstrap cannot reach $mirror"; exit 77; }
		exit 1
	fi
	rm -rf "$base/root/var/cache/apt/archives/"*.deb "$base/root/var/lib/apt/lists/"*_Packages
	touch "$base/.done"
fi

say "making the image $img"
rm -rf "$img" && mkdir -p "$img" || exit 1
stage=$img/stage
cp -a "$base/root" "$stage" || exit 1

# The kernel's modules, at their place in the guest; the bulky families a
# QEMU guest never loads are left out.
dpkg-deb --fsys-tarfile "$kdir/pkg.deb" |
	tar -x -C "$stage" --wildcards './lib/modules/*' './usr/lib/modules/*' \
		--exclude='*/kernel/drivers/gpu' --exclude='*/kernel/drivers/net/wireless' \
		--exclude='*/kernel/drivers/media' --exclude='*/kernel/drivers/infiniband' \
		--exclude='*/kernel/drivers/staging' --exclude='*/kernel/sound' 2>/dev/null
[ -d "$stage/lib/modules/$rel" ] || [ -d "$stage/usr/lib/modules/$rel" ] ||
	{ say "no modules for $rel in $kdir/pkg.deb"; exit 1; }
depmod -b "$stage" "$rel" || exit 1

# The guest's configuration.
echo uiommufd-vm > "$stage/etc/hostname"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' > "$stage/etc/fstab"
# a machine-id of its own: an empty one means "first boot", and then
# systemd-firstboot would ask for a locale on the console
echo 5f1d2c3b4a5968778695a4b3c2d1e0f0 > "$stage/etc/machine-id"
ln -sf /dev/null "$stage/etc/systemd/system/systemd-firstboot.service"
# no password for root, no getty on the console (the test owns it)
chroot "$stage" passwd -d root >/dev/null 2>&1 || sed -i 's/^root:[^:]*:/root::/' "$stage/etc/shadow"
ln -sf /dev/null "$stage/etc/systemd/system/serial-getty@ttyS0.service"
ln -sf /dev/null "$stage/etc/systemd/system/getty@tty1.service"
# nothing of the host's time matters here, and there is no network
ln -sf /dev/null "$stage/etc/systemd/system/systemd-timesyncd.service"
mkdir -p "$stage/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' > "$stage/etc/systemd/journald.conf.d/volatile.conf"
install -m 0755 "$here/vmtest-run" "$stage/usr/local/sbin/vmtest-run"
install -m 0644 "$here/vmtest.service" "$stage/etc/systemd/system/vmtest.service"
ln -sf /etc/systemd/system/vmtest.service "$stage/etc/systemd/system/multi-user.target.wants/vmtest.service"

# The root disk: 2 GiB sparse, filled from the tree by mke2fs itself.
nice -n 10 mke2fs -q -t ext4 -L uiommufd-root -d "$stage" "$img/root.img" 2G > /dev/null || exit 1

# The initramfs: static busybox, the modules for virtio disks and ext4 in
# the order modprobe would load them, and an init that mounts the disk and
# hands over to systemd.
ird=$img/initrd
mkdir -p "$ird/bin" "$ird/mod" "$ird/dev" "$ird/proc" "$ird/sys" "$ird/newroot" || exit 1
cp "$(command -v busybox)" "$ird/bin/busybox" || exit 1
ldd "$ird/bin/busybox" >/dev/null 2>&1 &&
	{ echo "SKIP: busybox is not static (apt-get install busybox-static)"; exit 77; }
order=
while read -r cmd path _; do
	[ "$cmd" = insmod ] || continue
	m=$(basename "$path")
	case " $order " in *" $m "*) continue ;; esac
	cp "$path" "$ird/mod/$m" || exit 1
	order+=" $m"
done < <(for m in virtio_pci virtio_blk crc32c_generic ext4; do
	modprobe -d "$stage" -S "$rel" --show-depends "$m"; done)
cat > "$ird/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
for m in $order; do /bin/busybox insmod /mod/\$m; done
i=0
while [ ! -b /dev/vda ] && [ \$i -lt 100 ]; do /bin/busybox sleep 0.1; i=\$((i + 1)); done
/bin/busybox mount -t ext4 -o rw /dev/vda /newroot || { echo "initrd: cannot mount /dev/vda"; /bin/busybox poweroff -f; }
/bin/busybox umount /proc
/bin/busybox umount /dev
exec /bin/busybox switch_root /newroot /sbin/init
INIT
chmod 0755 "$ird/init"
(cd "$ird" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$img/initrd.cpio.gz" || exit 1
cp "$kdir/vmlinuz" "$img/vmlinuz" && echo "$rel" > "$img/release" || exit 1
rm -rf "$stage" "$ird"
touch "$img/.done"
# images of older recipes are not used again
for old in "$cache"/image-*; do [ "$old" = "$img" ] || rm -rf "$old"; done
echo "$img"
