// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The victim of the address-space tests (attack class 2):
 *   sec_victim SECRETFILE wait|sleep [nodump] [NODE]
 * Reads SECRETFILE (root's 0600 file when installed setuid root, or a
 * same-uid file, like an ssh key, with nodump) into private memory at
 * SEC_VICTIM_VA, then prints "ready PID TID" on stdout, where TID is the
 * thread that mapped (below) or PID.  wait: exits with the first byte read
 * from stdin (the attacker's verdict); sleep: until killed.  Both give up
 * after 60 s.
 * NODE: act as a legitimate iommufd client too: a second thread opens
 * nothing new but makes an IOAS_MAP of the secret on the process's own
 * context and exits, leaving the map (and the daemon's view of who mapped
 * it) behind; TID is that thread's.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "sec_ops.h"

static int node_fd;
static uint32_t node_ioas;
static pid_t mapper_tid;
static long mapper_rc;

static void *mapper(void *p)
{
	mapper_tid = gettid();
	mapper_rc = itest_map_fixed(node_fd, node_ioas, SEC_MAP_RW, p, SEC_PS,
				    SEC_IOVA);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	char *p, b;
	int sfd;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SECRETFILE wait|sleep [nodump] [NODE]\n",
			argv[0]);
		return 2;
	}
	alarm(60);
	if (argc > 3 && !strcmp(argv[3], "nodump"))
		sec_need(prctl(PR_SET_DUMPABLE, 0) == 0, "PR_SET_DUMPABLE");
	p = sec_page_at_victim_va("mmap the secret's page");
	sfd = open(argv[1], O_RDONLY | O_CLOEXEC);
	sec_need(sfd >= 0 && read(sfd, p, SEC_PS - 1) > 0, argv[1]);
	close(sfd);
	mapper_tid = getpid();
	if (argc > 4) {
		node_fd = open(argv[4], O_RDWR | O_CLOEXEC);
		sec_need(node_fd >= 0, argv[4]);
		sec_need(itest_ioas_alloc(node_fd, &node_ioas) == 0, "IOAS_ALLOC");
		sec_need(pthread_create(&t, NULL, mapper, p) == 0 &&
			 pthread_join(t, NULL) == 0, "mapper thread");
		errno = (int)-mapper_rc;
		sec_need(mapper_rc == 0, "IOAS_MAP by the mapper thread");
	}
	printf("ready %d %d\n", (int)getpid(), (int)mapper_tid);
	fflush(stdout);
	/*
	 * _exit: no atexit handlers, so a sanitizer's leak check (which
	 * cannot run in a non-dumpable process) does not change the verdict.
	 */
	if (!strcmp(argv[2], "wait"))
		_exit(read(0, &b, 1) == 1 ? b : 3);
	for (;;)
		pause();
}
