#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package, on this host: builds it (build-deb.sh, cached by the
# sources' hash), runs lintian (an error fails; warnings are printed), and
# checks what it ships and that its maintainer scripts enable and start the
# unit the Debian way.  Installing, starting under systemd and purging need
# systemd as PID 1: tests/vm/systemd-real.sh does those in a guest.
#   package.sh OUTDIR
# The package is built with DEB_BUILD_OPTIONS=nocheck unless the caller sets
# DEB_BUILD_OPTIONS: the unit suite it would run is run by meson anyway.
set -u
out=$1
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck}
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
deb=$("$here/build-deb.sh" "$out")
rc=$?
[ $rc -eq 0 ] || { echo "$deb"; exit $rc; }
echo "built ${deb#"$out/"}"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

contents=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's#^\./#/#')
for f in /usr/sbin/uiommufd /usr/bin/uiommufdctl /usr/bin/uiommufd-exec \
	 /etc/uiommufd/uiommufd.conf /usr/lib/modules-load.d/uiommufd.conf \
	 /usr/share/man/man8/uiommufd.8.gz /usr/share/man/man8/uiommufdctl.8.gz \
	 /usr/share/man/man1/uiommufd-exec.1.gz /usr/share/doc/uiommufd/copyright; do
	grep -qx -- "$f" <<<"$contents" || bad "$f not in the package"
done
# the private-memory shim, where uiommufd-exec --shared-anon looks for it
grep -qE '^/usr/lib/([^/]+/)?uiommufd/libuiommufd-shared-anon\.so$' <<<"$contents" ||
	bad "libuiommufd-shared-anon.so not in the package"
grep -qE '^/(usr/)?lib/systemd/system/uiommufd\.service$' <<<"$contents" ||
	bad "no uiommufd.service under /lib/systemd/system"
[ "$(dpkg-deb -f "$deb" Package)" = uiommufd ] || bad "package name"
ctl=$(mktemp -d) || exit 1
trap 'rm -rf "$ctl"' EXIT
dpkg-deb -e "$deb" "$ctl"
grep -qx /etc/uiommufd/uiommufd.conf "$ctl/conffiles" 2>/dev/null ||
	bad "/etc/uiommufd/uiommufd.conf is not a conffile"
grep -q "deb-systemd-helper.*enable.*uiommufd.service" "$ctl/postinst" 2>/dev/null ||
	bad "postinst does not enable uiommufd.service"
grep -q "deb-systemd-invoke.*start.*uiommufd.service" "$ctl/postinst" 2>/dev/null ||
	bad "postinst does not start uiommufd.service"
grep -q "deb-systemd-helper purge.*uiommufd.service" "$ctl/postrm" 2>/dev/null ||
	bad "postrm does not purge the unit's enablement state"
[ $fail -eq 0 ] && echo "ok   contents, conffile, maintainer scripts"

if command -v lintian >/dev/null; then
	changes=$(ls "$(dirname "$deb")"/*.changes | head -1)
	# root is what CI runs as; lintian only says it is not recommended
	lint=$(lintian --allow-root --no-tag-display-limit "$changes" 2>&1)
	errors=$(grep '^E:' <<<"$lint")
	warnings=$(grep '^W:' <<<"$lint")
	[ -z "$warnings" ] || { echo "lintian warnings:"; echo "$warnings"; }
	if [ -n "$errors" ]; then
		bad "lintian errors:"; echo "$errors"
	else
		echo "ok   lintian: no errors ($(grep -c '^W:' <<<"$lint") warnings)"
	fi
else
	echo "note: no lintian (apt-get install lintian): not checked"
fi
exit $fail
