#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# runner-check.sh: checks run-vm's own contract from the host, with one real
# boot: the guest script's status comes back as run-vm's and in its -S file,
# -E reaches the script, the default modules are loaded, vfio-bind hands the
# edu device to vfio-pci, /out comes back with -o, and a line the script
# prints that looks like the init's report changes nothing.  Without a boot:
# a usage error is 2 and a time limit hit is 124.
#
#   runner-check.sh   (meson: suite vm; skips (77) where run-vm cannot run)
set -u

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
run_vm=$here/run-vm
tmp=$(mktemp -d "${TMPDIR:-/tmp}/runner-check.XXXXXX") || exit 99
trap 'rm -rf -- "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# -- no boot: usage error
"$run_vm" -Q x >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || bad "an unknown option gave $rc, not 2"
"$run_vm" "$tmp/no-such-script" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || bad "a missing script gave $rc, not 2"

# -- one boot
cat > "$tmp/guest.sh" <<'GUEST'
ok=0
no() { echo "guest FAIL: $*"; ok=1; }
[ "$CHECK_VAR" = "a b" ] || no "-E did not reach the script: '$CHECK_VAR'"
[ -c /dev/cuse ] || no "no /dev/cuse"
[ -c /dev/vfio/vfio ] || no "no /dev/vfio/vfio"
set -- $(vfio-bind 1234:11e8)
[ $# -eq 2 ] || no "vfio-bind printed '$*'"
[ -c "/dev/vfio/$2" ] || no "no /dev/vfio/$2 after vfio-bind"
[ "$(basename "$(readlink "/sys/bus/pci/devices/$1/driver")")" = vfio-pci ] ||
	no "$1 is not bound to vfio-pci"
[ "$(id -u)" = 0 ] || no "not root"
echo "from the guest" > /out/result
# looks like a report, but on the console: must be ignored
echo "status 0000000000000000 0"
[ $ok -eq 0 ] || exit 1
exit 42
GUEST
"$run_vm" -i -t 300 -E 'CHECK_VAR=a b' -o "$tmp/out" -S "$tmp/status" "$tmp/guest.sh" \
	> "$tmp/log" 2>&1
rc=$?
cat "$tmp/log"
case $rc in
3) echo "SKIP: $(grep '^run-vm: cannot run here' "$tmp/log" | tail -1)"; exit 77 ;;
42) ;;
*) bad "run-vm exited $rc, not the script's 42" ;;
esac
[ "$(cat "$tmp/status" 2>/dev/null)" = 42 ] || bad "the -S file holds '$(cat "$tmp/status" 2>/dev/null)', not 42"
[ "$(cat "$tmp/out/result" 2>/dev/null)" = "from the guest" ] || bad "/out did not come back"

# -- a time limit hit before the guest can be up
"$run_vm" -t 1 "$tmp/guest.sh" > "$tmp/log" 2>&1; rc=$?
[ $rc -eq 124 ] || { cat "$tmp/log"; bad "a time limit of 1 s gave $rc, not 124"; }

[ $fail -eq 0 ] && echo "runner-check: ok"
exit $fail
