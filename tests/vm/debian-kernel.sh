#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# debian-kernel.sh: where the vm suite's kernels come from.  Source it (bash)
# for the functions, or run it:
#
#   debian-kernel.sh image [PKG[=VERSION]]
#       Debian's kernel package (default: the one linux-image-amd64 depends
#       on), fetched with apt-get download, unpacked, depmod'ed and cached;
#       prints the cache directory, which holds
#         vmlinuz  release  config  pkg.deb  [vmlinux]  root/lib/modules/REL/
#   debian-kernel.sh test-kernel
#       the kernel with iommufd for -R: prints the path of its bzImage, or
#       says which command builds one and exits 77
#   debian-kernel.sh apt-opts SUITE
#       apt options for a private source list with SUITE (e.g.
#       trixie-backports) under the cache, without touching the machine's
#       apt sources; the lists are refreshed once a day
#   debian-kernel.sh cache-dirs
#       the two cache roots (Debian packages, built kernels)
#
# Environment:
#   UIOMMUFD_VM_CACHE      Debian kernel packages and apt lists
#                          (default ${XDG_CACHE_HOME:-~/.cache}/uiommufd-vm)
#   UIOMMUFD_KERNEL_CACHE  kernels built by scripts/build-test-kernel.sh
#                          (default ${XDG_CACHE_HOME:-~/.cache}/uiommufd-kernels)
#   UIOMMUFD_VM_KERNEL_PKG pin the Debian package: NAME or NAME=VERSION (with
#                          a version and a filled cache apt is not consulted)
#   UIOMMUFD_TEST_KERNEL   bzImage to use for -R before any other
#   UIOMMUFD_DEBIAN_MIRROR mirror for private source lists
#                          (default http://deb.debian.org/debian)
# Concurrent callers are serialised with flock on the cache.
#
# Exit status when run: 0 and the path on stdout; 77 when this host cannot
# get the kernel (no apt lists, no network, no such package: the reason on
# stderr); 1 for other failures.

dk_say() { echo "debian-kernel: $*" >&2; }

dk_cache_base() { echo "${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}"; }
dk_vm_cache() { echo "${UIOMMUFD_VM_CACHE:-$(dk_cache_base)/uiommufd-vm}"; }
dk_kernel_cache() { echo "${UIOMMUFD_KERNEL_CACHE:-$(dk_cache_base)/uiommufd-kernels}"; }

# dk_apt_opts SUITE: prints the apt options of a private source list holding
# SUITE's main component, kept under the VM cache; runs apt-get update on it
# when its lists are missing or older than a day.  The machine's
# sources.list, lists and archive cache are left alone.
dk_apt_opts() {
	local suite=$1 d opts mirror
	mirror=${UIOMMUFD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	d=$(dk_vm_cache)/apt/$suite
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/parts" || return 1
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
		> "$d/sources.list"
	opts="-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=$d/parts"
	opts+=" -o Dir::State::Lists=$d/lists -o Dir::Cache=$d -o Dir::Cache::archives=$d/archives"
	opts+=" -o APT::Sandbox::User=root"
	if [ -z "$(find "$d/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ]; then
		(
			flock 8
			# another caller may have refreshed it while we waited
			[ -n "$(find "$d/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ] ||
				apt-get $opts -qq update >&2
		) 8>"$d/.lock" || { dk_say "apt-get update of $suite ($mirror) failed"; return 1; }
	fi
	echo "$opts"
}

# dk_bzimage_to_vmlinux BZIMAGE OUT: unpack the xz-compressed kernel inside a
# bzImage.  QEMU starts the uncompressed ELF through its PVH entry note,
# which under TCG saves seconds of emulated decompression per boot.
dk_bzimage_to_vmlinux() {
	local at
	at=$(LC_ALL=C grep -aob $'\xfd7zXZ' "$1" 2>/dev/null | head -1 | cut -d: -f1)
	[ -n "$at" ] || return 1
	# the stream is followed by the bzImage's own trailer, which xz calls
	# garbage: judge by the result instead of xz's status
	tail -c "+$((at + 1))" "$1" | xz -dcq > "$2.part" 2>/dev/null
	if [ "$(head -c 4 "$2.part" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		mv -f "$2.part" "$2"
	else
		rm -f "$2.part"
		return 1
	fi
}

# dk_image [PKG[=VERSION]]: print the cache directory of Debian's kernel
# package, fetching and unpacking it on first use.  Returns 77 when apt
# cannot name or fetch it.
dk_image() {
	local want=${1:-${UIOMMUFD_VM_KERNEL_PKG:-}} pkg ver dir cache
	cache=$(dk_vm_cache)
	mkdir -p "$cache" || return 1
	pkg=${want%%=*} ver=
	[[ $want == *=* ]] && ver=${want#*=}
	if [ -z "$pkg" ]; then
		# the ABI package the meta-package points at, e.g.
		# linux-image-6.1.0-41-amd64 (= 6.1.158-1)
		read -r pkg ver < <(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
			sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*\) (= \([^)]*\)).*/\1 \2/p' | head -1)
	elif [ -z "$ver" ]; then
		ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -1)
	fi
	if [ -z "$ver" ]; then
		# apt has no lists (fresh container, offline): the newest complete entry
		dir=$(dk_newest_cached "$pkg")
		if [ -z "$dir" ]; then
			dk_say "apt knows no ${pkg:-linux-image-amd64} package: run apt-get update (as root) or set UIOMMUFD_VM_KERNEL_PKG"
			return 77
		fi
		dk_say "apt has no lists; using the cached $(basename "$dir")"
		echo "$dir"
		return 0
	fi
	dir=$cache/${pkg}_${ver//:/%}
	[ -f "$dir/.done" ] && { echo "$dir"; return 0; }
	local rc
	dk_fetch_image "$pkg" "$ver" "$dir"
	rc=$?
	if [ $rc -eq 77 ]; then
		# a newer package than the mirror serves, or no network: an older
		# kernel from the cache still runs the suite
		local old
		old=$(dk_newest_cached "${1:+$pkg}")
		[ -n "$old" ] || return 77
		dk_say "using the cached $(basename "$old") instead"
		dir=$old
	elif [ $rc -ne 0 ]; then
		return $rc
	fi
	echo "$dir"
}

# dk_newest_cached [PKG]: the newest complete Debian kernel in the cache
dk_newest_cached() {
	local d
	ls -1dt "$(dk_vm_cache)"/linux-image-*/ 2>/dev/null | while read -r d; do
		[ -f "$d/.done" ] && [[ $(basename "$d") == "${1:-linux-image-}"* ]] &&
			{ echo "${d%/}"; break; }
	done
}

# dk_fetch_image PKG VERSION DIR: download, unpack and index one kernel
# package into DIR (77: apt could not download it)
dk_fetch_image() {
	local pkg=$1 ver=$2 dir=$3 cache
	cache=$(dk_vm_cache)
	(
		flock 9
		[ -f "$dir/.done" ] && exit 0
		dk_say "fetching $pkg $ver (once; cached in $dir)"
		rm -rf "$dir.part" && mkdir -p "$dir.part/x" || exit 1
		(cd "$dir.part" && apt-get -qq -o APT::Sandbox::User=root download "$pkg=$ver" >&2) ||
			{ dk_say "apt-get download $pkg=$ver failed"; rm -rf "$dir.part"; exit 77; }
		mv "$dir.part"/*.deb "$dir.part/pkg.deb" &&
			dpkg-deb -x "$dir.part/pkg.deb" "$dir.part/x" || exit 1
		local img rel
		img=$(ls "$dir.part"/x/boot/vmlinuz-* 2>/dev/null | head -1)
		[ -n "$img" ] || { dk_say "$pkg has no /boot/vmlinuz-*"; exit 1; }
		rel=${img##*/vmlinuz-}
		echo "$rel" > "$dir.part/release"
		cp "$img" "$dir.part/vmlinuz"
		cp "$dir.part/x/boot/config-$rel" "$dir.part/config" 2>/dev/null
		dk_bzimage_to_vmlinux "$dir.part/vmlinuz" "$dir.part/vmlinux" ||
			dk_say "no vmlinux unpacked from $pkg: the guest boots the bzImage"
		# merged /usr: newer packages put the modules under usr/lib
		local mods=$dir.part/x/lib/modules/$rel
		[ -d "$mods" ] || mods=$dir.part/x/usr/lib/modules/$rel
		[ -d "$mods" ] || { dk_say "$pkg has no modules for $rel"; exit 1; }
		# the indexes of the whole tree plus the module families the suite
		# loads; any other module is unpacked from pkg.deb when asked for
		depmod -b "${mods%/lib/modules/*}" "$rel" || { dk_say "depmod failed"; exit 1; }
		local keep=$dir.part/root/lib/modules/$rel sub
		mkdir -p "$keep" && cp "$mods"/modules.* "$keep/" || exit 1
		for sub in kernel/fs/fuse kernel/drivers/vfio kernel/drivers/iommu kernel/virt/lib; do
			[ -d "$mods/$sub" ] || continue
			mkdir -p "$keep/${sub%/*}" && cp -a "$mods/$sub" "$keep/$sub" || exit 1
		done
		[[ $mods == */usr/lib/* ]] && echo usr/lib > "$dir.part/modprefix"
		rm -rf "$dir.part/x"
		touch "$dir.part/.done"
		rm -rf "$dir" && mv "$dir.part" "$dir"
	) 9>"$cache/.lock"
}

# dk_module_files DIR PATH...: unpack module PATHs (relative to
# root/lib/modules/REL/ of image DIR) from its pkg.deb into the cache, in one
# pass over the package
dk_module_files() {
	local dir=$1 rel prefix=lib p members=()
	shift
	rel=$(cat "$dir/release")
	[ -f "$dir/modprefix" ] && prefix=$(cat "$dir/modprefix")
	for p in "$@"; do
		[ -f "$dir/root/lib/modules/$rel/$p" ] || members+=("./$prefix/modules/$rel/$p")
	done
	[ ${#members[@]} -gt 0 ] || return 0
	(
		flock 9
		dpkg-deb --fsys-tarfile "$dir/pkg.deb" |
			tar -x -C "$dir/root" --transform="s,^\\./$prefix/,./lib/," "${members[@]}"
	) 9>"$(dk_vm_cache)/.lock"
}

# dk_ensure_modules DIR MODULE...: unpack from pkg.deb of image DIR every
# module file MODULEs need (their modules.dep closure and soft
# dependencies) that the cache did not keep: kmod's modprobe wants the
# files of the whole closure present before it resolves anything.
dk_ensure_modules() {
	local dir=$1 rel md want=() n line p name pending
	shift
	rel=$(cat "$dir/release")
	md=$dir/root/lib/modules/$rel
	declare -A done=()
	pending=" $* "
	while [ -n "${pending// }" ]; do
		set -- $pending
		pending=
		for n in "$@"; do
			n=${n//-/_}
			[ -n "${done[$n]:-}" ] && continue
			done[$n]=1
			# 'kernel/x/NAME.ko[.xz]: dep dep ...' (names with - or _)
			line=$(awk -v n="$n" -F: '{ b = $1; sub(/.*\//, "", b); sub(/\.ko.*/, "", b);
				gsub(/-/, "_", b); if (b == n) { print; exit } }' "$md/modules.dep")
			[ -n "$line" ] || continue      # built in, or unknown: modprobe says
			for p in ${line/:/ }; do
				[ -f "$md/$p" ] || want+=("$p")
			done
			# soft dependencies: 'softdep NAME pre: a b post: c'
			for name in $(awk -v n="$n" '$1 == "softdep" { m = $2; gsub(/-/, "_", m);
				if (m == n) for (i = 3; i <= NF; i++) if ($i !~ /:$/) print $i }' \
				"$md/modules.softdep" 2>/dev/null); do
				pending+=" $name"
			done
		done
	done
	[ ${#want[@]} -eq 0 ] || dk_module_files "$dir" "${want[@]}"
}

# dk_built_kernels: the bzImages scripts/build-test-kernel.sh left in its
# cache, newest kernel version first
dk_built_kernels() {
	local d
	for d in "$(dk_kernel_cache)"/*/; do
		[ -f "$d/bzImage" ] && [ -f "$d/.done" ] && echo "${d%/}/bzImage"
	done | sort -rV
}

# dk_test_kernel: the kernel with iommufd for -R, in this order:
# $UIOMMUFD_TEST_KERNEL, the build cache (newest version, 6.19 or later), the reference
# kernel beside the repository (../shared/vm/ref-kernel/bzImage).  Prints its
# path; returns 77 with the command that builds one when there is none.
dk_test_kernel() {
	local root k v
	root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
	if [ -n "${UIOMMUFD_TEST_KERNEL:-}" ]; then
		[ -f "$UIOMMUFD_TEST_KERNEL" ] && { echo "$UIOMMUFD_TEST_KERNEL"; return 0; }
		dk_say "UIOMMUFD_TEST_KERNEL=$UIOMMUFD_TEST_KERNEL does not exist"
		return 1
	fi
	# The -R tests compare the daemon with the kernel of the ABI it
	# follows (6.19 and later: the VFIO cdev's token flag, FUSE over
	# io_uring, ...); an older built kernel answers otherwise.
	for k in $(dk_built_kernels); do
		v=${k%/bzImage}; v=${v##*/}
		if printf '%s\n' 6.19 "$v" | sort -C -V; then
			echo "$k"; return 0
		fi
		dk_say "not using the built $v kernel for -R: the reference tests need 6.19 or later"
	done
	k=$root/../shared/vm/ref-kernel/bzImage
	[ -f "$k" ] && { (cd -- "${k%/*}" && echo "$(pwd -P)/bzImage"); return 0; }
	dk_say "no kernel with iommufd: build one with '$root/scripts/build-test-kernel.sh 7.3' or set UIOMMUFD_TEST_KERNEL"
	return 77
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	PATH=$PATH:/usr/sbin:/sbin
	case ${1:-} in
	image) dk_image "${2:-}" ;;
	test-kernel) dk_test_kernel ;;
	apt-opts) [ $# -eq 2 ] || { dk_say "usage: $0 apt-opts SUITE"; exit 1; }
		dk_apt_opts "$2" ;;
	cache-dirs) dk_vm_cache; dk_kernel_cache ;;
	*) sed -n '4,/^# 1 for other/p' "$0" | sed 's/^# \{0,1\}//'; exit 1 ;;
	esac
fi
