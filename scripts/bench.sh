#!/bin/bash
# Benchmarks: measures every goal of issue 13 in one run, prints a table per
# goal with its ratio, the goal and whether it is met, and writes them all
# to BENCHMARKS.md (plus the many-clients plot, docs/bench-clients.png).
# Not a test: figures are ratios measured in one run on whatever machine
# runs it, and the machine is named in the output.
#
#   scripts/bench.sh [--quick] [--no-vm] [--baseline REV] [--build DIR]
#                    [--only SECTIONS] [--rounds N]
#
# --quick          fewer samples and shorter runs (a few minutes on the host)
# --no-vm          skip the guest (CUSE under TCG) figures
# --baseline REV   also build the daemon of git revision REV and measure the
#                  per-call cost of IOAS_MAP of both in the same run
# --build DIR      measure the daemon and tools of this meson build
#                  (default: build/, set up and built here if needed)
# --only SECTIONS  comma-separated subset of calls,map,areas,clients,edu,vm,
#                  private-memory (scripts/bench-private-memory.sh): the
#                  tables are printed and BENCHMARKS.md is left alone;
#                  --only vfio-kiommufd runs scripts/bench-vfio-kiommufd.sh,
#                  --only vfio-type1 scripts/bench-vfio-type1.sh
# --rounds N       interleaved rounds of every compared figure (default 2)
#
# Pinned figures: server and client on CPU 0 (taskset -c 0): on a 2-vCPU
# VM a FUSE round trip between two CPUs costs about ten times more and
# jumps between the two cases from run to run.  The many-clients figures
# are not pinned: there the scheduler's placement is part of what is
# measured.  Figures that are compared are measured interleaved, in
# --rounds rounds (two by default), and the better round is kept.
#
# Request loops: the classic loop (read() on the FUSE device) is always
# measured.  The io_uring loop is measured when the daemon and floor_server
# both take --loop uring and the kernel has FUSE-over-io_uring; for the run
# /sys/module/fuse/parameters/enable_uring is set to Y around the uring
# servers and restored afterwards (root only).  Otherwise its rows say why
# they were not measured.
set -eu
cd "$(dirname "$0")/.."
args=${*:+ $*}
quick=0 vm=1 baseline='' B=build only='' rounds=2
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--no-vm) vm=0 ;;
	--baseline) baseline=$2; shift ;;
	--build) B=$2; shift ;;
	--only) only=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	*) echo "unknown $1"; exit 2 ;;
	esac
	shift
done
[[ $rounds =~ ^[1-9][0-9]?$ ]] || { echo "--rounds 1..99"; exit 2; }
want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
# the real-device backends' tables come from their own scripts (their guests)
if [ "$only" = vfio-kiommufd ]; then
	exec scripts/bench-vfio-kiommufd.sh --build "$B"
fi
if [ "$only" = vfio-type1 ]; then
	exec scripts/bench-vfio-type1.sh --build "$B"
fi
[ $vm = 1 ] && want vm || vm=0
iters=$([ $quick = 1 ] && echo 5000 || echo 30000)
cost_iters=$([ $quick = 1 ] && echo 2000 || echo 10000)
client_secs=$([ $quick = 1 ] && echo 1 || echo 3)
client_counts="1 2 4 8 16"
edu_secs=$([ $quick = 1 ] && echo 1 || echo 3)
if [ "$B" = build ]; then
	[ -d build ] || meson setup build >/dev/null
	ninja -C build >/dev/null
fi
D=$B/daemon/uiommufd
FLOOR=$B/tests/bench/floor_server
for f in "$D" "$FLOOR" $B/tests/bench/{ioctl_bench,ioas_bench,map_cost,clients_bench,edu_bench}; do
	[ -x "$f" ] || { echo "bench.sh: $f missing (build it)"; exit 1; }
done
out=$(mktemp -d)
pin="taskset -c 0"
uring_param=/sys/module/fuse/parameters/enable_uring
uring_orig=
cleanup() {
	if [ -n "$uring_orig" ]; then echo "$uring_orig" > $uring_param; fi
	rm -rf "$out"
}
trap cleanup EXIT

# ---------------------------------------------------------------- loops ----
# Which request loops to measure, and the options that select them.  An
# empty option list means "this binary has no --loop": the classic loop.
has_loop() { "$1" --help 2>&1 | grep -q -- '--loop'; }
loops=(classic)
uring_why=
if ! has_loop "$D"; then
	uring_why="this daemon build has no --loop"
elif ! has_loop "$FLOOR"; then
	uring_why="this floor_server has no --loop"
elif [ ! -e $uring_param ]; then
	uring_why="the kernel has no FUSE-over-io_uring ($uring_param missing)"
elif [ "$(id -u)" -ne 0 ]; then
	uring_why="setting $uring_param needs root"
else
	loops+=(uring)
fi
loop_opts() { # LOOP BINARY -> the options that select LOOP in BINARY
	case $1 in
	classic) if has_loop "$2"; then echo "--loop classic"; fi ;;
	uring) echo "--loop uring" ;;
	esac
}
# Y from the first uring server to the end of the run (the kernel checks
# it when a server starts; it changes nothing for classic servers), then
# back to what it was.
uring_on() {
	[ -n "$uring_orig" ] || uring_orig=$(cat $uring_param)
	echo Y > $uring_param
}
uring_off() {
	if [ -n "$uring_orig" ]; then echo "$uring_orig" > $uring_param; fi
	uring_orig=
}

# ------------------------------------------------------------- servers ----
# start_server LOOP DIR PREFIX CMD...: start a server (daemon or floor) on
# DIR with the loop's options, PREFIX (e.g. taskset) in front, and wait for
# DIR/iommu.  Sets spid.  For uring, also checks that the server really has
# an io_uring instance, else fails: a silent fallback to the classic loop
# must not be reported as the uring loop.
start_server() {
	local loop=$1 dir=$2 prefix=$3; shift 3
	[ "$loop" = uring ] && uring_on
	# shellcheck disable=SC2046
	$prefix "$@" $(loop_opts "$loop" "$1") --fuse "$dir" 2> "$out/server.log" &
	spid=$!
	for _ in $(seq 200); do [ -e "$dir/iommu" ] && break; sleep 0.05; done
	if [ ! -e "$dir/iommu" ]; then
		echo "bench.sh: server did not come up: $*"; cat "$out/server.log"
		return 1
	fi
	if [ "$loop" = uring ] && ! has_ring $spid "$dir"; then
		echo "bench.sh: $* --loop uring: no io_uring instance in the server"
		return 1
	fi
}
has_ring() { # PID DIR: does the server on DIR hold an io_uring instance?
	local f
	# a server may register its queues only once requests come: make one
	: < "$2/iommu" 2>/dev/null || true
	for _ in $(seq 60); do # 3 s: a loaded machine is slow to start threads
		for f in /proc/"$1"/fd/*; do
			[ "$(readlink "$f" 2>/dev/null)" = 'anon_inode:[io_uring]' ] && return 0
		done
		sleep 0.05
	done
	return 1
}
stop_server() { # DIR
	kill -TERM $spid; wait $spid 2>/dev/null || true
	if mountpoint -q "$1"; then fusermount3 -u "$1"; fi
}

# A binary that takes --loop uring may still fall back to the classic loop
# or fail where the kernel refuses the ring: try each once (pinned, as in
# the stricter of the two ways it is run) before the run.
probe_uring() { # SERVER...: empty, or why the uring loop cannot be measured
	local dir log
	dir=$(mktemp -d) log=$out/probe.log
	$pin "$@" --loop uring --fuse "$dir" 2> "$log" &
	spid=$!
	for _ in $(seq 100); do [ -e "$dir/iommu" ] && break; sleep 0.05; done
	if [ ! -e "$dir/iommu" ]; then
		echo "$(basename "$1") --loop uring did not start ($(head -c 200 "$log" | tr '\n|' '  '))"
	elif ! has_ring $spid "$dir"; then
		echo "$(basename "$1") --loop uring runs without an io_uring instance (fell back?)"
	fi
	kill -TERM $spid 2>/dev/null; wait $spid 2>/dev/null || true
	if mountpoint -q "$dir"; then fusermount3 -u "$dir"; fi
	rmdir "$dir"
}
if [ ${#loops[@]} -gt 1 ]; then
	uring_on
	uring_why=$(probe_uring $FLOOR)
	[ -n "$uring_why" ] || uring_why=$(probe_uring $D --status-socket none)
	if [ -n "$uring_why" ]; then
		loops=(classic)
		uring_off
	fi
fi

result() { # FILE LABEL -> "mean median" of the run with the lowest median
	awk -v l="$2" '$1 == "RESULT" && $2 == l && (!n++ || $5 < best) { best = $5; out = $4 " " $5 }
		END { print out }' "$1"
}

# ---------------------------------------------------------- pinned calls ----
# The transport floor (floor_server answering at once, and after a
# process_vm read+write of 16 bytes of the argument), the minimal call and
# the ALLOC+DESTROY pair with 1, 2 and 4 workers, per loop.
calls_measure() { # LOOP LABEL CMD... -- SERVER...
	local loop=$1 label=$2 cmds=() dir; shift 2
	while [ "$1" != -- ]; do cmds+=("$1"); shift; done; shift
	dir=$(mktemp -d)
	start_server "$loop" "$dir" "$pin" "$@"
	for c in "${cmds[@]}"; do
		$pin $B/tests/bench/ioctl_bench "$dir/iommu" --iters "$iters" --cmd "$c" \
			--label "$loop-$label-$c" >> "$out/calls.txt"
	done
	stop_server "$dir"; rmdir "$dir"
}
if want calls; then
	echo "host: pinned calls, FUSE file, $iters ioctls per figure, loops: ${loops[*]}"
	for _ in $(seq "$rounds"); do
		for loop in "${loops[@]}"; do
			calls_measure "$loop" floor-none empty minimal -- $FLOOR
			calls_measure "$loop" floor-pvm minimal -- $FLOOR --arg pvm-read
			for t in 1 2 4; do
				calls_measure "$loop" daemon-t$t minimal alloc-destroy -- \
					$D --status-socket none --threads $t
			done
		done
	done
fi

# --------------------------------------------------- map throughput, areas ----
if want areas; then
	echo "host: IOAS MAP+UNMAP throughput and 1,000,000 areas"
	dir=$(mktemp -d)
	# 1,000,000 areas are charged 128 MiB (--max-user-memory): room to spare.
	start_server classic "$dir" "$pin" $D --status-socket none --test-interface --max-user-memory 2G
	$pin $B/tests/bench/ioas_bench "$dir/iommu" "$spid" > "$out/ioas.txt"
	stop_server "$dir"; rmdir "$dir"
fi

# -------------------------------------------------------- per-call MAP cost ----
daemons=("new:$D")
if want map; then
	if [ -n "$baseline" ]; then
		bsrc=$out/baseline-src
		mkdir -p "$bsrc"
		git archive "$baseline" | tar -x -C "$bsrc"
		meson setup "$out/baseline-build" "$bsrc" >/dev/null
		ninja -C "$out/baseline-build" daemon/uiommufd >/dev/null
		daemons+=("base:$out/baseline-build/daemon/uiommufd")
	fi
	echo "host: per-call IOAS_MAP cost, $cost_iters calls per figure"
	for _ in $(seq "$rounds"); do
		for d in "${daemons[@]}"; do
			dir=$(mktemp -d)
			start_server classic "$dir" "$pin" "${d#*:}" --status-socket none --test-interface
			$pin $B/tests/bench/map_cost "$dir/iommu" --iters "$cost_iters" |
				sed "s/^RESULT /RESULT ${d%%:*}_/" >> "$out/cost.txt"
			stop_server "$dir"; rmdir "$dir"
		done
	done
fi

# ----------------------------------------------------------- many clients ----
# The same clients_bench against the floor (single-threaded and
# multi-threaded libfuse loops; the better one at each count is the floor)
# and the daemon (default workers), per loop, unpinned.  Every server runs
# from start to end (an idle one costs nothing) so that the figures of one
# count are taken one right after the other, in every round.
if want clients; then
	echo "host: many clients ($client_counts), ${client_secs} s each, unpinned, loops: ${loops[*]}"
	servers=()
	for loop in "${loops[@]}"; do
		for who in floor-st floor-mt daemon; do
			# the uring loop's threads are its own business
			[ "$loop-$who" != uring-floor-mt ] || continue
			dir=$(mktemp -d)
			case $who in
			floor-st) start_server "$loop" "$dir" "" $FLOOR --arg pvm-read ;;
			floor-mt) start_server "$loop" "$dir" "" $FLOOR --arg pvm-read --mt ;;
			daemon) start_server "$loop" "$dir" "" $D --status-socket none ;;
			esac
			servers+=("$loop-$who:$spid:$dir")
		done
	done
	for _ in $(seq "$rounds"); do
		for n in $client_counts; do
			for sv in "${servers[@]}"; do
				$B/tests/bench/clients_bench "${sv##*:}/iommu" --clients "$n" \
					--seconds "$client_secs" --label "${sv%%:*}" >> "$out/clients.txt"
			done
		done
	done
	for sv in "${servers[@]}"; do
		spid=${sv#*:} spid=${spid%%:*}
		stop_server "${sv##*:}"; rmdir "${sv##*:}"
	done
fi

# ------------------------------------------------------------- edu DMA ----
# The software edu device (--device edu) on the FUSE file, pinned, per loop:
# DMA round trips RAM -> device -> RAM per second, 4 KiB and 64 KiB.
if want edu; then
	echo "host: edu DMA round trips, software edu, FUSE file, ${edu_secs} s each, loops: ${loops[*]}"
	for _ in $(seq "$rounds"); do
		for loop in "${loops[@]}"; do
			dir=$(mktemp -d)
			start_server "$loop" "$dir" "$pin" $D --status-socket none --device edu
			$pin $B/tests/bench/edu_bench "$dir/iommu" "$dir/devices/uvfio0" \
				--secs "$edu_secs" | sed "s/^RESULT /RESULT $loop-/" >> "$out/edu.txt"
			stop_server "$dir"; rmdir "$dir"
		done
	done
fi

if [ $vm = 1 ]; then
	echo "guest: CUSE under TCG, one boot"
	tests/vm/run-vm-suite.sh -t 600 -o "$out/guest" -E BENCH_ITERS=$((iters / 10)) \
		tests/bench/guest_ioctl.sh $D $FLOOR $B/tests/bench/ioctl_bench \
		> "$out/vm.log" 2>&1 || { tail -30 "$out/vm.log"; exit 1; }
fi

# ----------------------------------------------------------------- report ----
machine="$(nproc) vCPU $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(uname -sr)"
machine="$machine, host $(hostname -s), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
# verdict RATIO OP LIMIT: "met" or "**not met**" (OP is <= or >=)
verdict() {
	awk -v r="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (r == "-" || r == "") { print "-"; exit }
		ok = op == "<=" ? r + 0 <= l + 0 : r + 0 >= l + 0
		print ok ? "met" : "**not met**" }'
}
cm() { result "$out/calls.txt" "$1" | cut -d' ' -f2; } # median of a calls label
not_measured() { # COLUMNS TEXT: one table row saying why
	local row="| $2 |" i
	for ((i = 1; i < $1; i++)); do row+=" |"; done
	echo "$row"
}
# The better round of each many-clients figure: the one with more calls/s.
# Prints "calls_per_s p50 p99" for LABEL and COUNT.
cl() {
	awk -v l="$1" -v n="$2" '$1 == "RESULT" && $2 == l && $3 == n && (!k++ || $6 > best) {
		best = $6; o = $6 " " $7 " " $8 } END { print o }' "$out/clients.txt"
}
# The floor at COUNT: whichever libfuse loop did better there.
cl_floor() {
	local st mt
	st=$(cl "$1-floor-st" "$2") mt=$(cl "$1-floor-mt" "$2")
	awk -v a="$st" -v b="$mt" 'BEGIN { split(a, x); split(b, y); print (x[1] + 0 >= y[1] + 0 ? a : b) }'
}
plot_png=docs/bench-clients.png

{
	echo "# Benchmarks"
	echo
	echo "Written by \`scripts/bench.sh$args\` on $(date -u '+%F %H:%M UTC')."
	echo "Machine: $machine."
	echo "Daemon: \`$D\` of $(git describe --always --dirty 2>/dev/null || echo "an unknown revision")."
	echo
	echo "Every ratio below comes from figures measured in this one run, each"
	echo "figure the better of $rounds interleaved rounds. *Pinned* means the client"
	echo "and the server on CPU 0 (\`taskset -c 0\`); the FUSE file transport"
	echo "throughout on the host. The **minimal call** is IOAS_IOVA_RANGES on an"
	echo "ID that does not exist: the daemon reads the argument and fails at once"
	echo "with ENOENT. The **transport floor** is \`floor_server\` answering the"
	echo "same ioctl at once, without and with a process_vm read of 16 bytes of"
	echo "the argument (the transfer the minimal call makes). Request loops: classic (read() on the FUSE"
	echo "device)$([ ${#loops[@]} -gt 1 ] && echo " and io_uring (FUSE-over-io_uring, one queue per CPU)")."
	[ -n "$uring_why" ] && echo "The io_uring loop was not measured: $uring_why."

	if want calls; then
		echo
		echo "## Minimal call vs transport floor (goal: ≤ 1.3× the floor with process_vm)"
		echo
		echo "Pinned, $iters calls per figure, medians. The floor server has one"
		echo "thread: it is compared with the daemon at \`--threads 1\`."
		echo
		echo "| loop | floor µs | floor + process_vm read µs | minimal call µs | minimal / floor | minimal / floor+pvm | goal | met |"
		echo "|---|---:|---:|---:|---:|---:|---:|---|"
		for loop in classic uring; do
			if [[ " ${loops[*]} " != *" $loop "* ]]; then
				not_measured 8 "$loop: not measured: $uring_why"
				continue
			fi
			f=$(cm $loop-floor-none-minimal) fp=$(cm $loop-floor-pvm-minimal) m=$(cm $loop-daemon-t1-minimal)
			r=$(ratio "$m" "$fp")
			echo "| $loop | $f | $fp | $m | $(ratio "$m" "$f") | $r | ≤ 1.3 | $(verdict "$r" "<=" 1.3) |"
		done
		echo
		echo "The empty ioctl (a command number iommufd does not define) on the"
		echo "floor, for reference with older tables: $(cm classic-floor-none-empty) µs (classic loop)."

		echo
		echo "## ALLOC+DESTROY vs two minimal calls (goal: ≤ 1.15×)"
		echo
		echo "Pinned, $iters pairs per figure, medians; each row's daemon measured"
		echo "both (same start, same worker count)."
		echo
		echo "| loop | workers | minimal call µs | ALLOC+DESTROY µs | pair / 2 minimal | goal | met |"
		echo "|---|---:|---:|---:|---:|---:|---|"
		for loop in classic uring; do
			if [[ " ${loops[*]} " != *" $loop "* ]]; then
				not_measured 7 "$loop: not measured: $uring_why"
				continue
			fi
			for t in 1 2 4; do
				m=$(cm $loop-daemon-t$t-minimal) p=$(cm $loop-daemon-t$t-alloc-destroy)
				r=$(ratio "$p" "$(awk -v a="$m" 'BEGIN { print 2 * a }')")
				echo "| $loop | $t | $m | $p | $r | ≤ 1.15 | $(verdict "$r" "<=" 1.15) |"
			done
		done

		echo
		echo "## Workers: one client, 2 and 4 workers vs 1 (goal: ≤ 1.15×)"
		echo
		echo "Pinned, the ALLOC+DESTROY pair of the table above with \`--threads\` 1, 2, 4."
		echo
		echo "| loop | workers | ALLOC+DESTROY µs | vs 1 worker | goal | met |"
		echo "|---|---:|---:|---:|---:|---|"
		for loop in classic uring; do
			if [[ " ${loops[*]} " != *" $loop "* ]]; then
				not_measured 6 "$loop: not measured: $uring_why"
				continue
			fi
			p1=$(cm $loop-daemon-t1-alloc-destroy)
			echo "| $loop | 1 | $p1 | 1.00 | - | - |"
			for t in 2 4; do
				p=$(cm $loop-daemon-t$t-alloc-destroy)
				r=$(ratio "$p" "$p1")
				echo "| $loop | $t | $p | $r | ≤ 1.15 | $(verdict "$r" "<=" 1.15) |"
			done
		done
	fi

	if want map; then
		# The lower of the rounds' medians, per figure.
		c() { awk -v l="$1" '$1 == "RESULT" && $2 == l && (!n++ || $3 < b) { b = $3 } END { print b }' "$out/cost.txt"; }
		mn=$(c new_minimal_call)
		echo
		echo "## 4 KiB MAP+UNMAP vs two minimal calls (goals: ≤ 1.3× without a domain, ≤ 3× pinned)"
		echo
		echo "Pinned, classic loop, daemon with --test-interface, $cost_iters calls per"
		echo "figure, median per call, $rounds interleaved rounds (the lower kept); the"
		echo "minimal call measured by the same program: $mn µs. 4 KiB each: a memfd"
		echo "mapped MAP_SHARED (*shared*), private anonymous memory (*private*),"
		echo "IOAS_MAP_FILE of the memfd (*file*). Without a domain nothing is pinned;"
		echo "with a mock domain every MAP pins (the goal's *pinned*)."
		echo
		echo "| memory | domain | MAP µs | UNMAP µs | MAP+UNMAP / 2 minimal | goal | met |"
		echo "|---|---|---:|---:|---:|---:|---|"
		for dom in nodomain pinned; do
			for src in shared private file; do
				mp=$(c new_${dom}_${src}_map) um=$(c new_${dom}_${src}_unmap)
				r=$(ratio "$(awk -v a="$mp" -v b="$um" 'BEGIN { print a + b }')" \
					"$(awk -v a="$mn" 'BEGIN { print 2 * a }')")
				g=$([ $dom = nodomain ] && echo 1.3 || echo 3)
				echo "| $src | $([ $dom = nodomain ] && echo none || echo "mock (pinned)") | $mp | $um | $r | ≤ $g | $(verdict "$r" "<=" $g) |"
			done
		done
		# Any other figure map_cost prints, as it is.
		extra=$(awk '$1 == "RESULT" && $2 ~ /^new_/ { sub(/^new_/, "", $2); print $2 }' "$out/cost.txt" | sort -u |
			grep -Ev '^(minimal_call|(nodomain|pinned)_(shared|private|file)_(map|unmap))$' || true)
		if [ -n "$extra" ] || [ -n "$baseline" ]; then
			echo
			echo "### Every per-call figure$([ -n "$baseline" ] && echo ", against revision \`$(git rev-parse --short "$baseline")\`")"
			echo
			if [ -n "$baseline" ]; then
				echo "| call | baseline µs | this build µs | this / baseline | this / minimal call |"
				echo "|---|---:|---:|---:|---:|"
			else
				echo "| call | this build µs | this / minimal call |"
				echo "|---|---:|---:|"
			fi
			for f in $(awk '$1 == "RESULT" && $2 ~ /^new_/ { sub(/^new_/, "", $2); print $2 }' "$out/cost.txt" | awk '!s[$0]++'); do
				n=$(c "new_$f")
				if [ -n "$baseline" ]; then
					b=$(c "base_$f")
					echo "| $f | ${b:--} | $n | $(ratio "$n" "$b") | $(ratio "$n" "$mn") |"
				else
					echo "| $f | $n | $(ratio "$n" "$mn") |"
				fi
			done
		fi
	fi

	if want areas; then
		v() { awk -v l="$1" '$1 == "RESULT" && $2 == l { print $3 }' "$out/ioas.txt"; }
		echo
		echo "## Large maps vs the in-process mmap+mlock floor (goal: ≥ 1.0×)"
		echo
		echo "Pinned, classic loop, daemon with --test-interface. GiB/s of a memfd"
		echo "mapped MAP_SHARED, MAP then UNMAP in a loop. *Pinned*: the IOAS has a"
		echo "mock domain, so every MAP maps the caller's pages into the daemon and"
		echo "mlocks them. *Bookkeeping*: no domain, nothing pinned (as in the"
		echo "kernel). *Floor*: the same pinning work in one process (mmap of the"
		echo "same memfd + mlock + munlock + munmap), measured in the same run. 4 KiB"
		echo "is bound by round trips (see the MAP+UNMAP goal above), not by pinning."
		echo
		echo "| size | pinned GiB/s | bookkeeping GiB/s | floor GiB/s | pinned / floor | goal | met |"
		echo "|---|---:|---:|---:|---:|---:|---|"
		for sz in 4K 2M 64M 1G; do
			p=$(v ioas_map_unmap_pinned_$sz) b=$(v ioas_map_unmap_bookkeeping_$sz) f=$(v floor_mmap_mlock_$sz)
			r=$(ratio "$p" "$f")
			if [ $sz = 4K ]; then
				echo "| $sz | $p | $b | $f | $r | - | - |"
			else
				echo "| $sz | $p | $b | $f | $r | ≥ 1.0 | $(verdict "$r" ">=" 1.0) |"
			fi
		done

		echo
		echo "## 1,000,000 areas (goal: ≤ 128 B of daemon memory per area)"
		echo
		echo "Pinned, classic loop: 1,000,000 IOAS_MAP of 4 KiB into one IOAS with"
		echo "no domain, one round trip each, then one IOAS_UNMAP of the whole"
		echo "range. Memory is the daemon's resident set growth over the maps."
		echo
		pa=$(v ioas_rss_per_area) mt=$(v ioas_1M_areas_map_all)
		vsmin=
		if want map && [ -n "${mn:-}" ]; then
			vsmin=", $(ratio "$mt" "$mn")× the minimal call"
		fi
		echo "| figure | value | goal | met |"
		echo "|---|---:|---:|---|"
		echo "| daemon memory per area | $pa B | ≤ 128 B | $(verdict "$(ratio "$pa" 1)" "<=" 128) |"
		echo "| map all | $mt s ($(awk -v t="$mt" 'BEGIN { printf "%.1f", t }') µs per map$vsmin) | - | - |"
		echo "| unmap all | $(v ioas_1M_areas_unmap_all) s | - | - |"
	fi

	if want clients; then
		echo
		echo "## Many clients (goals: daemon ≥ 0.8× the floor's calls/s at every count; p99 ≤ 3× the single-client median)"
		echo
		echo "Unpinned, $client_secs s per figure, better of $rounds interleaved rounds (more"
		echo "calls/s). N client processes, each with its own context (its own open"
		echo "of the node), make the minimal call in a loop; the latencies of all"
		echo "are merged for p50 and p99, throughput is all calls over the wall"
		echo "time. Floor: \`floor_server --arg pvm-read\` with the same clients, its"
		echo "single-threaded or multi-threaded libfuse loop, whichever did better at"
		echo "that count. Daemon: default options (2 workers kept, at most"
		echo "\`--max-requests-per-user\` 4 requests of one uid served at once: every"
		echo "client here is root). The *p99 goal* ratio is the daemon's p99 over the"
		echo "daemon's own single-client p50; the floor's same ratio is beside it, as"
		echo "the bound the machine sets ($(nproc) vCPUs for N clients and the server)."
		echo
		echo "![latency and throughput against the number of clients]($plot_png)"
		echo
		echo "| loop | clients | floor calls/s | daemon calls/s | daemon / floor | goal ≥ 0.8 | floor p50 / p99 µs | daemon p50 / p99 µs | daemon p99 / 1-client p50 | floor's same | goal ≤ 3 |"
		echo "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|"
		for loop in classic uring; do
			if [[ " ${loops[*]} " != *" $loop "* ]]; then
				not_measured 11 "$loop: not measured: $uring_why"
				continue
			fi
			read -r _ dp50_1 _ <<<"$(cl $loop-daemon 1)"
			read -r _ fp50_1 _ <<<"$(cl_floor $loop 1)"
			for n in $client_counts; do
				read -r fr fp50 fp99 <<<"$(cl_floor $loop "$n")"
				read -r dr dp50 dp99 <<<"$(cl $loop-daemon "$n")"
				rt=$(ratio "$dr" "$fr") rl=$(ratio "$dp99" "$dp50_1")
				echo "| $loop | $n | $fr | $dr | $rt | $(verdict "$rt" ">=" 0.8) | $fp50 / $fp99 | $dp50 / $dp99 | $rl | $(ratio "$fp99" "$fp50_1") | $(verdict "$rl" "<=" 3) |"
			done
		done
		# gnuplot data: one line per count; per series calls/s, p50, p99
		{
			echo "# clients floor-classic(rate p50 p99) daemon-classic floor-uring daemon-uring"
			for n in $client_counts; do
				line="$n"
				for loop in classic uring; do
					if [[ " ${loops[*]} " == *" $loop "* ]]; then
						line+=" $(cl_floor $loop "$n") $(cl $loop-daemon "$n")"
					else
						line+=" NaN NaN NaN NaN NaN NaN"
					fi
				done
				echo "$line"
			done
		} > "$out/clients.dat"
	fi

	if [ $vm = 1 ]; then
		g=$out/guest/results.txt
		read -r _ gmed <<<"$(result "$g" cuse-floor-none)"
		read -r _ gmin <<<"$(result "$g" cuse-daemon-minimal)"
		echo
		echo "## Guest: CUSE transports"
		echo
		echo "Guest, CUSE device, one TCG boot (emulated CPU: absolute figures are"
		echo "not native; compare them with each other only), $((iters / 10)) samples"
		echo "each, two interleaved rounds, daemon with --threads 1."
		echo
		echo "| what | median µs | mean µs | vs floor (2 ioctls) | vs 2 minimal calls |"
		echo "|---|---:|---:|---:|---:|"
		for l in cuse-floor-none cuse-floor-pvm cuse-floor-retry cuse-daemon-minimal cuse-daemon-pvm cuse-daemon-retry; do
			read -r m med <<<"$(result "$g" $l)"
			case $l in
			cuse-floor-none) what="floor: empty ioctl"; r=- ;;
			cuse-floor-pvm) what="floor + process_vm of 16 bytes"; r=- ;;
			cuse-floor-retry) what="floor + one retry round of 16 bytes"; r=- ;;
			cuse-daemon-minimal) what="daemon minimal call (vs floor + process_vm: $(ratio "$med" "$(result "$g" cuse-floor-pvm | cut -d' ' -f2)")x)"; r=- ;;
			cuse-daemon-pvm) what="daemon ALLOC+DESTROY pair, process_vm transport (default)"
			   r="$(ratio "$med" "$(awk -v a="$gmed" 'BEGIN{print 2*a}')")x" ;;
			cuse-daemon-retry) what="daemon ALLOC+DESTROY pair, ioctl retry transport"
			   r="$(ratio "$med" "$(awk -v a="$gmed" 'BEGIN{print 2*a}')")x" ;;
			esac
			rm=-
			[ "$r" = - ] || rm="$(ratio "$med" "$(awk -v a="$gmin" 'BEGIN{print 2*a}')")x"
			echo "| $what | $med | $m | $r | $rm |"
		done
	fi

	if want edu; then
		# the better round: more round trips per second
		ed() { awk -v l="$1" '$1 == "RESULT" && $2 == l && (!k++ || $3 > best) {
			best = $3; o = $3 " " $4 " " $5 } END { print o }' "$out/edu.txt"; }
		echo
		echo "## edu DMA round trips (software edu device, \`--device edu\`)"
		echo
		echo "Pinned, FUSE file, better of $rounds rounds of ${edu_secs} s. A round trip moves"
		echo "the bytes RAM -> device -> RAM through an IOAS (tests/bench/edu_bench.c):"
		echo "4 KiB is one transfer each way of the device's whole buffer, 64 KiB"
		echo "sixteen. A transfer is five BAR0 accesses (source, destination, count,"
		echo "command, the command read back), each a pread/pwrite round trip; the"
		echo "DMA itself is a copy through the IOAS's pinned pages."
		echo
		echo "Rates are 1 / the median round trip; the mean is beside it."
		echo
		echo "*64 KiB from pairs* is sixteen times the median 4 KiB pair inside the"
		echo "64 KiB round trips: a 64 KiB round trip is long enough that on a busy"
		echo "machine most are preempted, which its own median then shows."
		echo
		echo "| loop | 4 KiB round trips/s | median µs | mean µs | 64 KiB round trips/s | median µs | mean µs | 64 KiB from pairs /s | one BAR read, median µs |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		for loop in "${loops[@]}"; do
			read -r r4 u4 m4 <<<"$(ed "$loop-edu_rt_4k")"
			read -r r64 u64 m64 <<<"$(ed "$loop-edu_rt_64k")"
			read -r rp _ _ <<<"$(ed "$loop-edu_rt_64k_from_pairs")"
			read -r _ ub _ <<<"$(ed "$loop-edu_bar_read")"
			echo "| $loop | ${r4:--} | ${u4:--} | ${m4:--} | ${r64:--} | ${u64:--} | ${m64:--} | ${rp:--} | ${ub:--} |"
		done
	fi

	# the shared-anon shim's cost: measured here, its own script's table
	if want private-memory; then
		echo
		scripts/bench-private-memory.sh --build "$B"
	fi

	echo
	echo "## Reading the tables"
	echo
	echo "* A daemon ioctl costs one FUSE/CUSE round trip plus its process_vm"
	echo "  calls: one read (size word and struct fetched together) and, when"
	echo "  there is a reply, one write. The minimal call reads and does not"
	echo '  write; the host floor makes the same one read (`--arg pvm-read`),'
	echo "  so its ratio is the daemon's own work. The guest floor reads and"
	echo "  writes 16 bytes."
	echo "* Misses, and what bounds them: a 4 KiB MAP without a domain is the"
	echo "  minimal call, the reply write and the 3-4 syscalls that prove a kept"
	echo "  binding still is the caller's address space (docs/security.md), about"
	echo "  1.3x two minimal calls; MAP_FILE adds the fd fetch and its checks. A"
	echo "  pinned 2 MiB pair is the floor's own mmap+mlock+munmap plus two round"
	echo "  trips plus about 40 µs of fixed work, so it reaches the floor only"
	echo "  from tens of MiB up. With more client processes than vCPUs, p99"
	echo "  grows with the count for the floor as much as for the daemon."
	echo "* Loops: the io_uring loop hands a request to the queue of the caller's"
	echo "  CPU; the classic loop to whichever worker reads first, often on the"
	echo '  other vCPU. The default, `--loop auto`, takes the ring where the'
	echo "  kernel offers it (enable_uring Y) and the classic loop otherwise."
	echo "* One worker thread is quickest when everything shares one CPU; the"
	echo "  default is 2, so that one slow request (pinning a large map) does not"
	echo "  hold up other clients."
	echo "* What one IOAS_MAP costs: the first MAP of a thread binds the caller"
	echo "  (pidfds, /proc/TID/mem and maps, credentials: docs/security.md); later"
	echo "  ones prove the binding still serves (same thread, live address space,"
	echo "  same credentials); a pinned shared MAP also opens the caller's file as"
	echo "  the caller and checks it against the bound address space."
	echo "* Small maps are dominated by the round trips (two per MAP+UNMAP); from"
	echo "  a few MiB up, a pinned map costs what the same mmap+mlock costs in one"
	echo "  process, because that is the work the daemon does."
	echo "* Many clients: with more client processes than vCPUs a call waits for"
	echo "  a CPU as well as for the server, so from a few clients on p99 grows"
	echo "  with the count for the floor too; its own ratio in the table is the"
	echo "  bound to read the daemon's against."
	[ $vm = 1 ] && echo "* The CUSE retry transport needs two or three round trips per ioctl" &&
		echo "  where process_vm needs one, hence process_vm as the default."
	true
} > "$out/BENCHMARKS.md"
cat "$out/BENCHMARKS.md"

# The plot: latency and throughput against the number of clients, a line
# per server and loop measured (columns of clients.dat: see its header).
plot() { # DAT PNG
	local lat='' thr='' col=2 sep='' pt=5 lc=1
	for loop in classic uring; do
		for who in floor daemon; do
			if [[ " ${loops[*]} " == *" $loop "* ]]; then
				lat+="$sep\"$1\" u 1:$((col + 1)) w lp lc $lc lw 2 pt $pt t \"$who $loop p50\", "
				lat+="\"$1\" u 1:$((col + 2)) w lp lc $lc lw 1 dt 2 pt $pt t \"$who $loop p99\""
				thr+="$sep\"$1\" u 1:$col w lp lc $lc lw 2 pt $pt t \"$who $loop\""
				sep=", "
			fi
			col=$((col + 3)) lc=$((lc + 1)) pt=$((pt + 2))
		done
	done
	gnuplot <<-EOF
	set terminal pngcairo size 1200,520 font ",10"
	set output "$2"
	set multiplot layout 1,2 title "uiommufd: N client processes, minimal call, FUSE file, $(nproc) vCPU, unpinned"
	set logscale x 2
	set xrange [0.85:19]
	set xtics (1, 2, 4, 8, 16)
	set xlabel "client processes"
	set grid
	set key top left maxrows 4 font ",9"
	# headroom above the lines for the key
	set offsets 0, 0, graph 0.3, 0
	set ylabel "latency per call (µs)"
	set logscale y
	set title "latency: p50 (solid), p99 (dashed)"
	plot $lat
	unset logscale y
	set yrange [0:*]
	set ylabel "calls per second (all clients)"
	set title "throughput"
	plot $thr
	unset multiplot
	EOF
}
if want clients; then
	if ! command -v gnuplot >/dev/null; then
		. scripts/deps.sh
		uiommufd_install_bench_deps || true
	fi
	if ! command -v gnuplot >/dev/null; then
		echo "bench.sh: no gnuplot: $plot_png not drawn"
	elif [ -z "$only" ]; then
		plot "$out/clients.dat" "$plot_png" && echo "plot: $plot_png"
	else
		plot "$out/clients.dat" "$out/bench-clients.png" &&
			cp "$out/bench-clients.png" /tmp/bench-clients.png && echo "plot: /tmp/bench-clients.png"
	fi
fi
# sections written by the real-device scripts (scripts/bench-vfio-*.sh) stay
[ -z "$only" ] && [ -f BENCHMARKS.md ] &&
	awk '/^## /{k = /^## Real device, /} k' BENCHMARKS.md >> "$out/BENCHMARKS.md"
[ -z "$only" ] && cp "$out/BENCHMARKS.md" BENCHMARKS.md
true
