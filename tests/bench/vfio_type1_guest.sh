# SPDX-License-Identifier: GPL-2.0-or-later
# Guest script of scripts/bench-vfio-type1.sh (Debian 6.1 guest, run-vm -i):
# MAP+UNMAP throughput onto QEMU's edu behind the emulated Intel IOMMU,
# first through the daemon (--device vfio:BDF, type1 backend), then with
# the kernel's VFIO type1 container directly, in this one boot.  RESULT
# lines go to /out/results.txt.
secs=${BENCH_SECS:-2}
set -- $(vfio-bind 1234:11e8)
[ -n "${1:-}" ] || { echo "no edu device"; exit 1; }
bdf=$1 group=$2
mkdir -p /out /run/uiommufd
: > /out/results.txt
# The daemon with DEVICE (vfio:BDF, or the software edu: where the pin in
# the daemon costs without any hardware), measured as WAY.
daemon_run() {
	./uiommufd --cuse --mode 0666 --device $1 2>/tmp/daemon.log &
	dpid=$!
	i=0
	while [ ! -e /dev/vfio/devices/uvfio0 ] || [ ! -e /dev/iommu ]; do
		i=$((i + 1)); [ $i -gt 200 ] && { cat /tmp/daemon.log; exit 1; }
		sleep 0.1
	done
	./vfio_map_bench iommufd /dev/iommu /dev/vfio/devices/uvfio0 --secs $secs |
		sed "s/RESULT daemon_/RESULT $2_/" | tee -a /out/results.txt
	kill -TERM $dpid
	wait $dpid
	while [ -e /dev/iommu ]; do sleep 0.1; done
}
daemon_run vfio:$bdf daemon
daemon_run edu soft
./vfio_map_bench type1 $group $bdf --secs $secs | tee -a /out/results.txt || exit 1
echo "kernel: $(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPU" >> /out/results.txt
exit 0
