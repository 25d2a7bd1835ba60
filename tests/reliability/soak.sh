#!/bin/bash
# Soak (issue 14): PROCS client processes of unprivileged uids, each OPS
# steps of the fuzz clients' op mix (tests/integration/fuzz_mix.h: valid
# calls on real objects with pins through mock domains, and random commands,
# sizes, IDs and pointers), bounded by SECONDS.  Every result must be one
# the kernel's iommufd gives (rel_client's kernel_errno()), no call may
# hang, and afterwards every context, pin and account is 0 and the daemon's
# descriptors and RSS are back at the baseline.  Throughput is printed
# (scripts/reliability.sh records it; nothing here asserts a speed).
# Size: REL_SOAK_PROCS (16), REL_SOAK_OPS (20000), REL_SOAK_SECONDS (120),
# REL_SOAK_UIDS (4), REL_SEED (1).
. "$(dirname "$0")/rel_lib.sh"
rel_init "$@"
procs=${REL_SOAK_PROCS:-16}
ops=${REL_SOAK_OPS:-20000}
secs=${REL_SOAK_SECONDS:-120}
nuids=${REL_SOAK_UIDS:-4}
seed=${REL_SEED:-1}
uid0=${REL_UID0:-2000}

rel_start_daemon --vfio-node
rel_probe_within 5 || sec_fail "root IOAS_ALLOC before the soak"
# Warm-up: a short soak of the same width grows the worker pool.
warm=$((ops / 10 < 200 ? 200 : ops / 10))
"$REL_CLIENT" soak "$SEC_NODE" "$procs" "$warm" "$secs" "$uid0" "$nuids" \
	$((seed + 1000)) >/dev/null || sec_fail "warm-up soak"
rel_wait_clean 30 || sec_fail "warm-up: accounts did not drain: $REL_ACCOUNTS"
rel_baseline

out=$("$REL_CLIENT" soak "$SEC_NODE" "$procs" "$ops" "$secs" "$uid0" \
	"$nuids" "$seed" 2>"$SEC_DIR/soak.err")
rc=$?
echo "$out"
head -20 "$SEC_DIR/soak.err"
[ "$rc" -eq 0 ] && sec_ok "soak: every result one the kernel gives, no hang" ||
	sec_fail "soak: a result the kernel would not give, or a client died"
rel_check_clean "soak" 30
rel_probe_within 5 && sec_ok "the daemon serves after the soak" ||
	sec_fail "the daemon does not answer after the soak"
sec_finish 10
