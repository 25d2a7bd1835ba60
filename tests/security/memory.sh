#!/bin/bash
# Attack class 5 of issue 10: daemon memory nobody is charged for.
# (a) Areas: with --max-user-memory 8M, uid 1000 maps single 4 KiB pages
#     (IOAS_MAP, no domain, nothing pinned) until a map fails.  Each area is
#     daemon memory: the daemon must answer ENOMEM after a bounded count
#     (< 100000 areas, RSS grown < 16 MiB), uid 1001 must still map, and
#     after the attacker's UNMAP the attacker maps again.
# (b) Self-test dma-bufs are locked memory: uid 1000 with RLIMIT_MEMLOCK
#     8 MiB creates 1 MiB dma-bufs (DMABUF_GET, under uiommufd-exec) until
#     one fails: ENOMEM at about 8 MiB (at most 8), not 64 MiB and more.
# (c) IOAS_MAP_FILE of the node's own fd must not keep the context alive:
#     within 2 s of the client's exit the context count is what it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"
sec_init "$@"
sec_cost_init
command -v prlimit >/dev/null || sec_skip "no prlimit"
ENOMEM=12

opts=()
if "$SEC_DAEMON" --help 2>&1 | grep -q -- --max-user-memory; then
	opts=(--max-user-memory 8M)
else
	echo "note: this daemon has no --max-user-memory: started without it, the 8 MiB bound is asserted anyway"
fi
sec_start_daemon "${opts[@]}"
sec_probe_within 3 || sec_fail "root IOAS_ALLOC before the attack"

# (a) Areas.
rss0=$(sec_rss_kb)
coproc ATT { setpriv --reuid="$SEC_UID" --regid="$SEC_UID" --clear-groups \
	--inh-caps=-all --bounding-set=-all -- \
	"$SEC_PROGS/sec_memory" areas "$SEC_NODE" 100000 2>&1; }
sec_bg "$ATT_PID"
line=
read -r -t 90 line <&"${ATT[0]}"
echo "attacker: $line"
ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line")
err=$(sed -n 's/.* errno=\([0-9]*\).*/\1/p' <<<"$line")
rss1=$(sec_rss_kb)
echo "daemon RSS: $rss0 kB before, $rss1 kB with the attacker's areas; threads: $(ls /proc/$SEC_PID/task | wc -l)"
if [ -z "$ok" ]; then
	sec_fail "the area attacker did not answer within 90 s"
elif [ "$ok" -lt 100000 ] && [ "$err" -eq $ENOMEM ] && [ "$ok" -ge 1 ]; then
	sec_ok "areas: ENOMEM after $ok"
else
	sec_fail "areas: $ok mapped, then errno ${err:-?} (want ENOMEM before 100000 with an 8 MiB budget)"
fi
# 8 MiB charged is at most 16 MiB resident; a sanitizer's allocator (red
# zones, quarantine, shadow) takes up to six times that, still well under
# the ~160 MiB the 100000 areas of an unbounded daemon take there.
rss_max=16384
sec_sanitized && rss_max=$((rss_max * 6))
if [ $((rss1 - rss0)) -lt $rss_max ]; then
	sec_ok "the daemon grew by $((rss1 - rss0)) kB"
else
	sec_fail "the attacker's areas grew the daemon by $((rss1 - rss0)) kB (want < $rss_max kB)"
fi
if sec_within 5 as_user "$SEC_UID2" -- "$SEC_PROGS/sec_memory" map1 "$SEC_NODE"; then
	sec_ok "uid $SEC_UID2 IOAS_MAP works while uid $SEC_UID is at its limit"
else
	sec_fail "uid $SEC_UID2 IOAS_MAP failed while uid $SEC_UID is at its limit"
fi
line=
if [ -n "$ok" ]; then
	echo unmap >&"${ATT[1]}"
	read -r -t 30 line <&"${ATT[0]}"
fi
echo "attacker: $line"
if [ "$line" = "remap ok=1 errno=0" ]; then
	sec_ok "after its UNMAP the attacker maps again"
else
	sec_fail "after its UNMAP the attacker cannot map again (${line:-no answer})"
fi
exec {ATT[1]}>&-
sec_wait_ctx_count 0 5 ||
	sec_fail "the area attacker's context did not go within 5 s (contexts: ${SEC_CTX_SEEN:-?})"

# (b) Dma-bufs under an 8 MiB RLIMIT_MEMLOCK; 64 at most.
line=$(timeout -s KILL 60 setpriv --reuid="$SEC_UID" \
	--regid="$SEC_UID" --clear-groups --inh-caps=-all --bounding-set=-all -- \
	prlimit --memlock=8388608:8388608 -- \
	"$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$SEC_PROGS/sec_memory" dmabuf "$SEC_NODE" 64 2>&1 | tail -1)
echo "attacker: $line"
ok=$(sed -n 's/^dmabuf ok=\([0-9]*\).*/\1/p' <<<"$line")
err=$(sed -n 's/^dmabuf .* errno=\([0-9]*\).*/\1/p' <<<"$line")
if [ -z "$ok" ]; then
	sec_fail "the dma-buf attacker did not report: $line"
elif [ "$ok" -ge 1 ] && [ "$ok" -le 8 ] && [ "$err" -eq $ENOMEM ]; then
	sec_ok "dma-bufs: ENOMEM after $ok MiB under an 8 MiB RLIMIT_MEMLOCK"
else
	sec_fail "dma-bufs: $ok MiB locked, then errno $err (want ENOMEM by 8 MiB, RLIMIT_MEMLOCK 8 MiB)"
fi
sec_wait_ctx_count 0 5 ||
	sec_fail "the dma-buf attacker's context did not go within 5 s (contexts: ${SEC_CTX_SEEN:-?})"

# (c) MAP_FILE of the node's own fd, then exit.
base=$(sec_ctx_count)
if [ -z "$base" ]; then
	sec_fail "no context count from uiommufdctl status --json"
else
	if ! sec_within 5 as_user -- "$SEC_PROGS/sec_memory" selfmap "$SEC_NODE"; then
		sec_fail "the self-mapping client did not finish within 5 s"
	fi
	if sec_wait_ctx_count "$base" 2; then
		sec_ok "MAP_FILE of the node's own fd: the context went with its client"
	else
		sec_fail "MAP_FILE of the node's own fd kept the context after its client exited (contexts: ${SEC_CTX_SEEN:-?}, were $base)"
	fi
fi
sec_finish 10
