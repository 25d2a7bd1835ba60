# SPDX-License-Identifier: GPL-2.0-or-later
# guest_ioctl.sh: benchmark guest script (busybox sh in /opt, via run-vm).
# In one boot: the CUSE transport floor (floor_server answering at once, and
# with each way of touching 16 bytes of the argument), then the daemon's
# IOAS_ALLOC+DESTROY pairs with each argument transport and its minimal call
# (IOAS_IOVA_RANGES on a missing ID).  RESULT lines go to
# stdout and to /out/results.txt.
N=${BENCH_ITERS:-3000}
mkdir -p /out
: > /out/results.txt

wait_for() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1)); [ "$i" -gt 100 ] && return 1; sleep 0.1
	done
}

measure() { # LABEL NODE CMD SERVER...
	label=$1 node=$2 cmd=$3; shift 3
	"$@" 2>/tmp/server.log &
	spid=$!
	wait_for "$node" || { echo "FAIL $label: no $node"; cat /tmp/server.log; exit 1; }
	./ioctl_bench "$node" --iters "$N" --cmd "$cmd" --label "$label" | tee -a /tmp/all.txt | grep '^RESULT' >> /out/results.txt || exit 1
	kill -TERM $spid; wait $spid
	while [ -e "$node" ]; do sleep 0.05; done
}

# Under TCG the first seconds after boot are slower and the rest is noisy:
# two rounds, interleaved; the host side keeps the lower median of each.
for round in 1 2; do
	measure cuse-floor-none /dev/floor empty ./floor_server --cuse floor --arg none
	measure cuse-floor-pvm /dev/floor empty ./floor_server --cuse floor --arg pvm
	measure cuse-floor-retry /dev/floor empty ./floor_server --cuse floor --arg retry
	measure cuse-daemon-pvm /dev/iommu alloc-destroy ./uiommufd --cuse --threads 1 --arg-transport pvm
	measure cuse-daemon-retry /dev/iommu alloc-destroy ./uiommufd --cuse --threads 1 --arg-transport retry
	measure cuse-daemon-minimal /dev/iommu minimal ./uiommufd --cuse --threads 1 --arg-transport pvm
done
cat /out/results.txt
