// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VFIO type1 container ioctls and IOMMU_VFIO_IOAS, driven through the
 * real dispatcher with the fake transport: every errno and every byte the
 * kernel's drivers/iommu/iommufd/vfio_compat.c writes back (and does not).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "providers/domain.h"
#include "fake_ops.h"
#include "core/ioas.h"
#include "uiommufd/abi.h"
#include "uiommufd/vfio_abi.h"

#define PAGE 4096u

struct vfio_env {
	struct fake_env env;
	uint8_t *mem; /* page-aligned memory to map, 64 pages */
};

static int setup(void **state)
{
	struct vfio_env *v = calloc(1, sizeof(*v));

	fake_env_init(&v->env, false);
	v->mem = aligned_alloc(PAGE, 64 * PAGE);
	memset(v->mem, 0x5a, 64 * PAGE);
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	struct vfio_env *v = *state;

	fake_env_fini(&v->env);
	free(v->mem);
	free(v);
	return 0;
}

static struct iommufd_ctx *ctx(void **state)
{
	return ((struct vfio_env *)*state)->env.ictx;
}

static uint8_t *mem(void **state)
{
	return ((struct vfio_env *)*state)->mem;
}

static long vfio_ioas(struct iommufd_ctx *ictx, uint16_t op, uint32_t *id)
{
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd), .op = op,
				       .ioas_id = *id };
	long rc = fake_ioctl(ictx, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd));

	*id = cmd.ioas_id;
	return rc;
}

/* A fresh IOAS set as the compat IOAS. */
static uint32_t compat_setup(struct iommufd_ctx *ictx)
{
	uint32_t id;

	assert_int_equal(fake_ioas_alloc(ictx, &id), 0);
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_SET, &id), 0);
	return id;
}

static long map_dma(struct iommufd_ctx *ictx, uint32_t flags, const void *va,
		    uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = flags,
		.vaddr = (uintptr_t)va, .iova = iova, .size = size,
	};

	return fake_ioctl(ictx, VFIO_IOMMU_MAP_DMA, &map, sizeof(map));
}

static long unmap_dma(struct iommufd_ctx *ictx, uint32_t flags, uint64_t iova,
		      uint64_t *size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .flags = flags, .iova = iova,
		.size = *size,
	};
	long rc = fake_ioctl(ictx, VFIO_IOMMU_UNMAP_DMA, &unmap, sizeof(unmap));

	*size = unmap.size;
	return rc;
}

static long vfio_int(struct iommufd_ctx *ictx, unsigned int cmd, uint64_t arg)
{
	return fake_ioctl_ptr(ictx, cmd, arg);
}

static struct iommufd_ioas *ioas_of(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_ioas *ioas = iommufd_get_ioas(ictx, id);

	assert_non_null(ioas);
	return ioas;
}

/* ---------------------------------------------------------- VFIO_IOAS -- */

static void test_vfio_ioas_get_set_clear(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	uint32_t id = 0, a, b;

	/* The kernel's selftest iommufd.vfio_ioas, step by step. */
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_GET, &id), -ENODEV);
	id = 7;
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_SET, &id), -ENOENT);
	assert_int_equal(fake_ioas_alloc(ictx, &a), 0);
	id = a;
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_SET, &id), 0);
	id = 0;
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_GET, &id), 0);
	assert_int_equal(id, a);

	/* SET replaces without destroying; CLEAR destroys nothing either. */
	assert_int_equal(fake_ioas_alloc(ictx, &b), 0);
	id = b;
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_SET, &id), 0);
	assert_non_null(iommufd_get_ioas(ictx, a));
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_CLEAR, &id), 0);
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_GET, &id), -ENODEV);
	assert_int_equal(fake_destroy(ictx, a), 0);
	assert_int_equal(fake_destroy(ictx, b), 0);
}

static void test_vfio_ioas_destroy_clears(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	uint32_t id = compat_setup(ictx), got = 0;

	assert_int_equal(fake_destroy(ictx, id), 0);
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_GET, &got), -ENODEV);
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU),
			 -ENODEV);
	/* A new IOAS reuses the ID; it is not the compat IOAS by accident. */
	assert_int_equal(fake_ioas_alloc(ictx, &got), 0);
	assert_int_equal(got, id);
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_GET, &got), -ENODEV);
}

static void test_vfio_ioas_abi(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd),
				       .op = IOMMU_VFIO_IOAS_CLEAR,
				       .__reserved = 1 };
	uint32_t raw[4] = { 16, 0, IOMMU_VFIO_IOAS_CLEAR, 0 };
	uint32_t id = compat_setup(ictx);

	assert_int_equal(fake_ioctl(ictx, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			 -EOPNOTSUPP);
	cmd.__reserved = 0;
	cmd.op = 3;
	assert_int_equal(fake_ioctl(ictx, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			 -EOPNOTSUPP);
	/* The generic rules: below the minimum, a non-zero tail. */
	cmd.size = 11;
	cmd.op = IOMMU_VFIO_IOAS_GET;
	assert_int_equal(fake_ioctl(ictx, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)),
			 -EINVAL);
	raw[3] = 1;
	assert_int_equal(fake_ioctl(ictx, IOMMU_VFIO_IOAS, raw, sizeof(raw)),
			 -E2BIG);
	/* Nothing was cleared by the refused calls. */
	cmd = (struct iommu_vfio_ioas){ .size = sizeof(cmd),
					.op = IOMMU_VFIO_IOAS_GET };
	assert_int_equal(fake_ioctl(ictx, IOMMU_VFIO_IOAS, &cmd, sizeof(cmd)), 0);
	assert_int_equal(cmd.ioas_id, id);
	/* GET replies with the whole struct, nothing more. */
	fake_bytes_written = 0;
	raw[3] = 0;
	raw[2] = IOMMU_VFIO_IOAS_GET;
	assert_int_equal(fake_ioctl(ictx, IOMMU_VFIO_IOAS, raw, sizeof(raw)), 0);
	assert_int_equal(raw[1], id);
	assert_int_equal(fake_bytes_written, sizeof(cmd));
}

/* A context opened as the look-alike node, or with the daemon option. */
static void check_starts_in_compat(struct iommufd_daemon *d, bool vfio_node)
{
	struct iommufd_ctx *ictx;
	uint32_t id = 0;

	assert_int_equal(iommufd_ctx_open(d, 0, 0, vfio_node, &ictx), 0);
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_GET, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(fake_ioas_alloc(ictx, &id), 0);
	assert_int_equal(id, 2);
	/* An ordinary object: destroyable, after which compat is gone. */
	assert_int_equal(fake_destroy(ictx, 1), 0);
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_GET, &id), -ENODEV);
	iommufd_ctx_release(ictx);
}

static void test_vfio_node_starts_in_compat(void **state)
{
	struct iommufd_daemon *d = &((struct vfio_env *)*state)->env.daemon;
	struct iommufd_ctx *ictx;
	uint32_t id = 0;

	check_starts_in_compat(d, true);
	d->vfio_compat_default = true;
	check_starts_in_compat(d, false);
	/* Without either, /dev/iommu starts empty, as in the kernel. */
	d->vfio_compat_default = false;
	assert_int_equal(iommufd_ctx_open(d, 0, 0, false, &ictx), 0);
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_GET, &id), -ENODEV);
	iommufd_ctx_release(ictx);
}

static void test_vfio_node_release_frees_compat(void **state)
{
	struct iommufd_daemon *d = &((struct vfio_env *)*state)->env.daemon;
	struct iommufd_ctx *ictx;

	/* Release with a mapping in the auto-created IOAS: nothing leaks. */
	assert_int_equal(iommufd_ctx_open(d, 0, 0, true, &ictx), 0);
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ, mem(state),
				 0x100000, PAGE),
			 0);
	iommufd_ctx_release(ictx);
}

/* ------------------------------------------------- integer-arg ioctls -- */

static void test_api_version(void **state)
{
	/* No compat IOAS needed; the argument is ignored. */
	assert_int_equal(vfio_int(ctx(state), VFIO_GET_API_VERSION, 0),
			 VFIO_API_VERSION);
	assert_int_equal(vfio_int(ctx(state), VFIO_GET_API_VERSION, 12345), 0);
}

static void test_check_extension(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);

	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU), 1);
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), 1);
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL), 1);
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU), 0);
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION,
				  __VFIO_RESERVED_TYPE1_NESTING_IOMMU), 0);
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR), 0);
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_IOMMU), 0);
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, VFIO_EEH), 0);
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, 0), 0);
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, 1000), 0);
	/* The whole unsigned long is the extension, not its low 32 bits. */
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION,
				  (1ull << 32) | VFIO_TYPE1_IOMMU), 0);
	/* DMA_CC looks at the compat IOAS's domains, so it needs one. */
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU),
			 -ENODEV);
	compat_setup(ictx);
	/* No domain yet: nothing that fails to enforce coherency. */
	assert_int_equal(vfio_int(ictx, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU), 1);
}

static long huge_pages(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd), .option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET, .object_id = id, .val64 = 3,
	};
	long rc = fake_ioctl(ictx, IOMMU_OPTION, &cmd, sizeof(cmd));

	return rc ? rc : (long)cmd.val64;
}

static void test_set_iommu(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	uint32_t id;

	/* The type is checked before the compat IOAS. */
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, 0), -EINVAL);
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_IOMMU), -EINVAL);
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU), -EINVAL);
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU,
				  (1ull << 32) | VFIO_TYPE1_IOMMU), -EINVAL);
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU), -ENODEV);
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), -ENODEV);

	/* The selftest's option_huge_pages: v2 keeps them, TYPE1 not. */
	id = compat_setup(ictx);
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(huge_pages(ictx, id), 1);
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU), 0);
	assert_int_equal(huge_pages(ictx, id), 0);
	/* Set again, either type: no error, and v2 does not turn them back. */
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU), 0);
	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(huge_pages(ictx, id), 0);
}

static void test_unknown_enotty(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	uint32_t buf[8] = { sizeof(buf) };

	compat_setup(ictx);
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_DIRTY_PAGES, buf, sizeof(buf)),
			 -ENOTTY);
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_ENABLE, buf, sizeof(buf)), -ENOTTY);
	assert_int_equal(fake_ioctl(ictx, VFIO_GROUP_GET_STATUS, buf, sizeof(buf)),
			 -ENOTTY);
	assert_int_equal(fake_ioctl(ictx, VFIO_DEVICE_GET_INFO, buf, sizeof(buf)),
			 -ENOTTY);
	assert_int_equal(fake_ioctl(ictx, _IO(VFIO_TYPE, 0x7f), buf, sizeof(buf)),
			 -ENOTTY);
	/* A container number with a direction encoded is not that command. */
	assert_int_equal(vfio_int(ictx, _IOR(VFIO_TYPE, VFIO_BASE, int), 0), -ENOTTY);
	/* Outside the table nothing is read: a bad pointer is still ENOTTY. */
	assert_int_equal(vfio_int(ictx, VFIO_IOMMU_DIRTY_PAGES, 16), -ENOTTY);
}

/* ----------------------------------------------------------- GET_INFO -- */

#define INFO_BUF 256
/* The chain for one IOVA range: info 24, DMA_AVAIL 12 (+4), IOVA_RANGE 32. */
#define INFO_FULL 72

static long get_info(struct iommufd_ctx *ictx, uint8_t *buf, uint32_t argsz)
{
	struct vfio_iommu_type1_info info = { .argsz = argsz };

	/* argsz, then zeroes up to argsz bytes of the struct, then 0xaa. */
	memset(buf, 0xaa, INFO_BUF);
	memcpy(buf, &info, sizeof(info) < argsz ? sizeof(info) :
			   argsz < 4 ? 4 : argsz);
	return fake_ioctl(ictx, VFIO_IOMMU_GET_INFO, buf, INFO_BUF);
}

static bool filled(const uint8_t *p, uint8_t c, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return false;
	return true;
}

static void test_get_info_errors(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	uint8_t buf[INFO_BUF];
	uint32_t argsz = 24;

	/* The minimum is read before argsz is looked at. */
	assert_int_equal(vfio_int(ictx, VFIO_IOMMU_GET_INFO, 16), -EFAULT);
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_GET_INFO, &argsz,
				    sizeof(argsz)), -EFAULT);
	assert_int_equal(get_info(ictx, buf, 15), -EINVAL);
	assert_int_equal(get_info(ictx, buf, 0), -EINVAL);
	fake_bytes_written = 0;
	assert_int_equal(get_info(ictx, buf, 24), -ENODEV);
	assert_int_equal(fake_bytes_written, 0);
}

static void test_get_info_small_buffers(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct vfio_iommu_type1_info info;
	uint8_t buf[INFO_BUF];

	compat_setup(ictx);
	/* Pre-capability callers: 16 bytes written, no more. */
	assert_int_equal(get_info(ictx, buf, 16), 0);
	memcpy(&info, buf, 16);
	assert_int_equal(info.argsz, INFO_FULL);
	assert_int_equal(info.flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	/* No domain: every page size from PAGE_SIZE up (vfio's fixup). */
	assert_int_equal(info.iova_pgsizes, ~(uint64_t)(PAGE - 1));
	assert_true(filled(buf + 16, 0xaa, INFO_BUF - 16));

	/* The whole struct but no room for the chain: cap_offset stays 0. */
	assert_int_equal(get_info(ictx, buf, 24), 0);
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.argsz, INFO_FULL);
	assert_int_equal(info.cap_offset, 0);
	assert_int_equal(info.pad, 0);
	assert_true(filled(buf + 24, 0xaa, INFO_BUF - 24));

	/* 20: a partial cap_offset field, written as far as argsz goes. */
	assert_int_equal(get_info(ictx, buf, 20), 0);
	assert_true(filled(buf + 16, 0, 4));
	assert_true(filled(buf + 20, 0xaa, INFO_BUF - 20));
}

static void check_cap(const uint8_t *buf, uint32_t off, uint16_t id,
		      uint32_t next)
{
	struct vfio_info_cap_header h;

	memcpy(&h, buf + off, sizeof(h));
	assert_int_equal(h.id, id);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.next, next);
}

static void test_get_info_full_chain(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct vfio_iommu_type1_info_cap_iova_range iovas;
	struct vfio_iommu_type1_info_dma_avail dma;
	struct vfio_iommu_type1_info info;
	struct vfio_iova_range range;
	uint8_t buf[INFO_BUF];

	compat_setup(ictx);
	for (uint32_t argsz = INFO_FULL; argsz <= INFO_FULL + 40; argsz += 40) {
		assert_int_equal(get_info(ictx, buf, argsz), 0);
		memcpy(&info, buf, sizeof(info));
		assert_int_equal(info.argsz, INFO_FULL);
		assert_int_equal(info.cap_offset, sizeof(info));
		/* The kernel's order: DMA_AVAIL, then IOVA_RANGE. */
		check_cap(buf, 24, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 40);
		memcpy(&dma, buf + 24, sizeof(dma));
		assert_int_equal(dma.avail, UINT32_MAX);
		/* The padding to 8 bytes is the caller's, untouched. */
		assert_true(filled(buf + 36, 0xaa, 4));
		check_cap(buf, 40, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 0);
		memcpy(&iovas, buf + 40, sizeof(iovas));
		assert_int_equal(iovas.nr_iovas, 1);
		assert_int_equal(iovas.reserved, 0);
		memcpy(&range, buf + 56, sizeof(range));
		assert_int_equal(range.start, 0);
		assert_int_equal(range.end, UINT64_MAX);
		assert_true(filled(buf + INFO_FULL, 0xaa, INFO_BUF - INFO_FULL));
	}
}

static void test_get_info_every_size(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct vfio_iommu_type1_info info;
	uint8_t buf[INFO_BUF];

	/* The selftest's loop: never a byte past argsz, never a bad chain. */
	compat_setup(ictx);
	for (uint32_t argsz = 16; argsz < INFO_BUF; argsz++) {
		assert_int_equal(get_info(ictx, buf, argsz), 0);
		assert_true(filled(buf + argsz, 0xaa, INFO_BUF - argsz));
		memcpy(&info, buf, sizeof(info));
		assert_int_equal(info.argsz, INFO_FULL);
		if (argsz >= 24)
			assert_int_equal(info.cap_offset,
					 argsz >= INFO_FULL ? 24 : 0);
	}
	/* Kernel details of partial chains. */
	assert_int_equal(get_info(ictx, buf, 36), 0);
	check_cap(buf, 24, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 0);
	assert_int_equal(get_info(ictx, buf, 40), 0);
	/* Linked to a capability that did not fit; cap_offset says 0. */
	check_cap(buf, 24, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 40);
	assert_int_equal(get_info(ictx, buf, 35), 0);
	assert_true(filled(buf + 24, 0xaa, INFO_BUF - 24));
}

static void test_get_info_partial_ranges(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct vfio_iommu_type1_info_cap_iova_range iovas;
	struct vfio_iova_range range[2];
	struct vfio_iommu_type1_info info;
	uint8_t buf[INFO_BUF];
	uint32_t id = compat_setup(ictx);
	int owner;

	/* A reserved page splits the space into two usable ranges. */
	assert_int_equal(iopt_reserve_iova(&ioas_of(ictx, id)->iopt, 0x1000,
					   0x1fff, &owner), 0);
	assert_int_equal(get_info(ictx, buf, 24), 0);
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.argsz, INFO_FULL + 16);

	/* Room for the first range only: it is written, the header not. */
	assert_int_equal(get_info(ictx, buf, INFO_FULL), 0);
	assert_true(filled(buf + 40, 0xaa, 16));
	memcpy(range, buf + 56, sizeof(range[0]));
	assert_int_equal(range[0].start, 0);
	assert_int_equal(range[0].end, 0xfff);
	assert_true(filled(buf + INFO_FULL, 0xaa, INFO_BUF - INFO_FULL));

	assert_int_equal(get_info(ictx, buf, INFO_FULL + 16), 0);
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.cap_offset, 24);
	memcpy(&iovas, buf + 40, sizeof(iovas));
	assert_int_equal(iovas.nr_iovas, 2);
	memcpy(range, buf + 56, sizeof(range));
	assert_int_equal(range[1].start, 0x2000);
	assert_int_equal(range[1].end, UINT64_MAX);
	iopt_remove_reserved_iova(&ioas_of(ictx, id)->iopt, &owner);
}

static void test_get_info_write_fault(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct vfio_iommu_type1_info info = { .argsz = INFO_FULL };

	/* argsz promises more than the caller can take: the chain faults. */
	compat_setup(ictx);
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_GET_INFO, &info,
				    sizeof(info)), -EFAULT);
}

/* ------------------------------------------------------------ MAP_DMA -- */

static void test_map_dma_errors(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ,
		.vaddr = (uintptr_t)mem(state), .iova = 0x100000, .size = PAGE,
	};

	/* The whole minimum is read first, whatever argsz says. */
	assert_int_equal(vfio_int(ictx, VFIO_IOMMU_MAP_DMA, 16), -EFAULT);
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_MAP_DMA, &map, 31), -EFAULT);
	map.argsz = 31;
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_MAP_DMA, &map, sizeof(map)),
			 -EINVAL);
	map.argsz = sizeof(map);
	/* Flags are checked before the compat IOAS; VADDR is refused. */
	map.flags = VFIO_DMA_MAP_FLAG_VADDR;
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_MAP_DMA, &map, sizeof(map)),
			 -EINVAL);
	map.flags = VFIO_DMA_MAP_FLAG_READ | (1u << 3);
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_MAP_DMA, &map, sizeof(map)),
			 -EINVAL);
	map.flags = VFIO_DMA_MAP_FLAG_READ;
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_MAP_DMA, &map, sizeof(map)),
			 -ENODEV);
}

static void test_map_dma(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	uint32_t id = compat_setup(ictx);
	struct io_pagetable *iopt = &ioas_of(ictx, id)->iopt;
	struct {
		struct vfio_iommu_type1_dma_map map;
		uint8_t junk[32];
	} big;
	struct iopt_area *area;

	/* READ and WRITE become IOMMU_READ/WRITE, with IOMMU_CACHE. */
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ, mem(state),
				 0x100000, PAGE), 0);
	area = iopt_area_find(iopt, 0x100000);
	assert_non_null(area);
	/* At the caller's IOVA, never an allocated one. */
	assert_int_equal(iopt_area_iova(area), 0x100000);
	assert_int_equal(iopt_area_length(area), PAGE);
	assert_int_equal(area->iommu_prot, IOMMU_READ | IOMMU_CACHE);
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
				 mem(state) + PAGE, 0x200000, PAGE), 0);
	area = iopt_area_find(iopt, 0x200000);
	assert_non_null(area);
	assert_int_equal(area->iommu_prot, IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE);
	/* Neither READ nor WRITE: the kernel's iommufd does not refuse it. */
	assert_int_equal(map_dma(ictx, 0, mem(state) + 2 * PAGE, 0x300000, PAGE), 0);
	/* The IOVA is taken. */
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ, mem(state),
				 0x100000, PAGE), -EEXIST);
	/* The IOAS map's own checks: empty, and iova or vaddr + size wrap. */
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ, mem(state),
				 0x500000, 0), -EINVAL);
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ, mem(state),
				 UINT64_MAX - PAGE + 1, 2 * PAGE), -EOVERFLOW);
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ,
				 (void *)(uintptr_t)(UINT64_MAX - PAGE + 1),
				 0x500000, 2 * PAGE), -EOVERFLOW);

	/* Bytes past the minimum are ignored, not E2BIG. */
	memset(&big, 0xff, sizeof(big));
	big.map = (struct vfio_iommu_type1_dma_map){
		.argsz = sizeof(big), .flags = VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)mem(state), .iova = 0x400000, .size = PAGE,
	};
	fake_bytes_written = 0;
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_MAP_DMA, &big, sizeof(big)), 0);
	/* MAP_DMA writes nothing back. */
	assert_int_equal(fake_bytes_written, 0);
	assert_non_null(iopt_area_find(iopt, 0x400000));
}

/* ---------------------------------------------------------- UNMAP_DMA -- */

static void test_unmap_dma_errors(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	uint64_t size = PAGE;

	assert_int_equal(vfio_int(ictx, VFIO_IOMMU_UNMAP_DMA, 16), -EFAULT);
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_UNMAP_DMA, &unmap, 23), -EFAULT);
	unmap.argsz = 23;
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_UNMAP_DMA, &unmap,
				    sizeof(unmap)), -EINVAL);
	/* Dirty bitmaps and VADDR are refused, before the compat IOAS. */
	assert_int_equal(unmap_dma(ictx, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, 0,
				   &size), -EINVAL);
	assert_int_equal(unmap_dma(ictx, VFIO_DMA_UNMAP_FLAG_VADDR, 0, &size),
			 -EINVAL);
	assert_int_equal(unmap_dma(ictx, VFIO_DMA_UNMAP_FLAG_ALL |
				   VFIO_DMA_UNMAP_FLAG_VADDR, 0, &size), -EINVAL);
	assert_int_equal(unmap_dma(ictx, 1u << 3, 0, &size), -EINVAL);
	size = 0;
	assert_int_equal(unmap_dma(ictx, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), -ENODEV);
	assert_int_equal(unmap_dma(ictx, 0, 0, &size), -ENODEV);

	compat_setup(ictx);
	/* ALL wants iova = size = 0. */
	size = 0;
	assert_int_equal(unmap_dma(ictx, VFIO_DMA_UNMAP_FLAG_ALL, PAGE, &size),
			 -EINVAL);
	size = PAGE;
	assert_int_equal(unmap_dma(ictx, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size),
			 -EINVAL);
	/* Without ALL, size 0 is EINVAL and a wrapping range EOVERFLOW. */
	size = 0;
	assert_int_equal(unmap_dma(ictx, 0, PAGE, &size), -EINVAL);
	assert_int_equal(size, 0);
	size = 2 * PAGE;
	assert_int_equal(unmap_dma(ictx, 0, UINT64_MAX - PAGE + 1, &size),
			 -EOVERFLOW);
	assert_int_equal(size, 0);
}

static void test_unmap_dma(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	struct vfio_iommu_type1_dma_unmap unmap;
	uint64_t size;

	compat_setup(ictx);
	/* An empty range succeeds with size 0. */
	size = 16 * PAGE;
	assert_int_equal(unmap_dma(ictx, 0, 0x100000, &size), 0);
	assert_int_equal(size, 0);
	size = 0;
	assert_int_equal(unmap_dma(ictx, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), 0);
	assert_int_equal(size, 0);

	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ, mem(state),
				 0x100000, 4 * PAGE), 0);
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ, mem(state),
				 0x200000, 2 * PAGE), 0);
	/* Type1v2: part of an area is ENOENT, and size 0 still goes back. */
	size = PAGE;
	assert_int_equal(unmap_dma(ictx, 0, 0x100000, &size), -ENOENT);
	assert_int_equal(size, 0);
	/* A range covering whole areas (and gaps) unmaps them. */
	size = 0x100000;
	assert_int_equal(unmap_dma(ictx, 0, 0x100000, &size), 0);
	assert_int_equal(size, 4 * PAGE);

	/* The struct goes back (exactly the minimum), extra argsz ignored. */
	memset(&unmap, 0, sizeof(unmap));
	unmap = (struct vfio_iommu_type1_dma_unmap){
		.argsz = 1000, .flags = VFIO_DMA_UNMAP_FLAG_ALL,
	};
	fake_bytes_written = 0;
	assert_int_equal(fake_ioctl(ictx, VFIO_IOMMU_UNMAP_DMA, &unmap,
				    sizeof(unmap)), 0);
	assert_int_equal(fake_bytes_written, sizeof(unmap));
	assert_int_equal(unmap.size, 2 * PAGE);
	assert_int_equal(unmap.argsz, 1000);
}

static void test_unmap_dma_type1_cuts(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	uint32_t id = compat_setup(ictx);
	struct io_pagetable *iopt = &ioas_of(ictx, id)->iopt;
	uint64_t size;

	assert_int_equal(vfio_int(ictx, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU), 0);
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ, mem(state), 0,
				 16 * PAGE), 0);
	/* The middle of an area: cut at both edges, then unmapped. */
	size = 2 * PAGE;
	assert_int_equal(unmap_dma(ictx, 0, 4 * PAGE, &size), 0);
	assert_int_equal(size, 2 * PAGE);
	assert_non_null(iopt_area_find(iopt, 3 * PAGE));
	assert_null(iopt_area_find(iopt, 4 * PAGE));
	assert_null(iopt_area_find(iopt, 5 * PAGE));
	assert_non_null(iopt_area_find(iopt, 6 * PAGE));
	assert_int_equal(iopt_area_last_iova(iopt_area_find(iopt, 0)),
			 4 * PAGE - 1);
	/* Starting at IOVA 0: only the end is cut. */
	size = PAGE;
	assert_int_equal(unmap_dma(ictx, 0, 0, &size), 0);
	assert_int_equal(size, PAGE);
	assert_int_equal(iopt_area_iova(iopt_area_find(iopt, PAGE)), PAGE);
	/* Unaligned cuts are refused by the io_pagetable. */
	size = PAGE;
	assert_int_equal(unmap_dma(ictx, 0, 8 * PAGE + 1, &size), -EINVAL);
	size = 0;
	assert_int_equal(unmap_dma(ictx, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), 0);
	assert_int_equal(size, 13 * PAGE);
}

/* ------------------------------------------------------------- mixing -- */

static void test_mixed_abis(void **state)
{
	struct iommufd_ctx *ictx = ctx(state);
	uint32_t id = compat_setup(ictx), other;
	uint64_t size;

	/* VFIO maps land in the compat IOAS and nowhere else. */
	assert_int_equal(fake_ioas_alloc(ictx, &other), 0);
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ, mem(state),
				 0x100000, PAGE), 0);
	assert_non_null(iopt_area_find(&ioas_of(ictx, id)->iopt, 0x100000));
	assert_null(iopt_area_find(&ioas_of(ictx, other)->iopt, 0x100000));
	/* Switching the compat IOAS switches what UNMAP_DMA sees. */
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_SET, &other), 0);
	size = 0;
	assert_int_equal(unmap_dma(ictx, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(vfio_ioas(ictx, IOMMU_VFIO_IOAS_SET, &id), 0);
	assert_int_equal(unmap_dma(ictx, VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), 0);
	assert_int_equal(size, PAGE);
	/* IOMMU_OPTION HUGE_PAGES=0 makes VFIO unmap cut, like TYPE1. */
	{
		struct iommu_option opt = {
			.size = sizeof(opt), .option_id = IOMMU_OPTION_HUGE_PAGES,
			.op = IOMMU_OPTION_OP_SET, .object_id = id, .val64 = 0,
		};

		assert_int_equal(fake_ioctl(ictx, IOMMU_OPTION, &opt,
					    sizeof(opt)), 0);
	}
	assert_int_equal(map_dma(ictx, VFIO_DMA_MAP_FLAG_READ, mem(state),
				 0x100000, 4 * PAGE), 0);
	size = PAGE;
	assert_int_equal(unmap_dma(ictx, 0, 0x101000, &size), 0);
	assert_int_equal(size, PAGE);
}

/* --------------------------------------------------------------- plan -- */

static void test_dispatch_plan(void **state)
{
	struct iommufd_daemon *d = &((struct vfio_env *)*state)->env.daemon;
	struct ucmd_plan plan;
	uint32_t head[6] = { 0 };

	/* MAP/UNMAP read their minimum whatever argsz says: one round. */
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_IOMMU_MAP_DMA, NULL, 0, &plan), 0);
	assert_int_equal(plan.struct_len, 32);
	assert_int_equal(plan.nr_regions, 0);
	head[0] = 8;
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_IOMMU_MAP_DMA, head, 32, &plan), 0);
	assert_int_equal(plan.struct_len, 32);
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_IOMMU_UNMAP_DMA, NULL, 0, &plan), 0);
	assert_int_equal(plan.struct_len, 24);
	/* GET_INFO: argsz first, then all of it (struct and chain). */
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_IOMMU_GET_INFO, NULL, 0, &plan), 0);
	assert_int_equal(plan.struct_len, 4);
	head[0] = 8;
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_IOMMU_GET_INFO, head, 4, &plan), 0);
	assert_int_equal(plan.struct_len, 16);
	head[0] = 72;
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_IOMMU_GET_INFO, head, 4, &plan), 0);
	assert_int_equal(plan.struct_len, 72);
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_IOMMU_GET_INFO, head, 72, &plan), 0);
	assert_int_equal(plan.struct_len, 72);
	/* Integer arguments and unserved commands touch no memory. */
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_SET_IOMMU, NULL, 0, &plan), 1);
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_CHECK_EXTENSION, NULL, 0, &plan), 1);
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_GET_API_VERSION, NULL, 0, &plan), 1);
	assert_int_equal(iommufd_dispatch_plan(d, VFIO_IOMMU_DIRTY_PAGES, NULL, 0, &plan), 1);
	/* IOMMU_VFIO_IOAS is an ordinary table command. */
	assert_int_equal(iommufd_dispatch_plan(d, IOMMU_VFIO_IOAS, NULL, 0, &plan), 0);
	assert_int_equal(plan.struct_len, 4);
	head[0] = 12;
	assert_int_equal(iommufd_dispatch_plan(d, IOMMU_VFIO_IOAS, head, 4, &plan), 0);
	assert_int_equal(plan.struct_len, 12);
}

static void test_cmd_names(void **state)
{
	(void)state;
	assert_string_equal(iommufd_cmd_name(VFIO_IOMMU_MAP_DMA), "VFIO_IOMMU_MAP_DMA");
	assert_string_equal(iommufd_cmd_name(IOMMU_VFIO_IOAS), "VFIO_IOAS");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vfio_ioas_get_set_clear),
		T(test_vfio_ioas_destroy_clears),
		T(test_vfio_ioas_abi),
		T(test_vfio_node_starts_in_compat),
		T(test_vfio_node_release_frees_compat),
		T(test_api_version),
		T(test_check_extension),
		T(test_set_iommu),
		T(test_unknown_enotty),
		T(test_get_info_errors),
		T(test_get_info_small_buffers),
		T(test_get_info_full_chain),
		T(test_get_info_every_size),
		T(test_get_info_partial_ranges),
		T(test_get_info_write_fault),
		T(test_map_dma_errors),
		T(test_map_dma),
		T(test_unmap_dma_errors),
		T(test_unmap_dma),
		T(test_unmap_dma_type1_cuts),
		T(test_mixed_abis),
		T(test_dispatch_plan),
		T(test_cmd_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
