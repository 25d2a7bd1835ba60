#!/bin/bash
# Kill storm (issue 14): clients of unprivileged uids, several at once,
# each pinning MIB MiB (IOAS_MAP of shared memory into an IOAS with a mock
# domain) and SIGKILLed at a random point of one of its first maps.
# Afterwards: no context, nothing pinned, every per-user account at 0, no
# locked memory, and the daemon's descriptors and RSS back to the baseline
# measured after a warm-up round; the daemon still serves.
# Two storms: MIB MiB per client charged to RLIMIT_MEMLOCK (per user, as the
# kernel's default accounting), raised to 4 x MIB for the clients; where
# root cannot raise the hard limit (no CAP_SYS_RESOURCE, as in some
# containers) the MIB MiB clients keep CAP_IPC_LOCK instead (pins charged
# to nobody) and a second storm of clients pinning a quarter of the hard
# limit covers the charged path.
# Size: REL_STORM_CLIENTS (24), REL_STORM_PARALLEL (4), REL_STORM_MIB (64);
# REL_SEED picks the kill points (1).  scripts/reliability.sh runs 1000.
. "$(dirname "$0")/rel_lib.sh"
rel_init "$@"
clients=${REL_STORM_CLIENTS:-24}
parallel=${REL_STORM_PARALLEL:-4}
mib=${REL_STORM_MIB:-64}
seed=${REL_SEED:-1}
uid0=${REL_UID0:-2000}

rel_start_daemon
rel_probe_within 5 || sec_fail "root IOAS_ALLOC before the storm"

# storm WHAT MIB MEMLOCK: one storm and its checks.
# Where a kill lands depends on timing: a small map can finish before any
# kill reaches it, so up to five storms (seeds seed..seed+4) are run until
# one kill lands inside IOAS_MAP; every storm's clients must be clean.
storm() {
	local what=$1 size=$2 memlock=$3 line rc s
	for s in $(seq "$seed" $((seed + 4))); do
		line=$("$REL_CLIENT" storm "$SEC_NODE" "$clients" "$parallel" "$size" \
			"$uid0" "$parallel" "$s" "$memlock")
		rc=$?
		echo "$what (seed $s): $line"
		[ "$rc" -eq 0 ] && sec_ok "$what: $clients clients killed, none failed, crashed or stuck" ||
			sec_fail "$what: a client failed, crashed or did not reach its map"
		rel_check_clean "$what" 30
		grep -q 'killed_in_map=[1-9]' <<<"$line" && return 0
	done
	sec_fail "$what: no kill landed inside IOAS_MAP in five storms"
}

memlock=$((4 * mib << 20))
hard=$(ulimit -Hl)
[ "$hard" = unlimited ] && hard=$((memlock >> 10))
# Warm-up: one round, so the worker pool and malloc arenas have grown.
"$REL_CLIENT" storm "$SEC_NODE" "$parallel" "$parallel" "$mib" "$uid0" \
	"$parallel" $((seed + 1000)) 0 || sec_fail "warm-up round"
rel_wait_clean 30 || sec_fail "warm-up: accounts did not drain: $REL_ACCOUNTS"
rel_baseline

if prlimit --memlock=$memlock:$memlock true 2>/dev/null; then
	storm "storm of $mib MiB charged" "$mib" "$memlock"
else
	echo "note: root cannot raise RLIMIT_MEMLOCK here (hard $hard kB): $mib MiB clients keep CAP_IPC_LOCK"
	storm "storm of $mib MiB (CAP_IPC_LOCK)" "$mib" 0
	small=$((hard / 4 / 1024))
	if [ "$small" -ge 1 ]; then
		storm "storm of $small MiB charged" "$small" $((hard << 10))
	else
		sec_fail "the hard RLIMIT_MEMLOCK ($hard kB) leaves no charged storm"
	fi
fi
rel_probe_within 5 && sec_ok "the daemon serves after the storm" ||
	sec_fail "the daemon does not answer after the storm"
sec_finish 10
