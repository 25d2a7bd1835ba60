#!/bin/bash
# Attack class 3a of issue 10: a size word of 4 GiB with a zero tail.  A
# daemon that checks the tail in small reads spends 10-15 s per ioctl, so a
# few attacker threads hold every worker and a root client (and the
# watchdog) waits for tens of seconds.  The size must be refused (E2BIG)
# without reading, or read in large chunks under a bound, so that:
#  - each attacker call returns within 3 s (E2BIG),
#  - a root client's IOAS_ALLOC+DESTROY completes within 3 s, every time,
#  - `uiommufdctl status` answers within 3 s,
# all while 4 attacker threads of uid 1000 keep trying.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"
sec_init "$@"
sec_cost_init
sec_start_daemon

sec_user_bg "$SEC_UID" "$SEC_PROGS/sec_stall_size" "$SEC_NODE" 4 8 3 \
	>"$SEC_DIR/attacker.out" 2>&1
sleep 0.5

for i in 1 2 3; do
	if sec_probe_within 3; then
		sec_ok "root IOAS_ALLOC+DESTROY #$i within 3 s while attacked"
	else
		sec_fail "root IOAS_ALLOC+DESTROY #$i did not complete within 3 s while attacked"
	fi
	sleep 0.5
done
if sec_status_answers 3; then
	sec_ok "uiommufdctl status answered within 3 s"
else
	sec_fail "uiommufdctl status did not answer within 3 s"
fi

# The attacker reports after 8 s of calls and 3 s for the last ones; its
# exit can wait for the daemon, so read its line instead of waiting for it.
for _ in $(seq 150); do
	grep -q '^attacker:' "$SEC_DIR/attacker.out" && break
	sleep 0.1
done
cat "$SEC_DIR/attacker.out"
if grep -q '^attacker:.*PASS$' "$SEC_DIR/attacker.out"; then
	sec_ok "every attacker call returned E2BIG within 3 s"
else
	sec_fail "attacker calls were not all E2BIG within 3 s"
fi
sec_probe_within 3 || sec_fail "root IOAS_ALLOC+DESTROY after the attack"
sec_finish
