# SPDX-License-Identifier: GPL-2.0-or-later
# edu-cuse.sh: guest script (Debian's 6.1 kernel: CUSE, no iommufd, no VFIO
# cdevs) for the daemon's CUSE nodes with a software edu device: client_edu
# against /dev/iommu and /dev/vfio/devices/uvfio0, once per CUSE argument
# transport; then a client killed in the middle of its DMA loop, after
# which `uiommufdctl status --json` must show no client, pin or binding and
# the next client must bind; then the demo (those two with the default
# transport only); then a node with a per-device policy (policy_round).
# The same client_edu passes
# against the kernel's own iommufd and vfio-pci (edu-ref.sh).
fail=0
sock=/run/uiommufd/status.sock
dev=/dev/vfio/devices/uvfio0

. "$(dirname "$0")/guest-lib.sh"

run_round() {
	transport=$1
	export UIOMMUFD_ARG_TRANSPORT=$transport
	mkdir -p /run/uiommufd
	./uiommufd --cuse --mode 0666 --arg-transport "$transport" --device edu \
		--status-socket $sock 2>/tmp/daemon.log &
	dpid=$!
	if ! wait_for /dev/iommu 20 || ! wait_for $dev 20; then
		echo "FAIL: /dev/iommu or $dev did not appear ($transport)"; cat /tmp/daemon.log
		fail=1; kill -9 $dpid; return
	fi
	wait_for $sock 20
	echo "=== client_edu, $transport transport"
	./client_edu /dev/iommu $dev || fail=1
	# the rest does not depend on the transport: once is enough under TCG
	[ "$transport" = pvm ] || { stop_daemon; return; }

	echo "=== a client killed mid-DMA, $transport transport"
	loop_start /dev/iommu $dev
	loop_kill "ok: no client, mapping, pin or binding left"
	edu_again /dev/iommu $dev

	echo "=== the demo, $transport transport"
	./demo_client /dev/iommu $dev -- ./uiommufdctl --socket $sock status || fail=1
	stop_daemon
}

stop_daemon() {
	kill -TERM $dpid
	wait $dpid || { echo "FAIL: daemon exited $? ($transport)"; fail=1; }
	[ -e $dev ] && { echo "FAIL: $dev still there after the daemon stopped"; fail=1; }
	if grep -q 'ERROR' /tmp/daemon.log; then cat /tmp/daemon.log; fail=1; fi
}

# Per-device policy on a CUSE node (docs/devices.md, "Who may use a
# device"): its mode on disk, a chmod/chown by someone else put back (and
# a chmod of /dev/iommu), and
# a node with the same numbers made elsewhere with 0666, whose open by a
# uid outside the group the daemon itself refuses (EACCES), while a member
# opens both.
# By path: busybox's own setpriv (the shell's choice) has no --reuid.
as_uid() { /usr/bin/setpriv --reuid=1000 --regid=1000 "$@"; }
# put_back NODE "UID GID MODE": the daemon makes NODE so within 10 s.
put_back() {
	i=0
	until [ "$(stat -c '%u %g %a' $1)" = "$2" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "FAIL: $1 stays $(stat -c '%u %g %a' $1)"; fail=1; return 1; }
		sleep 0.1
	done
}
policy_round() {
	echo "=== per-device policy on CUSE"
	transport=pvm
	copy=/dev/uvfio-policy-copy
	./uiommufd --cuse --mode 0666 --device edu,owner=0,group=4242,mode=0660 \
		--status-socket $sock 2>/tmp/daemon.log &
	dpid=$!
	if ! wait_for $dev 20; then
		echo "FAIL: $dev did not appear"; cat /tmp/daemon.log
		fail=1; kill -9 $dpid; return
	fi
	wait_for $sock 20
	got=$(stat -c '%u %g %a' $dev)
	[ "$got" = "0 4242 660" ] && echo "ok: $dev is $got" ||
		{ echo "FAIL: $dev is $got, want 0 4242 660"; fail=1; }
	chmod 0666 $dev
	chown 1000:1000 $dev
	put_back $dev "0 4242 660" &&
		echo "ok: a chmod and chown of $dev were put back"
	# The iommufd node is kept too: --mode, its ids as the start left them.
	want=$(stat -c '%u %g' /dev/iommu)
	chmod 0600 /dev/iommu
	put_back /dev/iommu "$want 666" &&
		echo "ok: a chmod of /dev/iommu was put back"
	set -- $(stat -c '%t %T' $dev)
	rm -f $copy
	mknod -m 0666 $copy c $((0x$1)) $((0x$2))
	as_uid --groups=4242 sh -c "exec 3<>$copy" &&
		as_uid --groups=4242 sh -c "exec 3<>$dev" &&
		echo "ok: a member of the group opens the node and the copy" ||
		{ echo "FAIL: a member of the group could not open"; fail=1; }
	err=$(as_uid --clear-groups sh -c "exec 3<>$copy" 2>&1) &&
		{ echo "FAIL: uid 1000 outside the group opened the 0666 copy"; fail=1; }
	if echo "$err" | grep -q 'Permission denied' &&
		grep -q 'refused (EACCES)' /tmp/daemon.log; then
		echo "ok: the 0666 copy is refused by the daemon (EACCES)"
	else
		echo "FAIL: the copy's open: $err"; cat /tmp/daemon.log; fail=1
	fi
	err=$(as_uid --clear-groups sh -c "exec 3<>$dev" 2>&1) &&
		{ echo "FAIL: uid 1000 outside the group opened $dev"; fail=1; }
	rm -f $copy
	./uiommufdctl --socket $sock status | tail -2
	./uiommufdctl --socket $sock status | grep -q ' 0660$' ||
		{ echo "FAIL: status does not show the device's mode"; fail=1; }
	stop_daemon
}

[ -c /dev/cuse ] || { echo "SKIP: the guest has no /dev/cuse"; exit 77; }
./uiommufd --help 2>&1 | grep -q -- '--device' ||
	{ echo "SKIP: this daemon has no --device (no VFIO device layer)"; exit 77; }
run_round pvm
run_round retry
if [ -x /usr/bin/setpriv ]; then
	policy_round
else
	echo "note: no util-linux setpriv in the guest: the per-device policy round is not run"
fi
[ $fail -eq 0 ] && echo "edu-cuse: ok"
exit $fail
