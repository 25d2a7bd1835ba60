#!/bin/bash
# The README's second command, and all that .ci/run does: install what is
# missing, then build twice (plain, and with AddressSanitizer + UBSan) and
# run every suite this machine can run.  Suites that need something the
# machine lacks (QEMU for vm, systemd as PID 1) report "skipped", never
# "passed".
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh
uiommufd_install_deps
uiommufd_install_vm_deps

status=0 passed=0 failed=0 skipped=0
run_suites() {
	local dir=$1 log; shift
	[ -d "$dir" ] || meson setup "$dir" "$@" >/dev/null
	ninja -C "$dir"
	log=$(mktemp)
	meson test -C "$dir" --print-errorlogs --num-processes 1 "${suites[@]}" | tee "$log" ||
		status=1
	# meson's summary, summed over both builds for the closing line
	passed=$((passed + $(awk '/^Ok:/ { print $2 }' "$log")))
	failed=$((failed + $(awk '/^(Fail|Timeout|Unexpected Pass):/ { n += $NF } END { print n + 0 }' "$log")))
	skipped=$((skipped + $(awk '/^Skipped:/ { print $2 }' "$log")))
	rm -f "$log"
}

# Plain build: every suite.
suites=()
run_suites build
# Sanitizer build: the host suites again (the guest runs the plain build).
suites=(--no-suite vm)
run_suites build-asan -Db_sanitize=address,undefined -Db_lundef=false

[ $status -eq 0 ] || failed=$((failed > 0 ? failed : 1))
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
