#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IOAS MAP+UNMAP throughput with a real device attached, through the
# daemon's kernel-iommufd backend (--device vfio:BDF) next to the kernel's
# own /dev/iommu, in one boot of the reference kernel (run-vm-suite.sh -R:
# QEMU's edu behind the emulated Intel IOMMU, TCG).  Prints the table and
# writes it to BENCHMARKS.md as the section "Real device, kernel iommufd
# backend" (replaced in place, else put before "Reading the tables").
#
#   scripts/bench-vfio-kiommufd.sh [--build DIR] [--secs S] [--no-write]
#
# --build DIR   the meson build to take the daemon and tools from (build/)
# --secs S      seconds per figure in the guest (default 2)
# --rounds N    interleaved rounds, the best one kept per figure (default 2)
# --no-write    print only
# Also reached as scripts/bench.sh --only vfio-kiommufd.
set -eu
cd "$(dirname "$0")/.."
B=build secs=2 rounds=2 write=1
while [ $# -gt 0 ]; do
	case $1 in
	--build) B=$2; shift ;;
	--secs) secs=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--no-write) write=0 ;;
	*) echo "unknown $1"; exit 2 ;;
	esac
	shift
done
[[ $secs =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "--secs wants seconds"; exit 2; }
[[ $rounds =~ ^[1-9]$ ]] || { echo "--rounds 1..9"; exit 2; }
if [ "$B" = build ]; then
	[ -d build ] || meson setup build >/dev/null
fi
ninja -C "$B" >/dev/null
out=$(mktemp -d "${TMPDIR:-/tmp}/bench-kiommufd.XXXXXX")
trap 'rm -rf -- "$out"' EXIT
rc=0
tmo=$(awk -v s="$secs" -v r="$rounds" 'BEGIN { printf "%d", 120 + r * (18 * s + 40) }')
UIOMMUFD_VM_TIMEOUT=$tmo tests/vm/run-vm-suite.sh -R -t "$tmo" -A no_timer_check \
	-o "$out/guest" -E "BENCH_SECS=$secs" -E "BENCH_ROUNDS=$rounds" tests/vm/vfio-kiommufd.sh \
	"$B/daemon/uiommufd" "$B/tests/integration/client_edu" \
	"$B/tools/uiommufdctl" "$B/examples/demo_client" \
	"$B/tests/bench/real_map_bench" > "$out/vm.log" 2>&1 || rc=$?
if [ $rc = 77 ]; then
	grep -a 'SKIP' "$out/vm.log" | tail -1
	exit 77
fi
[ $rc = 0 ] || { tail -40 "$out/vm.log"; exit 1; }
k=$out/guest/kernel.txt d=$out/guest/daemon.txt e=$out/guest/edu.txt

# field F of "RESULT NAME pairs/s median_us MiB/s ..." in a file (3, 4, 5),
# from the round with the smallest median (the least disturbed one)
field() {
	awk -v n="$2" -v f="$3" '$1 == "RESULT" && $2 == n && (!b || $4 < b) { b = $4; v = $f }
		END { print v }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

table() {
	echo "## Real device, kernel iommufd backend"
	echo
	echo "IOAS MAP+UNMAP pairs at one fixed IOVA with QEMU's edu attached"
	echo "(bound to vfio-pci, behind QEMU's emulated Intel IOMMU), one boot of"
	echo "the reference kernel 6.19 under TCG, one emulated CPU, $secs s per"
	echo "figure, $rounds interleaved rounds, the best kept per figure"
	echo "(\`scripts/bench-vfio-kiommufd.sh\`, \`tests/bench/real_map_bench.c\`)."
	echo "\"kernel\": the kernel's /dev/iommu with the edu cdev attached to its"
	echo "IOAS.  \"daemon\": the daemon's CUSE node with \`--device vfio:BDF\`"
	echo "attached, which mirrors each map to its own kernel IOAS (MAP of its"
	echo "view of the shared memfd for \`va\`, MAP_FILE of the memfd for"
	echo "\`file\`).  \"daemon, software\": the same daemon with \`--device edu\`"
	echo "(its software IOMMU, nothing forwarded): what the daemon costs by"
	echo "itself.  Medians; throughput = size / median pair time."
	echo "Measured $(date -u +%Y-%m-%d) on $(nproc) vCPU(s) of a shared host: compare the rows"
	echo "with each other, not with other tables."
	echo
	echo "| size | map by | kernel pairs/s | daemon pairs/s | kernel µs | daemon µs | daemon / kernel time | daemon, software µs | kernel MiB/s | daemon MiB/s |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for s in 4k 2m 64m; do
		for how in va file; do
			n=map_${how}_$s
			echo "| ${s^^} | $how | $(field "$k" $n 3) | $(field "$d" $n 3) |" \
				"$(field "$k" $n 4) | $(field "$d" $n 4) |" \
				"$(ratio "$(field "$d" $n 4)" "$(field "$k" $n 4)")× |" \
				"$(field "$e" $n 4) |" \
				"$(field "$k" $n 5) | $(field "$d" $n 5) |"
		done
	done
	echo
	echo "A daemon pair is the daemon's own work (the software column: two CUSE"
	echo "round trips, its pin of the pages by mmap + mlock of its view, its"
	echo "bookkeeping) plus the kernel's (the kernel column: the kernel's pin of"
	echo "the same pages and the IOMMU page table), one after the other: at"
	echo "4 KiB the CUSE round trips under TCG dominate, at 64 MiB the two pins"
	echo "of the same memory.  By file the kernel pins the memfd's pages"
	echo "directly; by VA it walks the daemon's view."
	echo
}
table > "$out/section.md"
cat "$out/section.md"
[ $write = 1 ] || exit 0
awk -v sec="$out/section.md" '
	function put() { while ((getline l < sec) > 0) print l; done = 1 }
	/^## Real device, kernel iommufd backend/ { if (!done) put(); skip = 1; next }
	/^## / { skip = 0 }
	/^## Reading the tables/ && !done { put() }
	!skip { print }
	END { if (!done) put() }
' BENCHMARKS.md > "$out/B.md"
cp "$out/B.md" BENCHMARKS.md
echo "written: BENCHMARKS.md"
