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

status=0
run_suites() {
	local dir=$1; shift
	[ -d "$dir" ] || meson setup "$dir" "$@" >/dev/null
	ninja -C "$dir"
	meson test -C "$dir" --print-errorlogs --num-processes 1 "${suites[@]}" || status=1
}

# Plain build: every suite.
suites=()
run_suites build
# Sanitizer build: the host suites again (the guest runs the plain build).
suites=(--no-suite vm)
run_suites build-asan -Db_sanitize=address,undefined -Db_lundef=false

[ $status -eq 0 ] && echo "all suites passed" || echo "some suites failed"
exit $status
