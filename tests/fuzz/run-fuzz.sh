#!/bin/bash
# run-fuzz.sh FUZZER CORPUS DICT ARTIFACT_DIR [SECONDS]
# Runs the libFuzzer binary FUZZER for SECONDS (default
# $UIOMMUFD_FUZZ_SECONDS, else 60) on a copy of the committed CORPUS, so the
# tree is never written to.  Exits non-zero on any crash, leak, timeout or
# sanitizer report, with the reproducer's path in the output.
set -u
fuzzer=$1 corpus=$2 dict=$3 artifacts=$4
seconds=${5:-${UIOMMUFD_FUZZ_SECONDS:-60}}

work=$(mktemp -d /tmp/uiommufd-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus"/. "$work/"
mkdir -p "$artifacts"
log=$artifacts/fuzz-$(date -u +%Y%m%dT%H%M%SZ).log

dict_arg=()
[ -s "$dict" ] && dict_arg=(-dict="$dict")
# halt_on_error: every UBSan report is a failure, with its stack.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
echo "fuzzing $seconds s: $fuzzer on a copy of $corpus (log: $log)"
"$fuzzer" -max_total_time="$seconds" -timeout=30 -print_final_stats=1 \
	-artifact_prefix="$artifacts/" "${dict_arg[@]}" "$work" >"$log" 2>&1
rc=$?
# The figures for RELIABILITY.md, and the last progress line.
grep -E '^#[0-9]+.*(DONE|pulse|NEW)' "$log" | tail -n 1
grep -E '^stat::' "$log"
if [ $rc -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: ' "$log"; then
	echo "FUZZ FAILURE (exit $rc); the report:"
	grep -E -A40 'ERROR: |runtime error:' "$log" | head -n 80
	grep -E 'Test unit written to|artifact_prefix' "$log" |
		sed 's/^/reproducer: /'
	echo "full log: $log"
	exit 1
fi
echo "no crash, leak or sanitizer report"
