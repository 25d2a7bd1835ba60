// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * deny_seccomp_syscall: runs $DENY_SECCOMP_EXEC with the arguments given,
 * with seccomp(2) failing EPERM, as under the unit's SystemCallFilter=
 * @system-service (which lacks seccomp) and SystemCallErrorNumber=EPERM.
 * The daemon's fd passing must work there: its notification calls are
 * ioctls on listeners it is given, not seccomp(2).
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *prog = getenv("DENY_SECCOMP_EXEC");
	scmp_filter_ctx ctx;

	(void)argc;
	if (!prog) {
		fprintf(stderr, "deny_seccomp_syscall: set DENY_SECCOMP_EXEC\n");
		return 125;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 0) ||
	    seccomp_load(ctx)) {
		fprintf(stderr, "deny_seccomp_syscall: cannot load the filter\n");
		return 125;
	}
	seccomp_release(ctx);
	argv[0] = (char *)prog;
	execv(prog, argv);
	perror(prog);
	return 127;
}
