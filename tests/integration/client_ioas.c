// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IOAS address space over a real node, with the daemon started with
 * --test-interface: the errno rules of MAP/UNMAP/COPY/MAP_FILE/ALLOW_IOVAS
 * with real caller memory, lazy pinning, pins that outlive the client's VA,
 * RLIMIT_MEMLOCK, and a SIGKILLed client holding 1 GiB pinned.  Checks of
 * the daemon's VmLck need UIOMMUFD_DAEMON_PID (set by with-daemon.sh) and
 * are skipped without it.  IOAS_NOIOMMU_GET_PA's errno rules (v7.3) too.
 */
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "itest.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define MAP_FIXED_RW (MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA)
#define APERTURE ((uint64_t)MOCK_APERTURE_START)

static long check_refs(int fd, const void *p, uint64_t len, uint32_t refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = len, .uptr = (uintptr_t)p,
				.refs = refs },
	};

	return itest_ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* The daemon's VmLck in KiB, or -1 when its pid is not known. */
static long daemon_vmlck_kb(void)
{
	return itest_proc_status_kb(getenv("UIOMMUFD_DAEMON_PID"), "VmLck");
}

static void map_unmap_rules(void)
{
	int fd = itest_open();
	uint32_t ioas = itest_ioas_new(fd);
	uint8_t *buf = itest_shared_buf(16 * PS);
	uint64_t iova = 0, n;

	CHECK_RC(itest_map(fd, ioas, MAP_RW | 0x100, buf, PS, &iova),
		 -EOPNOTSUPP);
	CHECK_RC(itest_map(fd, ioas, IOMMU_IOAS_MAP_FIXED_IOVA, buf, PS, &iova),
		 -EINVAL);
	CHECK_RC(itest_map(fd, ioas, MAP_RW, buf, 0, &iova), -EINVAL);
	CHECK_RC(itest_map(fd, ioas, MAP_RW, buf, UINT64_MAX, &iova),
		 -EOVERFLOW);
	CHECK_RC(itest_map(fd, ioas + 7, MAP_RW, buf, PS, &iova), -ENOENT);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, 2 * PS,
				 UINT64_MAX - PS + 1), -EOVERFLOW);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, 4 * PS, 0x100000), 0);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, 4 * PS, 0x102000),
		 -EEXIST);
	/* Automatic IOVA: 64 KiB at a 64 KiB-aligned hint is 64 KiB-aligned. */
	iova = 0;
	CHECK_RC(itest_map(fd, ioas, MAP_RW, (void *)0x7f0000000000, 16 * PS,
			   &iova), 0);
	CHECK(iova && iova % (16 * PS) == 0);
	CHECK_RC(itest_unmap(fd, ioas, 0x101000, PS, NULL), -ENOENT);
	CHECK_RC(itest_unmap(fd, ioas, 0x900000, PS, NULL), -ENOENT);
	CHECK_RC(itest_unmap(fd, ioas, 0x100000, 4 * PS, &n), 0);
	CHECK(n == 4 * PS);
	CHECK_RC(itest_unmap(fd, ioas, 0, UINT64_MAX, &n), 0);
	CHECK(n == 16 * PS);
	munmap(buf, 16 * PS);
	close(fd);
}

static void ranges_and_allow(void)
{
	int fd = itest_open();
	uint32_t ioas = itest_ioas_new(fd);
	struct iommu_iova_range r[2] = { { 0x100000, 0x1fffff }, { 0x1f0000, 0x2fffff } };
	struct iommu_ioas_allow_iovas allow = {
		.size = sizeof(allow), .ioas_id = ioas, .num_iovas = 2,
		.allowed_iovas = (uintptr_t)r,
	};
	struct iommu_iova_range out[2];
	struct iommu_ioas_iova_ranges rr = {
		.size = sizeof(rr), .ioas_id = ioas, .num_iovas = 0,
		.allowed_iovas = (uintptr_t)out,
	};
	uint64_t iova = 0;

	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &allow), -EINVAL);
	r[1] = (struct iommu_iova_range){ 0x300000, 0x3fffff };
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &allow), 0);
	CHECK_RC(itest_map(fd, ioas, MAP_RW, (void *)0x10000, 0x100000, &iova),
		 0);
	CHECK(iova == 0x100000);
	allow.allowed_iovas = 16;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &allow), -EFAULT);
	/* A mock domain narrows the ranges and sets the alignment. */
	CHECK_RC(itest_unmap(fd, ioas, 0, UINT64_MAX, NULL), 0);
	allow.num_iovas = 0;
	allow.allowed_iovas = (uintptr_t)r;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &allow), 0);
	CHECK_RC(itest_mock_domain(fd, ioas, NULL, NULL, NULL), 0);
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &rr), -EMSGSIZE);
	CHECK(rr.num_iovas == 1);
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &rr), 0);
	CHECK(out[0].start == MOCK_APERTURE_START && out[0].last == MOCK_APERTURE_LAST);
	CHECK(rr.out_iova_alignment == MOCK_PAGE_SIZE);
	close(fd);
}

/* No domain: MAP is bookkeeping, an unmapped VA is fine, nothing pinned. */
static void lazy_pinning(void)
{
	int fd = itest_open();
	uint32_t ioas = itest_ioas_new(fd), stdev;
	long base = daemon_vmlck_kb();
	uint8_t *hole = mmap(NULL, 64 * PS, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *buf = itest_shared_buf(64 * PS);
	uint64_t iova = 0;

	munmap(hole, 64 * PS);
	CHECK_RC(itest_map(fd, ioas, MAP_RW, hole, 64 * PS, &iova), 0);
	CHECK_RC(itest_map(fd, ioas, MAP_RW, buf, 64 * PS, &iova), 0);
	if (base >= 0)
		CHECK(daemon_vmlck_kb() == base);
	CHECK_RC(itest_unmap(fd, ioas, 0, UINT64_MAX, NULL), 0);
	/* With a domain: pinned at MAP, and the unmapped VA is EFAULT. */
	CHECK_RC(itest_mock_domain(fd, ioas, &stdev, NULL, NULL), 0);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, hole, 64 * PS, APERTURE),
		 -EFAULT);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, 64 * PS, APERTURE), 0);
	if (base >= 0)
		CHECK(daemon_vmlck_kb() >= base + 256);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	if (base >= 0)
		CHECK(daemon_vmlck_kb() == base);
	/* Attach after map pins then; an unpinnable area fails the attach. */
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, hole, PS,
				 APERTURE + 0x100000), 0);
	CHECK_RC(itest_mock_domain(fd, ioas, NULL, NULL, NULL), -EFAULT);
	if (base >= 0)
		CHECK(daemon_vmlck_kb() == base);
	munmap(buf, 64 * PS);
	close(fd);
}

/*
 * A pinned file page is a page of the file, whatever VA shows it: the
 * kernel's MD_CHECK_REFS counts page references, so every mapping of the
 * pinned file offsets (here two, neither used for the map) sees the pin,
 * and only those offsets.
 */
static void file_pin_refs(void)
{
	int fd = itest_open();
	uint32_t ioas = itest_ioas_new(fd), stdev;
	int mfd = (int)syscall(SYS_memfd_create, "refs", 0);
	uint8_t *a, *b;
	uint64_t iova = 0;

	CHECK(mfd >= 0 && ftruncate(mfd, 4 * PS) == 0);
	a = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	b = mmap(NULL, 3 * PS, PROT_READ, MAP_SHARED, mfd, PS);
	CHECK(a != MAP_FAILED && b != MAP_FAILED);
	CHECK_RC(itest_mock_domain(fd, ioas, &stdev, NULL, NULL), 0);
	CHECK_RC(check_refs(fd, a, 4 * PS, 0), 0);
	CHECK_RC(itest_map_file(fd, ioas, MAP_RW, mfd, PS + PS / 2, PS, &iova),
		 0);
	/* Bytes 1.5 PS .. 2.5 PS: file pages 1 and 2. */
	CHECK_RC(check_refs(fd, a, PS, 0), 0);
	CHECK_RC(check_refs(fd, a + PS, 2 * PS, 1), 0);
	CHECK_RC(check_refs(fd, a + 3 * PS, PS, 0), 0);
	CHECK_RC(check_refs(fd, b, 2 * PS, 1), 0);
	CHECK_RC(check_refs(fd, b + 2 * PS, PS, 0), 0);
	CHECK_RC(check_refs(fd, a, 4 * PS, 1), -EIO);
	CHECK_RC(itest_unmap(fd, ioas, 0, UINT64_MAX, NULL), 0);
	CHECK_RC(check_refs(fd, a + PS, 2 * PS, 0), 0);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	munmap(a, 4 * PS);
	munmap(b, 3 * PS);
	close(mfd);
	close(fd);
}

/* The domain keeps the pages, and their bytes, after the VA is gone. */
static void pin_outlives_va(void)
{
	int fd = itest_open();
	uint32_t ioas = itest_ioas_new(fd), stdev, hwpt;
	size_t len = 32 * PS;
	uint8_t *buf = itest_shared_buf(len), *copy = itest_shared_buf(len);

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	memcpy(copy, buf, len);
	CHECK_RC(itest_mock_domain(fd, ioas, &stdev, &hwpt, NULL), 0);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, len, APERTURE), 0);
	CHECK_RC(itest_check_map(fd, hwpt, APERTURE, buf, len), 0);
	/* Unmap the VA, then put different memory at the same address. */
	CHECK(munmap(buf, len) == 0);
	CHECK(mmap(buf, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == buf);
	memset(buf, 0xee, len);
	CHECK_RC(itest_check_map(fd, hwpt, APERTURE, copy, len), 0);
	CHECK_RC(itest_check_map(fd, hwpt, APERTURE, buf, len), -EINVAL);
	/* MAP_FILE of a memfd, pinned likewise. */
	{
		int mfd = memfd_create("pin", MFD_CLOEXEC);
		struct iommu_ioas_map_file mf = {
			.size = sizeof(mf), .flags = MAP_FIXED_RW, .ioas_id = ioas,
			.fd = mfd, .start = 0, .length = len,
			.iova = APERTURE + 0x100000,
		};

		CHECK(ftruncate(mfd, len) == 0);
		CHECK(pwrite(mfd, copy, len, 0) == (ssize_t)len);
		CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_MAP_FILE, &mf), 0);
		mf.fd = 9999;
		mf.iova += 0x100000;
		CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_MAP_FILE, &mf), -EBADF);
		close(mfd);
		CHECK_RC(itest_check_map(fd, hwpt, APERTURE + 0x100000, copy,
					 len), 0);
	}
	CHECK_RC(itest_destroy(fd, ioas), -EBUSY);
	CHECK_RC(itest_destroy(fd, hwpt), -EBUSY);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
	munmap(buf, len);
	munmap(copy, len);
	close(fd);
}

static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return false;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

static int drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(1u << CAP_IPC_LOCK);
	d[0].permitted &= ~(1u << CAP_IPC_LOCK);
	return (int)syscall(SYS_capset, &h, d);
}

static int set_cap_effective(int cap, bool on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	if (on)
		d[cap / 32].effective |= 1u << (cap % 32);
	else
		d[cap / 32].effective &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &h, d);
}

static long get_pa(int fd, uint32_t ioas, uint32_t flags, uint64_t iova,
		   uint64_t length, struct iommu_ioas_noiommu_get_pa *out)
{
	*out = (struct iommu_ioas_noiommu_get_pa){
		.size = sizeof(*out), .flags = flags, .ioas_id = ioas,
		.iova = iova, .length = length, .out_phys = 0x5a5a,
	};
	return itest_ioctl(fd, IOMMU_IOAS_NOIOMMU_GET_PA, out);
}

/*
 * IOMMU_IOAS_NOIOMMU_GET_PA (v7.3) through the node: answered, not ENOTTY;
 * the kernel's errno for each rule in its order; and, since the daemon
 * serves no device without an IOMMU, EOPNOTSUPP for every mapped IOVA with
 * the reply left unwritten.  CAP_SYS_RAWIO is the calling thread's own.
 */
static void noiommu_get_pa(void)
{
	int fd = itest_open();
	uint32_t ioas = itest_ioas_new(fd), stdev;
	uint8_t *buf = itest_shared_buf(4 * PS);
	struct iommu_ioas_noiommu_get_pa c;

	if (!has_cap(CAP_SYS_RAWIO)) {
		CHECK_RC(get_pa(fd, ioas, 0, APERTURE, PS, &c), -EPERM);
		printf("skip the rest of noiommu_get_pa: no CAP_SYS_RAWIO\n");
		close(fd);
		return;
	}
	/* Permission first: even a bad flag is EPERM without the capability. */
	CHECK(set_cap_effective(CAP_SYS_RAWIO, false) == 0);
	CHECK_RC(get_pa(fd, ioas, 1, APERTURE, 0, &c), -EPERM);
	CHECK(set_cap_effective(CAP_SYS_RAWIO, true) == 0);
	CHECK_RC(get_pa(fd, ioas, 1, APERTURE, 0, &c), -EOPNOTSUPP);
	CHECK_RC(get_pa(fd, ioas, 0, APERTURE, 0, &c), -EINVAL);
	CHECK_RC(get_pa(fd, ioas + 50, 0, UINT64_MAX, PS, &c), -EOVERFLOW);
	CHECK_RC(get_pa(fd, ioas + 50, 0, APERTURE, PS, &c), -ENOENT);
	CHECK_RC(get_pa(fd, ioas, 0, APERTURE, PS, &c), -ENOENT);
	/* Mapped: no IOMMU-less domain stores it, with or without a domain. */
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, 4 * PS, APERTURE), 0);
	CHECK_RC(get_pa(fd, ioas, 0, APERTURE + 3 * PS + 1, PS, &c),
		 -EOPNOTSUPP);
	CHECK(c.out_phys == 0x5a5a && c.length == PS);
	CHECK_RC(itest_mock_domain(fd, ioas, &stdev, NULL, NULL), 0);
	CHECK_RC(get_pa(fd, ioas, 0, APERTURE, UINT64_MAX, &c), -EOPNOTSUPP);
	CHECK(c.out_phys == 0x5a5a && c.length == UINT64_MAX);
	CHECK_RC(get_pa(fd, ioas, 0, APERTURE + 4 * PS, PS, &c), -ENOENT);
	/* The struct unreadable, or short: the generic rules. */
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_NOIOMMU_GET_PA, (void *)16),
		 -EFAULT);
	get_pa(fd, ioas, 0, APERTURE, PS, &c);
	c.size = 39;
	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_NOIOMMU_GET_PA, &c), -EINVAL);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	CHECK_RC(itest_unmap(fd, ioas, APERTURE, 4 * PS, NULL), 0);
	munmap(buf, 4 * PS);
	close(fd);
}

/* In a child without CAP_IPC_LOCK: pins are charged to RLIMIT_MEMLOCK. */
static int rlimit_child(void)
{
	struct rlimit rl = { 64 * 1024, 64 * 1024 };
	unsigned int failed_before = itest_failed;
	int fd;
	uint32_t ioas, stdev;
	uint8_t *buf = itest_shared_buf(64 * PS);

	if (drop_cap_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &rl))
		return 2;
	fd = itest_open();
	ioas = itest_ioas_new(fd);
	CHECK_RC(itest_mock_domain(fd, ioas, &stdev, NULL, NULL), 0);
	/* 128 KiB over a 64 KiB limit. */
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, 32 * PS, APERTURE),
		 -ENOMEM);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf, 8 * PS, APERTURE), 0);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf + 8 * PS, 8 * PS,
				 APERTURE + 0x10000), 0);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf + 16 * PS, PS,
				 APERTURE + 0x20000), -ENOMEM);
	/* The failed map left no area behind. */
	CHECK_RC(itest_unmap(fd, ioas, APERTURE + 0x20000, PS, NULL), -ENOENT);
	/* Unpinning gives the budget back. */
	CHECK_RC(itest_unmap(fd, ioas, APERTURE, 8 * PS, NULL), 0);
	CHECK_RC(itest_map_fixed(fd, ioas, MAP_RW, buf + 16 * PS, 8 * PS,
				 APERTURE + 0x20000), 0);
	/* Per-process mode needs CAP_SYS_RESOURCE (kept if we had it). */
	{
		int fd2 = itest_open();
		struct iommu_option o = { .size = sizeof(o),
			.option_id = IOMMU_OPTION_RLIMIT_MODE,
			.op = IOMMU_OPTION_OP_SET, .val64 = 1 };

		if (!has_cap(CAP_SYS_RESOURCE)) {
			CHECK_RC(itest_ioctl(fd2, IOMMU_OPTION, &o), -EPERM);
			printf("skip per-process accounting: no CAP_SYS_RESOURCE here\n");
			close(fd2);
			close(fd);
			return itest_failed != failed_before;
		}
		CHECK_RC(itest_ioctl(fd2, IOMMU_OPTION, &o), 0);
		o.op = IOMMU_OPTION_OP_GET;
		CHECK_RC(itest_ioctl(fd2, IOMMU_OPTION, &o), 0);
		CHECK(o.val64 == 1);
		ioas = itest_ioas_new(fd2);
		CHECK_RC(itest_mock_domain(fd2, ioas, NULL, NULL, NULL), 0);
		/* A separate (empty) per-process budget. */
		CHECK_RC(itest_map_fixed(fd2, ioas, MAP_RW, buf, 16 * PS,
					 APERTURE), 0);
		CHECK_RC(itest_map_fixed(fd2, ioas, MAP_RW, buf, PS,
					 APERTURE + 0x100000), -ENOMEM);
		o.op = IOMMU_OPTION_OP_SET;
		CHECK_RC(itest_ioctl(fd2, IOMMU_OPTION, &o), -EBUSY);
		close(fd2);
	}
	close(fd);
	return itest_failed != failed_before;
}

/*
 * A test command of exactly min_size (68 of 72 bytes) ending at a guard
 * page: a transport that reads our whole struct at once must fall back to
 * what the caller really has, and the reply must not go past it.
 */
static void short_struct_at_page_end(void)
{
	uint8_t *p = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t min = offsetof(struct iommu_test_cmd, last) +
		     sizeof(((struct iommu_test_cmd *)0)->last);
	struct iommu_test_cmd cmd = {
		.size = (uint32_t)min,
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.add_reserved = { .start = 0x100000, .length = PS },
	};
	int fd = itest_open();
	uint8_t *at;

	cmd.id = itest_ioas_new(fd);
	CHECK(p != MAP_FAILED && min < sizeof(cmd));
	mprotect(p + PS, PS, PROT_NONE);
	/* Only 4-byte aligned there: copy bytes in, never access fields. */
	at = p + PS - min;
	memcpy(at, &cmd, min);
	CHECK_RC(itest_ioctl(fd, IOMMU_TEST_CMD, at), 0);
	/* The reserved range is there: a fixed map onto it is refused. */
	CHECK_RC(itest_map_fixed(fd, cmd.id, MAP_RW, p, PS, 0x100000), -EINVAL);
	cmd.size = (uint32_t)min - 1;
	memcpy(at, &cmd, min);
	CHECK_RC(itest_ioctl(fd, IOMMU_TEST_CMD, at), -EINVAL);
	close(fd);
	munmap(p, 2 * PS);
}

static void rlimit_memlock(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(rlimit_child());
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK_RC(WIFEXITED(status) ? WEXITSTATUS(status) : 100, 0);
}

/* A client killed while holding 1 GiB pinned leaves nothing pinned. */
static void sigkill_releases_pins(void)
{
	const size_t len = 1ul << 30;
	long base = daemon_vmlck_kb(), now = -1;
	int p[2], status;
	char c = 0;
	pid_t pid;

	if (base < 0) {
		printf("skip sigkill_releases_pins: UIOMMUFD_DAEMON_PID unset\n");
		return;
	}
	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		int fd = itest_open();
		uint32_t ioas = itest_ioas_new(fd);
		uint8_t *buf = itest_shared_buf(len);

		c = itest_mock_domain(fd, ioas, NULL, NULL, NULL) == 0 &&
		    itest_map_fixed(fd, ioas, MAP_RW, buf, len, APERTURE) == 0;
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 1 && c == 1);
	close(p[0]);
	/*
	 * Not base + len: pins of this client's earlier contexts may still be
	 * going (a close's RELEASE is answered asynchronously), so base only
	 * bounds what is left after the kill from above.
	 */
	CHECK(daemon_vmlck_kb() >= (long)(len >> 10));
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &status, 0) == pid);
	/* Release follows the client's death asynchronously; wait for it. */
	for (int i = 0; i < 600; i++) {
		now = daemon_vmlck_kb();
		if (now <= base)
			break;
		usleep(50 * 1000);
	}
	CHECK(now >= 0 && now <= base);
}

int main(int argc, char **argv)
{
	itest_init(argc, argv);
	RUN(map_unmap_rules);
	RUN(ranges_and_allow);
	RUN(lazy_pinning);
	RUN(pin_outlives_va);
	RUN(file_pin_refs);
	RUN(short_struct_at_page_end);
	RUN(noiommu_get_pa);
	RUN(rlimit_memlock);
	RUN(sigkill_releases_pins);
	return itest_finish();
}
