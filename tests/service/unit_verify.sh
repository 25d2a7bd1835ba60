#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the project into a staging directory (meson install --destdir)
# and checks what a package would ship: systemd-analyze verify on the
# installed unit, the man pages, the environment file, the tools.
#   unit_verify.sh BUILD_ROOT
#
# verify resolves ExecStart= on this machine, where the staged binary is not
# at its installed path; so it checks a copy of the unit whose command paths
# point into the staging directory (nothing else changes).  The Documentation=
# man pages are looked up with MANPATH set to the staged man directory, so
# this also proves they install.
set -u
build=$1
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
stage=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

if ! out=$(meson install -C "$build" --destdir "$stage" --no-rebuild 2>&1); then
	echo "meson install failed:"; echo "$out"; exit 1
fi
unit=$(find "$stage" -name uiommufd.service -path '*systemd/system/*' | head -1)
[ -n "$unit" ] || { echo "FAIL: no uiommufd.service installed under */systemd/system/"; exit 1; }
echo "installed ${unit#"$stage"}"
rc=0
for f in bin/uiommufdctl sbin/uiommufd; do
	[ -n "$(find "$stage" -path "*/$f" -type f -perm -u+x)" ] || { echo "FAIL: $f not installed"; rc=1; }
done
[ -n "$(find "$stage" -path '*/uiommufd/uiommufd.conf')" ] || { echo "FAIL: no environment file installed"; rc=1; }
[ -n "$(find "$stage" -path '*/modules-load.d/uiommufd.conf')" ] || { echo "FAIL: no modules-load.d file"; rc=1; }
man_args=(--man=no)
if command -v scdoc >/dev/null; then
	for p in uiommufd.8 uiommufdctl.8; do
		[ -n "$(find "$stage" -path "*/man8/$p")" ] || { echo "FAIL: man page $p not installed"; rc=1; }
	done
	if command -v man >/dev/null; then
		export MANPATH=$(dirname "$(dirname "$(find "$stage" -path '*/man8/uiommufd.8' | head -1)")")
		man_args=(--man=yes)
	fi
else
	echo "note: no scdoc, man pages not checked"
fi

# The copy for verify: installed paths (prefix/sbin/...) -> staged paths.
exec_path=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
staged_bin=$stage$exec_path
[ -x "$staged_bin" ] || { echo "FAIL: ExecStart= $exec_path is not what was installed"; exit 1; }
mkdir -p "$stage/verify"
sed "s#^ExecStart=$exec_path#ExecStart=$staged_bin#" "$unit" > "$stage/verify/uiommufd.service"
out=$(systemd-analyze verify "${man_args[@]}" "$stage/verify/uiommufd.service" 2>&1)
vrc=$?
# Lines about other units (the host's own) are not ours to judge.
mine=$(printf '%s\n' "$out" | grep -i 'uiommufd' || true)
if [ $vrc -ne 0 ] || [ -n "$mine" ]; then
	echo "FAIL: systemd-analyze verify (status $vrc):"; printf '%s\n' "$out"; rc=1
else
	echo "ok   systemd-analyze verify ${man_args[*]}: clean"
fi
if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
	score=$(systemd-analyze security --offline=true "$stage/verify/uiommufd.service" 2>&1 | tail -1)
	echo "     $score"
fi
exit $rc
