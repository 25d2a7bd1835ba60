#!/bin/bash
# Class 5: daemon memory is charged to the user who asks for it.  uid 1000
# maps areas until the daemon refuses (ENOMEM, after a bounded number) and
# holds them for a few seconds; uid 1001 and root are still served in full, and uid 1000
# cannot open more contexts than --max-contexts-per-user.
. "$(dirname "$0")/lib.sh"
sec_init "$@"
sec_start_daemon --max-user-memory 2M --max-contexts-per-user 8
fill="$SEC_PROGS/sec_fill"
bound=$((2 * 1024 * 1024 / 256))

# The attacker: fills its budget and keeps it for 3 s.
as_user -- "$fill" "$SEC_NODE" 3 > "$SEC_DIR/fill1" &
fill1=$!
sec_bg $fill1
for _ in $(seq 200); do [ -s "$SEC_DIR/fill1" ] && break; sleep 0.05; done
read -r n1 e1 < "$SEC_DIR/fill1"
if [ "$e1" = ENOMEM ] && [ "$n1" -gt 0 ] && [ "$n1" -le "$bound" ]; then
	sec_ok "uid $SEC_UID refused with ENOMEM after $n1 areas"
else
	sec_fail "uid $SEC_UID mapped $n1 areas, ended with '$e1' (want ENOMEM within $bound)"
fi
# Another user gets a budget of its own, not what is left.
n2=$(as_user "$SEC_UID2" -- "$fill" "$SEC_NODE" 0 | cut -d' ' -f1)
if [ "${n2:-0}" -ge $((n1 - 8)) ]; then
	sec_ok "uid $SEC_UID2 mapped $n2 areas while uid $SEC_UID holds its budget"
else
	sec_fail "uid $SEC_UID2 mapped only ${n2:-0} areas (uid $SEC_UID: $n1)"
fi
sec_daemon_answers && sec_ok "root is served" || sec_fail "root is not served"

# Contexts: once its memory is given back, the attacker's opens stop at 8.
wait "$fill1"
out=$(as_user -- bash -c 'for i in $(seq 20); do
		exec {f}<>"$1" 2>/dev/null || { echo $((i - 1)); exit; }
	done; echo none' _ "$SEC_NODE")
if [ "$out" = 8 ]; then
	sec_ok "uid $SEC_UID's context over the limit is refused after $out opens"
else
	sec_fail "uid $SEC_UID opened '$out' contexts, want 8 (--max-contexts-per-user)"
fi
sec_daemon_answers && sec_ok "root is still served" || sec_fail "root is not served"
sec_finish
