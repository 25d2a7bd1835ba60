#!/bin/bash
# Installs the Debian 12 packages uiommufd needs to build, run and test,
# skipping any that are already there.  Sourced by the other scripts.
# uiommufd_install_deps installs those; uiommufd_install_bench_deps only
# what scripts/bench.sh needs beyond them (not needed to build or test).
uiommufd_packages=(
	gcc meson ninja-build pkg-config          # build
	libfuse3-dev fuse3 libsystemd-dev liburing-dev libcmocka-dev
	scdoc                                     # man pages
	qemu-system-x86 busybox-static kmod       # the vm suite (tests/vm/run-vm)
	util-linux python3 systemd procps         # setpriv, service tests, systemd-analyze
)
uiommufd_bench_packages=(
	gnuplot-nox                               # bench.sh's many-clients plot
)

uiommufd_install_deps() {
	uiommufd_install_packages "${uiommufd_packages[@]}"
}

uiommufd_install_bench_deps() {
	uiommufd_install_packages "${uiommufd_bench_packages[@]}"
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
