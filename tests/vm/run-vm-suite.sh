#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-vm-suite.sh: run one guest script under shared/vm/run-vm as a meson test.
#
#   run-vm-suite.sh [options] GUEST_SCRIPT [FILE[=GUESTPATH]]...
#
#   -t SECS     run-vm's overall time limit, boot included (default
#               $UIOMMUFD_VM_TIMEOUT or 240: below meson's 300 so run-vm can
#               stop QEMU and say so before meson kills us)
#   -o OUTDIR   copy what the guest script leaves under /out to OUTDIR
#   -R          boot the reference kernel (Linux 6.19, everything built in:
#               $UIOMMUFD_VM_REF_KERNEL or shared/vm/ref-kernel/bzImage)
#               instead of Debian's; skip (77) where it is not
#   -c N, -m MB, -d N, -M MODS, -A ARGS, -E VAR=VAL, -v
#               passed to run-vm unchanged (see shared/vm/README.md)
#
# The guest always gets -i (emulated Intel IOMMU + edu device).  FILEs go to
# /opt/<basename> in the guest (ELF files bring their shared libraries), so
# build them on this host.
#
# Exit status, in meson's terms:
#   the guest script's own status (0 pass, 77 skip, anything else fail);
#   77  run-vm, qemu-system-x86_64, busybox or the Debian kernel package
#       cannot be had on this host (one line says which);
#   1   time limit hit (run-vm 124), guest died without reporting (125), or
#       run-vm said 0 without the guest having reported running the script;
#   99  harness error (missing FILE, bad option, run-vm failed otherwise).
#
# Environment: UIOMMUFD_RUN_VM (path of run-vm), RUN_VM_CACHE (kernel cache;
# defaulted below so runs share one download), UIOMMUFD_BUILD_ROOT (set by
# meson; fallback cache location), everything else run-vm reads.
set -u

me=run-vm-suite
say() { echo "$me: $*" >&2; }
skip() { echo "SKIP: $*"; say "skipped: $*"; exit 77; }
hard() { say "ERROR: $*"; exit 99; }

# -------------------------------------------------------------- options --
timeout=${UIOMMUFD_VM_TIMEOUT:-240}
pass=()
ref=
while getopts t:o:c:m:d:M:A:E:vhR opt; do
	case $opt in
	R) ref=1 ;;
	t) timeout=$OPTARG ;;
	o) mkdir -p -- "$OPTARG" || hard "cannot create $OPTARG"
	   pass+=(-o "$(cd -- "$OPTARG" && pwd -P)") ;;
	c|m|d|M|A|E) pass+=("-$opt" "$OPTARG") ;;
	v) pass+=(-v) ;;
	h) sed -n '4,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) hard "usage: $me [-t SECS] [-o OUTDIR] [-R] [run-vm options] GUEST_SCRIPT [FILE]..." ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || hard "usage: $me [-t SECS] [-o OUTDIR] [run-vm options] GUEST_SCRIPT [FILE]..."
[[ $timeout =~ ^[0-9]+$ ]] || hard "-t wants seconds: $timeout"
script=$1; shift
# run-vm exits 3 for a missing file too; check here so that a typo in a
# meson.build fails loudly instead of looking like a missing host package
[ -f "$script" ] || hard "no guest script $script"
for f in "$@"; do
	src=$f
	[[ $f == *=/* ]] && src=${f%%=/*}
	[ -e "$src" ] || hard "no such file: $src"
done

# ----------------------------------------------------------- host checks --
# the repository root is two levels above this script (tests/vm/)
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd -- "$here/../.." && pwd -P)
run_vm=${UIOMMUFD_RUN_VM:-$root/../shared/vm/run-vm}
[ -f "$run_vm" ] || skip "run-vm not found at $run_vm (set UIOMMUFD_RUN_VM)"
if [ -n "$ref" ]; then
	kernel=${UIOMMUFD_VM_REF_KERNEL:-$root/../shared/vm/ref-kernel/bzImage}
	[ -f "$kernel" ] || skip "no reference kernel at $kernel (set UIOMMUFD_VM_REF_KERNEL)"
	pass+=(-k "$kernel" -N)
fi
[ -x "$run_vm" ] || skip "run-vm at $run_vm is not executable"
# run-vm looks in the sbin directories too
PATH=$PATH:/usr/sbin:/sbin
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "no qemu-system-x86_64 (apt-get install --no-install-recommends qemu-system-x86)"
command -v busybox >/dev/null 2>&1 ||
	skip "no busybox (apt-get install --no-install-recommends busybox-static)"

# One kernel download for every run: run-vm's own default when ~/.cache is
# usable (shared with manual runs and cacheable in CI), else the build dir.
if [ -z "${RUN_VM_CACHE:-}" ]; then
	c=
	if [ -n "${XDG_CACHE_HOME:-}${HOME:-}" ]; then
		c=${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-vm
		mkdir -p -- "$c" 2>/dev/null && [ -w "$c" ] || c=
	fi
	if [ -z "$c" ] && [ -n "${UIOMMUFD_BUILD_ROOT:-}" ]; then
		c=$UIOMMUFD_BUILD_ROOT/vm-cache
		mkdir -p -- "$c" 2>/dev/null && [ -w "$c" ] || c=
	fi
	[ -n "$c" ] || c=${TMPDIR:-/tmp}/iommufd-vm-$(id -u)
	export RUN_VM_CACHE=$c
fi

# ------------------------------------------------------------------- run --
tmp=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX") || hard "mktemp failed"
log=$tmp/log
rvpid= teepid=
cleanup() { rm -rf -- "$tmp"; }
trap cleanup EXIT
# meson's timeout (or ^C) ends us: let run-vm stop its QEMU first
on_signal() {
	[ -n "$rvpid" ] && kill -TERM "$rvpid" 2>/dev/null
	[ -n "$rvpid" ] && wait "$rvpid" 2>/dev/null
	[ -n "$teepid" ] && wait "$teepid" 2>/dev/null
	say "interrupted"
	exit 1
}
trap on_signal TERM INT HUP

# Stream the console live (meson keeps it in the test log) and keep a copy
# to find out afterwards whether the guest ever ran the script.  A FIFO
# rather than a pipeline so that run-vm is a job we can signal and wait for.
mkfifo "$tmp/fifo" || hard "mkfifo failed"
tee "$log" < "$tmp/fifo" &
teepid=$!
t0=$(date +%s.%N)
say "$run_vm -i -t $timeout ${pass[*]} $script $* (RUN_VM_CACHE=$RUN_VM_CACHE)"
# no_timer_check: on a loaded host a TCG guest can miss the kernel's IO-APIC
# timer check, which with interrupt remapping (-i) panics at boot ("timer
# doesn't work through Interrupt-remapped IO-APIC").
"$run_vm" -i -A no_timer_check -t "$timeout" ${pass[@]+"${pass[@]}"} "$script" "$@" > "$tmp/fifo" 2>&1 &
rvpid=$!
wait "$rvpid"
rc=$?
rvpid=
wait "$teepid"
teepid=
wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# The init prints "=== run-vm up NONCE ..." before the script starts and
# "=== run-vm exit NONCE STATUS ..." after it ends; the first "up" line can
# only come from the init, and its random nonce authenticates the exit line.
nonce=$(sed -n 's/.*=== run-vm up \([0-9a-f]\{1,\}\) .*/\1/p' "$log" | head -1)
status=
[ -n "$nonce" ] &&
	status=$(sed -n "s/.*=== run-vm exit $nonce \\([0-9]\\{1,\\}\\) .*/\\1/p" "$log" | tail -1)

if [ -n "$status" ]; then
	[ "$status" = "$rc" ] || say "note: run-vm exited $rc but the guest reported $status"
	case $status in
	0) say "PASS: $(basename -- "$script") (${wall} s)"; exit 0 ;;
	77) say "SKIP: $(basename -- "$script") skipped itself in the guest (${wall} s)"; exit 77 ;;
	*) say "FAIL: $(basename -- "$script") exited with status $status in the guest (${wall} s)"
	   exit "$status" ;;
	esac
fi

# From here on the guest script did not report: never a pass.
reason=$(grep -a '^run-vm: ' "$log" | tail -1)
case $rc in
0)   say "FAIL: run-vm exited 0 but the guest never reported running the script"; exit 1 ;;
124) say "FAIL: time limit of $timeout s hit${nonce:+ (the guest had booted)}; guest killed (${wall} s)"; exit 1 ;;
125) say "FAIL: the guest ended without reporting a status (kernel panic, QEMU error or the script killed init); see the console above"; exit 1 ;;
130|143) say "FAIL: run-vm was interrupted"; exit 1 ;;
3)
	if [ -z "$nonce" ] && grep -aqE '^run-vm: (missing host tools|cannot find the Debian kernel package|apt-get download .* failed|zstd needed)' "$log"; then
		skip "${reason#run-vm: }"
	fi
	hard "run-vm could not set up the guest (status 3): ${reason#run-vm: }" ;;
2)   hard "run-vm usage error: ${reason#run-vm: }" ;;
*)   say "FAIL: run-vm exited $rc without a guest status: ${reason#run-vm: }"; exit 1 ;;
esac
