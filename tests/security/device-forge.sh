#!/bin/bash
# The VFIO device look-alike (--device edu, twice): uid 1000 tries to bind a
# device to forged iommufds (its own FUSE file whose FLUSH is never
# answered, a memfd, the number another process has its iommufd at, the
# device itself) and to give that FUSE file as an interrupt eventfd: each
# gets the kernel's errno at once and no descriptor of the attacker's mount
# enters the daemon.  A client killed while bound, attached and mapped
# leaves the device to uid 1001 within 5 s.  A client stuck in a device
# ioctl (its argument on a page whose READ never returns) holds only its
# own binding: uid 1001 uses the other device, status and a root client are
# answered, and once the attacker's server is gone the device is free again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"
sec_init "$@"
sec_cost_init
sec_start_daemon --device edu --device edu --stop-timeout 3
DEV0=$SEC_DIR/mnt/devices/uvfio0
DEV1=$SEC_DIR/mnt/devices/uvfio1
ATTACK=$SEC_PROGS/sec_device_attack
sec_mount_hang --flush

# Forged iommufds and eventfds.
out=$SEC_DIR/forge.out
sec_user_bg "$SEC_UID" "$ATTACK" forge "$DEV0" "$SEC_NODE" "$HANG_MNT/bait" >"$out" 2>&1
for _ in $(seq 100); do grep -q 'forge done' "$out" && break; sleep 0.1; done
cat "$out"
grep -q '^forge ok' "$out" && sec_ok "every forged fd got the kernel's errno" ||
	sec_fail "a forged fd was not refused as the kernel does (or in time)"
if ls -l "/proc/$SEC_PID/fd" 2>/dev/null | grep -qF "$HANG_MNT"; then
	sec_fail "the daemon holds a descriptor of the attacker's FUSE file"
else
	sec_ok "no descriptor of the attacker's FUSE file in the daemon"
fi

# A client killed while bound, attached and mapped.
out=$SEC_DIR/hold.out
sec_user_bg "$SEC_UID" "$ATTACK" hold "$DEV0" "$SEC_NODE" >"$out" 2>&1
holder=$!
for _ in $(seq 100); do grep -q held "$out" && break; sleep 0.05; done
grep -q held "$out" || sec_fail "the holder did not bind"
kill -9 "$holder"
sec_within 5 as_user "$SEC_UID2" -- "$ATTACK" bind "$DEV0" "$SEC_NODE" &&
	sec_ok "the device is free once its killed binder is gone" ||
	sec_fail "uid $SEC_UID2 could not bind after the binder was killed"

# A client stuck in a device ioctl.
out=$SEC_DIR/stuck.out
sec_user_bg "$SEC_UID" "$ATTACK" stuck "$DEV0" "$SEC_NODE" "$HANG_MNT/bait" >"$out" 2>&1
stuck_pid=$!
for _ in $(seq 100); do grep -q stuck "$out" && break; sleep 0.05; done
sleep 1
grep -q '^stuck' "$out" || sec_fail "the stuck client did not start"
sec_within 5 as_user "$SEC_UID2" -- "$ATTACK" bind "$DEV1" "$SEC_NODE" &&
	sec_ok "the other device serves uid $SEC_UID2 meanwhile" ||
	sec_fail "the other device did not serve uid $SEC_UID2"
sec_status_answers 5 && sec_ok "status answers" || sec_fail "status did not answer"
"$SEC_CTL" --socket "$SEC_STATUS" status | tail -4
sec_daemon_answers && sec_ok "a root client is served" ||
	sec_fail "a root client was not served"
# The attacker's server goes: the stuck request fails, the client ends.
kill -9 "$hang_pid"
kill -9 "$stuck_pid"
sec_within 10 as_user "$SEC_UID2" -- "$ATTACK" bind "$DEV0" "$SEC_NODE" &&
	sec_ok "the device is free once the stuck client is gone" ||
	sec_fail "uid $SEC_UID2 could not bind after the stuck client ended"
sec_finish 6
