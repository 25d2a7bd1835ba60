/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny check framework for clients that drive the real daemon over its
 * node (FUSE file on the host, CUSE device in the guest).  Each client takes
 * the node path as argv[1], runs its cases, and ends with the line
 * "N passed, M failed" that CI reads.
 */
#ifndef UIOMMUFD_ITEST_H
#define UIOMMUFD_ITEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "itest_ops.h"

static unsigned int itest_passed, itest_failed;
static const char *itest_node;
static const char *itest_case;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond) {                                                  \
			itest_passed++;                                      \
		} else {                                                     \
			itest_failed++;                                      \
			fprintf(stderr, "FAIL %s: %s:%d: %s\n", itest_case,  \
				__FILE__, __LINE__, #cond);                  \
		}                                                            \
	} while (0)

/* CHECK_RC(expr, expected): compare a -errno style result and say both. */
#define CHECK_RC(expr, want)                                                 \
	do {                                                                 \
		long _got = (expr), _want = (want);                          \
		if (_got == _want) {                                         \
			itest_passed++;                                      \
		} else {                                                     \
			itest_failed++;                                      \
			fprintf(stderr, "FAIL %s: %s:%d: %s = %ld (%s), want %ld (%s)\n", \
				itest_case, __FILE__, __LINE__, #expr, _got, \
				_got < 0 ? strerror((int)-_got) : "ok", _want, \
				_want < 0 ? strerror((int)-_want) : "ok");   \
		}                                                            \
	} while (0)

/* IOAS_ALLOC, checked to succeed; returns the new IOAS's ID. */
static inline uint32_t itest_ioas_new(int fd)
{
	uint32_t id;

	CHECK_RC(itest_ioas_alloc(fd, &id), 0);
	return id;
}

/* len bytes of shared anonymous memory; exits when there is none. */
static inline void *itest_shared_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/*
 * The CUSE retry transport differs from the kernel in two documented ways
 * (see daemon/frontend/ucmd_retry.c); checks of exactly those ask this first.
 */
static inline int itest_retry_transport(void)
{
	const char *t = getenv("UIOMMUFD_ARG_TRANSPORT");

	return t && !strcmp(t, "retry");
}

static inline int itest_open(void)
{
	int fd = open(itest_node, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "cannot open %s: %s\n", itest_node, strerror(errno));
		exit(1);
	}
	return fd;
}

#define RUN(fn)                                                              \
	do {                                                                 \
		unsigned int _f = itest_failed;                              \
		itest_case = #fn;                                            \
		fn();                                                        \
		printf("%s %s\n", itest_failed == _f ? "ok  " : "FAIL", #fn); \
	} while (0)

static inline void itest_init(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s NODE\n", argv[0]);
		exit(2);
	}
	itest_node = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline int itest_finish(void)
{
	printf("%u passed, %u failed\n", itest_passed, itest_failed);
	return itest_failed ? 1 : 0;
}

#endif
