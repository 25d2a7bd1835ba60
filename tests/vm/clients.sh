# SPDX-License-Identifier: GPL-2.0-or-later
# clients.sh: guest script (busybox sh in /opt, run by run-vm) that runs the
# integration clients against the daemon's CUSE node /dev/iommu, once per
# CUSE argument transport (process_vm_* and the ioctl retry protocol), as
# root and as an unprivileged user.  Every client in /opt named client_* is
# run; the daemon has the test interface and the /dev/vfio/vfio look-alike
# (the guest's own VFIO modules are unloaded first, so that the name is
# free); UIOMMUFD_ARGS adds daemon options.
#
# Also checks that the node goes away when the daemon stops and that a
# second start registers it again.

fail=0

. "$(dirname "$0")/guest-lib.sh"

# The /dev/vfio/vfio look-alike for client_vfio; under another name when the
# guest's own vfio module already owns /dev/vfio/vfio.
vfio_name=vfio/vfio
[ -e /dev/vfio/vfio ] && vfio_name=uiommufd-vfio

run_round() {
	transport=$1
	export UIOMMUFD_ARG_TRANSPORT=$transport
	./uiommufd --cuse --mode 0666 --arg-transport "$transport" --test-interface --device edu \
		--vfio-node=$vfio_name --status-socket none \
		--fdpass-socket /run/uiommufd/fdpass.sock ${UIOMMUFD_ARGS:-} 2>/tmp/daemon.log &
	dpid=$!
	export UIOMMUFD_DAEMON_PID=$dpid
	# client_access re-runs itself under the launcher for its fd cases.
	export UIOMMUFD_FDPASS_SOCKET=/run/uiommufd/fdpass.sock UIOMMUFD_EXEC=/opt/uiommufd-exec
	# Every emulated call is slow; the host runs the long fuzz.
	export UIOMMUFD_FUZZ_CALLS=1500
	if ! wait_for /dev/iommu 20; then
		echo "FAIL: /dev/iommu did not appear ($transport)"; cat /tmp/daemon.log
		fail=1; kill -9 $dpid; return
	fi
	wait_for /dev/$vfio_name 20 || { echo "FAIL: /dev/$vfio_name did not appear"; fail=1; }
	for c in ./client_*; do
		echo "=== $c, $transport transport, root"
		extra=
		[ "$c" = ./client_vfio ] && extra=/dev/$vfio_name
		$c /dev/iommu $extra || fail=1
	done
	# An unprivileged client: the daemon reaches its memory as root.
	echo "=== client_core, $transport transport, uid 1000"
	/usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups ./client_core /dev/iommu || fail=1
	kill -TERM $dpid
	wait $dpid || { echo "FAIL: daemon exited $? ($transport)"; fail=1; }
	if [ -e /dev/iommu ]; then
		echo "FAIL: /dev/iommu still there after the daemon stopped"; fail=1
	fi
	if [ "$vfio_name" = vfio/vfio ] && [ -e /dev/vfio/vfio ]; then
		echo "FAIL: /dev/vfio/vfio still there after the daemon stopped"; fail=1
	fi
	if grep -q 'ERROR' /tmp/daemon.log; then cat /tmp/daemon.log; fail=1; fi
}

[ -c /dev/cuse ] || { echo "SKIP: the guest has no /dev/cuse"; exit 77; }
modprobe -r vfio_pci vfio_pci_core vfio_iommu_type1 vfio 2>/dev/null
[ -e /dev/vfio/vfio ] && { echo "FAIL: cannot free /dev/vfio/vfio for the look-alike"; exit 1; }
run_round pvm
run_round retry
exit $fail
