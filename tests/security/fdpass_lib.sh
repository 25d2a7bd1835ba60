#!/bin/bash
# Helpers of the fd-passing stall tests (sec-fdpass-*), on top of lib.sh and
# cost_lib.sh (whose sec_mount_hang gives the attacker its own
# never-answering FUSE server): the checks that the shared paths still serve
# everyone else.


# fdpass_launch_ok SECONDS: uid $SEC_UID2 launches a program with
# uiommufd-exec and gets a CREATE_ACCESS fd within SECONDS.
fdpass_launch_ok() {
	sec_within "$1" as_user "$SEC_UID2" -- "$SEC_EXEC" --socket "$SEC_FDPASS" \
		"$SEC_PROGS/sec_node_client" access "$SEC_NODE"
}

# The checks every fd-passing stall test makes while its attack is on,
# then SIGTERM: the daemon (started with --stop-timeout 3) must exit 0
# within 3 + 2 s.
fdpass_check_and_stop() {
	local i
	for i in 1 2; do
		if fdpass_launch_ok 5; then
			sec_ok "uid $SEC_UID2 CREATE_ACCESS through uiommufd-exec #$i within 5 s"
		else
			sec_fail "uid $SEC_UID2 CREATE_ACCESS through uiommufd-exec #$i did not complete within 5 s"
		fi
	done
	if sec_probe_within 3; then
		sec_ok "root IOAS_ALLOC+DESTROY within 3 s"
	else
		sec_fail "root IOAS_ALLOC+DESTROY did not complete within 3 s"
	fi
	if sec_status_answers 3; then
		sec_ok "uiommufdctl status answered within 3 s"
	else
		sec_fail "uiommufdctl status did not answer within 3 s"
	fi
	# Should the daemon not stop, the hang server goes well after the
	# limit, so that the forced stop does not wait with stuck threads.
	if [ -n "${hang_pid:-}" ]; then
		( sleep 12; kill -9 "$hang_pid" 2>/dev/null ) >/dev/null 2>&1 &
		sec_bg $!
	fi
	sec_finish 5
}
