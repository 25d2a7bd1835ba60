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
 * layouts; it also serves VFIO device cdevs of its own (--device), so the
 * device/region/IRQ API and the cdev's BIND/ATTACH are here too.  Like abi.h this
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

/* ------------------------------------------------------------------------
 * Device fd (a VFIO device cdev, /dev/vfio/devices/vfioN, and the daemon's
 * look-alike of it, daemon/vfio/device_*.c).
 *
 * A cdev starts unbound: BIND_IOMMUFD is the only ioctl it answers until it
 * is bound, then ATTACH puts the device into an IOAS or HWPT of that
 * iommufd.  Every struct starts with argsz; the kernel checks argsz >= the
 * size up to the last field it needs (the "minsz") and ignores a longer
 * tail, except where a field is gated by a flag.
 */

/* Info of the whole device.  minsz: through num_irqs (16 bytes). */
struct vfio_device_info {
	__u32 argsz;
	__u32 flags;
	__u32 num_regions;	/* highest region index + 1 */
	__u32 num_irqs;		/* highest IRQ index + 1 */
	__u32 cap_offset;	/* first capability, if FLAGS_CAPS */
	__u32 pad;
};
#define VFIO_DEVICE_FLAGS_RESET    (1 << 0)	/* VFIO_DEVICE_RESET works */
#define VFIO_DEVICE_FLAGS_PCI      (1 << 1)	/* the vfio-pci region/irq map */
#define VFIO_DEVICE_FLAGS_PLATFORM (1 << 2)
#define VFIO_DEVICE_FLAGS_AMBA     (1 << 3)
#define VFIO_DEVICE_FLAGS_CCW      (1 << 4)
#define VFIO_DEVICE_FLAGS_AP       (1 << 5)
#define VFIO_DEVICE_FLAGS_FSL_MC   (1 << 6)
#define VFIO_DEVICE_FLAGS_CAPS     (1 << 7)	/* cap_offset is valid */
#define VFIO_DEVICE_FLAGS_CDX      (1 << 8)

#define VFIO_DEVICE_API_PCI_STRING "vfio-pci"

/* GET_INFO capability ids (5: PCIe AtomicOp completer widths). */
#define VFIO_DEVICE_INFO_CAP_ZPCI_BASE       1
#define VFIO_DEVICE_INFO_CAP_ZPCI_GROUP      2
#define VFIO_DEVICE_INFO_CAP_ZPCI_UTIL       3
#define VFIO_DEVICE_INFO_CAP_ZPCI_PFIP       4
#define VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP 5

struct vfio_device_info_cap_pci_atomic_comp {
	struct vfio_info_cap_header header;
	__u32 flags;
	__u32 reserved;
};
#define VFIO_PCI_ATOMIC_COMP32  (1 << 0)
#define VFIO_PCI_ATOMIC_COMP64  (1 << 1)
#define VFIO_PCI_ATOMIC_COMP128 (1 << 2)

#define VFIO_DEVICE_GET_INFO _IO(VFIO_TYPE, VFIO_BASE + 7)

/*
 * One region: the caller sets argsz and index.  minsz: through offset (32
 * bytes).  `offset` is where pread/pwrite of the device fd reach the
 * region; a size of 0 means "not implemented" (an absent BAR).  With argsz
 * too small for the capability chain the call still succeeds with CAPS
 * set, cap_offset 0 and argsz raised to the size needed.
 */
struct vfio_region_info {
	__u32 argsz;
	__u32 flags;
	__u32 index;
	__u32 cap_offset;
	__aligned_u64 size;
	__aligned_u64 offset;
};
#define VFIO_REGION_INFO_FLAG_READ  (1 << 0)
#define VFIO_REGION_INFO_FLAG_WRITE (1 << 1)
#define VFIO_REGION_INFO_FLAG_MMAP  (1 << 2)	/* never set by the daemon */
#define VFIO_REGION_INFO_FLAG_CAPS  (1 << 3)

#define VFIO_DEVICE_GET_REGION_INFO _IO(VFIO_TYPE, VFIO_BASE + 8)

/* Region capability ids. */
#define VFIO_REGION_INFO_CAP_SPARSE_MMAP  1
#define VFIO_REGION_INFO_CAP_TYPE         2
#define VFIO_REGION_INFO_CAP_MSIX_MAPPABLE 3

struct vfio_region_sparse_mmap_area {
	__aligned_u64 offset;
	__aligned_u64 size;
};

struct vfio_region_info_cap_sparse_mmap {
	struct vfio_info_cap_header header;
	__u32 nr_areas;
	__u32 reserved;
	struct vfio_region_sparse_mmap_area areas[];
};

/* Device-specific regions (index >= VFIO_PCI_NUM_REGIONS) say what they are. */
struct vfio_region_info_cap_type {
	struct vfio_info_cap_header header;
	__u32 type;
	__u32 subtype;
};

/* One IRQ index: caller sets argsz and index.  minsz: through count. */
struct vfio_irq_info {
	__u32 argsz;
	__u32 flags;
	__u32 index;
	__u32 count;	/* vectors; 0: the index is not implemented */
};
#define VFIO_IRQ_INFO_EVENTFD    (1 << 0)	/* SET_IRQS DATA_EVENTFD works */
#define VFIO_IRQ_INFO_MASKABLE   (1 << 1)	/* ACTION_MASK/UNMASK work */
#define VFIO_IRQ_INFO_AUTOMASKED (1 << 2)	/* level: masked when signalled */
#define VFIO_IRQ_INFO_NORESIZE   (1 << 3)	/* vectors enabled as one set */

#define VFIO_DEVICE_GET_IRQ_INFO _IO(VFIO_TYPE, VFIO_BASE + 9)

/*
 * Set signalling of vectors [start, start + count) of one IRQ index.
 * Exactly one DATA_ and one ACTION_ flag.  data[] holds count u8 (BOOL) or
 * count s32 eventfd numbers (EVENTFD; -1 tears a vector down); argsz must
 * cover them.  DATA_NONE + ACTION_TRIGGER + count 0 disables the index.
 */
struct vfio_irq_set {
	__u32 argsz;
	__u32 flags;
	__u32 index;
	__u32 start;
	__u32 count;
	__u8 data[];
};
#define VFIO_IRQ_SET_DATA_NONE      (1 << 0)
#define VFIO_IRQ_SET_DATA_BOOL      (1 << 1)
#define VFIO_IRQ_SET_DATA_EVENTFD   (1 << 2)
#define VFIO_IRQ_SET_ACTION_MASK    (1 << 3)	/* user -> device: mask */
#define VFIO_IRQ_SET_ACTION_UNMASK  (1 << 4)	/* user -> device: unmask */
#define VFIO_IRQ_SET_ACTION_TRIGGER (1 << 5)	/* device -> user: signal */

#define VFIO_IRQ_SET_DATA_TYPE_MASK \
	(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL | \
	 VFIO_IRQ_SET_DATA_EVENTFD)
#define VFIO_IRQ_SET_ACTION_TYPE_MASK \
	(VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_ACTION_UNMASK | \
	 VFIO_IRQ_SET_ACTION_TRIGGER)

#define VFIO_DEVICE_SET_IRQS _IO(VFIO_TYPE, VFIO_BASE + 10)

/* No argument. */
#define VFIO_DEVICE_RESET _IO(VFIO_TYPE, VFIO_BASE + 11)

/*
 * vfio-pci's bus or slot reset: which devices a reset would take along
 * (GET_PCI_HOT_RESET_INFO, devices[] filled up to argsz) and the reset
 * itself (PCI_HOT_RESET, group fds of every affected group, or count 0 on
 * a cdev-opened device).  minsz of both: through count.
 */
struct vfio_pci_dependent_device {
	__u32 group_id;		/* or devid for a cdev-opened device */
	__u16 segment;
	__u8 bus;
	__u8 devfn;
};

struct vfio_pci_hot_reset_info {
	__u32 argsz;
	__u32 flags;
	__u32 count;
	struct vfio_pci_dependent_device devices[];
};
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID (1 << 0)
#define VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED (1 << 1)

#define VFIO_DEVICE_GET_PCI_HOT_RESET_INFO _IO(VFIO_TYPE, VFIO_BASE + 12)

struct vfio_pci_hot_reset {
	__u32 argsz;
	__u32 flags;
	__u32 count;
	__s32 group_fds[];
};

#define VFIO_DEVICE_PCI_HOT_RESET _IO(VFIO_TYPE, VFIO_BASE + 13)

/* vfio-pci's fixed region and IRQ indexes (a fixed user ABI). */
enum {
	VFIO_PCI_BAR0_REGION_INDEX,
	VFIO_PCI_BAR1_REGION_INDEX,
	VFIO_PCI_BAR2_REGION_INDEX,
	VFIO_PCI_BAR3_REGION_INDEX,
	VFIO_PCI_BAR4_REGION_INDEX,
	VFIO_PCI_BAR5_REGION_INDEX,
	VFIO_PCI_ROM_REGION_INDEX,
	VFIO_PCI_CONFIG_REGION_INDEX,
	VFIO_PCI_VGA_REGION_INDEX,
	VFIO_PCI_NUM_REGIONS = 9
};

enum {
	VFIO_PCI_INTX_IRQ_INDEX,
	VFIO_PCI_MSI_IRQ_INDEX,
	VFIO_PCI_MSIX_IRQ_INDEX,
	VFIO_PCI_ERR_IRQ_INDEX,
	VFIO_PCI_REQ_IRQ_INDEX,
	VFIO_PCI_NUM_IRQS
};

/*
 * Where vfio-pci puts region `index` in the device fd's file offsets: the
 * index in the bits above 40 (not uapi in the kernel, but every client
 * must use the `offset` GET_REGION_INFO reports, and that is what it is).
 */
#define UIOMMUFD_VFIO_PCI_OFFSET_SHIFT 40
#define UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(index) \
	((__u64)(index) << UIOMMUFD_VFIO_PCI_OFFSET_SHIFT)
#define UIOMMUFD_VFIO_PCI_OFFSET_TO_INDEX(off) \
	((off) >> UIOMMUFD_VFIO_PCI_OFFSET_SHIFT)
#define UIOMMUFD_VFIO_PCI_OFFSET_MASK \
	(((__u64)1 << UIOMMUFD_VFIO_PCI_OFFSET_SHIFT) - 1)

/*
 * Get, set or probe one device feature (its number in the low 16 bits of
 * flags).  minsz: through flags; GET and SET together only with PROBE.
 */
struct vfio_device_feature {
	__u32 argsz;
	__u32 flags;
	__u8 data[];
};
#define VFIO_DEVICE_FEATURE_MASK  (0xffff)
#define VFIO_DEVICE_FEATURE_GET   (1 << 16)
#define VFIO_DEVICE_FEATURE_SET   (1 << 17)
#define VFIO_DEVICE_FEATURE_PROBE (1 << 18)

#define VFIO_DEVICE_FEATURE _IO(VFIO_TYPE, VFIO_BASE + 17)

/*
 * Bind a cdev to an iommufd (the fd number in the caller's table).
 * out_devid is the device object's id in that iommufd.  minsz: through
 * out_devid (16 bytes); token_uuid_ptr (a 16-byte VF token, only for
 * SR-IOV VFs) is read only with FLAG_TOKEN, which also requires argsz to
 * cover it.  Unbinding is closing the device fd.
 */
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
	__aligned_u64 token_uuid_ptr;
};
#define VFIO_DEVICE_BIND_FLAG_TOKEN (1 << 0)

#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)

/*
 * Attach the bound device (or one PASID of it, with FLAG PASID) to an IOAS
 * or HWPT id; on return pt_id is the HWPT actually attached (an automatic
 * one for an IOAS).  Attaching while attached replaces.  minsz: through
 * pt_id; pasid is read only with the flag (argsz must then cover it).
 */
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
	__u32 pasid;
};
#define VFIO_DEVICE_ATTACH_PASID (1 << 0)

#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)

/* Back to blocking DMA.  minsz: through flags. */
struct vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pasid;
};
#define VFIO_DEVICE_DETACH_PASID (1 << 0)

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
_Static_assert(sizeof(struct vfio_device_info) == 24, "vfio_device_info");
_Static_assert(sizeof(struct vfio_device_info_cap_pci_atomic_comp) == 16,
	       "vfio_device_info_cap_pci_atomic_comp");
_Static_assert(sizeof(struct vfio_region_info) == 32, "vfio_region_info");
_Static_assert(__builtin_offsetof(struct vfio_region_info, size) == 16,
	       "vfio_region_info.size");
_Static_assert(__builtin_offsetof(struct vfio_region_info, offset) == 24,
	       "vfio_region_info.offset");
_Static_assert(sizeof(struct vfio_region_sparse_mmap_area) == 16,
	       "vfio_region_sparse_mmap_area");
_Static_assert(sizeof(struct vfio_region_info_cap_sparse_mmap) == 16,
	       "vfio_region_info_cap_sparse_mmap");
_Static_assert(sizeof(struct vfio_region_info_cap_type) == 16,
	       "vfio_region_info_cap_type");
_Static_assert(sizeof(struct vfio_irq_info) == 16, "vfio_irq_info");
_Static_assert(sizeof(struct vfio_device_feature) == 8, "vfio_device_feature");
_Static_assert(sizeof(struct vfio_pci_hot_reset_info) == 12, "vfio_pci_hot_reset_info");
_Static_assert(sizeof(struct vfio_pci_dependent_device) == 8,
	       "vfio_pci_dependent_device");
_Static_assert(sizeof(struct vfio_pci_hot_reset) == 12, "vfio_pci_hot_reset");
_Static_assert(sizeof(struct vfio_irq_set) == 20, "vfio_irq_set");
_Static_assert(__builtin_offsetof(struct vfio_irq_set, data) == 20,
	       "vfio_irq_set.data");
_Static_assert(sizeof(struct vfio_device_bind_iommufd) == 24,
	       "vfio_device_bind_iommufd");
_Static_assert(__builtin_offsetof(struct vfio_device_bind_iommufd,
				  token_uuid_ptr) == 16,
	       "vfio_device_bind_iommufd.token_uuid_ptr");
_Static_assert(sizeof(struct vfio_device_attach_iommufd_pt) == 16,
	       "vfio_device_attach_iommufd_pt");
_Static_assert(sizeof(struct vfio_device_detach_iommufd_pt) == 12,
	       "vfio_device_detach_iommufd_pt");
_Static_assert(VFIO_DEVICE_BIND_IOMMUFD == 0x3b76, "BIND_IOMMUFD number");
_Static_assert(VFIO_DEVICE_GET_INFO == 0x3b6b, "GET_INFO number");
_Static_assert(VFIO_PCI_CONFIG_REGION_INDEX == 7, "config region index");

#endif /* conflicting kernel header */
#endif /* UIOMMUFD_VFIO_ABI_H */
