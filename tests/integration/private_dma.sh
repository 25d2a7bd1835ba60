#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# with-daemon.sh's client (daemon with --device edu on a FUSE mount):
#   private_dma.sh NODE   (PRIVATE_DMA, UIOMMUFD_EXEC, UIOMMUFD_SHARED_ANON_LIB)
# The same unmodified private_dma, whose DMA memory is private anonymous,
# without and with `uiommufd-exec --shared-anon`.  The software edu is an
# emulated domain, which takes private memory by VA, so both runs move
# data; what the shim changes shows when the source is munmap()ed after
# the map: without it the daemon followed the VA (exit 3), with it the
# daemon holds the very pages, as a hardware backend needs (exit 0).
set -u
node=$1
fail=0
run() {	# WANT LABEL COMMAND...
	local want=$1 label=$2 rc
	shift 2
	"$@"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $label: exit $rc, want $want"; fail=1
	else
		echo "ok   $label (exit $rc)"
	fi
}
run 0 "private memory, no shim" "$PRIVATE_DMA" "$node" -
run 3 "private memory unmapped after the map, no shim: the VA was followed" \
	"$PRIVATE_DMA" "$node" - --unmap-source
run 0 "under the shim" "$UIOMMUFD_EXEC" --shared-anon "$PRIVATE_DMA" "$node" -
run 0 "under the shim, unmapped after the map: the daemon kept the pages" \
	"$UIOMMUFD_EXEC" --shared-anon "$PRIVATE_DMA" "$node" - --unmap-source
run 0 "under the shim, a forked child's writes stay its own, the device reads the parent" \
	"$UIOMMUFD_EXEC" --shared-anon "$PRIVATE_DMA" "$node" - --fork
# The launcher: the shim appended to the program's own LD_PRELOAD; a shim
# it cannot name or find is a set-up failure (125), not a silent run.
got=$(LD_PRELOAD=$UIOMMUFD_SHARED_ANON_LIB "$UIOMMUFD_EXEC" --shared-anon \
	sh -c 'echo "$LD_PRELOAD"')
[ "$got" = "$UIOMMUFD_SHARED_ANON_LIB:$UIOMMUFD_SHARED_ANON_LIB" ] ||
	{ echo "FAIL LD_PRELOAD under --shared-anon: $got"; fail=1; }
run 125 "a missing shim library" env UIOMMUFD_SHARED_ANON_LIB=/nonexistent/lib.so \
	"$UIOMMUFD_EXEC" --shared-anon true
run 125 "a relative shim path" env UIOMMUFD_SHARED_ANON_LIB=lib.so \
	"$UIOMMUFD_EXEC" --shared-anon true
exit $fail
