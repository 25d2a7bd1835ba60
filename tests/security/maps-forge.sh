#!/bin/bash
# Attack class 1b: a forged line of /proc/PID/maps.  uid 1000 maps a root
# 0644 file MAP_SHARED PROT_READ at X and a file of its own whose path is
# long enough that the tail of its maps line, past a 512-byte line buffer,
# reads "X-X+4096 rw-s ...".  The old daemon took that for a writable
# shared mapping, opened /proc/PID/map_files/X-... O_RDWR as root and wrote
# the root file through ACCESS_RW.  The fixed daemon must answer EFAULT to
# the writeable map with a domain (and to the attach after the map) and
# leave the file unchanged; a writeable IOAS_MAP of the user's own
# MAP_SHARED memfd still works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_pin.sh"
sec_init "$@"

ROOTFILE=$SEC_DIR/root-file
head -c 4096 /dev/urandom | base64 -w0 | head -c 4096 >"$ROOTFILE"
chmod 0644 "$ROOTFILE"
SUM=$(sha256sum <"$ROOTFILE")

sec_start_daemon
as_pinner -- timeout 20 "$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$SEC_PROGS/sec_maps_forge" "$SEC_NODE" "$ROOTFILE" "$SEC_DIR/user"
rc=$?
[ "$rc" -eq 0 ] || sec_fail "sec_maps_forge exited $rc"
if [ "$(sha256sum <"$ROOTFILE")" = "$SUM" ]; then
	sec_ok "the root file is unchanged"
else
	sec_fail "the root file was written: $(head -c 40 "$ROOTFILE")"
fi
sec_daemon_answers || sec_fail "the daemon no longer answers a root client"
sec_finish
