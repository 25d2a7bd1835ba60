#!/bin/bash
# Attack class 6, the smaller items:
# (a) --vfio-node was 0666 whatever --mode said, and served the full ABI
#     (test interface included).  With --mode 0600 uid 1000 must not open
#     DIR/vfio (EACCES); root still can.
# (b) The daemon read another uid's RLIMIT_MEMLOCK with prlimit(), which
#     needs CAP_SYS_RESOURCE; without it the limit became 0 and every pin
#     of every other uid failed with ENOMEM.  Daemon started without
#     CAP_SYS_RESOURCE, uid 1000 with a limit L of 64 MiB (or the hard
#     limit this machine allows, 2 MiB at least): a 1 MiB pin must work;
#     L more must be ENOMEM.
# (c) One uid could take all 256 fd-passing listener slots.  uid 1000
#     starts 20 launchers that stay: the fixed daemon takes 16 per uid,
#     the 17th..20th launchers fail (uiommufd-exec exits non-zero; EMFILE
#     expected); uid 1001 still gets an access fd under uiommufd-exec.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_pin.sh"
sec_init "$@"
CLIENT=$SEC_PROGS/sec_node_client
PER_UID=16
LAUNCHERS=20

# (a)
sec_start_daemon --mode 0600 --vfio-node
out=$(as_user -- timeout 5 "$CLIENT" open "$SEC_VFIO")
if [ "$out" = EACCES ]; then
	sec_ok "uid $SEC_UID cannot open the vfio node of a 0600 daemon (EACCES)"
else
	sec_fail "uid $SEC_UID opening $SEC_VFIO of a --mode 0600 daemon: $out (want EACCES)"
fi
out=$(as_user -- timeout 5 "$CLIENT" open "$SEC_NODE")
[ "$out" = EACCES ] || sec_fail "uid $SEC_UID opening the 0600 iommu node: $out (want EACCES)"
out=$(timeout 5 "$CLIENT" open "$SEC_VFIO")
if [ "$out" = opened ]; then
	sec_ok "root opens the vfio node"
else
	sec_fail "root opening $SEC_VFIO: $out"
fi
sec_stop_daemon

# (b) and (c): a daemon without CAP_SYS_RESOURCE (kept: every other cap).
REAL=$(realpath "$SEC_DAEMON")
cat >"$SEC_DIR/daemon-nores" <<EOT
#!/bin/sh
exec setpriv --bounding-set=-sys_resource --inh-caps=-sys_resource -- "$REAL" "\$@"
EOT
chmod 0755 "$SEC_DIR/daemon-nores"
SEC_DAEMON=$SEC_DIR/daemon-nores
sec_start_daemon
eff=$(awk '/^CapEff/ { print $2 }' "/proc/$SEC_PID/status")
(( (0x$eff >> 24) & 1 )) && sec_fail "the daemon still has CAP_SYS_RESOURCE"
# Raising the hard limit needs CAP_SYS_RESOURCE, which a sandbox may lack.
hard=$(ulimit -H -l)
lim=$((64 << 20))
[ "$hard" = unlimited ] || [ $((hard << 10)) -ge "$lim" ] || lim=$((hard << 10))
if [ "$lim" -lt $((2 << 20)) ]; then
	echo "note: RLIMIT_MEMLOCK hard limit $hard KiB: the memlock part is not run"
else
	prlimit --memlock="$lim:$lim" \
		"${SEC_AS_USER[@]}" timeout 10 "$CLIENT" memlock "$SEC_NODE" ||
		sec_fail "RLIMIT_MEMLOCK of uid $SEC_UID not honoured (above)"
fi

# (c) Launchers are started one by one: each either execs sleep (its
# listener taken) or exits.
declare -a LPID
refused=0
for i in $(seq "$LAUNCHERS"); do
	"${SEC_AS_USER[@]}" "$SEC_EXEC" --socket "$SEC_FDPASS" sleep 60 \
		>"$SEC_DIR/launcher.$i" 2>&1 &
	LPID[i]=$!
	sec_bg "${LPID[i]}"
	for _ in $(seq 250); do
		kill -0 "${LPID[i]}" 2>/dev/null || break
		[ "$(cat "/proc/${LPID[i]}/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.02
	done
	if kill -0 "${LPID[i]}" 2>/dev/null; then
		[ "$i" -le "$PER_UID" ] ||
			sec_fail "launcher $i of uid $SEC_UID was accepted (at most $PER_UID per uid)"
	else
		wait "${LPID[i]}"
		rc=$?
		refused=$((refused + 1))
		echo "launcher $i of uid $SEC_UID refused (exit $rc): $(cat "$SEC_DIR/launcher.$i")"
		[ "$i" -gt "$PER_UID" ] && [ "$rc" -ne 0 ] ||
			sec_fail "launcher $i of uid $SEC_UID: exit $rc within the per-uid limit"
	fi
done
[ "$refused" -eq $((LAUNCHERS - PER_UID)) ] &&
	sec_ok "uid $SEC_UID got $PER_UID fd-passing listeners, the other $refused were refused"
grep -q "Too many open files" "$SEC_DIR/launcher.$((PER_UID + 1))" 2>/dev/null ||
	echo "note: launcher $((PER_UID + 1)) did not report EMFILE"
as_user "$SEC_UID2" -- timeout 10 "$SEC_EXEC" --socket "$SEC_FDPASS" \
	"$CLIENT" access "$SEC_NODE" ||
	sec_fail "uid $SEC_UID2 could not get an access fd while uid $SEC_UID holds listeners"
for i in $(seq "$LAUNCHERS"); do kill "${LPID[i]}" 2>/dev/null; done
sec_daemon_answers || sec_fail "the daemon no longer answers a root client"
sec_finish
