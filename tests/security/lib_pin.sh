#!/bin/bash
# Helpers of the attack tests of classes 1, 2 and 6 (sourced after lib.sh).

# as_pinner [UID] -- CMD...: as_user, but keeping CAP_IPC_LOCK (ambient).
# Pins of a caller with CAP_IPC_LOCK are not charged to RLIMIT_MEMLOCK, so
# tests about *what* is pinned do not depend on whether the daemon can read
# another uid's limit (without CAP_SYS_RESOURCE the old daemon read it as 0
# and every pin failed with ENOMEM; sec-access-nodes tests that part).
# CAP_IPC_LOCK gives no access to any file or process.
as_pinner() {
	local uid=$SEC_UID
	if [ "$1" != -- ]; then uid=$1; shift; fi
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		--inh-caps=-all,+ipc_lock --ambient-caps=+ipc_lock \
		--bounding-set=-all,+ipc_lock -- "$@"
}

# A directory on tmpfs (MAP_FILE pins only shmem/hugetlbfs), 0755, removed
# with the test's other files; skips the test when there is none.
sec_tmpfs_dir() {
	SEC_SHM=$(mktemp -d /dev/shm/uiommufd-sec.XXXXXX) || sec_skip "no /dev/shm"
	trap 'rm -rf "$SEC_SHM"; sec_cleanup' EXIT
	chmod 0755 "$SEC_SHM"
	[ "$(stat -f -c %T "$SEC_SHM")" = tmpfs ] || sec_skip "/dev/shm is not tmpfs"
}
