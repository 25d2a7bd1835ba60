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
