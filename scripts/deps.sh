#!/bin/bash
# Installs the Debian 12 packages uiommufd needs to build, run and test,
# skipping any that are already there.  Sourced by the other scripts.
# uiommufd_install_deps installs those; uiommufd_install_bench_deps only
# what scripts/bench.sh needs beyond them (not needed to build or test);
# uiommufd_install_fuzz_deps what the fuzz build needs (scripts/fuzz.sh).
uiommufd_packages=(
	gcc meson ninja-build pkg-config          # build
	libfuse3-dev fuse3 libsystemd-dev liburing-dev libcmocka-dev
	scdoc                                     # man pages
	qemu-system-x86 busybox-static kmod       # the vm suite (tests/vm/run-vm)
	util-linux python3 systemd procps         # setpriv, service tests, systemd-analyze
	libjson-c-dev                             # the status socket's JSON (daemon, uiommufdctl)
	libseccomp-dev                            # uiommufd-exec's filter, the daemon's notifications
)
uiommufd_bench_packages=(
	gnuplot-nox                               # bench.sh's many-clients plot
)
# scripts/fuzz.sh and the fuzz suite: clang (14 on Debian 12) with libFuzzer
# and the sanitizer runtimes.
uiommufd_fuzz_packages=(
	clang libclang-rt-14-dev
)

uiommufd_install_deps() {
	uiommufd_install_packages "${uiommufd_packages[@]}"
}

# uiommufd_install_pkg_deps: what the 'package' test (dpkg-buildpackage,
# lintian) and the VM test vm-systemd (debootstrap a Debian 12 rootfs, make
# its disk image, boot it with systemd) need beyond uiommufd_install_deps.
uiommufd_pkg_packages=(
	dpkg-dev debhelper lintian                # tests/package: build and check the .deb
	debootstrap e2fsprogs qemu-utils          # tests/vm/systemd-real.sh: rootfs, mke2fs -d, qemu-img
)

uiommufd_install_pkg_deps() {
	uiommufd_install_packages "${uiommufd_pkg_packages[@]}"
}

uiommufd_install_bench_deps() {
	uiommufd_install_packages "${uiommufd_bench_packages[@]}"
}

uiommufd_install_fuzz_deps() {
	uiommufd_install_packages "${uiommufd_fuzz_packages[@]}"
}

# uiommufd_install_packages PACKAGE...: apt-get install those not installed
uiommufd_install_packages() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]} (run as root, or install them)" >&2
		return 1
	fi
	echo "installing: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The selftest suite: what scripts/kernel-selftest.sh needs to fetch Debian's
# linux-source-VERSION with apt, unpack it and build the kernel's iommufd
# self-test (make headers and the test's -lcap).
uiommufd_selftest_packages=(
	make gcc xz-utils libcap-dev debian-archive-keyring
	util-linux fuse3
	uuid-dev	# the VFIO self-tests' lib: -luuid
)

uiommufd_install_selftest_deps() {
	uiommufd_install_packages "${uiommufd_selftest_packages[@]}"
}

# The vm suite's host side (tests/vm/run-vm): QEMU, the guest's busybox,
# kmod for depmod/modprobe on the unpacked Debian kernel, xz for its vmlinux.
uiommufd_vm_packages=(qemu-system-x86 busybox-static kmod xz-utils)
uiommufd_install_vm_deps() {
	uiommufd_install_packages "${uiommufd_vm_packages[@]}"
}

# What scripts/build-test-kernel.sh needs to build a kernel from Debian's
# linux-source-* package (not needed by the other tests).
uiommufd_kernel_build_packages=(gcc make bc bison flex libelf-dev libssl-dev xz-utils)
uiommufd_install_kernel_build_deps() {
	uiommufd_install_packages "${uiommufd_kernel_build_packages[@]}"
}

# uiommufd_fetch_qemu_client CACHE: what the vm-qemu-iommufd test needs and
# Debian 12 lacks, never installed into the system (the vm suite keeps
# bookworm's QEMU 7.2): QEMU >= 9 (-object iommufd,fd=N; bookworm-backports
# has 10.0) and Debian's 6.1 kernel image, both fetched with apt-get download
# through a private apt configuration (CACHE/apt: bookworm, -updates,
# -security and -backports lists of its own; /etc/apt is not touched) and
# unpacked with dpkg-deb -x under CACHE.  Libraries QEMU 10 needs from
# bookworm itself are installed normally (root only).  Sets
# uiommufd_qemu (the binary), uiommufd_qemu_datadir and uiommufd_guest_kernel;
# returns 1 with a reason on stderr when they cannot be had.
uiommufd_fetch_qemu_client() {
	local cache=$1 keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	local apt=$cache/apt A p libs=() bpo=() line
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$cache/debs" || return 1
	[ -f "$keyring" ] || { echo "no $keyring (debian-archive-keyring)" >&2; return 1; }
	A=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	   -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
	   -o APT::Sandbox::User=root -o Debug::NoLocking=1)
	(
	flock 9
	if [ ! -x "$cache/root/usr/bin/qemu-system-x86_64" ] || [ ! -s "$cache/vmlinuz" ]; then
		printf 'deb [signed-by=%s] http://deb.debian.org/debian %s main\n' \
			"$keyring" bookworm "$keyring" bookworm-updates "$keyring" bookworm-backports \
			> "$apt/sources.list"
		printf 'deb [signed-by=%s] http://deb.debian.org/debian-security bookworm-security main\n' \
			"$keyring" >> "$apt/sources.list"
		apt-get "${A[@]}" -qq update >"$cache/update.log" 2>&1 ||
			{ echo "apt-get update failed (see $cache/update.log)" >&2; exit 1; }
		# what installing it would take on this machine: the backports
		# packages are unpacked, the rest are plain bookworm libraries
		while read -r line; do
			p=${line#Inst }; p=${p%% *}
			case $line in *ackports*) bpo+=("$p/bookworm-backports") ;; *) libs+=("$p") ;; esac
		done < <(apt-get "${A[@]}" -s install --no-install-recommends -t bookworm-backports \
				qemu-system-x86 2>/dev/null | grep '^Inst ')
		[ ${#bpo[@]} -gt 0 ] || { echo "no qemu-system-x86 in bookworm-backports" >&2; exit 1; }
		[ ${#libs[@]} -eq 0 ] || uiommufd_install_packages "${libs[@]}" || exit 1
		p=$(apt-cache "${A[@]}" show linux-image-amd64 2>/dev/null |
			sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*\).*/\1/p' | head -1)
		[ -n "$p" ] || { echo "no linux-image-amd64 in apt's lists" >&2; exit 1; }
		rm -rf "$cache/debs" "$cache/root" && mkdir -p "$cache/debs" &&
		(cd "$cache/debs" && apt-get "${A[@]}" -qq download "${bpo[@]}" "$p" >/dev/null 2>&1) ||
			{ echo "apt-get download ${bpo[*]} $p failed" >&2; exit 1; }
		for p in "$cache"/debs/qemu-*.deb; do
			dpkg-deb -x "$p" "$cache/root" || exit 1
		done
		dpkg-deb --fsys-tarfile "$cache"/debs/linux-image-*.deb |
			tar -xO --wildcards './boot/vmlinuz-*' > "$cache/vmlinuz.tmp" &&
			mv "$cache/vmlinuz.tmp" "$cache/vmlinuz" || exit 1
		rm -f "$cache"/debs/linux-image-*.deb
	fi
	) 9>"$cache/.lock" || return 1
	uiommufd_qemu=$cache/root/usr/bin/qemu-system-x86_64
	uiommufd_qemu_datadir=$cache/root/usr/share/qemu
	uiommufd_guest_kernel=$cache/vmlinuz
}
