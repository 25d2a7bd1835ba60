/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For clients whose cases need the fd-passing launcher (docs/fd-passing.md):
 * when UIOMMUFD_FDPASS_SOCKET and UIOMMUFD_EXEC (the uiommufd-exec binary)
 * are set, the client runs itself again under the launcher, which sets
 * UIOMMUFD_EXEC_ACTIVE; otherwise the cases that need it print "skip".
 * Include after itest.h.
 */
#ifndef UIOMMUFD_ITEST_EXEC_H
#define UIOMMUFD_ITEST_EXEC_H

#include <sys/types.h>
#include <sys/wait.h>

/*
 * Runs this program (argv[0] NODE) again under uiommufd-exec as the case
 * "under_launcher" and checks that it succeeded; without the launcher,
 * prints "skip CASES: ..." instead.
 */
static inline void itest_under_launcher(char **argv, const char *cases)
{
	const char *exec = getenv("UIOMMUFD_EXEC");
	const char *sock = getenv("UIOMMUFD_FDPASS_SOCKET");
	int status;
	pid_t child;

	itest_case = "under_launcher";
	if (!exec || !sock) {
		printf("skip %s: not under uiommufd-exec (set UIOMMUFD_FDPASS_SOCKET and UIOMMUFD_EXEC)\n",
		       cases);
		return;
	}
	fflush(stdout);
	child = fork();
	if (child == 0) {
		execl(exec, exec, "--socket", sock, argv[0], argv[1], (char *)NULL);
		perror(exec);
		_exit(127);
	}
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
}

#endif
