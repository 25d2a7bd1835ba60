# SPDX-License-Identifier: GPL-2.0-or-later
# guest-lib.sh: shell functions shared by the guest scripts (busybox sh in
# /opt, run by run-vm).  Not run by itself: a vm test in meson.build passes
# it as a FILE after its guest script, so that it lands beside the script in
# /opt, and the script sources it from there.
#
# The functions that report a failure print a FAIL line and set fail=1,
# the script's own status; those that ask the daemon use the script's $sock
# (the daemon's --status-socket) and ./uiommufdctl.

# wait_for PATH SECONDS: poll until PATH exists; false when it did not
# within SECONDS
wait_for() {
	wf_n=0
	while [ ! -e "$1" ]; do
		wf_n=$((wf_n + 1))
		[ "$wf_n" -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# The status totals and devices as one line of JSON text to grep: no JSON
# parser in the guest.
status_json() { ./uiommufdctl --socket $sock status --json | tr -d ' \n'; }

# What a gone client left: one line a thing still held, nothing when the
# daemon is clean.  A script whose device is real defines its own
# hw_leftovers JSON after sourcing this file, for what that device's IOMMU
# still maps; the software edu has nothing there.
hw_leftovers() { :; }
leftovers() {
	j=$(status_json)
	# totals is the last member; its objects come first, its counts after
	t=$(echo "$j" | sed 's/.*"totals"://')
	for k in clients ioas areas mapped_bytes pinned_bytes; do
		echo "$t" | grep -q "\"$k\":0[,}]" || echo "$k"
	done
	echo "$j" | grep -q '"bound":true' && echo "a device still bound"
	hw_leftovers "$j"
}

# A client killed in the middle of its DMA: loop_start IOMMU DEV starts
# client_edu looping on DMA ($lpid) and waits until it says so;
# loop_kill OK-LINE kills it with SIGKILL and gives the daemon 10 s to drop
# all it held; edu_again IOMMU DEV: the next client must bind and pass.
# A script can check the daemon between the three.
loop_start() {
	# the loop below must not find an earlier run's line
	: >/tmp/loop.out
	./client_edu "$1" "$2" loop >/tmp/loop.out 2>&1 &
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
}

loop_kill() {
	kill -KILL $lpid
	wait $lpid 2>/dev/null
	# QEMU's edu has no reset: a DMA the killed client started runs out its
	# 100 ms timer, and the device ignores DMA register writes until then.
	sleep 0.3
	i=0
	while [ -n "$(leftovers)" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "FAIL: left behind: $(leftovers)"
			./uiommufdctl --socket $sock status; fail=1; break
		fi
		sleep 0.1
	done
	[ $i -le 100 ] && echo "$1"
}

edu_again() {
	./client_edu "$1" "$2" >/tmp/again.out 2>&1 || { cat /tmp/again.out; fail=1; }
	tail -1 /tmp/again.out
}
