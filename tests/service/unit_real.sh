#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Starts the unit for real: systemctl start, the node appears and answers
# uiommufdctl, reload works, systemctl stop removes the node.  Needs systemd
# as PID 1, root and /dev/cuse; skips (77) saying which is missing.
#   unit_real.sh UIOMMUFD UIOMMUFDCTL UNIT_FILE
#
# It runs the built binary (not an installed one) under the unit's own
# settings, as uiommufd-test.service with node /dev/uiommufd-test and its
# own status socket, so it does not disturb an installed uiommufd.
set -u
daemon=$1 ctl=$2 unit=$3
[ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] ||
	{ echo "SKIP: PID 1 is $(cat /proc/1/comm 2>/dev/null), not systemd: cannot start a unit here"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: starting a system unit needs root"; exit 77; }
[ -c /dev/cuse ] || modprobe cuse 2>/dev/null
[ -c /dev/cuse ] || { echo "SKIP: no /dev/cuse (CUSE) on this kernel"; exit 77; }

name=uiommufd-test
dir=/run/systemd/system
sock=/run/$name/status.sock
cleanup() {
	systemctl stop $name.service 2>/dev/null
	rm -rf "$dir/$name.service" "$dir/$name.service.d"
	systemctl daemon-reload
}
trap cleanup EXIT
# ProtectHome=/ProtectSystem= would hide a build tree under /home or /work
# from the service; the binary is copied to /run, which stays visible.
install -D -m 0755 "$daemon" "/run/$name/bin/uiommufd"
sed -e "s#^ExecStart=[^ ]*#ExecStart=/run/$name/bin/uiommufd#" \
    -e "s#^RuntimeDirectory=.*#RuntimeDirectory=$name#" \
    -e "s#/run/uiommufd/status.sock#$sock#" "$unit" > "$dir/$name.service"
mkdir -p "$dir/$name.service.d"
printf '[Service]\nEnvironment=UIOMMUFD_NODE=%s\nRuntimeDirectoryPreserve=yes\n' "$name" \
	> "$dir/$name.service.d/test.conf"
systemctl daemon-reload
fail() { echo "FAIL: $*"; systemctl status --no-pager $name.service; journalctl -u $name.service --no-pager -n 50; exit 1; }

systemctl start $name.service || fail "systemctl start"
[ -c /dev/$name ] || fail "/dev/$name did not appear by READY=1"
echo "ok   started; $(systemctl show -P StatusText $name.service)"
"$ctl" --socket "$sock" status || fail "uiommufdctl status"
systemctl reload $name.service || fail "systemctl reload"
systemctl is-active -q $name.service || fail "not active after reload"
systemctl stop $name.service || fail "systemctl stop"
[ "$(systemctl show -P Result $name.service)" = success ] || fail "stop result not success"
[ -e /dev/$name ] && fail "/dev/$name left behind"
echo "ok   stopped cleanly, node removed"
rm -rf "/run/$name"
