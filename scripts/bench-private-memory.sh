#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The cost of the private-memory answer (libuiommufd-shared-anon.so,
# docs/private-memory.md): prints the "Private memory under the shim"
# section of BENCHMARKS.md.  Not a test: figures from one run on whatever
# machine runs it.
#
#   scripts/bench-private-memory.sh [--build DIR] [--write]
#
# --build DIR  the meson build to measure (default build/, built if needed)
# --write      also put the section into BENCHMARKS.md (replacing its old
#              copy); scripts/bench.sh includes it in a full run
#
# Rows: tests/bench/shared_anon_bench with and without the shim preloaded
# (mmap/munmap, malloc/free of large blocks, realloc growth, fork of a
# process holding N MiB), then tests/integration/private_dma (private
# anonymous DMA memory, 200 edu round trips) against the daemon's software
# edu on a FUSE file, without the shim (the emulated domain reaches the
# memory through /proc/PID/mem) and with it (the daemon maps the pages);
# and, when the vm-private-memory test left its output, the same program
# on QEMU's edu through the type1 backend in the Debian guest.
set -eu
cd "$(dirname "$0")/.."
B=build write=0
while [ $# -gt 0 ]; do
	case $1 in
	--build) B=$2; shift ;;
	--write) write=1 ;;
	*) echo "unknown $1"; exit 2 ;;
	esac
	shift
done
[ -d "$B" ] || meson setup "$B" >/dev/null
nice -n 10 ninja -C "$B" >/dev/null
shim=$PWD/$B/tools/libuiommufd-shared-anon.so
bench=$B/tests/bench/shared_anon_bench
dma=$B/tests/integration/private_dma
exe=$B/tools/uiommufd-exec
daemon=$B/daemon/uiommufd
out=$(mktemp -d "${TMPDIR:-/tmp}/uiommufd-privbench.XXXXXX")
dir=$out/mnt pid=
mkdir "$dir"
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	mountpoint -q "$dir" 2>/dev/null && fusermount3 -u -z "$dir"
	rm -rf "$out"
}
trap cleanup EXIT
pin() { if command -v taskset >/dev/null; then taskset -c 0 "$@"; else "$@"; fi; }

pin "$bench" >"$out/plain.txt"
LD_PRELOAD=$shim pin "$bench" >"$out/shim.txt"

# private_dma on the software edu: three runs each way, the median kept.
dma_ms=() dma_shim_ms=()
if [ -c /dev/fuse ] && command -v fusermount3 >/dev/null; then
	# not through pin(): $! must be the daemon itself (taskset execs it)
	if command -v taskset >/dev/null; then
		taskset -c 0 "$daemon" --fuse "$dir" --device edu >/dev/null 2>"$out/daemon.log" &
	else
		"$daemon" --fuse "$dir" --device edu >/dev/null 2>"$out/daemon.log" &
	fi
	pid=$!
	for _ in $(seq 200); do
		[ -e "$dir/devices/uvfio0" ] && break
		sleep 0.05
	done
	for _ in 1 2 3; do
		pin "$dma" "$dir/iommu" - --rounds 200 >>"$out/dma.txt" 2>&1 || true
		UIOMMUFD_SHARED_ANON_LIB=$shim pin "$exe" --shared-anon "$dma" \
			"$dir/iommu" - --rounds 200 >>"$out/dma-shim.txt" 2>&1 || true
	done
fi
per_trip() { # FILE: the median over its runs of ms per round trip
	[ -f "$1" ] || return 0
	sed -n 's/.*: \([0-9]*\) round trips.* in \([0-9.]*\) ms.*/\1 \2/p' "$1" |
		awk '$1 > 0 { print $2 / $1 }' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "%.3f\n", v[int((NR + 1) / 2)] }'
}
res() { awk -v l="$2" '$1 == "RESULT" && $2 == l { print $4 }' "$1"; }
fmt() { # NS: a readable duration
	awk -v n="$1" 'BEGIN { if (n == "") print "-"; else if (n >= 1e6) printf "%.1f ms", n / 1e6;
		else if (n >= 1e3) printf "%.1f µs", n / 1e3; else printf "%d ns", n }'
}

section() {
	echo "## Private memory under the shim"
	echo
	echo "What \`libuiommufd-shared-anon.so\` (\`uiommufd-exec --shared-anon\`,"
	echo "[docs/private-memory.md](docs/private-memory.md)) costs a program:"
	echo "tests/bench/shared_anon_bench run with and without it (median of 5"
	echo "batches, pinned to CPU 0, each page touched once). $(nproc) vCPUs, $(uname -r);"
	echo "the machine is shared, so read the ratios, not the last digit."
	echo
	echo "| operation | plain | under the shim | ratio |"
	echo "|---|---:|---:|---:|"
	for l in mmap+munmap-1MiB-untouched mmap+touch+munmap-1MiB \
		 mmap+touch+munmap-64MiB malloc+touch+free-256KiB \
		 malloc+touch+free-4MiB realloc-64KiB-to-64MiB \
		 fork+exit-16MiB fork+exit-64MiB; do
		a=$(res "$out/plain.txt" "$l") b=$(res "$out/shim.txt" "$l")
		r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "" || b == "" || a == 0) print "-"; else printf "%.2fx", b / a }')
		echo "| $l | $(fmt "$a") | $(fmt "$b") | $r |"
	done
	echo
	a=$(per_trip "$out/dma.txt") b=$(per_trip "$out/dma-shim.txt")
	echo "private_dma (private anonymous DMA memory; 2 KiB RAM -> device -> RAM"
	echo "round trips, ms per round trip, median of 3 runs of 200 on the host):"
	echo
	echo "| device | without the shim | under the shim |"
	echo "|---|---:|---:|"
	echo "| software edu, FUSE file (emulated domain) | ${a:--} | ${b:--} |"
	vmout=$B/tests/vm/private-memory-out/rounds.out
	if [ -f "$vmout" ]; then
		v=$(per_trip "$vmout")
		echo "| QEMU's edu through the type1 backend, Debian 6.1 guest under TCG (vm-private-memory; each DMA waits for edu's 100 ms timer) | EOPNOTSUPP | ${v:--} |"
	else
		echo "| QEMU's edu through the type1 backend (vm-private-memory) | EOPNOTSUPP | not measured: run \`meson test -C $B vm-private-memory\` first |"
	fi
	echo
	echo "Where the time goes: an mmap under the shim adds a memfd_create, an"
	echo "ftruncate and a close; a touched page costs a shmem fault where it"
	echo "cost an anonymous one, about the same; freed large malloc blocks are"
	echo "reused, as glibc reuses its heap; realloc growth copies (written into"
	echo "a new memfd) where the kernel moves page tables; fork copies all"
	echo "shimmed memory at once (written into new memfds) where the kernel"
	echo "shares it copy-on-write, so its cost grows with the memory held."
	echo "private_dma's DMA loop costs the same either way."
}

section | tee "$out/section.md"
if [ $write = 1 ]; then
	python3 - "$out/section.md" <<'PY'
import re, sys
new = open(sys.argv[1]).read().rstrip("\n") + "\n"
path = "BENCHMARKS.md"
text = open(path).read()
head = "## Private memory under the shim"
if head in text:
    start = text.index(head)
    m = re.search(r"^## ", text[start + len(head):], re.M)
    end = start + len(head) + m.start() if m else len(text)
    text = text[:start] + new + ("\n" if m else "") + text[end:]
else:
    m = re.search(r"^## Reading the tables", text, re.M)
    at = m.start() if m else len(text)
    text = text[:at] + new + "\n" + text[at:]
open(path, "w").write(text)
PY
	echo "BENCHMARKS.md: section written"
fi
