/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uiommufd/abi_test.h - the CONFIG_IOMMUFD_TEST ("selftest") interface of
 * iommufd, as of Linux v7.3.
 *
 * Theory
 * ------
 * The kernel's tools/testing/selftests/iommu suite drives a mock IOMMU
 * driver through one extra ioctl, IOMMU_TEST_CMD, plus "selftest" data types
 * smuggled through the regular HWPT/vIOMMU/hw_info/invalidate/vEVENTQ/
 * hw_queue paths.  Serving this interface lets us run that suite unchanged
 * against the daemon, which is our strongest conformance oracle.
 *
 * This header is not a uapi header in the kernel (it lives next to the
 * driver and is reached by relative include from the selftests), so it
 * changes more freely between releases than abi.h.  Names and numbers below
 * are the v7.3 ones; where older kernels differ the comment says so, since
 * a daemon may meet selftest binaries built from older trees.
 *
 * The magic type values (0xdead, 0xdeadbeef, ...) are deliberately far from
 * any real enum value so a production driver can never mistake them.
 */
#ifndef UIOMMUFD_ABI_TEST_H
#define UIOMMUFD_ABI_TEST_H

/* The kernel header's guard; mixing the two would duplicate every struct. */
#ifdef _UAPI_IOMMUFD_TEST_H
#error "uiommufd/abi_test.h must not be combined with iommufd_test.h"
#else /* the rest would only add a cascade of redefinition errors */

#include <linux/types.h>

#include "abi.h"

/*
 * iommu_test_cmd.op.  Values are positional in the kernel (starting at 1),
 * so they are spelled out here: inserting a name in the middle would
 * silently renumber everything after it.
 */
enum {
	IOMMU_TEST_OP_ADD_RESERVED          = 1,
	IOMMU_TEST_OP_MOCK_DOMAIN           = 2,
	IOMMU_TEST_OP_MD_CHECK_MAP          = 3,
	IOMMU_TEST_OP_MD_CHECK_REFS         = 4,
	IOMMU_TEST_OP_CREATE_ACCESS         = 5,
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES  = 6,
	IOMMU_TEST_OP_ACCESS_PAGES          = 7,
	IOMMU_TEST_OP_ACCESS_RW             = 8,
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT = 9,
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE   = 10,
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS   = 11,
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS     = 12,
	IOMMU_TEST_OP_DIRTY                 = 13,
	IOMMU_TEST_OP_MD_CHECK_IOTLB        = 14,
	IOMMU_TEST_OP_TRIGGER_IOPF          = 15,
	IOMMU_TEST_OP_DEV_CHECK_CACHE       = 16,
	IOMMU_TEST_OP_TRIGGER_VEVENT        = 17,
	IOMMU_TEST_OP_PASID_ATTACH          = 18,
	IOMMU_TEST_OP_PASID_REPLACE         = 19,
	IOMMU_TEST_OP_PASID_DETACH          = 20,
	IOMMU_TEST_OP_PASID_CHECK_HWPT      = 21,
	IOMMU_TEST_OP_DMABUF_GET            = 22,	/* new in v6.19 */
	IOMMU_TEST_OP_DMABUF_REVOKE         = 23,	/* new in v6.19 */
};

/*
 * iommu_hwpt_selftest.pagetable_type (v6.19): which mock page-table format
 * backs a paging domain.  A short (4-byte, pre-6.19) selftest payload reads
 * as DEFAULT.  v6.19 also had MOCK_IOMMUPT_AMDV1 = 2 (the real AMDv1
 * format); v7.3 dropped it and answers EOPNOTSUPP for 2, like any unknown
 * format, so the name is gone here too.
 */
enum {
	MOCK_IOMMUPT_DEFAULT = 0,
	MOCK_IOMMUPT_HUGE    = 1,
};

/*
 * Geometry of a MOCK_IOMMUPT_DEFAULT domain.  The mock page is 2 KiB, i.e.
 * smaller than any CPU page, precisely so the core's sub-page handling is
 * exercised; a daemon must report these, not the host's values.
 */
enum {
	MOCK_APERTURE_START = 1 << 24,
	MOCK_APERTURE_LAST  = 0x7fffffff,	/* (1 << 31) - 1, inclusive */
	MOCK_PAGE_SIZE      = 2048,
	MOCK_HUGE_PAGE_SIZE = 512 * MOCK_PAGE_SIZE,
};

/* access_pages.flags; SYZ is also accepted in access_rw.flags */
enum {
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	MOCK_FLAGS_ACCESS_SYZ   = 1 << 16,	/* syzkaller-only behaviour */
};

/* access_rw.flags (mirror the core's IOMMUFD_ACCESS_RW_* bits) */
enum {
	MOCK_ACCESS_RW_WRITE     = 1 << 0,
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/* create_access.flags */
enum {
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/*
 * mock_domain_flags.dev_flags.  Bit 1 was MOCK_FLAGS_DEVICE_HUGE_IOVA before
 * v6.19, which dropped it (huge pages are now MOCK_IOMMUPT_HUGE) and rejects
 * the bit, so it must stay unknown here too.
 */
enum {
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	MOCK_FLAGS_DEVICE_PASID    = 1 << 2,
};

/* Each mock nested domain models a tiny IOTLB of this many u32 slots. */
enum {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM    = 4,
};

/* Likewise for the per-device cache invalidated through a vIOMMU. */
enum {
	MOCK_DEV_CACHE_ID_MAX = 3,
	MOCK_DEV_CACHE_NUM    = 4,
};

/* A PASID the mock driver treats specially in the replace tests. */
#define IOMMU_TEST_PASID_RESERVED 1024

/*
 * The one test ioctl.  `id` is op-specific (an IOAS, HWPT, stdev or access
 * object); the union member is picked by `op`.  `last` exists so the
 * minimum accepted size is offsetof(last) + 4 == 68: every member of the
 * union is then always fully present.
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;	/* as if from a VFIO bind */
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;	/* MOCK_FLAGS_DEVICE_* */
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		struct {
			__u32 limit;
		} memory_limit;
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		struct {
			__u32 id;
			__u32 iotlb;
		} check_iotlb;
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;
			/*
			 * Plain __u64 in the kernel too; it lands on an
			 * 8-byte boundary anyway, so no ABI ambiguity.
			 */
			__u64 addr;
		} trigger_iopf;
		struct {
			__u32 id;
			__u32 cache;
		} check_dev_cache;
		struct {
			__u32 dev_id;
		} trigger_vevent;
		/* For the four PASID ops `id` names the stdev. */
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_attach;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_replace;
		struct {
			__u32 pasid;
		} pasid_detach;
		struct {
			__u32 pasid;
			__u32 hwpt_id;
		} pasid_check;
		struct {
			__u32 length;
			__u32 open_flags;
		} dmabuf_get;
		struct {
			__s32 dmabuf_fd;
			__u32 revoked;
		} dmabuf_revoke;
	};
	__u32 last;
};
#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/* PASID bits of a MOCK_FLAGS_DEVICE_PASID device (and of the mock IOMMU). */
#define MOCK_PASID_WIDTH 20

/* IOMMU_GET_HW_INFO answer for a mock device. */
#define IOMMU_HW_INFO_TYPE_SELFTEST   0xfeedbeef
#define IOMMU_HW_INFO_SELFTEST_REGVAL 0xdeadbeef

struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg;		/* always IOMMU_HW_INFO_SELFTEST_REGVAL */
};

/* IOMMU_HWPT_ALLOC data_type for mock nested (and, v6.19, paging) HWPTs. */
#define IOMMU_HWPT_DATA_SELFTEST     0xdead
#define IOMMU_TEST_IOTLB_DEFAULT     0xbadbeef	/* initial IOTLB slot value */
#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad	/* initial dev-cache value */

/*
 * pagetable_type was appended in v6.19 (struct grew 4 -> 8 bytes); the
 * kernel only requires `iotlb`, so 4-byte payloads remain valid.
 */
struct iommu_hwpt_selftest {
	__u32 iotlb;
	__u32 pagetable_type;	/* MOCK_IOMMUPT_* */
};

/* IOMMU_HWPT_INVALIDATE data_type for a mock nested HWPT. */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST         0xdeadbeef
/* A type the mock rejects, to test the EOPNOTSUPP path. */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/* Shared by both selftest invalidation records: ignore the index, do all. */
#define IOMMU_TEST_INVALIDATE_FLAG_ALL (1 << 0)

struct iommu_hwpt_invalidate_selftest {
	__u32 flags;
	__u32 iotlb_id;
};

/* IOMMU_VIOMMU_ALLOC type for the mock vIOMMU. */
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

/*
 * Loopback payload: the mock copies in_data to out_data and offers a
 * two-page mmap window.  Only the first 8 bytes are required; the mmap
 * fields were appended after 6.14.
 */
struct iommu_viommu_selftest {
	__u32 in_data;
	__u32 out_data;
	__aligned_u64 out_mmap_offset;
	__aligned_u64 out_mmap_length;
};

/* IOMMU_HWPT_INVALIDATE data_type when hwpt_id names a mock vIOMMU. */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST         0xdeadbeef
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

struct iommu_viommu_invalidate_selftest {
	__u32 flags;
	__u32 vdev_id;
	__u32 cache_id;
};

/* IOMMU_VEVENTQ_ALLOC type; each event payload is the struct below. */
#define IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef

struct iommu_viommu_event_selftest {
	__u32 virt_id;
};

/* IOMMU_HW_QUEUE_ALLOC type; the mock vIOMMU offers this many indexes. */
#define IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeef
#define IOMMU_TEST_HW_QUEUE_MAX      2

/* Size checks for every consumer; offsets live in tests/unit/abi_layout.c. */
_Static_assert(sizeof(struct iommu_test_cmd) == 72, "iommu_test_cmd");
_Static_assert(sizeof(struct iommu_test_hw_info) == 8, "iommu_test_hw_info");
_Static_assert(sizeof(struct iommu_hwpt_selftest) == 8,
	       "iommu_hwpt_selftest");
_Static_assert(sizeof(struct iommu_hwpt_invalidate_selftest) == 8,
	       "iommu_hwpt_invalidate_selftest");
_Static_assert(sizeof(struct iommu_viommu_selftest) == 24,
	       "iommu_viommu_selftest");
_Static_assert(sizeof(struct iommu_viommu_invalidate_selftest) == 12,
	       "iommu_viommu_invalidate_selftest");
_Static_assert(sizeof(struct iommu_viommu_event_selftest) == 4,
	       "iommu_viommu_event_selftest");

#endif /* conflicting kernel header */
#endif /* UIOMMUFD_ABI_TEST_H */
