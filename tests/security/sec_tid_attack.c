// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attack class 2, the (thread ID, uid) source cache, under uiommufd-exec:
 *   sec_tid_attack NODE
 * Started by the test with the PID that a thread of the victim (a
 * non-dumpable client of the same uid, sec_victim ... NODE) had when it
 * made an IOAS_MAP and exited, the victim still alive.  This process maps
 * its own private memory at the victim's address, IOAS_MAPs it and reads
 * it back through an access.  A daemon that finds the mapping process
 * again by the calling TID reads the victim instead.  The map must be
 * bound to this process: ACCESS_RW returns these bytes, never the
 * victim's secret.  Exit 0 only then.
 */
#include <sys/mman.h>

#include "sec_ops.h"

int main(int argc, char **argv)
{
	char buf[64] = "";
	int fd, afd, leak;
	uint32_t ioas;
	char *p;
	long rc;

	if (argc < 2 || !getenv("UIOMMUFD_EXEC_ACTIVE")) {
		fprintf(stderr, "usage: uiommufd-exec %s NODE\n", argv[0]);
		return 2;
	}
	/* No timeout(1) around this program: it must keep the PID it got. */
	alarm(20);
	printf("attacker: PID %d\n", (int)getpid());
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	sec_need(fd >= 0, argv[1]);
	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	p = sec_page_at_victim_va("mmap at the victim's address");
	strcpy(p, SEC_OWN_BYTES);
	rc = itest_map_fixed(fd, ioas, SEC_MAP_RW, p, SEC_PS, SEC_IOVA);
	sec_say(rc == 0, "IOAS_MAP of the own memory: %s", sec_err(rc));
	rc = sec_create_access(fd, ioas, &afd);
	errno = (int)-rc;
	sec_need(rc == 0, "CREATE_ACCESS");
	rc = sec_read_iova(fd, afd, buf, sizeof(buf), &leak);
	sec_say(rc == 0 && !leak && !strcmp(buf, SEC_OWN_BYTES),
		"ACCESS_RW of the new map reads the own bytes: %s, read: %s%s", sec_err(rc),
		buf, leak ? " (the victim's secret)" : "");
	close(afd);
	close(fd);
	return sec_failed;
}
