#!/bin/bash
# Attack class 4 of issue 10: the daemon's file descriptors.  It runs under
# the unit's RLIMIT_NOFILE of 1024.  uid 1000, with no domain (nothing is
# pinned), does IOAS_MAP_FILE of a file that can never be pinned (ext4)
# 2000 times, of one memfd 2000 times and of 2000 different memfds, then
# opens the node 1000 times.  A daemon that keeps a dup of every MAP_FILE's
# fd runs out at 1024: other clients' MAP_FILE fail (EBADF) and the status
# and fd-passing threads spin on accept.  What must hold instead:
#  - one file mapped many times is held once (all 2000 maps work),
#  - past 64 distinct pinnable files per context: ENOMEM,
#  - a file that can never be pinned costs no fd,
#  - meanwhile a root client's MAP_FILE of its own memfd (into a mock
#    domain) works, status and fd passing answer, and the daemon does not
#    spin (< 50% of a CPU over 1 s),
#  - past 256 contexts of one uid: ENOMEM, and root is still served.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cost_lib.sh"
sec_init "$@"
sec_cost_init
command -v prlimit >/dev/null || sec_skip "no prlimit"

sec_start_daemon
# The unit's limit (LimitNOFILE=1024), whatever the daemon set at start.
prlimit --pid "$SEC_PID" --nofile=1024:1024 || sec_skip "cannot set the daemon's RLIMIT_NOFILE"
sec_probe_within 3 || sec_fail "root IOAS_ALLOC before the attack"
base=$(sec_fd_count)
echo "daemon fds before the attack: $base"

# The attacker answers one line per command and holds what it made until
# its stdin ends.
coproc ATT { setpriv --reuid="$SEC_UID" --regid="$SEC_UID" --clear-groups \
	--inh-caps=-all --bounding-set=-all -- \
	"$SEC_PROGS/sec_fd_exhaust" attack "$SEC_NODE" 2>&1; }
sec_bg "$ATT_PID"
# att CMD: send CMD, set ok and err from the answer (60 s at most).
att() {
	local line
	echo "$1" >&"${ATT[1]}"
	if ! read -r -t 60 line <&"${ATT[0]}"; then
		sec_fail "attacker: no answer to '$1' within 60 s"
		sec_finish 10
	fi
	echo "attacker: $1 -> $line"
	ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line")
	err=$(sed -n 's/.* errno=\([0-9]*\).*/\1/p' <<<"$line")
}
ENOMEM=12

# A file that can never be pinned: the attacker's own, on a disk file
# system (not tmpfs, whose files are memfds to the daemon).
plain_dir=$SEC_DIR/user
if [ "$(stat -f -c %T "$plain_dir")" = tmpfs ] &&
	d=$(mktemp -d /var/tmp/uiommufd-sec.XXXXXX); then
	SEC_COST_CLEANUP="rm -rf $d"
	chown "$SEC_UID:$SEC_UID" "$d" && plain_dir=$d
fi
if [ "$(stat -f -c %T "$plain_dir")" = tmpfs ]; then
	echo "note: no disk file system for an unpinnable file: nonpin skipped"
	att "ctx 1"
else
	att "nonpin $plain_dir/plain 2000"
	fds=$(sec_fd_count)
	if [ "$fds" -le $((base + 16)) ]; then
		sec_ok "a file that can never be pinned costs no fd ($((fds - base)) more after $ok maps, errno $err)"
	else
		sec_fail "2000 MAP_FILE of an unpinnable file cost the daemon $((fds - base)) fds"
	fi
fi

held=$(sec_fd_count)
att "same 2000"
[ "$ok" -eq 2000 ] ||
	sec_fail "MAP_FILE of one memfd: $ok of 2000 maps worked (errno $err); one file must be held once"
fds=$(sec_fd_count)
[ "$fds" -le $((held + 32)) ] ||
	sec_fail "one memfd mapped 2000 times costs the daemon $((fds - held)) fds"

att "many 2000"
if [ "$ok" -ge 1 ] && [ "$ok" -le 64 ] && [ "$err" -eq $ENOMEM ]; then
	sec_ok "distinct memfds: ENOMEM after $ok"
else
	sec_fail "distinct memfds: $ok mapped, then errno $err (want ENOMEM after at most 64)"
fi
fds=$(sec_fd_count)
echo "daemon fds while the attacker holds its maps: $fds"
[ "$fds" -le $((base + 128)) ] ||
	sec_fail "the attacker holds $((fds - base)) of the daemon's fds (limit 1024)"

# While the attacker holds all that: the other clients and the service.
if sec_within 5 "$SEC_PROGS/sec_fd_exhaust" legit "$SEC_NODE"; then
	sec_ok "root MAP_FILE of its own memfd into a mock domain works"
else
	sec_fail "root MAP_FILE of its own memfd failed while the attacker holds fds"
fi
if sec_status_answers 3; then
	sec_ok "uiommufdctl status answered within 3 s"
else
	sec_fail "uiommufdctl status did not answer within 3 s"
fi
if sec_within 3 "$SEC_EXEC" --socket "$SEC_FDPASS" true; then
	sec_ok "fd passing (uiommufd-exec) works"
else
	sec_fail "fd passing (uiommufd-exec) failed within 3 s"
fi
hz=$(getconf CLK_TCK)
t0=$(sec_cpu_ticks)
sleep 1
t1=$(sec_cpu_ticks)
if [ $((t1 - t0)) -lt $((hz / 2)) ]; then
	sec_ok "the idle daemon used $((t1 - t0)) of $hz ticks in 1 s"
else
	sec_fail "the daemon spins: $((t1 - t0)) of $hz ticks in 1 s with nothing to do"
fi

# Contexts: 3 are open already (nonpin, same, many).
att "ctx 1000"
if [ "$err" -eq $ENOMEM ] && [ $((ok + 3)) -le 256 ]; then
	sec_ok "contexts: ENOMEM after $((ok + 3))"
else
	sec_fail "contexts: $((ok + 3)) opened, then errno $err (want ENOMEM after at most 256)"
fi
if sec_within 5 "$SEC_PROGS/sec_fd_exhaust" legit "$SEC_NODE"; then
	sec_ok "root still served with the attacker's contexts open"
else
	sec_fail "root MAP_FILE failed with the attacker's contexts open"
fi

exec {ATT[1]}>&-
sec_finish 10
