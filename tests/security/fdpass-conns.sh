#!/bin/bash
# The fd-passing handshake slots: 64 threads of uid 1000 connect to the
# fd-passing socket and say nothing, again and again.  One uid must not hold
# another's slot: uid 1001 launches 10 programs with uiommufd-exec and at
# least 9 get their CREATE_ACCESS fd (each within 5 s); a root client and
# status answer; SIGTERM stops the daemon, exit 0, within --stop-timeout 3
# (+2 s).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"
. "$(dirname "$0")/fdpass_lib.sh"
sec_init "$@"
sec_cost_init
sec_start_daemon --stop-timeout 3

fdpass_launch_ok 5 || { sec_fail "uid $SEC_UID2 CREATE_ACCESS before the attack"; sec_finish; }
sec_user_bg "$SEC_UID" "$SEC_PROGS/sec_fdpass_attack" conns "$SEC_FDPASS" 64 \
	>"$SEC_DIR/attacker.out" 2>&1
sleep 1
ok=0
for _ in $(seq 10); do
	fdpass_launch_ok 5 && ok=$((ok + 1))
done
if [ "$ok" -ge 9 ]; then
	sec_ok "uid $SEC_UID2 launched $ok/10 programs while uid $SEC_UID held connections"
else
	sec_fail "uid $SEC_UID2 launched only $ok/10 programs while uid $SEC_UID held connections"
fi
fdpass_check_and_stop
