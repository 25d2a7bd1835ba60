#!/bin/bash
# with-daemon.sh's client: runs $FAULT_CLIENT with the sweeping shim
# preloaded (fault_shim.c), then fails if the shim logged any finding.
#   FAULT_SHIM=libfault_shim.so FAULT_CLIENT=client_x preload.sh NODE [ARG]...
# UIOMMUFD_FAULT_PER_CMD bounds the sweep (CI); unset sweeps every call.
set -u
log=$(mktemp "${TMPDIR:-/tmp}/uiommufd-fault.XXXXXX")
trap 'rm -f "$log"' EXIT
start=$(date +%s)
# A sanitizer build's client loads its runtime after the shim: fine here.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
UIOMMUFD_FAULT_LOG=$log LD_PRELOAD=$FAULT_SHIM "$FAULT_CLIENT" "$@"
rc=$?
awk -v s="$start" -v e="$(date +%s)" -v c="$(basename "$FAULT_CLIENT")" '
	/^SWEPT/ { sw++; pt += $NF }
	/^ABSORBED/ { ab++ }
	END { printf "fault sweep %s: %d calls swept, %d failure points, %d absorbed, %d s\n", c, sw, pt, ab, e - s }' "$log"
if [ -n "${FAULT_SUMMARY_FILE:-}" ]; then
	awk -v c="$(basename "$FAULT_CLIENT")" '/^SWEPT/ { sw++; pt += $NF }
		END { print c, "SUMMARY", "pid", 0, "swept", sw + 0, "points", pt + 0 }' "$log" >>"$FAULT_SUMMARY_FILE"
fi
if grep -q '^FINDING' "$log"; then
	echo "findings:"; grep -A400 '^FINDING' "$log" | head -600
	rc=1
fi
grep '^NOTE' "$log"
[ "$rc" -eq 0 ] || echo "client or sweep failed (rc $rc)"
exit $rc
