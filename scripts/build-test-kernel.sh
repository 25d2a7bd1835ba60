#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-test-kernel.sh: build a kernel with the kernel's own iommufd for the
# vm suite (run-vm-suite.sh -R), from Debian's linux-source-VERSION package.
#
#   scripts/build-test-kernel.sh [-j JOBS] [-f] [VERSION]
#
#   VERSION  the linux-source-* series, default 7.3 (trixie-backports: the ABI
#            the daemon follows; -R takes only 6.19 or later); 6.12 comes
#            from bookworm-security / bookworm-backports
#   -j JOBS  parallel make jobs (default $UIOMMUFD_KERNEL_JOBS or 2)
#   -f       rebuild even when the cache already has this source version
#            built with this config fragment
#   -c       configure and check the fragment only (no build)
#
# No Debian kernel enables CONFIG_IOMMUFD, so the config is x86_64_defconfig
# with tests/vm/kernel-iommufd.config merged on top (everything the suite
# needs built in), then olddefconfig; every option of the fragment is checked
# afterwards and the build stops if one did not survive.  When apt on this
# machine does not know the package, a private source list under the cache
# is used (see tests/vm/debian-kernel.sh apt-opts): the machine's apt
# sources are never changed.  make runs at nice 19.
#
# Result, outside the tree (${UIOMMUFD_KERNEL_CACHE:-~/.cache/uiommufd-kernels}):
#   VERSION/bzImage  VERSION/vmlinux (for the runner's PVH boot)  VERSION/config
#   VERSION/release  VERSION/source-version  VERSION/src (the unpacked source
#   tree, e.g. for tools/testing/selftests)  VERSION/build (make O=)
# The path of the bzImage is printed last.  Needs: gcc make bc bison flex
# libelf-dev libssl-dev xz-utils (scripts/deps.sh:
# uiommufd_install_kernel_build_deps).
set -euo pipefail
# One compound command: bash reads it whole before running it, so editing
# this file during a (long) build does not change the running one.
{

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/.." && pwd -P)
fragment=$root/tests/vm/kernel-iommufd.config
. "$root/tests/vm/debian-kernel.sh"

me=build-test-kernel
say() { echo "$me: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

jobs=${UIOMMUFD_KERNEL_JOBS:-2} force= config_only=
while getopts j:fch opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	f) force=1 ;;
	c) config_only=1 ;;
	h) sed -n '4,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "usage: $me [-j JOBS] [-f] [-c] [VERSION]" ;;
	esac
done
shift $((OPTIND - 1))
series=${1:-7.3}
[[ $series =~ ^[0-9]+\.[0-9]+$ ]] || die "VERSION is a series like 6.12 or 7.3, not '$series'"
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "-j wants a number: $jobs"
pkg=linux-source-$series

. "$root/scripts/deps.sh"
uiommufd_install_kernel_build_deps >&2 ||
	die "the kernel build needs: ${uiommufd_kernel_build_packages[*]} (scripts/deps.sh: uiommufd_install_kernel_build_deps)"

# ---------------------------------------------------- find the package --
# The machine's own apt first; then private lists of the suites that carry
# linux-source packages newer than the release's.
apt_opts= ver=
ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -1) || true
if [ -z "$ver" ]; then
	for suite in ${UIOMMUFD_KERNEL_SUITES:-bookworm-backports trixie-backports}; do
		opts=$(dk_apt_opts "$suite") || continue
		ver=$(apt-cache $opts show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -1) || true
		[ -n "$ver" ] && { apt_opts=$opts; say "$pkg $ver from $suite (private source list)"; break; }
	done
fi
[ -n "$ver" ] || die "no $pkg in apt's lists nor in ${UIOMMUFD_KERNEL_SUITES:-bookworm-backports trixie-backports}"

kcache=$(dk_kernel_cache)
out=$kcache/$series
mkdir -p "$out" "$kcache/debs"
exec 9>"$kcache/$series.lock"
flock -n 9 || { say "another build of $series is running; waiting"; flock 9; }

# the options, not the comments, decide whether a built kernel is current
stamp="$pkg $ver $(grep -E '^(CONFIG_|# CONFIG_)' "$fragment" | sha256sum | cut -c1-16)"
if [ -z "$force$config_only" ] && [ -f "$out/.done" ] && [ "$(cat "$out/.done")" = "$stamp" ]; then
	say "already built: $stamp"
	echo "$out/bzImage"
	exit 0
fi
[ -n "$config_only" ] || rm -f "$out/.done"

# --------------------------------------------------- fetch and unpack --
deb=$(ls "$kcache/debs/${pkg}_${ver//:/%3a}"_*.deb 2>/dev/null | head -1) || true
if [ -z "$deb" ]; then
	say "downloading $pkg $ver"
	(cd "$kcache/debs" && apt-get $apt_opts -qq -o APT::Sandbox::User=root download "$pkg=$ver") ||
		die "apt-get download $pkg=$ver failed"
	deb=$(ls "$kcache/debs/${pkg}_"*.deb | grep -F "_${ver//:/%3a}_" | head -1)
fi
src=$out/src
if [ "$(cat "$out/src-version" 2>/dev/null)" != "$ver" ]; then
	say "unpacking $(basename "$deb")"
	rm -rf "$src" "$out/build" "$out/src.part"
	mkdir -p "$out/src.part"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		nice -n 19 tar -xJ -C "$out/src.part" --strip-components=1
	[ -f "$out/src.part/Makefile" ] || die "$deb did not hold a kernel tree"
	mv "$out/src.part" "$src"
	echo "$ver" > "$out/src-version"
fi

# ------------------------------------------------------------- config --
build=$out/build
mkdir -p "$build"
kmake() { nice -n 19 make -C "$src" O="$build" -s "$@"; }
kmake x86_64_defconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$fragment" >/dev/null
kmake olddefconfig

# Every option of the fragment must have kept its value.  A symbol this
# version does not define at all (FUSE_IO_URING before 6.14) is only noted.
lost=() absent=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) sym=${line%%=*} ;;
	'# CONFIG_'*' is not set') sym=${line#\# }; sym=${sym%% *} ;;
	*) continue ;;
	esac
	grep -qxF -- "$line" "$build/.config" && continue
	# off also when its dependencies are unmet and Kconfig leaves it out
	[[ $line == '# '* ]] && ! grep -qE "^$sym=" "$build/.config" && continue
	if ! grep -rqE --include='Kconfig*' "^[[:space:]]*(menu)?config ${sym#CONFIG_}\$" "$src"; then
		absent+=("$sym")
		continue
	fi
	lost+=("$line (got: $(grep -E "^(# )?$sym[= ]" "$build/.config" || echo 'nothing'))")
done < "$fragment"
[ ${#absent[@]} -eq 0 ] || say "not in Linux $series, skipped: ${absent[*]}"
if [ ${#lost[@]} -gt 0 ]; then
	for l in "${lost[@]}"; do say "option did not survive olddefconfig: $l"; done
	die "the config fragment does not apply to $pkg $ver; fix tests/vm/kernel-iommufd.config"
fi
say "config: x86_64_defconfig + $(grep -c '^CONFIG_\|^# CONFIG_' "$fragment") fragment options, all kept"
[ -z "$config_only" ] || { echo "$build/.config"; exit 0; }

# -------------------------------------------------------------- build --
say "building $pkg $ver with make -j$jobs at nice 19 (log: $out/build.log)"
t0=$(date +%s)
# in the background so that a signal to this script stops make too
nice -n 19 make -C "$src" O="$build" -j"$jobs" bzImage > "$out/build.log" 2>&1 &
mpid=$!
trap 'kill "$mpid" 2>/dev/null; wait "$mpid"; say "stopped"; exit 1' TERM INT HUP
if ! wait "$mpid"; then
	tail -30 "$out/build.log" >&2
	die "make failed; see $out/build.log"
fi
cp "$build/arch/x86/boot/bzImage" "$out/bzImage.part" && mv -f "$out/bzImage.part" "$out/bzImage"
cp "$build/vmlinux" "$out/vmlinux.part" && mv -f "$out/vmlinux.part" "$out/vmlinux"
cp "$build/.config" "$out/config"
kmake kernelrelease > "$out/release"
echo "$pkg $ver" > "$out/source-version"
echo "$stamp" > "$out/.done"
say "built Linux $(cat "$out/release") in $(( $(date +%s) - t0 )) s"
echo "$out/bzImage"
exit 0
}
