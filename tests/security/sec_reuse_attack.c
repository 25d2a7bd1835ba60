// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attack class 2, exit and PID reuse, under uiommufd-exec:
 *   sec_reuse_attack NODE DIR
 * A makes an access on an IOAS; its child P maps private memory at
 * SEC_VICTIM_VA and IOAS_MAPs it, and A reads P's bytes through the access
 * (legitimate, must work).  P exits.  A writes P's PID to DIR/reuse.pid and
 * waits for DIR/reuse.go: meanwhile the test starts a victim that gets
 * P's PID and keeps a secret at the same address.  Then A reads the IOVA
 * again: P's address space is gone, so the fixed daemon must fail
 * (rc < 0) and never return the victim's secret.  Exit 0 only then.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sec_ops.h"

static void mapper(int fd, uint32_t ioas, int tell, const int hold[2])
{
	char *p = sec_page_at_victim_va("mmap at the victim's address");
	char b = 'M';

	close(hold[1]);
	strcpy(p, SEC_OWN_BYTES);
	errno = 0;
	sec_need(itest_map_fixed(fd, ioas, SEC_MAP_RW, p, SEC_PS, SEC_IOVA) == 0,
		 "IOAS_MAP by the mapper");
	sec_need(write(tell, &b, 1) == 1, "write");
	/* Live until A has read our bytes, then exit. */
	sec_need(read(hold[0], &b, 1) >= 0, "read");
	_exit(0);
}

int main(int argc, char **argv)
{
	char buf[64] = "", path[4096], tmp[4096], b;
	int fd, afd, tell[2], hold[2];
	uint32_t ioas;
	pid_t child;
	FILE *f;
	int leak;
	long rc;

	if (argc < 3 || !getenv("UIOMMUFD_EXEC_ACTIVE")) {
		fprintf(stderr, "usage: uiommufd-exec %s NODE DIR\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	sec_need(fd >= 0, argv[1]);
	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	rc = sec_create_access(fd, ioas, &afd);
	errno = (int)-rc;
	sec_need(rc == 0, "CREATE_ACCESS");
	sec_need(pipe2(tell, O_CLOEXEC) == 0 && pipe2(hold, O_CLOEXEC) == 0, "pipe");
	fflush(stdout);
	child = fork();
	sec_need(child >= 0, "fork");
	if (child == 0)
		mapper(fd, ioas, tell[1], hold);
	sec_need(sec_wait_readable(tell[0], 10000) && read(tell[0], &b, 1) == 1,
		 "the mapper's map");
	rc = sec_access_rw(fd, afd, SEC_IOVA, buf, sizeof(buf), 0);
	sec_say(rc == 0 && !strcmp(buf, SEC_OWN_BYTES),
		"while the mapper lives, ACCESS_RW reads its bytes: %s", sec_err(rc));
	close(hold[1]);
	sec_need(waitpid(child, NULL, 0) == child, "waitpid");

	snprintf(tmp, sizeof(tmp), "%s/reuse.pid.tmp", argv[2]);
	snprintf(path, sizeof(path), "%s/reuse.pid", argv[2]);
	f = fopen(tmp, "we");
	sec_need(f && fprintf(f, "%d\n", (int)child) > 0 && fclose(f) == 0 &&
		 rename(tmp, path) == 0, "write the dead mapper's PID");
	snprintf(path, sizeof(path), "%s/reuse.go", argv[2]);
	for (int i = 0; access(path, F_OK); i++) {
		if (i > 1500) {
			printf("FAIL: setup: no go from the test within 15 s\n");
			return 4;
		}
		usleep(10000);
	}
	rc = sec_read_iova(fd, afd, buf, sizeof(buf), &leak);
	sec_say(rc < 0 && !leak,
		"after the mapper's exit and the reuse of its PID, ACCESS_RW: %s%s%s (want an error, and no secret)",
		sec_err(rc), rc ? "" : ", read: ", rc ? "" : buf);
	close(afd);
	close(fd);
	return sec_failed;
}
