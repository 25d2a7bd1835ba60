/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fuzz clients' op mix: random command numbers near iommufd's and
 * VFIO's with random sizes, IDs, IOVAs, lengths, flags and pointers, and
 * well-formed calls on the objects a context has.  Shared by client_fuzz
 * (a few seeds, several processes, some dying) and the reliability soak
 * (tests/reliability/rel_client.c: many processes, many calls, every
 * errno checked).  Call fuzz_arena_init() once before any call.
 */
#ifndef UIOMMUFD_FUZZ_MIX_H
#define UIOMMUFD_FUZZ_MIX_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"
#include "uiommufd/vfio_abi.h"
#include "tests/test_rng.h"

#define PS 4096ul

/* Told every call's command and result (or -errno), when set. */
static void (*fuzz_seen)(unsigned long cmd, long rc);

/* ioctl() with an integer argument, told to fuzz_seen. */
static long fuzz_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	long rc = ioctl(fd, cmd, arg);

	if (rc < 0)
		rc = -errno;
	if (fuzz_seen)
		fuzz_seen(cmd, rc);
	if (rc < 0)
		errno = (int)-rc;
	return rc;
}

/* The same with a pointer argument. */
static long fuzz_ioctl_p(int fd, unsigned long cmd, void *arg)
{
	return fuzz_ioctl(fd, cmd, (unsigned long)(uintptr_t)arg);
}

static uint64_t rng;

static uint64_t rnd(void)
{
	return test_rng_next(&rng);
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

/*
 * Every pointer the fuzzer hands out lands in one reservation surrounded by
 * PROT_NONE, so that a length the daemon honours (GET_INFO writes argsz
 * bytes, IOVA_RANGES num_iovas entries) faults instead of overwriting the
 * client's own memory, as it would against the kernel too.  Pages 0-1 rw,
 * 2 read-only, 3 none, 4-7 rw; the struct page sits at STRUCT_OFF.
 */
#define RESERVE (64ul << 20)
#define STRUCT_OFF (32ul << 20)
static uint8_t *arena;

static uint64_t rnd_ptr(void)
{
	static const uint64_t offs[] = { 0, 8, PS - 4, PS, 2 * PS, 3 * PS - 8,
					 4 * PS, 5 * PS + 100, 7 * PS };
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return 16;
	case 2:
		return rnd();
	default:
		return (uintptr_t)arena + pick(offs, sizeof(offs) / 8);
	}
}

static uint64_t rnd_u64(void)
{
	static const uint64_t v[] = { 0, 1, PS, 2 * PS, 0x100000, 1ull << 21,
				      MOCK_APERTURE_START, MOCK_APERTURE_LAST,
				      UINT64_MAX, UINT64_MAX - PS + 1, 1ull << 63,
				      0x7fffffff, PS - 1 };
	return rnd() % 4 ? pick(v, sizeof(v) / 8) : rnd();
}

static uint32_t rnd_id(void)
{
	return rnd() % 6 ? (uint32_t)(rnd() % 8) : (uint32_t)rnd();
}

/* Fill a struct of our layout with plausible-but-random fields. */
static void fill(void *buf, size_t len)
{
	uint8_t *b = buf;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t v;

		switch (rnd() % 4) {
		case 0: v = rnd_u64(); break;
		case 1: v = rnd_id(); break;
		case 2: v = rnd_ptr(); break;
		default: v = rnd() % 4; break;
		}
		memcpy(b + i, &v, len - i < 8 ? len - i : 8);
	}
}

#define C(cmd, type) { cmd, sizeof(type) }
static const struct {
	unsigned long cmd;
	uint32_t size;
} cmds[] = {
	C(IOMMU_DESTROY, struct iommu_destroy),
	C(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc),
	C(IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas),
	C(IOMMU_IOAS_COPY, struct iommu_ioas_copy),
	C(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges),
	C(IOMMU_IOAS_MAP, struct iommu_ioas_map),
	C(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap),
	C(IOMMU_OPTION, struct iommu_option),
	C(IOMMU_VFIO_IOAS, struct iommu_vfio_ioas),
	C(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc),
	C(IOMMU_GET_HW_INFO, struct iommu_hw_info),
	C(IOMMU_HWPT_SET_DIRTY_TRACKING, struct iommu_hwpt_set_dirty_tracking),
	C(IOMMU_HWPT_GET_DIRTY_BITMAP, struct iommu_hwpt_get_dirty_bitmap),
	C(IOMMU_HWPT_INVALIDATE, struct iommu_hwpt_invalidate),
	C(IOMMU_IOAS_MAP_FILE, struct iommu_ioas_map_file),
	C(IOMMU_VIOMMU_ALLOC, struct iommu_viommu_alloc),
	C(IOMMU_VDEVICE_ALLOC, struct iommu_vdevice_alloc),
	C(IOMMU_IOAS_CHANGE_PROCESS, struct iommu_ioas_change_process),
	C(IOMMU_TEST_CMD, struct iommu_test_cmd),
	C(IOMMU_TEST_CMD, struct iommu_test_cmd), /* twice: most objects */
	C(VFIO_GET_API_VERSION, uint32_t),
	C(VFIO_CHECK_EXTENSION, uint32_t),
	C(VFIO_SET_IOMMU, uint32_t),
	C(VFIO_IOMMU_GET_INFO, struct vfio_iommu_type1_info),
	C(VFIO_IOMMU_MAP_DMA, struct vfio_iommu_type1_dma_map),
	C(VFIO_IOMMU_UNMAP_DMA, struct vfio_iommu_type1_dma_unmap),
	C(IOMMU_IOAS_NOIOMMU_GET_PA, struct iommu_ioas_noiommu_get_pa),
	C(_IO(IOMMUFD_TYPE, 0x96), uint64_t),
	C(_IO(IOMMUFD_TYPE, 0x7f), uint64_t),
};

/*
 * Well-formed calls on the objects a context really has, so that maps
 * succeed and pins, domains, copies and unmaps interleave with the noise.
 */
static void structured_call(int fd)
{
	uint64_t iova = MOCK_APERTURE_START + (rnd() % 64) * PS;
	uint64_t len = (1 + rnd() % 4) * PS;
	uint8_t *va = arena + (rnd() % 2 ? 0 : 4 * PS) + (rnd() % 2) * PS;
	uint32_t ioas = 1 + (uint32_t)(rnd() % 4);

	switch (rnd() % 8) {
	case 0: {
		struct iommu_ioas_alloc c = { .size = sizeof(c) };
		fuzz_ioctl_p(fd, IOMMU_IOAS_ALLOC, &c);
		break;
	}
	case 1:
	case 2: {
		struct iommu_ioas_map c = {
			.size = sizeof(c), .ioas_id = ioas, .user_va = (uintptr_t)va,
			.length = len, .iova = iova,
			.flags = IOMMU_IOAS_MAP_READABLE |
				 (rnd() % 3 ? IOMMU_IOAS_MAP_WRITEABLE : 0) |
				 (rnd() % 4 ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		};
		fuzz_ioctl_p(fd, IOMMU_IOAS_MAP, &c);
		break;
	}
	case 3: {
		struct iommu_ioas_unmap c = {
			.size = sizeof(c), .ioas_id = ioas,
			.iova = rnd() % 4 ? iova : 0, .length = rnd() % 4 ? len : UINT64_MAX,
		};
		fuzz_ioctl_p(fd, IOMMU_IOAS_UNMAP, &c);
		break;
	}
	case 4: {
		struct iommu_ioas_copy c = {
			.size = sizeof(c), .dst_ioas_id = 1 + (uint32_t)(rnd() % 4),
			.src_ioas_id = ioas, .length = len, .src_iova = iova,
			.dst_iova = MOCK_APERTURE_START + (rnd() % 64) * PS,
			.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
		};
		fuzz_ioctl_p(fd, IOMMU_IOAS_COPY, &c);
		break;
	}
	case 5: {
		struct iommu_test_cmd c = {
			.size = sizeof(c), .op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = ioas,
		};
		fuzz_ioctl_p(fd, IOMMU_TEST_CMD, &c);
		break;
	}
	case 6: {
		struct iommu_destroy c = { .size = sizeof(c), .id = 1 + (uint32_t)(rnd() % 12) };
		fuzz_ioctl_p(fd, IOMMU_DESTROY, &c);
		break;
	}
	default: {
		struct iommu_vfio_ioas v = { .size = sizeof(v), .ioas_id = ioas,
					     .op = IOMMU_VFIO_IOAS_SET };
		struct vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m), .vaddr = (uintptr_t)va, .iova = iova,
			.size = len, .flags = VFIO_DMA_MAP_FLAG_READ,
		};
		struct vfio_iommu_type1_dma_unmap u = {
			.argsz = sizeof(u), .iova = iova, .size = len,
		};
		fuzz_ioctl_p(fd, IOMMU_VFIO_IOAS, &v);
		fuzz_ioctl(fd, VFIO_SET_IOMMU,
			   rnd() % 2 ? VFIO_TYPE1_IOMMU : VFIO_TYPE1v2_IOMMU);
		fuzz_ioctl_p(fd, rnd() % 2 ? VFIO_IOMMU_MAP_DMA : VFIO_IOMMU_UNMAP_DMA,
		      rnd() % 2 ? (void *)&m : (void *)&u);
		break;
	}
	}
}

/* One call of a random command with a random struct: its result or -errno. */
static long one_call(int fd, unsigned long *cmdp)
{
	unsigned int which = (unsigned int)(rnd() % (sizeof(cmds) / sizeof(cmds[0])));
	unsigned long cmd = cmds[which].cmd;
	uint8_t *buf = arena + STRUCT_OFF;
	uint32_t size;
	long rc;

	fill(buf, 256);
	/* Mostly the command's own size, so that calls reach the handlers. */
	switch (rnd() % 8) {
	case 0: size = (uint32_t)(rnd() % 96); break;
	case 1: size = (uint32_t)rnd(); break;
	case 2: size = 8 * (uint32_t)(1 + rnd() % 12); break;
	default: size = cmds[which].size; break;
	}
	memcpy(buf, &size, 4);
	if (cmd == IOMMU_TEST_CMD) {
		uint32_t op = 1 + (uint32_t)(rnd() % 24);

		memcpy(buf + 4, &op, 4);
	}
	if (cmd == VFIO_CHECK_EXTENSION || cmd == VFIO_SET_IOMMU) {
		rc = fuzz_ioctl(fd, cmd, (unsigned long)(rnd() % 12));
	} else if (rnd() % 5 == 0) {
		rc = fuzz_ioctl_p(fd, cmd, (void *)(uintptr_t)rnd_ptr());
	} else {
		/* Sometimes end the struct where the read-only page begins. */
		void *p = buf;

		if (rnd() % 4 == 0) {
			p = arena + 2 * PS - 64;
			memcpy(p, buf, 64);
		}
		rc = fuzz_ioctl_p(fd, cmd, p);
	}
	*cmdp = cmd;
	return rc;
}

/* The reservation every pointer lands in; 0, or -1 without memory. */
static int fuzz_arena_init(void)
{
	arena = mmap(NULL, RESERVE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED)
		return -1;
	/* Shared pages for pins, private ones for the process_vm path. */
	mmap(arena, 2 * PS, PROT_READ | PROT_WRITE,
	     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	mprotect(arena + 2 * PS, PS, PROT_READ);
	mprotect(arena + 4 * PS, 4 * PS, PROT_READ | PROT_WRITE);
	mprotect(arena + STRUCT_OFF, PS, PROT_READ | PROT_WRITE);
	return 0;
}

/*
 * In a child after fork: pages 0-1 of its own, no longer the ones its
 * siblings write.  The fault sweep runs each call again per failure point
 * and compares the answers; a sibling writing a struct into page 1
 * between two runs changed the call under it.
 */
static inline void fuzz_arena_unshare(void)
{
	mmap(arena, 2 * PS, PROT_READ | PROT_WRITE,
	     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

#endif
