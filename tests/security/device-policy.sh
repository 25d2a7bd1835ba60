#!/bin/bash
# Per-device access policy (--device KIND,owner=,group=,mode=): who may
# open and bind which device.
# (a) A bad owner, group or mode refuses the start, naming the argument.
# (b) The nodes carry their policy on disk (FUSE getattr): uid:gid and
#     mode as given; a device without one has the iommufd node's.
# (c) Owner only (0600, owner uid 1000): uid 1001 gets EACCES at open,
#     uid 1000 binds; root opens (CAP_DAC_OVERRIDE) and root without it
#     gets EACCES, as on a real node.
# (d) Group only (0660 root:GRP): uid 1000 without GRP gets EACCES, with
#     GRP as a supplementary group binds; a 0640 device opens read-only
#     for the group and refuses read-write.
# (e) An fd opened by an allowed user and passed to uid 1001 binds: only
#     the open is checked.
# (f) uiommufdctl status shows each device's owner, group and mode.
# The daemon's own check at open (past the node) is covered by
# tests/unit/test_device_policy.c with the credentials /proc shows of a
# real process, and in the guest by a node made elsewhere (tests/vm/
# edu-cuse.sh): on FUSE the kernel refuses first (default_permissions).
. "$(dirname "$0")/lib.sh"
sec_init "$@"
CLIENT=$SEC_PROGS/sec_policy_client
GRP=${SEC_DEV_GID:-4242}	# a group neither uid has by itself

# (a)
for bad in edu,owner=no-such-user-uiommufd edu,group=no-such-group-uiommufd \
	edu,mode=0888 edu,mode=4755 edu,mode=0660,mode=0600; do
	out=$(timeout 10 "$SEC_DAEMON" --fuse "$SEC_DIR/mnt" --device "$bad" \
		--status-socket none 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo "$out" | grep -qF -- "--device $bad:"; then
		sec_ok "--device $bad: refused at start ($(echo "$out" | head -1))"
	else
		sec_fail "--device $bad: exit $rc, output: $out"
	fi
done
umount -l "$SEC_DIR/mnt" 2>/dev/null

sec_start_daemon --device "edu,owner=$SEC_UID,group=0,mode=0600" \
	--device "edu,owner=0,group=$GRP,mode=0660" \
	--device "edu,group=$GRP,mode=0640" --device edu
DEV=$SEC_DIR/mnt/devices
IOMMU=$SEC_NODE

# (b)
want=("$SEC_UID 0 600" "0 $GRP 660" "0 $GRP 640" "0 0 666")
for i in 0 1 2 3; do
	got=$(stat -c '%u %g %a' "$DEV/uvfio$i")
	[ "$got" = "${want[$i]}" ] && sec_ok "uvfio$i on disk: $got" ||
		sec_fail "uvfio$i on disk: $got, want ${want[$i]}"
done

# (c)
out=$(as_user "$SEC_UID2" -- timeout 5 "$CLIENT" open "$DEV/uvfio0")
[ "$out" = EACCES ] && sec_ok "uid $SEC_UID2 cannot open uid $SEC_UID's device (EACCES)" ||
	sec_fail "uid $SEC_UID2 opening uvfio0 (0600 uid $SEC_UID): $out"
out=$(as_user "$SEC_UID2" -- timeout 5 "$CLIENT" open "$DEV/uvfio0" ro)
[ "$out" = EACCES ] || sec_fail "uid $SEC_UID2 opening uvfio0 read-only: $out"
out=$(as_user "$SEC_UID" -- timeout 5 "$CLIENT" bind "$DEV/uvfio0" "$IOMMU")
[ "$out" = bound ] && sec_ok "uid $SEC_UID binds its device" ||
	sec_fail "uid $SEC_UID binding uvfio0: $out"
out=$(timeout 5 "$CLIENT" open "$DEV/uvfio0")
[ "$out" = opened ] && sec_ok "root opens it (CAP_DAC_OVERRIDE)" ||
	sec_fail "root opening uvfio0: $out"
out=$(setpriv --inh-caps=-dac_override,-dac_read_search \
	--bounding-set=-dac_override,-dac_read_search -- \
	timeout 5 "$CLIENT" open "$DEV/uvfio0")
[ "$out" = EACCES ] && sec_ok "root without CAP_DAC_OVERRIDE gets EACCES" ||
	sec_fail "root without CAP_DAC_OVERRIDE opening uvfio0: $out"

# (d)
out=$(as_user "$SEC_UID" -- timeout 5 "$CLIENT" open "$DEV/uvfio1")
[ "$out" = EACCES ] && sec_ok "uid $SEC_UID outside group $GRP: EACCES" ||
	sec_fail "uid $SEC_UID (no groups) opening uvfio1 (0660 root:$GRP): $out"
in_grp=(setpriv --reuid="$SEC_UID" --regid="$SEC_UID" --groups="$GRP"
	--inh-caps=-all --bounding-set=-all --)
out=$("${in_grp[@]}" timeout 5 "$CLIENT" bind "$DEV/uvfio1" "$IOMMU")
[ "$out" = bound ] && sec_ok "uid $SEC_UID with supplementary group $GRP binds" ||
	sec_fail "uid $SEC_UID in group $GRP binding uvfio1: $out"
out=$("${in_grp[@]}" timeout 5 "$CLIENT" open "$DEV/uvfio2" ro)
[ "$out" = opened ] || sec_fail "group member opening uvfio2 (0640) read-only: $out"
out=$("${in_grp[@]}" timeout 5 "$CLIENT" open "$DEV/uvfio2")
[ "$out" = EACCES ] && sec_ok "0640: the group reads, cannot open read-write" ||
	sec_fail "group member opening uvfio2 (0640) read-write: $out"

# (e)
sock=$SEC_DIR/user/pass.sock
chmod 0711 "$SEC_DIR/user"
out=$SEC_DIR/send.out
setpriv --reuid="$SEC_UID" --regid="$SEC_UID" --clear-groups --inh-caps=-all \
	--bounding-set=-all -- "$CLIENT" send "$DEV/uvfio0" "$sock" >"$out" 2>&1 &
sender=$!
sec_bg "$sender"
for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.05; done
got=$(as_user "$SEC_UID2" -- timeout 10 "$CLIENT" recv-bind "$sock" "$IOMMU")
[ "$got" = bound ] && sec_ok "uid $SEC_UID2 binds the fd uid $SEC_UID passed it" ||
	{ sec_fail "uid $SEC_UID2 binding a passed fd: $got"; cat "$out"; }
wait "$sender" 2>/dev/null

# (f)
json=$("$SEC_CTL" --socket "$SEC_STATUS" status --json | tr -d ' \n')
for i in 0 1 2 3; do
	set -- ${want[$i]}
	echo "$json" | grep -q "\"node\":\"$DEV/uvfio$i\",\"kind\":\"edu\",\"owner\":$1,\"group\":$2,\"mode\":\"0$3\"" &&
		sec_ok "status: uvfio$i $1:$2 0$3" ||
		sec_fail "status does not show uvfio$i as $1:$2 0$3: $json"
done
"$SEC_CTL" --socket "$SEC_STATUS" status | tail -5
"$SEC_CTL" --socket "$SEC_STATUS" status | grep -q "uvfio1 .* root:$(getent group "$GRP" | cut -d: -f1 | grep . || echo "$GRP") 0660" ||
	sec_fail "the status table does not show uvfio1's access"
sec_finish
