#!/bin/bash
# On a kernel without CUSE, `uiommufd --cuse` must fail at once, with one
# line that says why and points at --fuse.  Skipped where /dev/cuse exists.
daemon=$1
[ -e /dev/cuse ] && { echo "SKIP: this kernel has /dev/cuse"; exit 77; }
err=$(timeout 5 "$daemon" --cuse 2>&1 >/dev/null); rc=$?
lines=$(printf '%s\n' "$err" | grep -c .)
echo "exit $rc, stderr: $err"
[ $rc -ne 0 ] && [ $rc -ne 124 ] || { echo "FAIL: wanted a prompt non-zero exit"; exit 1; }
[ "$lines" -eq 1 ] || { echo "FAIL: wanted exactly one line, got $lines"; exit 1; }
printf '%s' "$err" | grep -q -- '--fuse' || { echo "FAIL: the line does not suggest --fuse"; exit 1; }
echo "1 passed, 0 failed"
