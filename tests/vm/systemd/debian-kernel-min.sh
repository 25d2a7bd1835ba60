#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The least the vm-systemd test needs of Debian's kernel package, for when
# tests/vm/debian-kernel.sh (the vm suite's own fetcher) is not in the tree:
# the package linux-image-amd64 depends on, fetched with apt-get download
# into CACHE/<package>_<version>/ as pkg.deb, vmlinuz and release.
#   debian-kernel-min.sh CACHE       prints that directory
# Exit: 0; 77 apt cannot name or fetch it (reason on stderr); 1 otherwise.
set -u
cache=$1
say() { echo "debian-kernel-min: $*" >&2; }
read -r pkg ver < <(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
	sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*\) (= \([^)]*\)).*/\1 \2/p' | head -1)
if [ -z "${ver:-}" ]; then
	# no apt lists: the newest complete download, if any
	dir=$(ls -1dt "$cache"/linux-image-*/ 2>/dev/null | while read -r d; do
		[ -f "$d/.done" ] && { echo "${d%/}"; break; }; done)
	[ -n "$dir" ] && { echo "$dir"; exit 0; }
	say "apt knows no linux-image-amd64: run apt-get update"
	exit 77
fi
dir=$cache/${pkg}_${ver//:/%}
[ -f "$dir/.done" ] && { echo "$dir"; exit 0; }
mkdir -p "$cache" || exit 1
exec 9>"$cache/.lock"
flock 9
[ -f "$dir/.done" ] && { echo "$dir"; exit 0; }
rm -rf "$dir.part" && mkdir -p "$dir.part" || exit 1
(cd "$dir.part" && apt-get -qq -o APT::Sandbox::User=root download "$pkg=$ver" >&2) ||
	{ say "apt-get download $pkg=$ver failed"; exit 77; }
mv "$dir.part"/*.deb "$dir.part/pkg.deb" || exit 1
dpkg-deb --fsys-tarfile "$dir.part/pkg.deb" | tar -x -C "$dir.part" --wildcards './boot/vmlinuz-*' || exit 1
img=$(ls "$dir.part"/boot/vmlinuz-* | head -1)
[ -n "$img" ] || { say "$pkg has no /boot/vmlinuz-*"; exit 1; }
echo "${img##*/vmlinuz-}" > "$dir.part/release"
mv "$img" "$dir.part/vmlinuz" && rm -rf "$dir.part/boot" || exit 1
touch "$dir.part/.done"
rm -rf "$dir" && mv "$dir.part" "$dir" && echo "$dir"
