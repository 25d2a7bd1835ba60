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
uiommufd_install_selftest_deps   # the selftest suite (kernel-selftest.sh)
uiommufd_install_pkg_deps       # the package suite and vm-systemd
uiommufd_install_vm_deps

status=0 passed=0 failed=0 skipped=0
run_suites() {
	local dir=$1 log; shift
	[ -d "$dir" ] || meson setup "$dir" "$@" >/dev/null
	ninja -C "$dir"
	log=$(mktemp)
	# tee's status is the pipeline's: meson's own is PIPESTATUS[0]
	meson test -C "$dir" --print-errorlogs --num-processes 1 "${suites[@]}" | tee "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
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
# The kernel's self-test gives each case 30 s; under the sanitizers on a
# small machine some cases need more, so it runs in the plain build only.
suites+=(--no-suite selftest)
run_suites build-asan -Db_sanitize=address,undefined -Db_lundef=false
# Fault-injection build (never a release): the 'faults' sweep only, on the
# first calls of each command (scripts/faults.sh sweeps every call).
suites=(--suite faults)
run_suites build-fault -Dfault_injection=true

# Fuzz build (clang, libFuzzer, ASan + UBSan): the 'fuzz' suite, a bounded
# run (UIOMMUFD_FUZZ_SECONDS, default 60) of tests/fuzz on its seed corpus.
uiommufd_install_fuzz_deps || true
if command -v clang >/dev/null &&
	[ -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
	suites=(--suite fuzz)
	CC=clang run_suites build-fuzz -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false
else
	echo "fuzz: SKIP (clang with libFuzzer, libclang-rt-14-dev, is not installed)"
	skipped=$((skipped + 1))
fi

[ $status -eq 0 ] || failed=$((failed > 0 ? failed : 1))
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
