# SPDX-License-Identifier: GPL-2.0-or-later
# edu-cuse.sh: guest script (Debian's 6.1 kernel: CUSE, no iommufd, no VFIO
# cdevs) for the daemon's CUSE nodes with a software edu device: client_edu
# against /dev/iommu and /dev/vfio/devices/uvfio0, once per CUSE argument
# transport; then a client killed in the middle of its DMA loop, after
# which `uiommufdctl status --json` must show no client, pin or binding and
# the next client must bind; then the demo.  The same client_edu passes
# against the kernel's own iommufd and vfio-pci (edu-ref.sh).
fail=0
sock=/run/uiommufd/status.sock
dev=/dev/vfio/devices/uvfio0

wait_for() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ "$i" -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
}

# The status totals and devices, as one line of JSON text to grep.
leftovers() {
	j=$(./uiommufdctl --socket $sock status --json | tr -d ' \n')
	t=$(echo "$j" | grep -o '"totals":{[^}]*}')
	for k in clients ioas areas mapped_bytes pinned_bytes; do
		echo "$t" | grep -q "\"$k\":0[,}]" || echo "$k"
	done
	echo "$j" | grep -q '"bound":true' && echo "a device still bound"
}

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

	echo "=== a client killed mid-DMA, $transport transport"
	./client_edu /dev/iommu $dev loop >/tmp/loop.out 2>&1 &
	lpid=$!
	i=0
	until grep -q looping /tmp/loop.out; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $lpid 2>/dev/null; then
			echo "FAIL: the looping client did not start"; cat /tmp/loop.out
			fail=1; break
		fi
		sleep 0.1
	done
	sleep 0.5
	./uiommufdctl --socket $sock status
	kill -KILL $lpid
	wait $lpid 2>/dev/null
	i=0
	while [ -n "$(leftovers)" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "FAIL: left behind: $(leftovers)"
			./uiommufdctl --socket $sock status; fail=1; break
		fi
		sleep 0.1
	done
	[ $i -le 100 ] && echo "ok: no client, mapping, pin or binding left"
	./client_edu /dev/iommu $dev >/tmp/again.out 2>&1 || { cat /tmp/again.out; fail=1; }
	tail -1 /tmp/again.out

	echo "=== the demo, $transport transport"
	./demo_client /dev/iommu $dev -- ./uiommufdctl --socket $sock status || fail=1

	kill -TERM $dpid
	wait $dpid || { echo "FAIL: daemon exited $? ($transport)"; fail=1; }
	[ -e $dev ] && { echo "FAIL: $dev still there after the daemon stopped"; fail=1; }
	if grep -q 'ERROR' /tmp/daemon.log; then cat /tmp/daemon.log; fail=1; fi
}

[ -c /dev/cuse ] || { echo "SKIP: the guest has no /dev/cuse"; exit 77; }
./uiommufd --help 2>&1 | grep -q -- '--device' ||
	{ echo "SKIP: this daemon has no --device (no VFIO device layer)"; exit 77; }
run_round pvm
run_round retry
[ $fail -eq 0 ] && echo "edu-cuse: ok"
exit $fail
