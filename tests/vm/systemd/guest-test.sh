#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The vm-systemd test inside the guest (Debian 12, systemd as PID 1), run
# from the test disk by vmtest-run.  The disk holds the package, this
# script, unit_real.sh and the build's programs under bin/.
#   1. dpkg -i: the unit is enabled and started by the maintainer scripts
#   2. systemctl restart returns after READY=1: the node exists then, with
#      the unit's mode and owner, and uiommufdctl status answers
#   3. the watchdog: the daemon pings it; a daemon that stops pinging (SIGSTOP)
#      is killed and restarted by systemd
#   4. at log level debug (a reload after editing the environment file) each
#      ioctl has its journal line at priority debug; at info none has
#   5. systemctl stop with a client holding pins: every pin released (the
#      daemon's locked memory back to its baseline), the client's next
#      ioctl fails instead of hanging, the node and socket are gone
#   6. tests/service/unit_real.sh with the build's daemon: passes (not 77)
#   7. dpkg --purge of a running service: stopped, nothing left but what
#      policy allows
set -u
T=$(pwd)
B=$T/bin
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL: $*"; fail=1; }
die() {
	echo "FAIL: $*"
	systemctl status --no-pager uiommufd 2>&1 | head -20
	journalctl -u uiommufd --no-pager -n 40
	exit 1
}
# wait_for SECS CMD...: until CMD succeeds, checking once a second (each
# check costs emulated CPU); the bounds are generous, never a timing
# assertion
wait_for() {
	local end=$(($(date +%s) + $1)); shift
	until "$@"; do
		[ "$(date +%s)" -lt $end ] || return 1
		sleep 1
	done
}
prop() { systemctl show -P "$1" uiommufd.service; }
echo "guest: Linux $(uname -r), PID 1 is $(cat /proc/1/comm), $(systemctl is-system-running)"
[ "$(cat /proc/1/comm)" = systemd ] || { echo "FAIL: PID 1 is not systemd"; exit 1; }

# Every path on the root file system but the volatile and the bookkeeping
# ones; compared before install and after purge.
snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run \
		-o -path /tmp -o -path /mnt -o -path /var/lib/dpkg -o -path /var/log \
		-o -path /var/cache -o -path /var/tmp -o -path /var/lib/systemd/deb-systemd-helper-masked \) \
		-prune -o -print | sort
}
snapshot > /tmp/before

# ------------------------------------------------------------ install --
deb=$(ls "$T"/uiommufd_*.deb)
dpkg -i "$deb" > /tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; die "dpkg -i"; }
ok "dpkg -i ${deb##*/}"
[ "$(systemctl is-enabled uiommufd)" = enabled ] || bad "not enabled after install"
wait_for 30 systemctl is-active -q uiommufd || die "not started by the package's postinst"
ok "enabled and started by the maintainer scripts ($(prop StatusText))"

# ------------------------------------------------------------- ready --
[ "$(prop Type)" = notify ] || bad "Type is $(prop Type), not notify"
systemctl restart uiommufd || die "systemctl restart"
# restart returned: systemd had READY=1, so the node must exist now
[ -c /dev/iommu ] || die "/dev/iommu not there when systemctl restart returned (READY=1)"
perm=$(stat -c '%a %U %G' /dev/iommu)
[ "$perm" = "660 root root" ] || bad "/dev/iommu is $perm, the unit says 660 root root"
ok "READY=1 with /dev/iommu ($perm), status: $(prop StatusText)"
out=$(uiommufdctl status 2>&1) || { echo "$out"; die "uiommufdctl status"; }
echo "$out" | sed 's/^/     /'
grep -q '/dev/iommu' <<<"$out" || bad "uiommufdctl status does not name /dev/iommu"
ok "uiommufdctl status"

# ---------------------------------------------------------- watchdog --
[ "$(prop WatchdogUSec)" = 20s ] || bad "WatchdogUSec is $(prop WatchdogUSec), the unit says 20s"
w0=$(prop WatchdogTimestampMonotonic)
pinged() { w=$(prop WatchdogTimestampMonotonic); [ "$w" != 0 ] && [ "$w" != "$w0" ]; }
wait_for 30 pinged && ok "watchdog pinged (WatchdogTimestamp $w0 -> $w)" ||
	bad "no watchdog ping in 30 s"
# a daemon that stops pinging is killed and restarted
mkdir -p /run/systemd/system/uiommufd.service.d
printf '[Service]\nWatchdogSec=5s\nTimeoutAbortSec=5s\n' > /run/systemd/system/uiommufd.service.d/wd.conf
systemctl daemon-reload && systemctl restart uiommufd || die "restart with WatchdogSec=5s"
n0=$(prop NRestarts) pid=$(prop MainPID)
kill -STOP "$pid"
restarted() { [ "$(prop NRestarts)" -gt "$n0" ] && [ "$(prop MainPID)" != "$pid" ] &&
	[ "$(prop MainPID)" != 0 ] && systemctl is-active -q uiommufd; }
if wait_for 120 restarted; then
	ok "a stopped daemon (SIGSTOP) was restarted by the watchdog"
else
	bad "SIGSTOP-ed daemon not restarted within 120 s"
	kill -CONT "$pid" 2>/dev/null
fi
journalctl -u uiommufd --no-pager -o cat | grep -qi 'watchdog timeout' ||
	bad "the journal has no 'Watchdog timeout' line"
rm -rf /run/systemd/system/uiommufd.service.d
systemctl daemon-reload && systemctl restart uiommufd || die "restart after the watchdog test"

# ---------------------------------------------- per-ioctl debug lines --
conf=/etc/uiommufd/uiommufd.conf
cp "$conf" /tmp/conf.orig
demo() { "$B/demo_client" /dev/iommu > /tmp/demo.log 2>&1 & dpid=$!; wait $dpid; }
demo || { cat /tmp/demo.log; bad "demo_client at level info"; }
info_pid=$dpid
echo 'UIOMMUFD_LOG_LEVEL=debug' >> "$conf"
systemctl reload uiommufd || die "systemctl reload"
demo || { cat /tmp/demo.log; bad "demo_client at level debug"; }
debug_lines() { journalctl -u uiommufd -p debug..debug --no-pager -o cat | grep -E "^IOAS_ALLOC pid $1: [0-9]+$"; }
if wait_for 20 debug_lines "$dpid" > /dev/null; then
	ok "journal at debug: $(debug_lines "$dpid" | head -1) ($(journalctl -u uiommufd -p debug..debug -o cat | grep -c " pid $dpid: ") lines for the client)"
else
	bad "no 'IOAS_ALLOC pid $dpid' line at priority debug"
	journalctl -u uiommufd --no-pager -n 20 -o cat
fi
debug_lines "$info_pid" > /dev/null && bad "ioctl lines at level info"
cp /tmp/conf.orig "$conf"

# --------------------------------------------- stop releases the pins --
echo 'UIOMMUFD_OPTIONS=--test-interface' >> "$conf"
systemctl restart uiommufd || die "restart with --test-interface"
mpid=$(prop MainPID)
vmlck() { awk '/^VmLck:/ { print $2 * 1024 }' "/proc/$1/status"; }
base=$(vmlck "$mpid")
mkfifo /tmp/client.in
"$B/svc_client" /dev/iommu 1 --mock --map 4194304 < /tmp/client.in > /tmp/client.out 2>&1 &
cpid=$!
exec 7> /tmp/client.in
wait_for 30 grep -q '^ready' /tmp/client.out || { cat /tmp/client.out; die "svc_client not ready"; }
held=$(vmlck "$mpid")
pinned=$(uiommufdctl status --json | tr -d ' \n' | sed -n 's/.*"totals":{.*"pinned_bytes":\([0-9]*\).*/\1/p')
echo "     $(head -1 /tmp/client.out); daemon VmLck $base -> $held, pinned ${pinned:-?}"
[ "${pinned:-0}" -gt 0 ] || bad "the client's mapping is not pinned (pinned_bytes ${pinned:-none})"
[ "$held" -gt "$base" ] || bad "the daemon's locked memory did not grow with the pins"
since=$(date '+%Y-%m-%d %H:%M:%S')
systemctl stop uiommufd || bad "systemctl stop"
[ "$(prop Result)" = success ] || bad "stop result $(prop Result)"
line=$(journalctl -u uiommufd --since "$since" --no-pager -o cat | grep 'stopped: every context released')
[ -n "$line" ] || bad "no 'stopped: every context released' line"
left=$(sed -n 's/.*released, \([0-9]*\) bytes locked.*/\1/p' <<<"$line")
[ "${left:-x}" = "$base" ] || bad "locked memory at the stop ${left:-?}, baseline $base"
[ -e /dev/iommu ] && bad "/dev/iommu left after stop"
[ -e /run/uiommufd/status.sock ] && bad "status socket left after stop"
echo probe >&7
wait_for 30 grep -q '^probe' /tmp/client.out || bad "the client's probe hung"
grep -q '^probe OK' /tmp/client.out || { bad "client after the stop: $(grep '^probe' /tmp/client.out)"; }
echo exit >&7
exec 7>&-
wait $cpid
[ $fail -eq 0 ] && ok "stop with a client holding pins: ${left:-?} bytes locked at exit (baseline $base), client probe OK"
cp /tmp/conf.orig "$conf"

# ------------------------------------------------------ unit_real.sh --
bash "$T/unit_real.sh" "$B/uiommufd" "$B/uiommufdctl" "$B/uiommufd.service"
rc=$?
[ $rc -eq 0 ] && ok "unit_real.sh passed" || bad "unit_real.sh exited $rc"

# ------------------------------------------------------------- purge --
systemctl start uiommufd || bad "start before purge"
dpkg --purge uiommufd > /tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; bad "dpkg --purge"; }
pgrep -x uiommufd > /dev/null && bad "a uiommufd process runs after purge"
[ -e /dev/iommu ] && bad "/dev/iommu after purge"
[ "$(systemctl show -P LoadState uiommufd.service)" = not-found ] ||
	bad "unit still loaded after purge: $(systemctl show -P LoadState uiommufd.service)"
snapshot > /tmp/after
extra=$(comm -13 /tmp/before /tmp/after)
# Policy allows what other packages' tools keep (deb-systemd-helper's
# state directory, created by the first enable of any package).
unexpected=$(grep -v -x -e '/var/lib/systemd/deb-systemd-helper-enabled' <<<"$extra" | grep -v '^$')
if [ -n "$unexpected" ]; then
	bad "left after purge:"; echo "$unexpected" | sed 's/^/     /'
else
	ok "purged: nothing left${extra:+ but $extra}"
fi
exit $fail
