#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# qemu-iommufd.sh DAEMON GUEST_EDU: QEMU, unmodified, as a client of the
# daemon.  On this host: the daemon serves DIR/iommu and a software edu
# device (--device edu) on a FUSE mount; this script opens both nodes and
# hands QEMU the fds (-object iommufd,fd=3 -device vfio-pci,iommufd=..,fd=4).
# QEMU binds the device, attaches it to an IOAS and maps the guest's RAM
# into it; a Debian 6.1 guest without vIOMMU (TCG) then finds the edu and
# GUEST_EDU drives its DMA into guest RAM and back, byte for byte: the
# daemon's device reaches guest memory only through QEMU's IOAS mappings.
# Two boots: guest RAM as QEMU's default private anonymous memory (the
# daemon reaches it by VA) and as a shared memfd (pinned by page).
#
# Needs QEMU >= 9 (Debian 12 has 7.2: scripts/deps.sh
# uiommufd_fetch_qemu_client unpacks bookworm-backports' 10.0 into a cache,
# never installing it), Debian's kernel image and the host's static busybox;
# skips (77) with the reason when one cannot be had.
# Environment: UIOMMUFD_QEMU (a QEMU >= 9 binary), UIOMMUFD_QEMU_DATADIR
# (its firmware directory), UIOMMUFD_GUEST_KERNEL (a bzImage or vmlinux),
# UIOMMUFD_QEMU_CACHE (default ~/.cache/uiommufd-qemu), UIOMMUFD_QEMU_TRACE=1
# (QEMU's vfio and iommufd trace on stderr).
set -u
daemon=$(realpath "$1") guest_prog=$(realpath "$2")
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/../.." && pwd -P)

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root (the daemon's FUSE mount with allow_other)"
[ -c /dev/fuse ] && command -v fusermount3 >/dev/null || skip "no /dev/fuse or fusermount3"
busybox=$(command -v busybox) || skip "no busybox (apt-get install busybox-static)"
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	[ "$(ldd "$busybox" 2>&1)" = "	not a dynamic executable" ] ||
	skip "busybox is not static (apt-get install busybox-static)"

qemu_major() { "$1" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p'; }

# --- QEMU >= 9 and a kernel ------------------------------------------------
qemu=${UIOMMUFD_QEMU:-} datadir=${UIOMMUFD_QEMU_DATADIR:-} kernel=${UIOMMUFD_GUEST_KERNEL:-}
if [ -z "$qemu" ] && sys=$(command -v qemu-system-x86_64) && [ "$(qemu_major "$sys")" -ge 9 ] 2>/dev/null; then
	qemu=$sys
fi
if [ -z "$qemu" ] || [ -z "$kernel" ]; then
	cache=${UIOMMUFD_QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/uiommufd-qemu}
	. "$root/scripts/deps.sh"
	why=$(mktemp) || exit 99
	if ! uiommufd_fetch_qemu_client "$cache" >/dev/null 2>"$why"; then
		msg=$(tr '\n' ' ' < "$why"); rm -f "$why"
		skip "QEMU >= 9 or the Debian kernel cannot be had: $msg"
	fi
	rm -f "$why"
	[ -n "$qemu" ] || { qemu=$uiommufd_qemu; datadir=${datadir:-$uiommufd_qemu_datadir}; }
	kernel=${kernel:-$uiommufd_guest_kernel}
fi
major=$(qemu_major "$qemu")
[ -n "$major" ] && [ "$major" -ge 9 ] || skip "$qemu is QEMU ${major:-?}: -object iommufd,fd= needs 9 or later"
[ -f "$kernel" ] || skip "no guest kernel at $kernel"
"$qemu" -object help 2>/dev/null | grep -qw iommufd || skip "$qemu has no iommufd backend"
qemu_L=()
for d in "$datadir" "${datadir%/qemu}/seabios" /usr/share/seabios; do
	[ -n "$d" ] && [ -d "$d" ] && qemu_L+=(-L "$d")
done
echo "QEMU: $qemu ($("$qemu" --version | head -1)); kernel: $kernel"

# --- the guest: busybox and GUEST_EDU, no modules ---------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-qemu.XXXXXX") || exit 99
mnt=$work/mnt
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	mountpoint -q "$mnt" && fusermount3 -u -z "$mnt"
	rm -rf -- "$work"
}
trap cleanup EXIT
mkdir -p "$work/root/bin" "$work/root/opt" "$work/root/proc" "$work/root/sys" \
	"$work/root/dev" "$mnt"
cp "$busybox" "$work/root/bin/busybox" && cp "$guest_prog" "$work/root/opt/guest_edu" || exit 99
# the status line carries a nonce so that nothing else on the console
# (a program's own output) can pass for it
nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
cat > "$work/root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo "guest: PCI devices (vendor device):"
for d in /sys/bus/pci/devices/*; do echo "  \${d##*/} \$(cat \$d/vendor) \$(cat \$d/device)"; done
/opt/guest_edu
echo "=== guest-status $nonce \$?"
poweroff -f
EOF
chmod +x "$work/root/init"
(cd "$work/root" && find . | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null | gzip -1) \
	> "$work/initrd.gz" || exit 99

# --- the daemon -------------------------------------------------------------
"$daemon" --fuse "$mnt" --device edu -v 2>"$work/daemon.log" &
pid=$!
for _ in $(seq 200); do
	[ -e "$mnt/devices/uvfio0" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
[ -e "$mnt/devices/uvfio0" ] || { cat "$work/daemon.log"; fail "the daemon did not come up"; }

trace=()
[ "${UIOMMUFD_QEMU_TRACE:-}" = 1 ] && trace=(-trace 'vfio*' -trace 'iommufd*')

# boot NAME [QEMU ARGS]: one guest with the nodes' fds; the guest's status
boot() {
	local name=$1 rc status
	shift
	echo "--- boot: $name"
	exec 3<>"$mnt/iommu" 4<>"$mnt/devices/uvfio0" || fail "cannot open the nodes"
	timeout -k 5 "${UIOMMUFD_QEMU_TIMEOUT:-200}" "$qemu" ${qemu_L[@]+"${qemu_L[@]}"} \
		-machine q35 -accel tcg -cpu max -smp 1 -m 256 \
		-nodefaults -display none -no-reboot -serial "file:$work/console-$name" \
		-kernel "$kernel" -initrd "$work/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet no_timer_check" \
		-object iommufd,id=iommufd0,fd=3 \
		-device vfio-pci,iommufd=iommufd0,fd=4 \
		${trace[@]+"${trace[@]}"} "$@" </dev/null
	rc=$?
	exec 3>&- 4>&-
	tr -d '\r' < "$work/console-$name"
	status=$(sed -n "s/^=== guest-status $nonce \([0-9]*\).*/\1/p" "$work/console-$name" | tail -1)
	[ -n "$status" ] || fail "$name: the guest reported no status (QEMU status $rc)"
	echo "--- $name: guest status $status (QEMU status $rc)"
	return "$status"
}

rc=0
boot private || rc=$?
if [ "$rc" -eq 0 ]; then
	boot memfd -object memory-backend-memfd,id=ram0,size=256M,share=on \
		-machine memory-backend=ram0 || rc=$?
fi

kill -TERM "$pid"
for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then
	echo "the daemon did not stop within 10 s of SIGTERM"; rc=1
else
	wait "$pid"; drc=$?; pid=
	[ "$drc" -eq 0 ] || { echo "the daemon exited with $drc"; rc=1; }
fi
if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$work/daemon.log"; then
	echo "sanitizer report from the daemon"; rc=1
fi
echo "--- the daemon's answers to QEMU (failures)"
grep -E 'pid [0-9]+: E[A-Z]+' "$work/daemon.log" | sed 's/ pid [0-9]*//' | sort | uniq -c
[ "$rc" -eq 0 ] && [ "${UIOMMUFD_QEMU_TRACE:-}" != 1 ] || { echo "--- daemon log"; cat "$work/daemon.log"; }
exit "$rc"
