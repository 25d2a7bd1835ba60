#!/bin/bash
# Benchmarks: prints a table per measurement and writes them all to
# BENCHMARKS.md.  Not a test: figures are ratios measured in one run on
# whatever machine runs it, and the machine is named in the output.
#
#   scripts/bench.sh [--quick] [--no-vm] [--baseline REV]
#
# --baseline REV builds the daemon of git revision REV beside this one and
# measures the per-call cost of IOAS_MAP of both in the same run, so that a
# change to the map path shows what it costs.
#
# Host figures come from FUSE mode with server and client pinned to one CPU
# (taskset -c 0): on a 2-vCPU VM a FUSE round trip between two CPUs costs
# about ten times more and jumps between the two cases from run to run.
# Guest figures (CUSE) come from one TCG boot of shared/vm/run-vm: compare
# them with each other, never with host figures.
set -eu
cd "$(dirname "$0")/.."
quick=0 vm=1 baseline=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--no-vm) vm=0 ;;
	--baseline) baseline=$2; shift ;;
	*) echo "unknown $1"; exit 2 ;;
	esac
	shift
done
iters=$([ $quick = 1 ] && echo 5000 || echo 30000)
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
B=build
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pin="taskset -c 0"

result() { # FILE LABEL -> "mean median" of the run with the lowest median
	awk -v l="$2" '$1 == "RESULT" && $2 == l && (!n++ || $5 < best) { best = $5; out = $4 " " $5 }
		END { print out }' "$1"
}

host_measure() { # LABEL CMD SERVER...
	local label=$1 cmd=$2 dir; shift 2
	dir=$(mktemp -d)
	$pin "$@" "$dir" 2>/dev/null &
	local spid=$!
	for _ in $(seq 100); do [ -e "$dir/iommu" ] && break; sleep 0.05; done
	$pin $B/tests/bench/ioctl_bench "$dir/iommu" --iters "$iters" --cmd "$cmd" --label "$label" >> "$out/host.txt"
	kill -TERM $spid; wait $spid 2>/dev/null || true
	mountpoint -q "$dir" && fusermount3 -u "$dir"; rmdir "$dir"
}

echo "host: FUSE file, $iters ioctls per figure, pinned to CPU 0"
# Two interleaved rounds; each figure is the round with the lower median.
for round in 1 2; do
	host_measure fuse-floor-none empty $B/tests/bench/floor_server --fuse
	host_measure fuse-floor-pvm empty $B/tests/bench/floor_server --arg pvm --fuse
	host_measure fuse-daemon-t1 alloc-destroy $B/daemon/uiommufd --status-socket none --threads 1 --fuse
	host_measure fuse-daemon-t2 alloc-destroy $B/daemon/uiommufd --status-socket none --threads 2 --fuse
	host_measure fuse-daemon-t4 alloc-destroy $B/daemon/uiommufd --status-socket none --threads 4 --fuse
done

echo "host: IOAS MAP+UNMAP throughput and 1,000,000 areas"
dir=$(mktemp -d)
# 1,000,000 areas are charged 256 MiB (--max-user-memory): room to spare.
$pin $B/daemon/uiommufd --status-socket none --test-interface --max-user-memory 2G --fuse "$dir" 2>/dev/null &
dpid=$!
for _ in $(seq 100); do [ -e "$dir/iommu" ] && break; sleep 0.05; done
$pin $B/tests/bench/ioas_bench "$dir/iommu" "$dpid" > "$out/ioas.txt"
kill -TERM $dpid; wait $dpid 2>/dev/null || true
mountpoint -q "$dir" && fusermount3 -u "$dir"; rmdir "$dir"

# The per-call cost of a 4 KiB MAP, this build and (--baseline) another.
cost_iters=$([ $quick = 1 ] && echo 2000 || echo 10000)
daemons=("new:$B/daemon/uiommufd")
if [ -n "$baseline" ]; then
	bsrc=$out/baseline-src
	mkdir -p "$bsrc"
	git archive "$baseline" | tar -x -C "$bsrc"
	meson setup "$out/baseline-build" "$bsrc" >/dev/null
	ninja -C "$out/baseline-build" daemon/uiommufd >/dev/null
	daemons+=("base:$out/baseline-build/daemon/uiommufd")
fi
echo "host: per-call IOAS_MAP cost, $cost_iters calls per figure"
for round in 1 2; do
	for d in "${daemons[@]}"; do
		dir=$(mktemp -d)
		$pin "${d#*:}" --status-socket none --test-interface --fuse "$dir" 2>/dev/null &
		dpid=$!
		for _ in $(seq 100); do [ -e "$dir/iommu" ] && break; sleep 0.05; done
		$pin $B/tests/bench/map_cost "$dir/iommu" --iters "$cost_iters" |
			sed "s/^RESULT /RESULT ${d%%:*}_/" >> "$out/cost.txt"
		kill -TERM $dpid; wait $dpid 2>/dev/null || true
		mountpoint -q "$dir" && fusermount3 -u "$dir"; rmdir "$dir"
	done
done

if [ $vm = 1 ]; then
	echo "guest: CUSE under TCG, one boot"
	tests/vm/run-vm-suite.sh -t 600 -o "$out/guest" -E BENCH_ITERS=$((iters / 10)) \
		tests/bench/guest_ioctl.sh $B/daemon/uiommufd $B/tests/bench/floor_server \
		$B/tests/bench/ioctl_bench > "$out/vm.log" 2>&1 || { tail -30 "$out/vm.log"; exit 1; }
fi

machine="$(nproc) vCPU $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(uname -sr)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

{
	echo "# Benchmarks"
	echo
	echo "Written by \`scripts/bench.sh\` on $(date -u +%F). Machine: $machine."
	echo "Ratios are the figures to compare; each table comes from one run."
	echo
	echo "## IOAS_ALLOC + DESTROY through the daemon vs the bare transport floor"
	echo
	echo "Host, FUSE file mode, $iters samples each, client and server pinned to one"
	echo "CPU, two interleaved rounds (the lower median kept). The floor is an empty"
	echo "ioctl answered at once by \`floor_server\` on the same transport; a pair"
	echo "costs two of them."
	echo
	echo "| what | median µs | mean µs | vs floor (2 ioctls) |"
	echo "|---|---:|---:|---:|"
	read -r fm fmed <<<"$(result "$out/host.txt" fuse-floor-none)"
	for l in fuse-floor-none fuse-floor-pvm fuse-daemon-t1 fuse-daemon-t2 fuse-daemon-t4; do
		read -r m med <<<"$(result "$out/host.txt" $l)"
		case $l in
		fuse-floor-none) what="floor: empty ioctl" ; r=- ;;
		fuse-floor-pvm) what="floor + process_vm read/write of 16 bytes" ; r=- ;;
		*) what="daemon ALLOC+DESTROY pair, ${l#fuse-daemon-t} worker thread(s)"
		   r="$(ratio "$med" "$(awk -v a="$fmed" 'BEGIN{print 2*a}')")x" ;;
		esac
		echo "| $what | $med | $m | $r |"
	done
	if [ $vm = 1 ]; then
		g=$out/guest/results.txt
		read -r gm gmed <<<"$(result "$g" cuse-floor-none)"
		echo
		echo "Guest, CUSE device, one TCG boot (emulated CPU: absolute figures are"
		echo "not native), $((iters / 10)) samples each, two interleaved rounds."
		echo
		echo "| what | median µs | mean µs | vs floor (2 ioctls) |"
		echo "|---|---:|---:|---:|"
		for l in cuse-floor-none cuse-floor-pvm cuse-floor-retry cuse-daemon-pvm cuse-daemon-retry; do
			read -r m med <<<"$(result "$g" $l)"
			case $l in
			cuse-floor-none) what="floor: empty ioctl"; r=- ;;
			cuse-floor-pvm) what="floor + process_vm of 16 bytes"; r=- ;;
			cuse-floor-retry) what="floor + one retry round of 16 bytes"; r=- ;;
			cuse-daemon-pvm) what="daemon pair, process_vm transport (default)"
			   r="$(ratio "$med" "$(awk -v a="$gmed" 'BEGIN{print 2*a}')")x" ;;
			cuse-daemon-retry) what="daemon pair, ioctl retry transport"
			   r="$(ratio "$med" "$(awk -v a="$gmed" 'BEGIN{print 2*a}')")x" ;;
			esac
			echo "| $what | $med | $m | $r |"
		done
	fi
	v() { awk -v l="$1" '$1 == "RESULT" && $2 == l { print $3 }' "$out/ioas.txt"; }
	echo
	echo "## IOAS MAP+UNMAP throughput"
	echo
	echo "Host, FUSE file mode, daemon with --test-interface, both pinned to CPU 0."
	echo "GiB/s of a memfd mapped MAP_SHARED, MAP then UNMAP in a loop. *Pinned*:"
	echo "the IOAS has a mock domain, so every MAP maps the caller's pages into the"
	echo "daemon and mlocks them. *Bookkeeping*: no domain, nothing pinned (as in"
	echo "the kernel). *Floor*: the same pinning work in one process (mmap of the"
	echo "same memfd + mlock + munlock + munmap), measured in the same run."
	echo
	echo "| size | pinned GiB/s | bookkeeping GiB/s | floor GiB/s | pinned / floor |"
	echo "|---|---:|---:|---:|---:|"
	for sz in 4K 2M 64M 1G; do
		p=$(v ioas_map_unmap_pinned_$sz) b=$(v ioas_map_unmap_bookkeeping_$sz) f=$(v floor_mmap_mlock_$sz)
		echo "| $sz | $p | $b | $f | $(ratio "$p" "$f") |"
	done
	echo
	echo "1,000,000 areas of 4 KiB in one IOAS (no domain): map all in"
	echo "$(v ioas_1M_areas_map_all) s (one FUSE round trip each), unmap all in"
	echo "$(v ioas_1M_areas_unmap_all) s (one IOAS_UNMAP of the whole range); the"
	echo "daemon's resident memory grows by $(v ioas_rss_per_area) bytes per area."
	# The lower of the two rounds' medians, per figure.
	c() { awk -v l="$1" '$1 == "RESULT" && $2 == l && (!n++ || $3 < b) { b = $3 } END { print b }' "$out/cost.txt"; }
	echo
	echo "## What one IOAS_MAP costs"
	echo
	echo "Host, FUSE file mode, daemon with --test-interface, both pinned to CPU 0,"
	echo "$cost_iters calls per figure, median per call, two interleaved rounds (the"
	echo "lower kept). 4 KiB each: a memfd mapped MAP_SHARED (*shared*), private"
	echo "anonymous memory (*private*), IOAS_MAP_FILE of the memfd (*file*); without"
	echo "a domain nothing is pinned, with a mock domain every MAP pins. The minimal"
	echo "call is IOAS_IOVA_RANGES on an ID that does not exist: argument read, ENOENT."
	if [ -n "$baseline" ]; then
		echo "*Baseline* is the daemon of revision \`$(git rev-parse --short "$baseline")\`, measured in the same run."
		echo
		echo "| call | baseline µs | this build µs | this / baseline | this / minimal call |"
		echo "|---|---:|---:|---:|---:|"
	else
		echo
		echo "| call | this build µs | this / minimal call |"
		echo "|---|---:|---:|"
	fi
	mn=$(c new_minimal_call)
	for f in minimal_call nodomain_shared_map nodomain_private_map nodomain_file_map \
		 nodomain_shared_unmap pinned_shared_map pinned_private_map pinned_file_map \
		 pinned_shared_unmap; do
		n=$(c "new_$f")
		if [ -n "$baseline" ]; then
			b=$(c "base_$f")
			echo "| $f | $b | $n | $(ratio "$n" "$b") | $(ratio "$n" "$mn") |"
		else
			echo "| $f | $n | $(ratio "$n" "$mn") |"
		fi
	done
	echo
	echo "## Reading the tables"
	echo
	echo "* A daemon ioctl costs one FUSE/CUSE round trip plus its process_vm"
	echo "  calls: one read (size word and struct fetched together) and, when"
	echo "  there is a reply, one write. An ALLOC+DESTROY pair is two round trips"
	echo "  and three such calls, which is most of the gap to the floor."
	echo "* One worker thread is quickest when everything shares one CPU; the"
	echo "  default is 2, so that one slow request (pinning a large map) does not"
	echo "  hold up other clients."
	echo "* The CUSE retry transport needs two or three round trips per ioctl"
	echo "  where process_vm needs one, hence process_vm as the default."
	echo "* What one IOAS_MAP costs: the first MAP of a thread binds the caller"
	echo "  (pidfds, /proc/TID/mem and maps, credentials: docs/security.md); later"
	echo "  ones prove the binding still serves (same thread, live address space,"
	echo "  same credentials); a pinned shared MAP also opens the caller's file as"
	echo "  the caller and checks it against the bound address space. With"
	echo "  --baseline, the ratio is what those guarantees and the per-user"
	echo "  admission cost against that revision."
	echo "* Small maps are dominated by the round trips (two per MAP+UNMAP); from"
	echo "  a few MiB up, a pinned map costs what the same mmap+mlock costs in one"
	echo "  process, because that is the work the daemon does."
} > "$out/BENCHMARKS.md"
cat "$out/BENCHMARKS.md"
cp "$out/BENCHMARKS.md" BENCHMARKS.md
