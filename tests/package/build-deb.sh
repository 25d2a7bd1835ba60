#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds uiommufd_*.deb with `dpkg-buildpackage -b -us -uc` from a copy of
# the source tree, so the tree itself never gets debian/uiommufd, obj-* or
# ../*.deb.  The result is kept, keyed by a hash of the sources: a second
# call with the same sources (the package test, then the VM test) only
# prints the path.
#   build-deb.sh OUTDIR          prints OUTDIR/<hash>/uiommufd_<version>_<arch>.deb
# DEB_BUILD_OPTIONS is passed through (nocheck skips the unit tests).
# Exit: 0 built; 77 the packaging tools are missing (one line says which);
# 1 the build failed (its log is printed).
set -u
out=$1
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
missing=()
for t in dpkg-buildpackage dh dpkg-architecture; do
	command -v "$t" >/dev/null || missing+=("$t")
done
[ ${#missing[@]} -eq 0 ] ||
	{ echo "SKIP: no ${missing[*]} (apt-get install dpkg-dev debhelper; scripts/deps.sh: uiommufd_install_pkg_deps)"; exit 77; }

# The files a clean clone has: git's list where there is one (untracked but
# not ignored files included, so uncommitted work is packaged too).
list=$(mktemp) || exit 1
trap 'rm -f "$list"' EXIT
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$root" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -f "$root/$f" ] && printf '%s\0' "$f"; done > "$list"
else
	(cd "$root" && find . -path './build*' -prune -o -path './obj-*' -prune -o \
		-path ./.git -prune -o -type f -printf '%P\0') > "$list"
fi
hash=$( (cd "$root" && sort -z "$list" | xargs -0 sha256sum; echo "${DEB_BUILD_OPTIONS:-}") |
	sha256sum | cut -c1-16)
dest=$out/$hash
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$root/debian/changelog")
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$dest/uiommufd_${version}_${arch}.deb
if [ -f "$deb" ]; then
	echo "$deb"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-deb.XXXXXX") || exit 1
trap 'rm -f "$list"; rm -rf "$work"' EXIT
mkdir "$work/src"
(cd "$root" && tar -c --null -T "$list") | tar -x -C "$work/src" || exit 1
if ! (cd "$work/src" && nice -n 10 dpkg-buildpackage -b -us -uc) > "$work/log" 2>&1; then
	echo "FAIL: dpkg-buildpackage -b -us -uc:"
	tail -n 60 "$work/log"
	exit 1
fi
mkdir -p "$dest" || exit 1
cp "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$dest/" || exit 1
cp "$work/log" "$dest/build.log"
[ -f "$deb" ] || { echo "FAIL: no $deb after the build (built: $(ls "$work"))"; exit 1; }
# packages of older sources are not asked for again
for d in "$out"/*/; do [ "${d%/}" = "$dest" ] || rm -rf "${d%/}"; done
echo "$deb"
