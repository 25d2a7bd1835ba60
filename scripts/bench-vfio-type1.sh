#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# MAP+UNMAP throughput onto a real device's IOMMU (BENCHMARKS.md, "Real
# device, VFIO type1 backend"): 4 KiB, 2 MiB and 64 MiB pairs through the
# daemon (--device vfio:BDF, an IOAS with the device attached) next to
# the kernel's VFIO type1 container directly, on QEMU's edu behind the
# emulated Intel IOMMU, in one Debian 6.1 guest boot (tests/vm/run-vm).
# Prints the table and replaces (or appends) its section of BENCHMARKS.md.
#
#   scripts/bench-vfio-type1.sh [--build DIR] [--secs S] [--no-write]
#
# Not a test: TCG guest figures on whatever machine runs it; compare the
# two columns with each other, not with native figures.
set -eu
cd "$(dirname "$0")/.."
B=build secs=2 write=1
while [ $# -gt 0 ]; do
	case $1 in
	--build) B=$2; shift ;;
	--secs) secs=$2; shift ;;
	--no-write) write=0 ;;
	*) echo "unknown $1"; exit 2 ;;
	esac
	shift
done
if [ "$B" = build ]; then
	[ -d build ] || meson setup build >/dev/null
	ninja -C build >/dev/null
fi
for f in $B/daemon/uiommufd $B/tests/bench/vfio_map_bench; do
	[ -x "$f" ] || { echo "bench-vfio-type1: $f missing (build it)"; exit 1; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tests/vm/run-vm-suite.sh -t 500 -A no_timer_check -E BENCH_SECS=$secs -o "$out" \
	tests/bench/vfio_type1_guest.sh $B/daemon/uiommufd \
	$B/tests/bench/vfio_map_bench > "$out/console" 2>&1 ||
	{ tail -30 "$out/console"; echo "bench-vfio-type1: the guest run failed"; exit 1; }
r=$out/results.txt
[ -s "$r" ] || { tail -30 "$out/console"; exit 1; }
get() { awk -v k="$1" -v f="$2" '$1 == "RESULT" && $2 == k { print $f }' "$r"; }
{
	echo "## Real device, VFIO type1 backend"
	echo
	echo "MAP+UNMAP pairs onto QEMU's edu behind the emulated Intel IOMMU, one"
	echo "Debian guest boot ($(grep '^kernel:' "$r" | sed 's/^kernel: //'), TCG on"
	echo "$(nproc) host vCPU, $(date -u +%Y-%m-%d)): through the daemon"
	echo "(\`--device vfio:BDF\`, IOAS_MAP + IOAS_UNMAP on an IOAS the device is"
	echo "attached to: CUSE round trips, the daemon's pin of the memfd, then"
	echo "VFIO_IOMMU_MAP_DMA of its view) and the kernel's type1 container"
	echo "directly (VFIO_IOMMU_MAP_DMA + UNMAP_DMA), median pair over ${secs} s each."
	echo "*Software edu* is the daemon's path without hardware (\`--device edu\`:"
	echo "round trips and the daemon's pin only) in the same boot: what of the"
	echo "daemon's time is not the container's.  Under TCG on a shared host the"
	echo "figures vary by several times from run to run (the kernel's 64 MiB pair"
	echo "took 15 to 98 ms in two runs of the same day): compare the columns of"
	echo "one run, not runs.  \`scripts/bench-vfio-type1.sh\`."
	echo
	echo "| size | daemon pairs/s | daemon µs | software edu µs | kernel pairs/s | kernel µs | daemon / kernel time |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for s in 4k 2m 64m; do
		dp=$(get daemon_$s 3) du=$(get daemon_$s 4) su=$(get soft_$s 4)
		kp=$(get kernel_$s 3) ku=$(get kernel_$s 4)
		ratio=$(awk -v a="$du" -v b="$ku" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "-" }')
		echo "| ${s^^}iB | $dp | $du | $su | $kp | $ku | $ratio |" | sed 's/KiB/ KiB/; s/MiB/ MiB/'
	done
	echo
} > "$out/section.md"
cat "$out/section.md"
if [ $write = 1 ]; then
	# Replace the section (up to the next "## ") or append it.
	awk -v f="$out/section.md" '
		/^## Real device, VFIO type1 backend/ { skip = 1; while ((getline l < f) > 0) print l; done = 1; next }
		skip && /^## / { skip = 0 }
		!skip { print }
		END { if (!done) { print ""; while ((getline l < f) > 0) print l } }
	' BENCHMARKS.md > "$out/B.md" && cp "$out/B.md" BENCHMARKS.md
	echo "bench-vfio-type1: BENCHMARKS.md updated"
fi
