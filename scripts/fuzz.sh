#!/bin/bash
# scripts/fuzz.sh [SECONDS]      fuzz the dispatcher for SECONDS (default 60)
# scripts/fuzz.sh --seeds        rewrite tests/fuzz/corpus with gen_seeds
#
# Builds what it needs in build-fuzz (clang, -Dfuzz=true, ASan + UBSan,
# libFuzzer), then runs tests/fuzz/fuzz_dispatch on a copy of the committed
# corpus (tests/fuzz/run-fuzz.sh).  Exits non-zero on any crash, leak,
# timeout or sanitizer report and prints the reproducer's path; replay one
# with: build-fuzz/tests/fuzz/fuzz_dispatch FILE (UIOMMUFD_FUZZ_TRACE=1
# prints each call and its result).
set -eu
cd "$(dirname "$0")/.."
. scripts/deps.sh
uiommufd_install_fuzz_deps

if ! command -v clang >/dev/null; then
	echo "fuzz.sh: clang is not installed" >&2
	exit 1
fi
if [ ! -d build-fuzz ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
nice -n 10 ninja -C build-fuzz tests/fuzz/fuzz_dispatch tests/fuzz/gen_seeds >/dev/null

if [ "${1:-}" = --seeds ]; then
	rm -f tests/fuzz/corpus/*
	build-fuzz/tests/fuzz/gen_seeds tests/fuzz/corpus
	echo "wrote $(ls tests/fuzz/corpus | wc -l) seeds to tests/fuzz/corpus"
	exit 0
fi
exec nice -n 10 tests/fuzz/run-fuzz.sh build-fuzz/tests/fuzz/fuzz_dispatch \
	tests/fuzz/corpus tests/fuzz/fuzz.dict build-fuzz/fuzz-artifacts "${1:-60}"
