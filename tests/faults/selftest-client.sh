#!/bin/bash
# scripts/faults.sh's client for the kernel's own self-test: NODE is the
# daemon's FUSE file; the test opens /dev/iommu, so it is bound there in a
# private mount namespace (an overlay keeps the real /dev untouched).
# The shim is preloaded by our caller and inherited by the test.  The
# test's own verdicts (CONFORMANCE.md lists the cases that differ) are
# printed, not returned: the sweep's findings are what fails this.
node=$1
cd "$SELFTEST_DIR" || exit 1
unshare -m --propagation private sh -c '
	t=$(mktemp -d) && mount -t tmpfs tmpfs "$t" && mkdir "$t/up" "$t/work" &&
	mount -t overlay overlay -o lowerdir=/dev,upperdir="$t/up",workdir="$t/work" /dev &&
	touch /dev/iommu && mount --bind "$1" /dev/iommu &&
	exec "$UIOMMUFD_EXEC" --socket "$UIOMMUFD_FDPASS_SOCKET" ./iommufd' sh "$node" |
	grep -E '^# (PASSED|FAILED|Totals)'
exit 0
