/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uiommufd/vfio_abi.h - the subset of the VFIO uapi that a type1 container
 * (/dev/vfio/vfio) speaks, as of Linux v6.19.
 *
 * Theory
 * ------
 * iommufd can impersonate a VFIO container: the legacy type1 ioctls are
 * translated onto a single "compat" IOAS (see IOMMU_VFIO_IOAS in abi.h).
 * The daemon serves the same thing, so it needs the container and type1
 * layouts, but not the far larger device/region/IRQ API.  Like abi.h this
 * is written from the documented layouts; only names and numbers are the
 * kernel's.
 *
 * VFIO ioctls are _IO(';', 100 + n) and, like iommufd, carry their size in
 * the struct (`argsz`) rather than in the request number.  VFIO shares the
 * ';' type with iommufd and stays below 0x80, which is how one fd can
 * answer both families: numbers < IOMMUFD_CMD_BASE go to the VFIO path.
 * Unlike iommufd, type1 checks only argsz >= the minimum (unknown tails are
 * ignored, not E2BIG) and reports new data through flags and capability
 * chains instead.
 *
 * Why a separate header with its own guard (never include <linux/vfio.h>
 * in the same translation unit):
 *  - Debian 12 does ship <linux/vfio.h> (6.1).  Sharing its guard so that
 *    "whichever comes first wins" would let this subset silently hide the
 *    full header, and code needing vfio_device_info etc. would then fail far
 *    from the cause, or our own static checks would silently vanish.  Note
 *    also that the installed guard is VFIO_H and the in-tree one is
 *    _UAPIVFIO_H (no underscore after UAPI), so a guard named _UAPI_VFIO_H
 *    would match neither and not deduplicate anything.
 *  - Instead both orders fail loudly: system header first -> the #error
 *    below; ours first -> "redefinition of struct vfio_info_cap_header",
 *    whose "previous definition" note points at a comment explaining this.
 *  - abi.h does not include this file, so daemon code that also needs the
 *    real device API can use abi.h + <linux/vfio.h> together.
 *
 * Values are identical to 6.1 for everything here; the one rename is
 * noted at VFIO_TYPE1_NESTING_IOMMU.  Layout checks assume an LP64 host
 * (vfio_bitmap holds a pointer, and two structs use plain __u64).
 */
#ifndef UIOMMUFD_VFIO_ABI_H
#define UIOMMUFD_VFIO_ABI_H

#if defined(VFIO_H) || defined(_UAPIVFIO_H)
#error "uiommufd/vfio_abi.h must not be combined with <linux/vfio.h>"
#else /* the rest would only add a cascade of redefinition errors */

#include <linux/ioctl.h>
#include <linux/types.h>

/* VFIO_GET_API_VERSION must return this; it has never changed. */
#define VFIO_API_VERSION 0

/*
 * VFIO_CHECK_EXTENSION / VFIO_SET_IOMMU arguments.  An iommufd-backed
 * container answers 1 for TYPE1, TYPE1v2 and UNMAP_ALL, a live answer for
 * DMA_CC, the NOIOMMU config for NOIOMMU, and 0 for everything else -
 * including UPDATE_VADDR, which cannot be emulated safely.
 */
#define VFIO_TYPE1_IOMMU        1
#define VFIO_SPAPR_TCE_IOMMU    2
#define VFIO_TYPE1v2_IOMMU      3
#define VFIO_DMA_CC_IOMMU       4	/* DMA is cache-coherent (no-snoop off) */
#define VFIO_EEH                5	/* POWER EEH error recovery */
/*
 * Nesting through type1 was withdrawn (the real interface is iommufd's
 * HWPT_ALLOC); v6.19 renamed the constant to the reserved spelling and
 * always answers 0.  The old name is kept for clients built against older
 * headers, such as Debian 12's 6.1 ones.
 */
#define __VFIO_RESERVED_TYPE1_NESTING_IOMMU 6
#define VFIO_TYPE1_NESTING_IOMMU    __VFIO_RESERVED_TYPE1_NESTING_IOMMU
#define VFIO_SPAPR_TCE_v2_IOMMU 7
#define VFIO_NOIOMMU_IOMMU      8	/* no translation; taints the kernel */
#define VFIO_UNMAP_ALL          9	/* VFIO_DMA_UNMAP_FLAG_ALL works */
#define VFIO_UPDATE_VADDR       10	/* VFIO_DMA_*_FLAG_VADDR work */

#define VFIO_TYPE (';')
#define VFIO_BASE 100

/*
 * If the compiler sent you here with "redefinition of struct
 * vfio_info_cap_header": <linux/vfio.h> was included after this header.
 * Use one or the other (see the top of this file).
 *
 * Capability chains hang off INFO replies.  `next` and the first offset are
 * byte offsets from the start of the whole INFO buffer, with 0 ending the
 * chain, so a reply can be parsed without knowing every capability.
 */
struct vfio_info_cap_header {
	__u16 id;
	__u16 version;
	__u32 next;
};

/* ------------------------------------------------------------------------
 * Container fd (/dev/vfio/vfio)
 */

#define VFIO_GET_API_VERSION _IO(VFIO_TYPE, VFIO_BASE + 0)
/* The argument is the extension number itself, not a pointer. */
#define VFIO_CHECK_EXTENSION _IO(VFIO_TYPE, VFIO_BASE + 1)
/* Likewise by value; only valid once a group has joined the container. */
#define VFIO_SET_IOMMU       _IO(VFIO_TYPE, VFIO_BASE + 2)

/* ------------------------------------------------------------------------
 * Group fd (/dev/vfio/$GROUP) - listed so the daemon can recognise them.
 * SET_CONTAINER takes a container fd by pointer to __s32.
 */

struct vfio_group_status {
	__u32 argsz;
	__u32 flags;
};
#define VFIO_GROUP_FLAGS_VIABLE        (1 << 0)
#define VFIO_GROUP_FLAGS_CONTAINER_SET (1 << 1)

#define VFIO_GROUP_GET_STATUS      _IO(VFIO_TYPE, VFIO_BASE + 3)
#define VFIO_GROUP_SET_CONTAINER   _IO(VFIO_TYPE, VFIO_BASE + 4)
#define VFIO_GROUP_UNSET_CONTAINER _IO(VFIO_TYPE, VFIO_BASE + 5)
#define VFIO_GROUP_GET_DEVICE_FD   _IO(VFIO_TYPE, VFIO_BASE + 6)

/*
 * Device-fd numbers only (their structs are out of scope): enough to route
 * or reject them.  BIND/ATTACH/DETACH are how a vfio cdev joins an iommufd.
 */
#define VFIO_DEVICE_GET_INFO          _IO(VFIO_TYPE, VFIO_BASE + 7)
#define VFIO_DEVICE_BIND_IOMMUFD      _IO(VFIO_TYPE, VFIO_BASE + 18)
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#define VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 20)

/* ------------------------------------------------------------------------
 * Type1 IOMMU
 */

/*
 * Minimum argsz is 16 (through iova_pgsizes).  With argsz too small for the
 * capability chain the call still succeeds: CAPS is set, cap_offset is 0
 * and argsz is raised to the size needed, so the caller can retry.
 */
struct vfio_iommu_type1_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 iova_pgsizes;	/* bit n set: 2^n byte pages usable */
	__u32 cap_offset;
	__u32 pad;
};
#define VFIO_IOMMU_INFO_PGSIZES (1 << 0)
#define VFIO_IOMMU_INFO_CAPS    (1 << 1)

/* Usable IOVA windows, reserved regions already subtracted (version 1). */
#define VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE 1

/* `end` is inclusive, matching iommu_iova_range.last. */
struct vfio_iova_range {
	__u64 start;
	__u64 end;
};

struct vfio_iommu_type1_info_cap_iova_range {
	struct vfio_info_cap_header header;
	__u32 nr_iovas;
	__u32 reserved;
	struct vfio_iova_range iova_ranges[];
};

/* Present only if dirty logging works (version 1). */
#define VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION 2

/* 4 bytes of implicit padding follow `flags` on LP64. */
struct vfio_iommu_type1_info_cap_migration {
	struct vfio_info_cap_header header;
	__u32 flags;
	__u64 pgsize_bitmap;
	__u64 max_dirty_bitmap_size;	/* bytes */
};

/* How many more MAP_DMA calls may succeed (version 1). */
#define VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL 3

struct vfio_iommu_type1_info_dma_avail {
	struct vfio_info_cap_header header;
	__u32 avail;
};

#define VFIO_IOMMU_GET_INFO _IO(VFIO_TYPE, VFIO_BASE + 12)

/*
 * Minimum argsz 32.  READ and/or WRITE is required for a new mapping; with
 * VADDR only the user address of an existing (iova, size) is replaced and
 * READ/WRITE must be clear.
 */
struct vfio_iommu_type1_dma_map {
	__u32 argsz;
	__u32 flags;
	__u64 vaddr;
	__u64 iova;
	__u64 size;
};
#define VFIO_DMA_MAP_FLAG_READ  (1 << 0)
#define VFIO_DMA_MAP_FLAG_WRITE (1 << 1)
#define VFIO_DMA_MAP_FLAG_VADDR (1 << 2)

#define VFIO_IOMMU_MAP_DMA _IO(VFIO_TYPE, VFIO_BASE + 13)

/* Caller-owned, pre-zeroed bitmap; one bit per pgsize bytes from iova. */
struct vfio_bitmap {
	__u64 pgsize;
	__u64 size;	/* bytes at data */
	__u64 *data;
};

/*
 * Minimum argsz 24.  `size` is in/out (bytes actually unmapped).  With
 * GET_DIRTY_BITMAP a struct vfio_bitmap follows in data[]; ALL requires
 * iova == size == 0; VADDR only invalidates the user address.  ALL and
 * VADDR cannot be combined with GET_DIRTY_BITMAP.
 */
struct vfio_iommu_type1_dma_unmap {
	__u32 argsz;
	__u32 flags;
	__u64 iova;
	__u64 size;
	__u8 data[];
};
#define VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP (1 << 0)
#define VFIO_DMA_UNMAP_FLAG_ALL              (1 << 1)
#define VFIO_DMA_UNMAP_FLAG_VADDR            (1 << 2)

#define VFIO_IOMMU_UNMAP_DMA _IO(VFIO_TYPE, VFIO_BASE + 14)

/* Argument-less; only meaningful for SPAPR, type1 answers ENOTTY. */
#define VFIO_IOMMU_ENABLE  _IO(VFIO_TYPE, VFIO_BASE + 15)
#define VFIO_IOMMU_DISABLE _IO(VFIO_TYPE, VFIO_BASE + 16)

/*
 * Exactly one of START/STOP/GET_BITMAP per call.  For GET_BITMAP a struct
 * vfio_iommu_type1_dirty_bitmap_get follows in data[], and argsz counts it
 * but not the bitmap memory itself.
 */
struct vfio_iommu_type1_dirty_bitmap {
	__u32 argsz;
	__u32 flags;
	__u8 data[];
};
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_START      (1 << 0)
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP       (1 << 1)
#define VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP (1 << 2)

struct vfio_iommu_type1_dirty_bitmap_get {
	__u64 iova;
	__u64 size;
	struct vfio_bitmap bitmap;
};

#define VFIO_IOMMU_DIRTY_PAGES _IO(VFIO_TYPE, VFIO_BASE + 17)

/*
 * Cheap self-checks for every consumer.  Only the sizes that are the same
 * on every Linux ABI are checked here; the LP64-only ones and all offsets
 * are pinned in tests/unit/abi_layout.c.
 */
_Static_assert(VFIO_TYPE == 0x3b, "VFIO shares iommufd's ioctl type");
_Static_assert(sizeof(struct vfio_info_cap_header) == 8,
	       "vfio_info_cap_header");
_Static_assert(sizeof(struct vfio_group_status) == 8, "vfio_group_status");
_Static_assert(sizeof(struct vfio_iommu_type1_info) == 24,
	       "vfio_iommu_type1_info");
_Static_assert(sizeof(struct vfio_iova_range) == 16, "vfio_iova_range");
_Static_assert(sizeof(struct vfio_iommu_type1_info_cap_iova_range) == 16,
	       "vfio_iommu_type1_info_cap_iova_range");
_Static_assert(sizeof(struct vfio_iommu_type1_info_dma_avail) == 12,
	       "vfio_iommu_type1_info_dma_avail");
_Static_assert(sizeof(struct vfio_iommu_type1_dma_map) == 32,
	       "vfio_iommu_type1_dma_map");
_Static_assert(sizeof(struct vfio_iommu_type1_dma_unmap) == 24,
	       "vfio_iommu_type1_dma_unmap");
_Static_assert(sizeof(struct vfio_iommu_type1_dirty_bitmap) == 8,
	       "vfio_iommu_type1_dirty_bitmap");

#endif /* conflicting kernel header */
#endif /* UIOMMUFD_VFIO_ABI_H */
