#!/bin/bash
# Access: the daemon's sockets live in a directory only it writes.  A socket
# path in a world-writable directory (/tmp) or in one another user owns is
# refused at start with one line, and nothing is created or changed there;
# a private directory is created when missing and works.
. "$(dirname "$0")/lib.sh"
sec_init "$@"
mnt=$SEC_DIR/mnt
try_start() { # OPTION PATH: the daemon must refuse to start
	local out rc
	out=$(timeout 10 "$SEC_DAEMON" --fuse "$mnt" --status-socket none "$1" "$2" 2>&1)
	rc=$?
	mountpoint -q "$mnt" && fusermount3 -u -z "$mnt"
	if [ "$rc" -ne 0 ] && echo "$out" | grep -q "only uid 0 writes"; then
		sec_ok "$1 $2 refused"
	else
		sec_fail "$1 $2: rc $rc, '$out'"
	fi
}
wdir=$SEC_DIR/world
mkdir -m 1777 "$wdir"
# An attacker's symlink where the socket would go: must not be followed.
target=$SEC_DIR/victim
touch "$target"; chmod 0600 "$target"
as_user -- ln -s "$target" "$wdir/fdpass.sock"
try_start --fdpass-socket "$wdir/fdpass.sock"
try_start --fdpass-socket "$SEC_DIR/user/fdpass.sock"
# --status-socket is held to the same rule (not as "none": a named path).
out=$(timeout 10 "$SEC_DAEMON" --fuse "$mnt" --status-socket "$SEC_DIR/user/s.sock" 2>&1)
rc=$?
mountpoint -q "$mnt" && fusermount3 -u -z "$mnt"
[ "$rc" -ne 0 ] && sec_ok "--status-socket in the user's directory refused" ||
	sec_fail "--status-socket in the user's directory: rc $rc, '$out'"
[ "$(stat -c %a "$target")" = 600 ] && sec_ok "the symlink's target is untouched" ||
	sec_fail "the symlink's target became $(stat -c %a "$target")"
[ -e "$SEC_DIR/user/fdpass.sock" ] || [ -e "$SEC_DIR/user/s.sock" ] &&
	sec_fail "a socket was created in the user's directory"

# The legitimate use: a missing private directory is created 0755.
SEC_FDPASS=$SEC_DIR/new/fdpass.sock SEC_STATUS=$SEC_DIR/new/status.sock
sec_start_daemon --status-group "$SEC_UID"
[ "$(stat -c '%a %u' "$SEC_DIR/new")" = "755 0" ] && sec_ok "directory created 0755 root" ||
	sec_fail "directory is $(stat -c '%a %u' "$SEC_DIR/new")"
[ "$(stat -c '%a %g' "$SEC_STATUS")" = "660 $SEC_UID" ] && sec_ok "status socket 0660 root:$SEC_UID" ||
	sec_fail "status socket is $(stat -c '%a %g' "$SEC_STATUS")"
[ "$(stat -c %a "$SEC_FDPASS")" = 666 ] && sec_ok "fdpass socket 0666" ||
	sec_fail "fdpass socket is $(stat -c %a "$SEC_FDPASS")"
as_user -- "$SEC_EXEC" --socket "$SEC_FDPASS" "$SEC_PROGS/sec_probe" "$SEC_NODE" &&
	sec_ok "uid $SEC_UID launches through the fdpass socket" ||
	sec_fail "uid $SEC_UID cannot launch through the fdpass socket"
sec_finish
