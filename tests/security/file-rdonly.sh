#!/bin/bash
# Attack class 1a: write a root-owned file the user can only read.
# uid 1000 opens a root 0644 file on tmpfs O_RDONLY and hands it to
# IOMMU_IOAS_MAP_FILE as a writeable map in an IOAS with a mock domain (and
# with the domain attached after the map), then writes it with ACCESS_RW.
# The old daemon reopened /proc/self/fd/N O_RDWR as root for the pin.
# The fixed daemon must answer EACCES (map with a domain, or the attach
# after the map) and leave the file unchanged; a read-only MAP_FILE of the
# same fd and a writeable MAP_FILE of the user's own memfd still work.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_pin.sh"
sec_init "$@"

# MAP_FILE pins only shmem/hugetlbfs: the root file lives on tmpfs.
sec_tmpfs_dir
ROOTFILE=$SEC_SHM/root-file
head -c 4096 /dev/urandom | base64 -w0 | head -c 4096 >"$ROOTFILE"
chmod 0644 "$ROOTFILE"
SUM=$(sha256sum <"$ROOTFILE")

sec_start_daemon
as_pinner -- timeout 20 "$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$SEC_PROGS/sec_file_rdonly" "$SEC_NODE" "$ROOTFILE"
rc=$?
[ "$rc" -eq 0 ] || sec_fail "sec_file_rdonly exited $rc"
if [ "$(sha256sum <"$ROOTFILE")" = "$SUM" ]; then
	sec_ok "the root file is unchanged"
else
	sec_fail "the root file was written: $(head -c 40 "$ROOTFILE")"
fi
sec_daemon_answers || sec_fail "the daemon no longer answers a root client"
sec_finish
