#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-vm-suite.sh: run one guest script under the project's VM runner
# (tests/vm/run-vm) as a meson test.
#
#   run-vm-suite.sh [options] GUEST_SCRIPT [FILE[=GUESTPATH]]...
#
#   -t SECS     run-vm's overall time limit, boot included (default
#               $UIOMMUFD_VM_TIMEOUT or 240: below meson's 300 so run-vm can
#               stop QEMU and say so before meson kills us)
#   -o OUTDIR   copy what the guest script leaves under /out to OUTDIR
#   -R          boot a kernel with the kernel's own iommufd (everything built
#               in) instead of Debian's: $UIOMMUFD_TEST_KERNEL, else the
#               newest one scripts/build-test-kernel.sh cached, else
#               ../shared/vm/ref-kernel/bzImage; skip (77) with the command
#               that builds one when there is none
#   -c N, -m MB, -d N, -M MODS, -A ARGS, -E VAR=VAL, -v
#               passed to run-vm unchanged (see the header of run-vm)
#
# The guest always gets -i (emulated Intel IOMMU + edu device).  FILEs go to
# /opt/<basename> in the guest (ELF files bring their shared libraries), so
# build them on this host.
#
# Exit status, in meson's terms:
#   the guest script's own status (0 pass, 77 skip, anything else fail);
#   77  QEMU cannot run here: qemu-system-x86_64, busybox or kmod missing,
#       Debian's kernel package not obtainable, or no kernel for -R (one
#       line says which);
#   1   time limit hit (run-vm 124), guest died without reporting (125), or
#       run-vm ended without the guest having reported a status;
#   99  harness error (missing FILE, bad option, run-vm failed otherwise).
#
# Environment: UIOMMUFD_VM_CACHE (Debian kernel cache; defaulted below so
# runs share one download), UIOMMUFD_BUILD_ROOT (set by meson; fallback
# cache location), everything tests/vm/debian-kernel.sh and run-vm read.
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
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
run_vm=$here/run-vm
. "$here/debian-kernel.sh"
PATH=$PATH:/usr/sbin:/sbin
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "no qemu-system-x86_64 (apt-get install --no-install-recommends qemu-system-x86)"
command -v busybox >/dev/null 2>&1 ||
	skip "no busybox (apt-get install --no-install-recommends busybox-static)"
command -v depmod >/dev/null 2>&1 ||
	skip "no depmod (apt-get install --no-install-recommends kmod)"

# One kernel download for every run: ~/.cache when usable (shared with
# manual runs and cacheable in CI), else the build directory.
if [ -z "${UIOMMUFD_VM_CACHE:-}" ]; then
	c=$(dk_vm_cache)
	mkdir -p -- "$c" 2>/dev/null && [ -w "$c" ] || c=
	if [ -z "$c" ] && [ -n "${UIOMMUFD_BUILD_ROOT:-}" ]; then
		c=$UIOMMUFD_BUILD_ROOT/vm-cache
		mkdir -p -- "$c" 2>/dev/null && [ -w "$c" ] || c=
	fi
	[ -n "$c" ] || c=${TMPDIR:-/tmp}/uiommufd-vm-$(id -u)
	export UIOMMUFD_VM_CACHE=$c
fi

if [ -n "$ref" ]; then
	kernel=$(dk_test_kernel 2>"${TMPDIR:-/tmp}/$me.$$.err")
	krc=$?
	why=$(cat "${TMPDIR:-/tmp}/$me.$$.err"); rm -f "${TMPDIR:-/tmp}/$me.$$.err"
	case $krc in
	0) pass+=(-k "$kernel" -N) ;;
	77) skip "${why#debian-kernel: }" ;;
	*) hard "${why#debian-kernel: }" ;;
	esac
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
say "run-vm -i -t $timeout ${pass[*]} $script $* (UIOMMUFD_VM_CACHE=$UIOMMUFD_VM_CACHE)"
"$run_vm" -i -t "$timeout" -S "$tmp/status" ${pass[@]+"${pass[@]}"} "$script" "$@" > "$tmp/fifo" 2>&1 &
rvpid=$!
wait "$rvpid"
rc=$?
rvpid=
wait "$teepid"
teepid=
wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# run-vm writes the status file only when the guest's init reported the
# script's status on its own channel: nothing the script prints can fake it.
status=
[ -f "$tmp/status" ] && status=$(cat "$tmp/status")
booted=
grep -aq '^run-vm: guest up at ' "$log" && booted=1

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
reason=$(grep -a '^run-vm: \(cannot run here\|ERROR\|no \)' "$log" | tail -1)
[ -n "$reason" ] || reason=$(grep -a '^run-vm: ' "$log" | tail -1)
case $rc in
0)   say "FAIL: run-vm exited 0 but the guest never reported running the script"; exit 1 ;;
124) say "FAIL: time limit of $timeout s hit${booted:+ (the guest had booted)}; guest killed (${wall} s)"; exit 1 ;;
125) say "FAIL: the guest ended without reporting a status (kernel panic, QEMU error or the script killed init); see the console above"; exit 1 ;;
130|143) say "FAIL: run-vm was interrupted"; exit 1 ;;
3)   skip "${reason#run-vm: cannot run here: }" ;;
4)   hard "run-vm could not set up the guest: ${reason#run-vm: ERROR: }" ;;
2)   hard "run-vm usage error: ${reason#run-vm: }" ;;
*)   say "FAIL: run-vm exited $rc without a guest status: ${reason#run-vm: }"; exit 1 ;;
esac
