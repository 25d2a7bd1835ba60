#!/bin/bash
# Descriptors the daemon keeps for a client's fd handles and dma-bufs are
# bounded and charged to that client.
#  - Access fds (CREATE_ACCESS): the daemon keeps one end of a socketpair
#    each; under --max-fds-per-user 64 the attacker must get ENOMEM long
#    before 400 of them, and one again after closing them.  The old daemon
#    charged nobody (up to 1024 per context, any number of contexts).
#  - 300 MAP_FILEs of one dma-buf through a mock domain: the old daemon
#    kept a copy of the buffer's memfd and a mapping per map.  Now the
#    daemon's descriptors and mappings must not grow with the maps, and
#    the dma-buf is still read through its pin (MD_CHECK_MAP).
# Another uid's MAP_FILE and pin, and a root client, are served meanwhile.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"
sec_init "$@"
sec_cost_init
sec_start_daemon --max-fds-per-user 64

as_user -- timeout 30 "$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$SEC_PROGS/sec_view_attack" handles "$SEC_NODE"
rc=$?
[ "$rc" -eq 0 ] || sec_fail "sec_view_attack handles exited $rc"

N=300
fds0=$(sec_fd_count)
vmas0=$(wc -l <"/proc/$SEC_PID/maps")
out=$SEC_DIR/dmabuf.out
sec_user_bg "$SEC_UID" "$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$SEC_PROGS/sec_view_attack" dmabuf "$SEC_NODE" "$N" >"$out" 2>&1
for _ in $(seq 300); do
	grep -q '^mapped' "$out" && break
	sleep 0.1
done
cat "$out"
grep -q '^mapped' "$out" || sec_fail "the dma-buf maps did not finish"
grep -q '^FAIL' "$out" && sec_fail "the dma-buf program failed"
fds1=$(sec_fd_count)
vmas1=$(wc -l <"/proc/$SEC_PID/maps")
echo "daemon descriptors $fds0 -> $fds1, mappings $vmas0 -> $vmas1 after $N maps"
[ $((fds1 - fds0)) -lt 50 ] && sec_ok "descriptors do not grow with dma-buf maps" ||
	sec_fail "$((fds1 - fds0)) more daemon descriptors after $N maps of one dma-buf"
[ $((vmas1 - vmas0)) -lt 50 ] && sec_ok "mappings do not grow with dma-buf maps" ||
	sec_fail "$((vmas1 - vmas0)) more daemon mappings after $N maps of one dma-buf"

out2=$(as_user "$SEC_UID2" -- "$SEC_PROGS/sec_memory" map1 "$SEC_NODE" 2>&1)
grep -q 'ok=1' <<<"$out2" && sec_ok "another uid maps and pins" ||
	sec_fail "another uid's map failed: $out2"
sec_daemon_answers || sec_fail "the daemon no longer answers a root client"
sec_finish
