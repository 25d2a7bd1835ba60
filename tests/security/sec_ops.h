/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the attack programs of tests/security share: the self-test access
 * (CREATE_ACCESS needs uiommufd-exec, ACCESS_RW names the access by its fd
 * number in the calling process) and the verdict helpers.  Every program
 * prints "ok: ..." or "FAIL: ..." lines and exits 0 only when the attack
 * was refused and the legitimate use worked.
 */
#ifndef UIOMMUFD_SEC_OPS_H
#define UIOMMUFD_SEC_OPS_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../integration/itest_ops.h"

#define SEC_PS 4096ul
#define SEC_IOVA ((uint64_t)MOCK_APERTURE_START)
#define SEC_MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

/*
 * The address-space tests: where the victim (sec_victim) keeps the secret
 * it read, and the attacker its own bytes; every secret file starts with
 * the tag, so that a program that may not read it still recognises it.
 */
#define SEC_VICTIM_VA 0x200000000000ull
#define SEC_SECRET_TAG "UIOMMUFD-SECRET-"
#define SEC_OWN_BYTES "ATTACKER-OWN-BYTES"

static int sec_failed;

static inline void sec_say(int ok, const char *fmt, ...)
{
	va_list ap;

	if (!ok)
		sec_failed = 1;
	printf("%s", ok ? "ok: " : "FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* A setup step that must work for the test to mean anything. */
static inline void sec_need(int ok, const char *what)
{
	if (!ok) {
		printf("FAIL: setup: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

static inline const char *sec_err(long rc)
{
	return rc < 0 ? strerrorname_np((int)-rc) : "success";
}

static inline long sec_create_access(int fd, uint32_t ioas, int *afd)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_CREATE_ACCESS, .id = ioas,
	};
	long rc = itest_test_cmd(fd, &cmd);

	*afd = rc ? -1 : (int)cmd.create_access.out_access_fd;
	return rc;
}

/* ACCESS_RW: write when write is set, else read into p. */
static inline long sec_access_rw(int fd, int afd, uint64_t iova, void *p,
				 uint64_t len, int write)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ACCESS_RW, .id = (uint32_t)afd,
		.access_rw = { .iova = iova, .length = len,
			       .uptr = (uintptr_t)p,
			       .flags = write ? MOCK_ACCESS_RW_WRITE : 0 },
	};

	return itest_test_cmd(fd, &cmd);
}

/* An IOAS with a mock domain attached (pins happen at map time). */
static inline uint32_t sec_ioas_with_domain(int fd)
{
	uint32_t ioas;

	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	sec_need(itest_mock_domain(fd, ioas, NULL, NULL, NULL) == 0,
		 "MOCK_DOMAIN");
	return ioas;
}

/*
 * An attack's map went through where it must not have: try to write bytes
 * through it with an access (what the old daemon let reach the file), and
 * say what happened.
 */
static inline void sec_try_write(int fd, uint32_t ioas, const void *bytes,
				 size_t len, const char *how)
{
	int afd;
	long rc;

	if (sec_create_access(fd, ioas, &afd)) {
		printf("  (%s: CREATE_ACCESS failed)\n", how);
		return;
	}
	rc = sec_access_rw(fd, afd, SEC_IOVA, (void *)bytes, len, 1);
	sec_say(rc < 0, "%s: ACCESS_RW write into the root file: %s", how,
		sec_err(rc));
	close(afd);
}

/* Wait up to ms for fd to become readable; 1 when it did. */
static inline int sec_wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/* Whether needle (n bytes) occurs in hay (h bytes). */
static inline int sec_contains(const void *hay, size_t h, const void *needle,
			       size_t n)
{
	return n && memmem(hay, h, needle, n) != NULL;
}

/*
 * A private page at SEC_VICTIM_VA: the victim keeps its secret there, an
 * attacker its own bytes at the same address in its own address space.
 */
static inline char *sec_page_at_victim_va(const char *what)
{
	char *p = mmap((void *)(uintptr_t)SEC_VICTIM_VA, SEC_PS,
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	sec_need(p == (void *)(uintptr_t)SEC_VICTIM_VA, what);
	return p;
}

/*
 * ACCESS_RW read of SEC_IOVA into buf (n bytes, NUL-terminated, cut at its
 * first newline); the ioctl's result, and in *leak whether the victim's
 * secret came back.
 */
static inline long sec_read_iova(int fd, int afd, char *buf, size_t n,
				 int *leak)
{
	long rc;

	memset(buf, 0, n);
	rc = sec_access_rw(fd, afd, SEC_IOVA, buf, n - 1, 0);
	*leak = sec_contains(buf, n, SEC_SECRET_TAG, strlen(SEC_SECRET_TAG));
	buf[strcspn(buf, "\n")] = '\0';
	return rc;
}

#endif
