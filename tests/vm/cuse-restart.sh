# SPDX-License-Identifier: GPL-2.0-or-later
# cuse-restart.sh: guest script (busybox sh in /opt): SIGKILL of the CUSE
# daemon while clients are inside their ioctls (rel_client hold: mapping
# 16 MiB through a mock domain, allocating, destroying; more than
# --max-requests-per-user of them, so some wait for admission).  Every
# client must return an error within 10 s; the node must go, and a new
# daemon must register it again and serve a storm of killed pinning
# clients, then stop with nothing locked.  The node is /dev/uiommu (the
# reference kernel has its own /dev/iommu).  Prints what the clients saw.

fail=0
N=6
wait_node() {
	i=0
	while [ ! -e /dev/uiommu ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && return 1
		sleep 0.1
	done
}
start() {
	./uiommufd --cuse --name uiommu --mode 0666 --test-interface \
		--status-socket none --max-requests-per-user 4 2>>/tmp/daemon.log &
	dpid=$!
	wait_node || { echo "FAIL: /dev/uiommu did not appear"; cat /tmp/daemon.log; exit 1; }
}

start
for i in $(seq $N); do
	./rel_client hold /dev/uiommu 16 120 >/tmp/hold.$i 2>&1 &
	eval "c$i=\$!"
done
i=0
while [ "$(cat /tmp/hold.* | grep -c '^hold ready')" -lt $N ]; do
	i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1
done
sleep 1
kill -9 $dpid
wait $dpid 2>/dev/null
for i in $(seq $N); do
	eval "p=\$c$i"
	j=0
	while kill -0 $p 2>/dev/null; do
		j=$((j + 1))
		[ $j -gt 100 ] && { echo "FAIL: client $i still inside the dead daemon's node after 10 s"; fail=1; break; }
		sleep 0.1
	done
	line=$(grep '^hold first=' /tmp/hold.$i)
	echo "client $i: ${line:-$(tail -1 /tmp/hold.$i)}"
	echo "$line" | grep -qE '^hold first=(ECONNABORTED|ENOTCONN|ENODEV) op=[A-Z_]+ later=(ECONNABORTED|ENOTCONN|ENODEV) open=(ENOTCONN|ENODEV|ENOENT) close=0$' ||
		{ echo "FAIL: client $i did not get the dead daemon's errors"; fail=1; }
done
j=0
while [ -e /dev/uiommu ]; do
	j=$((j + 1)); [ $j -gt 50 ] && { echo "FAIL: /dev/uiommu stayed after the daemon's death"; fail=1; break; }
	sleep 0.1
done

start
./rel_client storm /dev/uiommu 8 4 16 0 1 1 0 || { echo "FAIL: storm on the restarted daemon"; fail=1; }
kill -TERM $dpid
wait $dpid || { echo "FAIL: daemon exit status $?"; fail=1; }
grep -v 'debug:' /tmp/daemon.log
grep -q 'stopped: every context released, 0 bytes locked' /tmp/daemon.log ||
	{ echo "FAIL: the restarted daemon did not stop clean"; fail=1; }
[ $fail -eq 0 ] && echo "cuse-restart: ok"
exit $fail
