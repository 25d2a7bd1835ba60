#!/bin/bash
# kernel-selftest.sh [--vfio] VERSION [DAEMON [EXEC]]
#
# Runs the kernel's own iommufd self-test (tools/testing/selftests/iommu/
# iommufd), built unmodified from Debian's linux-source-VERSION package,
# against the daemon's FUSE node, and compares the failing cases with
# tests/selftest/expected-VERSION.txt.
#
# With --vfio it runs the kernel's VFIO self-tests (tools/testing/selftests/
# vfio, VERSION >= 6.17: 7.3) instead, against the daemon's device look-alike
# (--device edu): in a private mount namespace a tmpfs over
# /sys/bus/pci/devices holds BDF/vfio-dev/vfio0, /dev/vfio/devices/vfio0 and
# /dev/iommu are the daemon's FUSE files, and the tests get the BDF as their
# argument.  The failures are compared with tests/selftest/expected-vfio-VERSION.txt.
#
# VERSION is 6.12 (bookworm-security/-backports) or 7.3 (trixie-backports).
# DAEMON and EXEC default to build/daemon/uiommufd and build/tools/uiommufd-exec.
#
# The package is fetched through a private apt configuration (the machine's
# apt sources and lists are not touched) into a cache outside the tree:
# $UIOMMUFD_SELFTEST_CACHE, default ~/.cache/uiommufd-selftest.  Only what
# the test build needs is extracted, once per package version.  Nothing
# fetched ever enters the repository.
#
# Exit: 0 when the failures are exactly the expected ones, 1 on any
# unexpected failure or unexpected pass, 77 (skip) when the package cannot
# be fetched or this machine cannot run the test (the reason is printed).
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
vfio=
[ "${1:-}" = --vfio ] && { vfio=vfio-; shift; }
version=${1:-}
daemon=${2:-$here/build/daemon/uiommufd}
exe=${3:-$here/build/tools/uiommufd-exec}
expected=$here/tests/selftest/expected-$vfio$version.txt
cache=${UIOMMUFD_SELFTEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/uiommufd-selftest}
# the test-kernel builder's download cache: a deb found there is reused
# after its checksum is verified against the archive's index
kernel_debs=${UIOMMUFD_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/uiommufd-kernels}/debs
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

case $version in
6.12) sources="deb [signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm-backports main" ;;
7.3) sources="deb [signed-by=$keyring] http://deb.debian.org/debian trixie-backports main" ;;
*) echo "usage: $0 [--vfio] 6.12|7.3 [DAEMON [EXEC]]" >&2; exit 2 ;;
esac
[ -n "$vfio" ] && [ "$version" = 6.12 ] &&
	skip "linux-source-6.12 has no VFIO self-tests (tools/testing/selftests/vfio came in 6.17)"
pkg=linux-source-$version

# --- what this machine needs -------------------------------------------
[ "$(id -u)" -eq 0 ] || skip "needs root (FUSE allow_other, mount namespace, huge pages)"
[ -f "$expected" ] || fail "no expected-failure list $expected"
[ -x "$daemon" ] && [ -x "$exe" ] || fail "build the daemon first ($daemon, $exe)"
daemon=$(realpath "$daemon") exe=$(realpath "$exe")	# the test runs elsewhere
for t in apt-get apt-cache dpkg-deb tar xz make gcc unshare mount fusermount3 sha256sum; do
	command -v $t >/dev/null || skip "$t is missing (scripts/deps.sh: uiommufd_install_selftest_deps)"
done
[ -f /usr/include/sys/capability.h ] || skip "libcap-dev is missing (scripts/deps.sh: uiommufd_install_selftest_deps)"
[ -f "$keyring" ] || skip "$keyring is missing (debian-archive-keyring)"
[ -c /dev/fuse ] || skip "no /dev/fuse"

# --- fetch --------------------------------------------------------------
vdir=$cache/$version
apt=$vdir/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$vdir/debs"
printf '%s\n' "$sources" > "$apt/sources.list"
A=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
   -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
   -o APT::Sandbox::User=root)

# the index is refreshed at most once a day; offline, a cached deb is used
if [ -z "$(find "$apt/updated" -mtime -1 2>/dev/null)" ]; then
	if apt-get "${A[@]}" -qq update >"$vdir/update.log" 2>&1 &&
	   ! grep -q '^[WE]:' "$vdir/update.log"; then
		touch "$apt/updated"
	else
		echo "apt-get update failed (see $vdir/update.log); trying the cache"
	fi
fi
pkgver=$(apt-cache "${A[@]}" policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
deb=
if [ -n "$pkgver" ] && [ "$pkgver" != "(none)" ]; then
	sha=$(apt-cache "${A[@]}" show "$pkg=$pkgver" 2>/dev/null | awk '/^SHA256:/ { print $2; exit }')
	name=${pkg}_${pkgver//:/%3a}_all.deb
	deb=$vdir/debs/$name
	if [ ! -f "$deb" ] && [ -f "$kernel_debs/$name" ] &&
	   [ "$(sha256sum < "$kernel_debs/$name" | cut -d' ' -f1)" = "$sha" ]; then
		cp "$kernel_debs/$name" "$deb.part" && mv "$deb.part" "$deb"
	fi
	if [ ! -f "$deb" ]; then
		echo "downloading $pkg $pkgver (~150 MB) into $vdir/debs"
		(cd "$vdir/debs" && apt-get "${A[@]}" -qq download "$pkg=$pkgver") >"$vdir/download.log" 2>&1 ||
			{ rm -f "$deb"; deb=; }
	fi
	if [ -n "$deb" ] && [ "$(sha256sum < "$deb" | cut -d' ' -f1)" != "$sha" ]; then
		rm -f "$deb"; deb=
	fi
fi
if [ -z "$deb" ]; then
	# no index or no network: the newest deb already cached, if any
	deb=$(ls -t "$vdir"/debs/${pkg}_*_all.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || skip "cannot fetch $pkg (no network or no such package; see $vdir/update.log)"
	pkgver=$(dpkg-deb -f "$deb" Version)
fi
# keep only this version's deb
for d in "$vdir"/debs/*.deb; do [ "$d" = "$deb" ] || rm -f "$d"; done

# --- extract what the test build needs, once per package version ------------
src=$vdir/src-$pkgver
if [ ! -f "$src/.extracted" ]; then
	echo "extracting the self-test and the uapi headers from $(basename "$deb")"
	rm -rf "$vdir"/src-*
	mkdir -p "$src"
	top=linux-source-$version
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$top.tar.xz" | xz -dc -T0 |
		tar -x -C "$src" --strip-components=1 --wildcards \
			"$top/Makefile" "$top/Kbuild" "$top/scripts" "$top/include" \
			"$top/arch/x86" "$top/usr" "$top/kernel/bounds.c" \
			"$top/drivers/iommu/iommufd" "$top/tools/include" "$top/tools/scripts" \
			"$top/tools/testing/selftests/lib.mk" "$top/tools/testing/selftests/kselftest*" \
			"$top/tools/testing/selftests/iommu" ||
		{ rm -rf "$src"; fail "extraction from $deb failed"; }
	touch "$src/.extracted"
fi
# the VFIO self-tests and the few kernel headers their lib's device drivers
# include through symbolic links, once, on top of the above
if [ -n "$vfio" ] && [ ! -f "$src/.extracted-vfio" ]; then
	echo "extracting the VFIO self-tests from $(basename "$deb")"
	top=linux-source-$version
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$top.tar.xz" | xz -dc -T0 |
		tar -x -C "$src" --strip-components=1 --wildcards \
			"$top/tools/testing/selftests/vfio" "$top/tools/arch/x86" \
			"$top/drivers/dma/ioat/*.h" "$top/drivers/dma/idxd/*.h" \
			"$top/drivers/net/ethernet/intel/igb/e1000_*.h" ||
		fail "extraction of the VFIO self-tests from $deb failed"
	touch "$src/.extracted-vfio"
fi

# --- build, unmodified ----------------------------------------------------
st=$src/tools/testing/selftests/iommu
# A package whose self-test does not build against its own headers gets the
# missing names from tests/selftest/compat-VERSION.h, force-included.
compat=$here/tests/selftest/compat-$version.h
build_test() {
	nice -n 10 make -s -C "$st" KHDR_INCLUDES="-isystem $src/usr/include $*" \
		"$st/iommufd" >>"$vdir/build.log" 2>&1
}
vfio_tests="vfio_iommufd_setup_test vfio_pci_device_test vfio_dma_mapping_test
	vfio_dma_mapping_mmio_test vfio_pci_driver_test"
if [ -n "$vfio" ]; then
	vst=$src/tools/testing/selftests/vfio
	for t in $vfio_tests; do
		[ -x "$vst/$t" ] && continue
		[ -f /usr/include/uuid/uuid.h ] ||
			skip "uuid-dev is missing (scripts/deps.sh: uiommufd_install_selftest_deps)"
		[ -f "$src/usr/include/linux/vfio.h" ] ||
			nice -n 10 make -s -C "$src" headers >"$vdir/build.log" 2>&1 ||
			{ tail -20 "$vdir/build.log"; fail "make headers failed (log: $vdir/build.log)"; }
		echo "building $pkg's VFIO self-tests"
		nice -n 10 make -s -C "$vst" KHDR_INCLUDES="-isystem $src/usr/include" \
			$(printf "$vst/%s " $vfio_tests) >>"$vdir/build.log" 2>&1 ||
			{ tail -20 "$vdir/build.log"; fail "the VFIO self-tests did not build (log: $vdir/build.log)"; }
		break
	done
elif [ ! -x "$st/iommufd" ]; then
	echo "building the uapi headers and $pkg's iommufd self-test"
	rm -f "$src/.compat"
	nice -n 10 make -s -C "$src" headers >"$vdir/build.log" 2>&1 ||
		{ tail -20 "$vdir/build.log"; fail "make headers failed (log: $vdir/build.log)"; }
	if ! build_test; then
		[ -f "$compat" ] && build_test -include "$compat" && touch "$src/.compat" ||
			{ tail -20 "$vdir/build.log"; fail "the self-test did not build (log: $vdir/build.log)"; }
	fi
fi
[ -f "$src/.compat" ] &&
	echo "note: $pkg's self-test does not build against its own headers; built with $(basename "$compat")"

# --- run against the daemon ----------------------------------------------
work=$(mktemp -d /tmp/uiommufd-selftest.XXXXXX)
rundir=/run/uiommufd-selftest.$$
mnt=$work/mnt
out=$work/iommufd.out
mkdir -p "$mnt" "$work/devov" && mkdir -m 0755 "$rundir" || fail "cannot make $rundir"
hp_prev=$(cat /proc/sys/vm/nr_hugepages)
dp=
cleanup() {
	[ -n "$dp" ] && kill -TERM "$dp" 2>/dev/null && wait "$dp" 2>/dev/null
	mountpoint -q "$mnt" && fusermount3 -u "$mnt"
	[ "$hp_prev" -lt 64 ] && echo "$hp_prev" > /proc/sys/vm/nr_hugepages
	rm -rf "$rundir"
	[ -n "${KEEP_SELFTEST_OUTPUT:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
# the *_hugepage variants and huge_map need huge pages before they reach us
[ "$hp_prev" -lt 64 ] && echo 64 > /proc/sys/vm/nr_hugepages
hp=$(cat /proc/sys/vm/nr_hugepages)
[ "$hp" -ge 64 ] ||
	echo "note: only $hp huge pages could be reserved (memory in use): *_hugepage cases may fail in mmap"

if [ -n "$vfio" ]; then
	"$daemon" --fuse "$mnt" --device edu --status-socket none 2>"$work/daemon.log" &
	dp=$!
	for _ in $(seq 200); do [ -e "$mnt/devices/uvfio0" ] && break; sleep 0.05; done
	[ -e "$mnt/devices/uvfio0" ] ||
		{ cat "$work/daemon.log"; fail "the daemon did not serve $mnt/devices/uvfio0"; }
else
"$daemon" --fuse "$mnt" --test-interface --vfio-node --status-socket none \
	--fdpass-socket "$rundir/fdpass.sock" 2>"$work/daemon.log" &
dp=$!
for _ in $(seq 200); do [ -e "$mnt/iommu" ] && [ -S "$rundir/fdpass.sock" ] && break; sleep 0.05; done
[ -e "$mnt/iommu" ] || { cat "$work/daemon.log"; fail "the daemon did not serve $mnt/iommu"; }
fi

# run_test OUT [ARG]...: the test with ARGs, /dev/iommu in a private mount
# namespace (an overlay over /dev keeps the real nodes and adds ours,
# nothing changes outside the namespace)
run_test() {
	local out=$1; shift
	rm -rf "$work/devov" && mkdir -p "$work/devov"
	(cd "$st" && unshare -m --propagation private sh -c '
		set -e
		mount -t tmpfs tmpfs "$1"
		mkdir "$1/up" "$1/work"
		mount -t overlay overlay -o lowerdir=/dev,upperdir="$1/up",workdir="$1/work" /dev
		touch /dev/iommu
		mount --bind "$2/iommu" /dev/iommu
		e=$3 s=$4; shift 4
		exec timeout 600 "$e" --socket "$s" ./iommufd "$@"' sh \
		"$work/devov" "$mnt" "$exe" "$rundir/fdpass.sock" "$@") >"$out" 2>&1
}
# run_vfio_test OUT TEST: one VFIO self-test, given a made-up BDF whose
# sysfs directory names the cdev (the lib looks for a vfio* entry under
# BDF/vfio-dev/ and opens /dev/vfio/devices/<that name>)
vfio_bdf=0000:00:04.0
run_vfio_test() {
	rm -rf "$work/devov" && mkdir -p "$work/devov"
	(cd "$vst" && unshare -m --propagation private sh -c '
		set -e
		mount -t tmpfs tmpfs "$1"
		mkdir "$1/up" "$1/work"
		mount -t overlay overlay -o lowerdir=/dev,upperdir="$1/up",workdir="$1/work" /dev
		mkdir -p /dev/vfio/devices
		touch /dev/iommu /dev/vfio/devices/vfio0
		mount --bind "$2/iommu" /dev/iommu
		mount --bind "$2/devices/uvfio0" /dev/vfio/devices/vfio0
		mount -t tmpfs tmpfs /sys/bus/pci/devices
		mkdir -p "/sys/bus/pci/devices/$3/vfio-dev/vfio0"
		# the IDs the kernel would list for the device: edu'"'"'s
		# (daemon/providers/edu/edu.h), which the test compares with
		# what the config space read through the cdev says
		echo 0x1234 > "/sys/bus/pci/devices/$3/vendor"
		echo 0x11e8 > "/sys/bus/pci/devices/$3/device"
		exec timeout 600 "./$4" "$3"' sh \
		"$work/devov" "$mnt" "$vfio_bdf" "$2") >"$1" 2>&1
}
if [ -n "$vfio" ]; then
	: > "$out"
	for t in $vfio_tests; do
		run_vfio_test "$work/$t.out" "$t"
		trc=$?
		# a test with nothing to drive (no driver for the device) exits
		# 4 (KSFT_SKIP) before any case: one line says so
		[ $trc -eq 4 ] && ! grep -qE '^(not )?ok ' "$work/$t.out" &&
			echo "$t: skipped as a whole: $(grep -vE '^(TAP|#|1\.\.)' "$work/$t.out" | tail -1)"
		cat "$work/$t.out" >> "$out"
	done
	rc=0
else
run_test "$out"
rc=$?
fi

# The harness gives each case 30 s.  A case it stopped for time (a loaded
# machine, a sanitizer build) is run once more alone; its second result
# counts.
: > "$work/retried"
for c in $([ -n "$vfio" ] || awk '$1 == "#" && $2 == "RUN" { c = $3 } /Test terminated by timeout/ { print c }' "$out"); do
	run_test "$work/retry.out" -r "$c"
	if grep -qE "^ok [0-9]+ $c\$" "$work/retry.out"; then
		sed -i -E "s/^not ok ([0-9]+) $c\$/ok \1 $c/" "$out"
		echo "$c" >> "$work/retried"
	fi
done
[ -s "$work/retried" ] &&
	echo "passed when run alone after the harness's timeout: $(tr '\n' ' ' < "$work/retried")"

kill -TERM "$dp"; wait "$dp"; drc=$?; dp=
[ "$drc" -eq 0 ] || { tail -20 "$work/daemon.log"; fail "the daemon exited $drc after the run"; }
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/daemon.log"; then
	grep -E -A20 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/daemon.log" | head -40
	fail "sanitizer report from the daemon"
fi

# --- compare with the expected failures ----------------------------------
# TAP lines: "ok N name", "ok N name # SKIP why", "not ok N name".
# A case whose reason starts with "environment:" may pass where the machine
# allows it (a capability this host lacks); every other one must fail.
total=$(grep -cE '^(not )?ok [0-9]+ ' "$out")
skipped=$(grep -cE '^ok [0-9]+ .*# SKIP' "$out")
grep -E '^not ok [0-9]+ ' "$out" | awk '{ print $4 }' | sort -u > "$work/failed"
grep -E '^ok [0-9]+ ' "$out" | grep -v '# SKIP' | awk '{ print $3 }' | sort -u > "$work/passed"
grep -E '^(not )?ok [0-9]+ ' "$out" | sed 's/^not //' | awk '{ print $3 }' | sort -u > "$work/ran"
sed -e 's/^[[:space:]]*#.*//' -e '/^[[:space:]]*$/d' "$expected" | awk '{ print $1 }' | sort -u > "$work/expected"
sed -e 's/^[[:space:]]*#.*//' "$expected" | awk '$2 == "environment:" { print $1 }' | sort -u > "$work/may_pass"
failed=$(wc -l < "$work/failed")
passed=$(wc -l < "$work/passed")

[ "$total" -gt 0 ] || { tail -30 "$out"; fail "no test results (exit $rc)"; }
echo "$pkg $pkgver: $total cases: $passed passed, $failed failed, $skipped skipped"
unexpected_fail=$(comm -23 "$work/failed" "$work/expected")
unexpected_pass=$(comm -12 "$work/expected" "$work/passed" | comm -23 - "$work/may_pass")
missing=$(comm -23 "$work/expected" "$work/ran")
status=0
if [ -n "$unexpected_fail" ]; then
	echo "unexpected failures (the test's own words):"
	for c in $unexpected_fail; do
		echo "  $c"
		awk -v c="$c" '$1 == "#" && $2 == "RUN" { on = ($3 == c) }
			on && /^# / && !/ (RUN|OK|FAIL) / { print "    " $0 }' "$out" | head -4
	done
	status=1
fi
if [ -n "$unexpected_pass" ]; then
	echo "unexpected passes (take them out of $(basename "$expected")):"
	echo "$unexpected_pass" | sed 's/^/  /'
	status=1
fi
if [ -n "$missing" ]; then
	echo "expected failures that did not run (renamed or gone?):"
	echo "$missing" | sed 's/^/  /'
	status=1
fi
[ $status -eq 0 ] &&
	echo "every failure is one of the $(wc -l < "$work/expected") expected in $(basename "$expected")"
exit $status
