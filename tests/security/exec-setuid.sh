#!/bin/bash
# Attack class 2, exec: a mapping's process found again by its PID number.
# P (uid 1000) IOAS_MAPs private memory at a fixed address; its helper H,
# under uiommufd-exec with P's iommufd, makes an access on the IOAS; P
# execs a setuid-root program (same PID) that reads root's 0600 secret to
# that address; H reads the IOVA.  The old daemon read the new image
# through the PID: H got the secret.  The fixed daemon binds the address
# space at the call: ACCESS_RW fails (EFAULT expected, rc < 0 asserted)
# and the secret never reaches H; before the exec, H reads P's own bytes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_pin.sh"
sec_init "$@"
sec_setuid_victim

sec_start_daemon
as_user -- timeout 30 "$SEC_PROGS/sec_exec_attack" "$SEC_NODE" \
	"$SEC_EXEC" "$SEC_FDPASS" "$SEC_SUID_VICTIM" "$SEC_SECRET"
rc=$?
case $rc in
0) sec_ok "the setuid image was not reached" ;;
1) sec_fail "the attack program says so above" ;;
*) sec_fail "sec_exec_attack exited $rc (setup failure or timeout)" ;;
esac
sec_daemon_answers || sec_fail "the daemon no longer answers a root client"
sec_finish
