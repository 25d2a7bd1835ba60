// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attack class 2, exec: the address space is bound at the call.
 *   sec_exec_attack NODE EXEC SOCKET VICTIM SECRETFILE
 * P (this process, an unprivileged user, not under uiommufd-exec: its
 * no_new_privs would defeat the setuid exec) maps private memory at
 * SEC_VICTIM_VA and IOAS_MAPs it.  Its child H runs under uiommufd-exec
 * (EXEC --socket SOCKET) with P's iommufd, makes an access on the IOAS and
 * reads P's bytes through it (legitimate, must work).  Then P execs VICTIM,
 * setuid root, which reads root's SECRETFILE to the same address; H reads
 * the IOVA again.  The kernel pinned P's old mm, which exec dropped: the
 * fixed daemon must fail that read (EFAULT expected, any rc < 0 accepted)
 * and never return the secret.
 * H's verdict goes to the victim's stdin; the victim exits with it, so
 * this process's exit status is the verdict (0: refused, as it must be).
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "sec_ops.h"

static int helper(int fd, uint32_t ioas, int verdict_w, int ready_r)
{
	char buf[64] = "", line[64] = "";
	char go = 'G', v;
	int afd, leak;
	long rc;

	rc = sec_create_access(fd, ioas, &afd);
	if (rc == 0)
		rc = sec_access_rw(fd, afd, SEC_IOVA, buf, sizeof(buf), 0);
	sec_say(rc == 0 && !strcmp(buf, SEC_OWN_BYTES),
		"before the exec, ACCESS_RW reads the mapper's own bytes: %s", sec_err(rc));
	if (sec_failed)
		go = 'F';
	sec_need(write(verdict_w, &go, 1) == 1, "write go");
	if (go != 'G')
		return 1;
	/* The victim says when its secret is in place. */
	if (!sec_wait_readable(ready_r, 10000) || read(ready_r, line, sizeof(line) - 1) <= 0 ||
	    strncmp(line, "ready", 5)) {
		printf("FAIL: setup: the setuid victim did not start\n");
		v = 4;
		sec_need(write(verdict_w, &v, 1) == 1, "write verdict");
		return 4;
	}
	rc = sec_read_iova(fd, afd, buf, sizeof(buf), &leak);
	sec_say(rc < 0 && !leak,
		"after the setuid exec, ACCESS_RW of the same IOVA: %s%s%s (want EFAULT, and no secret)",
		sec_err(rc), rc ? "" : ", read: ", rc ? "" : buf);
	v = (char)sec_failed;
	sec_need(write(verdict_w, &v, 1) == 1, "write verdict");
	return sec_failed;
}

int main(int argc, char **argv)
{
	int verdict[2], ready[2], fd;
	char fdstr[4][16], go = 0;
	uint32_t ioas;
	char *p;

	if (argc == 6 && !strcmp(argv[1], "--helper"))
		return helper(atoi(argv[2]), (uint32_t)atoi(argv[3]),
			      atoi(argv[4]), atoi(argv[5]));
	if (argc < 6) {
		fprintf(stderr, "usage: %s NODE EXEC SOCKET VICTIM SECRETFILE\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	sec_need(fd >= 0, argv[1]);
	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	p = sec_page_at_victim_va("mmap at the victim's address");
	strcpy(p, SEC_OWN_BYTES);
	errno = 0;
	sec_need(itest_map_fixed(fd, ioas, SEC_MAP_RW, p, SEC_PS, SEC_IOVA) == 0,
		 "IOAS_MAP of the mapper's memory");
	sec_need(pipe2(verdict, O_CLOEXEC) == 0 && pipe2(ready, O_CLOEXEC) == 0, "pipe");
	fflush(stdout);
	switch (fork()) {
	case -1:
		sec_need(0, "fork");
		break;
	case 0:
		/* H keeps the iommufd, writes verdicts, reads "ready". */
		fcntl(fd, F_SETFD, 0);
		fcntl(verdict[1], F_SETFD, 0);
		fcntl(ready[0], F_SETFD, 0);
		snprintf(fdstr[0], sizeof(fdstr[0]), "%d", fd);
		snprintf(fdstr[1], sizeof(fdstr[1]), "%d", verdict[1]);
		snprintf(fdstr[2], sizeof(fdstr[2]), "%d", ready[0]);
		snprintf(fdstr[3], sizeof(fdstr[3]), "%u", ioas);
		execl(argv[2], argv[2], "--socket", argv[3], argv[0], "--helper",
		      fdstr[0], fdstr[3], fdstr[1], fdstr[2], (char *)NULL);
		_exit(127);
	}
	close(verdict[1]);
	close(ready[0]);
	if (!sec_wait_readable(verdict[0], 10000) || read(verdict[0], &go, 1) != 1 ||
	    go != 'G') {
		printf("FAIL: the helper did not get going\n");
		return 1;
	}
	/* Same PID, root's new address space; H's verdict comes on stdin. */
	sec_need(dup2(verdict[0], 0) == 0 && dup2(ready[1], 1) == 1, "dup2");
	execl(argv[4], argv[4], argv[5], "wait", (char *)NULL);
	fprintf(stderr, "exec %s: %s\n", argv[4], strerror(errno));
	return 127;
}
