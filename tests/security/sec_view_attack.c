// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attacks on what the daemon keeps of a client's memory and descriptors
 * (red-team findings on the issue-10 fixes), each with the legitimate use
 * of the same kind.  Runs as an unprivileged uid under uiommufd-exec (the
 * self-test access and dma-buf fds need fd passing).
 *   sec_view_attack sigbus NODE   truncate a pinned memfd, then touch it
 *   sec_view_attack ro NODE       ACCESS_RW into read-only / PROT_NONE VMAs
 *   sec_view_attack grow NODE     ACCESS_RW past the end of a MAP_FILE memfd
 *   sec_view_attack handles NODE  access fds past --max-fds-per-user
 *   sec_view_attack dmabuf NODE N N MAP_FILEs of one dma-buf, then waits
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "sec_ops.h"

static long dmabuf_get(int fd, uint64_t len)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = len, .open_flags = O_CLOEXEC },
	};

	return itest_test_cmd(fd, &cmd);
}

/* A shared memfd of one page, mapped, filled with c. */
static char *shared_page(int *mfd, char c)
{
	char *p;

	*mfd = memfd_create("sec-view", MFD_CLOEXEC);
	sec_need(*mfd >= 0 && ftruncate(*mfd, SEC_PS) == 0, "memfd");
	p = mmap(NULL, SEC_PS, PROT_READ | PROT_WRITE, MAP_SHARED, *mfd, 0);
	sec_need(p != MAP_FAILED, "mmap");
	memset(p, c, SEC_PS);
	return p;
}

static int do_sigbus(int fd)
{
	static char buf[SEC_PS] __attribute__((aligned(4096)));
	uint32_t ioas, hwpt;
	int mfd, mfd2, afd;
	char *p, *q;
	long rc;

	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	sec_need(itest_mock_domain(fd, ioas, NULL, &hwpt, NULL) == 0,
		 "MOCK_DOMAIN");
	p = shared_page(&mfd, 'S');
	sec_need(itest_map_fixed(fd, ioas, SEC_MAP_RW, p, SEC_PS,
				 SEC_IOVA) == 0, "map (pinned)");
	sec_need(sec_create_access(fd, ioas, &afd) == 0, "CREATE_ACCESS");
	memset(buf, 'S', sizeof(buf));
	rc = itest_check_map(fd, hwpt, SEC_IOVA, buf, SEC_PS);
	sec_say(rc == 0, "MD_CHECK_MAP of the pinned memfd: %s", sec_err(rc));
	rc = sec_access_rw(fd, afd, SEC_IOVA, "pinned", 6, 1);
	sec_say(rc == 0 && !memcmp(p, "pinned", 6),
		"ACCESS_RW write to the pinned memfd: %s", sec_err(rc));

	/* The daemon's view of the file loses its page. */
	sec_need(ftruncate(mfd, 0) == 0, "truncate");
	rc = itest_check_map(fd, hwpt, SEC_IOVA, buf, SEC_PS);
	sec_say(rc == -EFAULT, "MD_CHECK_MAP after truncate: %s (EFAULT)",
		sec_err(rc));
	rc = sec_access_rw(fd, afd, SEC_IOVA, buf, 16, 0);
	sec_say(rc == -EFAULT, "ACCESS_RW read after truncate: %s (EFAULT)",
		sec_err(rc));
	rc = sec_access_rw(fd, afd, SEC_IOVA, buf, 16, 1);
	sec_say(rc == -EFAULT, "ACCESS_RW write after truncate: %s (EFAULT)",
		sec_err(rc));

	/* The daemon, and this context, still serve a good mapping. */
	q = shared_page(&mfd2, 'G');
	sec_need(itest_map_fixed(fd, ioas, SEC_MAP_RW, q, SEC_PS,
				 SEC_IOVA + SEC_PS) == 0, "second map");
	memset(buf, 'G', sizeof(buf));
	rc = itest_check_map(fd, hwpt, SEC_IOVA + SEC_PS, buf, SEC_PS);
	sec_say(rc == 0, "MD_CHECK_MAP of another memfd afterwards: %s",
		sec_err(rc));
	rc = sec_access_rw(fd, afd, SEC_IOVA + SEC_PS, buf, 16, 0);
	sec_say(rc == 0 && buf[0] == 'G', "ACCESS_RW read of it: %s",
		sec_err(rc));
	return sec_failed;
}

static int do_ro(int fd)
{
	char buf[16] = "WRITTEN-BY-DMA!", in[16];
	uint32_t ioas;
	int afd;
	char *p;
	long rc;

	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	p = mmap(NULL, SEC_PS, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sec_need(p != MAP_FAILED, "mmap");
	memset(p, 'A', SEC_PS);
	sec_need(itest_map_fixed(fd, ioas, SEC_MAP_RW, p, SEC_PS,
				 SEC_IOVA) == 0, "map");
	sec_need(sec_create_access(fd, ioas, &afd) == 0, "CREATE_ACCESS");
	rc = sec_access_rw(fd, afd, SEC_IOVA, buf, sizeof(buf), 1);
	sec_say(rc == 0 && !memcmp(p, buf, sizeof(buf)),
		"ACCESS_RW write of the caller's own writable memory: %s",
		sec_err(rc));

	memset(p, 'A', SEC_PS);
	sec_need(mprotect(p, SEC_PS, PROT_READ) == 0, "mprotect");
	rc = sec_access_rw(fd, afd, SEC_IOVA, buf, sizeof(buf), 1);
	sec_say(rc == -EFAULT && p[0] == 'A',
		"ACCESS_RW write into a read-only VMA: %s, first byte '%c' (EFAULT, untouched)",
		sec_err(rc), p[0]);
	memset(in, 0, sizeof(in));
	rc = sec_access_rw(fd, afd, SEC_IOVA, in, sizeof(in), 0);
	sec_say(rc == 0 && in[0] == 'A',
		"ACCESS_RW read of the read-only VMA: %s", sec_err(rc));

	sec_need(mprotect(p, SEC_PS, PROT_NONE) == 0, "mprotect");
	rc = sec_access_rw(fd, afd, SEC_IOVA, in, sizeof(in), 0);
	sec_say(rc == -EFAULT, "ACCESS_RW read of a PROT_NONE VMA: %s (EFAULT)",
		sec_err(rc));
	return sec_failed;
}

static int do_grow(int fd)
{
	static char big[2 * SEC_PS];
	uint64_t iova = SEC_IOVA;
	char in[16];
	struct stat st;
	uint32_t ioas;
	int mfd, afd;
	long rc;

	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	mfd = memfd_create("sec-grow", MFD_CLOEXEC);
	sec_need(mfd >= 0 && ftruncate(mfd, SEC_PS) == 0, "memfd");
	/* 1 MiB of a 4 KiB file: the map is allowed, as the kernel's is. */
	sec_need(itest_map_file(fd, ioas, SEC_MAP_RW, mfd, 0, 1 << 20,
				&iova) == 0, "MAP_FILE");
	sec_need(sec_create_access(fd, ioas, &afd) == 0, "CREATE_ACCESS");

	rc = sec_access_rw(fd, afd, iova + 16, "inside-the-file", 16, 1);
	sec_say(rc == 0 && pread(mfd, in, 16, 16) == 16 &&
			!memcmp(in, "inside-the-file", 16),
		"ACCESS_RW write inside the file: %s", sec_err(rc));
	memset(in, 0, sizeof(in));
	rc = sec_access_rw(fd, afd, iova + 16, in, 16, 0);
	sec_say(rc == 0 && !memcmp(in, "inside-the-file", 16),
		"ACCESS_RW read inside the file: %s", sec_err(rc));

	memset(big, 'x', sizeof(big));
	rc = sec_access_rw(fd, afd, iova + (512 << 10), big, SEC_PS, 1);
	sec_say(rc == -EFAULT, "ACCESS_RW write past the end: %s (EFAULT)",
		sec_err(rc));
	rc = sec_access_rw(fd, afd, iova, big, sizeof(big), 1);
	sec_say(rc == -EFAULT, "ACCESS_RW write across the end: %s (EFAULT)",
		sec_err(rc));
	rc = sec_access_rw(fd, afd, iova + SEC_PS, big, 16, 0);
	sec_say(rc == -EFAULT, "ACCESS_RW read past the end: %s (EFAULT)",
		sec_err(rc));
	sec_need(fstat(mfd, &st) == 0, "fstat");
	sec_say(st.st_size == (off_t)SEC_PS && st.st_blocks * 512 <= (blkcnt_t)SEC_PS,
		"the memfd kept its size: %lld bytes, %lld allocated",
		(long long)st.st_size, (long long)st.st_blocks * 512);
	return sec_failed;
}

#define HANDLES_TRY 400

static int do_handles(int fd)
{
	static int afds[HANDLES_TRY];
	uint32_t ioas;
	long rc = 0;
	int n, afd;

	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	for (n = 0; n < HANDLES_TRY; n++) {
		rc = sec_create_access(fd, ioas, &afds[n]);
		if (rc)
			break;
	}
	sec_say(n > 0, "the first access fd: %d made", n);
	sec_say(rc == -ENOMEM && n < HANDLES_TRY,
		"access fds stop at the user's descriptor limit: %d made, then %s (ENOMEM)",
		n, sec_err(rc));
	/* Closing them gives the descriptors back (seen at the next ioctl). */
	while (n--)
		close(afds[n]);
	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	rc = sec_create_access(fd, ioas, &afd);
	sec_say(rc == 0, "an access fd after closing the others: %s",
		sec_err(rc));
	return sec_failed;
}

static int do_dmabuf(int fd, long n)
{
	static char zero[SEC_PS] __attribute__((aligned(4096)));
	uint32_t ioas, hwpt;
	uint64_t iova = 0, first = 0;
	long i, rc = 0;
	int dfd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	sec_need(itest_mock_domain(fd, ioas, NULL, &hwpt, NULL) == 0,
		 "MOCK_DOMAIN");
	rc = dmabuf_get(fd, SEC_PS);
	sec_need(rc >= 0, "DMABUF_GET");
	dfd = (int)rc;
	for (i = 0; i < n; i++) {
		iova = 0;
		rc = itest_map_file(fd, ioas, IOMMU_IOAS_MAP_READABLE, dfd, 0,
				    SEC_PS, &iova);
		if (rc)
			break;
		if (!i)
			first = iova;
	}
	sec_say(i == n, "%ld MAP_FILEs of one dma-buf, pinned: %ld made (%s)",
		n, i, sec_err(rc));
	rc = i ? itest_check_map(fd, hwpt, first, zero, SEC_PS) : -ENOENT;
	sec_say(rc == 0, "MD_CHECK_MAP of the dma-buf: %s", sec_err(rc));
	printf("mapped\n");
	/* The shell counts the daemon's descriptors and mappings now. */
	pause();
	return sec_failed;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: %s sigbus|ro|grow|handles|dmabuf NODE [N]\n",
			argv[0]);
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_CLOEXEC);
	sec_need(fd >= 0, "open the node");
	if (!strcmp(argv[1], "sigbus"))
		return do_sigbus(fd);
	if (!strcmp(argv[1], "ro"))
		return do_ro(fd);
	if (!strcmp(argv[1], "grow"))
		return do_grow(fd);
	if (!strcmp(argv[1], "handles"))
		return do_handles(fd);
	if (!strcmp(argv[1], "dmabuf") && argc > 3)
		return do_dmabuf(fd, atol(argv[3]));
	return 2;
}
