/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uiommufd/abi.h - the /dev/iommu (iommufd) ioctl ABI, as of Linux v7.3.
 *
 * Theory
 * ------
 * Debian 12 ships 6.1 kernel headers, which predate <linux/iommufd.h>, so we
 * carry our own description of the wire format.  This file was written from
 * the documented layouts; only the names and numbers are the kernel's,
 * because those *are* the ABI our clients were compiled against.  Do not
 * "improve" an identifier, a field order or a value here: a client built
 * against the real header must see byte-identical structs.
 *
 * Every iommufd ioctl is _IO(';', nr): the request number carries no size.
 * Instead the first __u32 of each argument struct is `size`, written by the
 * caller.  The kernel (and therefore this daemon) must:
 *   - reject size < the per-command minimum with EINVAL (table below; it is
 *     smaller than sizeof for structs that grew after their first release);
 *   - read min(size, sizeof) bytes and treat the missing tail as zero, so an
 *     old client transparently gets default values for newer fields;
 *   - if size > sizeof, require every byte past sizeof to be zero (E2BIG
 *     otherwise), so a newer client cannot silently ask for a feature we do
 *     not understand;
 *   - copy results back using min(size, sizeof) so we never write past the
 *     caller's buffer.
 * Errno conventions: ENOTTY unknown command, E2BIG non-zero unknown tail,
 * EOPNOTSUPP understood-but-unsupported value, EINVAL bad field, ENOENT
 * missing ID/IOVA, EOVERFLOW arithmetic overflow.
 *
 * Minimum `size` accepted by v7.3 (offset of the end of the last field the
 * kernel insists on):
 *   DESTROY 8, IOAS_ALLOC 12, IOAS_ALLOW_IOVAS 24, IOAS_COPY 40,
 *   IOAS_IOVA_RANGES 32, IOAS_MAP 40, IOAS_UNMAP 24, OPTION 24, VFIO_IOAS 12,
 *   HWPT_ALLOC 24 (of 48), GET_HW_INFO 32 (of 40), HWPT_SET_DIRTY_TRACKING 16,
 *   HWPT_GET_DIRTY_BITMAP 48, HWPT_INVALIDATE 32, FAULT_QUEUE_ALLOC 16,
 *   IOAS_MAP_FILE 40, VIOMMU_ALLOC 24 (of 40), VDEVICE_ALLOC 24,
 *   IOAS_CHANGE_PROCESS 8, VEVENTQ_ALLOC 28 (of 32), HW_QUEUE_ALLOC 40,
 *   IOAS_NOIOMMU_GET_PA 40.
 *
 * Do not include a system <linux/iommufd.h> in the same translation unit.
 * If a future libc-dev ships one we refuse to continue when it was seen
 * first, and the compiler reports struct redefinitions when it comes second
 * (the first such struct below carries a note saying so).  Including both
 * would otherwise mix two possibly different ABI revisions silently.
 */
#ifndef UIOMMUFD_ABI_H
#define UIOMMUFD_ABI_H

/* _IOMMUFD_H is the installed guard, _UAPI_IOMMUFD_H the in-tree one. */
#if defined(_IOMMUFD_H) || defined(_UAPI_IOMMUFD_H)
#error "uiommufd/abi.h must not be combined with <linux/iommufd.h>"
#else /* the rest would only add a cascade of redefinition errors */

#include <linux/ioctl.h>
#include <linux/types.h>

#define IOMMUFD_TYPE (';')

/*
 * Command numbers are dense from IOMMUFD_CMD_BASE; the daemon indexes its
 * dispatch table with (nr - IOMMUFD_CMD_BASE), exactly like the kernel.
 * 0x93 and 0x94 only exist on kernels newer than 6.14, 0x95 on 7.3 and later.
 */
enum {
	IOMMUFD_CMD_BASE                    = 0x80,
	IOMMUFD_CMD_DESTROY                 = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC              = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS        = 0x82,
	IOMMUFD_CMD_IOAS_COPY               = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES        = 0x84,
	IOMMUFD_CMD_IOAS_MAP                = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP              = 0x86,
	IOMMUFD_CMD_OPTION                  = 0x87,
	IOMMUFD_CMD_VFIO_IOAS               = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC              = 0x89,
	IOMMUFD_CMD_GET_HW_INFO             = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP   = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE         = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC       = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE           = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC            = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC           = 0x91,
	IOMMUFD_CMD_IOAS_CHANGE_PROCESS     = 0x92,
	IOMMUFD_CMD_VEVENTQ_ALLOC           = 0x93,
	IOMMUFD_CMD_HW_QUEUE_ALLOC          = 0x94,
	IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA     = 0x95,
};

/* ------------------------------------------------------------------------
 * Object lifetime
 */

/*
 * If the compiler sent you here with "redefinition of struct iommu_destroy",
 * a system <linux/iommufd.h> was included after this header: drop one.
 * Works for every object type; an object still used by others is EBUSY.
 */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/* ------------------------------------------------------------------------
 * IO address spaces (IOAS)
 */

/* flags is reserved (must be 0) so later kernels can add creation options. */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/* Closed interval: `last` is included, so the full 64-bit space fits. */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/*
 * num_iovas is in/out: capacity of the user array on entry, the real count
 * on exit.  Too small an array gives EMSGSIZE *and* the needed count, so
 * callers can retry.  The range set shrinks as devices attach (their
 * reserved regions are carved out), hence it must be re-read after every
 * attach/detach.  out_iova_alignment is at most the host page size.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/*
 * Replaces (not extends) the set of IOVA ranges that must stay usable; a
 * later device attach that would narrow them fails instead.  Also steers
 * automatic IOVA placement into these ranges.
 */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};
#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/* Shared by MAP, MAP_FILE and COPY. */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,	/* else the kernel picks iova */
	IOMMU_IOAS_MAP_WRITEABLE  = 1 << 1,
	IOMMU_IOAS_MAP_READABLE   = 1 << 2,
};

/*
 * Without FIXED_IOVA, `iova` is output only.  With it, the range must be
 * free: MAP never replaces an existing mapping.
 */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/*
 * v7.3: the physical address behind a mapped IOVA, for no-IOMMU devices
 * that DMA to physical addresses (VFIO no-IOMMU through the cdev).  length
 * is in/out: the most to look at on entry, the physically contiguous bytes
 * from out_phys on exit.  Only IOVA that a no-IOMMU device's software
 * table maps has an answer; everything else is EOPNOTSUPP.
 */
struct iommu_ioas_noiommu_get_pa {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 out_phys;
};
#define IOMMU_IOAS_NOIOMMU_GET_PA \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_NOIOMMU_GET_PA)

/*
 * Same semantics as IOMMU_IOAS_MAP, but memory is named by (fd, byte offset)
 * rather than by a VA, which is what lets IOAS_CHANGE_PROCESS hand the
 * pinning over to another process.  fd is signed because it is an fd.
 * v6.19 also accepts a dma-buf fd here (no layout change).
 */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/*
 * The source range must match an existing MAP exactly; the pages are shared,
 * not re-pinned, which is the whole point of COPY.
 */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};
#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/*
 * The range must cover whole mappings (no splitting); iova=0,length=U64_MAX
 * means "everything".  length is in/out: bytes actually unmapped.
 */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/* ------------------------------------------------------------------------
 * Options
 */

enum iommufd_option {
	/* global (object_id 0), privileged: 0 per-user, 1 per-process memlock */
	IOMMU_OPTION_RLIMIT_MODE = 0,
	/* per IOAS: 1 (default) lets contiguous pages form large IOPTEs */
	IOMMU_OPTION_HUGE_PAGES  = 1,
};

enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

/* One multiplexed get/set so new knobs need no new ioctl numbers. */
struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};
#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/* ------------------------------------------------------------------------
 * VFIO container compatibility
 */

enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET   = 0,
	IOMMU_VFIO_IOAS_SET   = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

/*
 * The type1 container API has no object IDs, so one IOAS per context is
 * designated as "the" container address space.  GET auto-creates it when
 * unset.  SET/CLEAR only change the designation; they never destroy an IOAS.
 * The struct is 12 bytes (no 8-byte member, so no tail padding).
 */
struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};
#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/* ------------------------------------------------------------------------
 * Hardware page tables (HWPT)
 */

enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT    = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID       = 1 << 2,	/* fault_id is meaningful */
	/*
	 * Domain may be attached to PASIDs.  Once any PASID is in use, the
	 * RID-side domain must carry this flag too; EOPNOTSUPP without HW PASID.
	 */
	IOMMU_HWPT_ALLOC_PASID          = 1 << 3,
};

enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE  = 1 << 0,
	IOMMU_VTD_S1_EAFE = 1 << 1,
	IOMMU_VTD_S1_WPE  = 1 << 2,
};

/* Guest-owned VT-d first-stage table (IOMMU_HWPT_DATA_VTD_S1). */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;
	__aligned_u64 pgtbl_addr;
	__u32 addr_width;
	__u32 __reserved;
};

/*
 * Words 0-1 of a guest SMMUv3 STE, little-endian regardless of host order
 * because it mirrors the in-memory hardware format.  Illegal or disallowed
 * bits give EIO rather than EINVAL.
 */
struct iommu_hwpt_arm_smmuv3 {
	__aligned_le64 ste[2];
};

/* v7.3: a guest AMD IOMMU Device Table Entry (IOMMU_HWPT_DATA_AMD_GUEST). */
struct iommu_hwpt_amd_guest {
	__aligned_u64 dte[4];
};

enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE       = 0,
	IOMMU_HWPT_DATA_VTD_S1     = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
	IOMMU_HWPT_DATA_AMD_GUEST  = 3,	/* v7.3 */
};

/*
 * pt_id names an IOAS (kernel-managed table), or a parent HWPT / vIOMMU
 * (user-managed nested table; data_type then selects the driver format).
 * Only the first 24 bytes are mandatory: data_* and fault_id were appended
 * later and read as zero for short callers.
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/* ------------------------------------------------------------------------
 * Hardware information (IOMMU_GET_HW_INFO)
 */

enum iommu_hw_info_vtd_flags {
	/* Sapphire Rapids erratum: no read-only mappings in a nest parent. */
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/* Raw VT-d CAP/ECAP registers; decoding is the VMM's job. */
struct iommu_hw_info_vtd {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 cap_reg;
	__aligned_u64 ecap_reg;
};

enum iommu_hw_info_arm_smmuv3_flags {
	/* v7.3: erratum; every TLBI/CFGI+SYNC must be issued twice. */
	IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI = 1 << 0,
};

/*
 * Raw SMMUv3 ID registers.  Only a documented subset of bits is meant to be
 * consumed by VMMs (see the kernel docs); a faithful emulator just passes
 * the registers through.
 */
struct iommu_hw_info_arm_smmuv3 {
	__u32 flags;	/* enum iommu_hw_info_arm_smmuv3_flags */
	__u32 __reserved;
	__u32 idr[6];
	__u32 iidr;
	__u32 aidr;
};

/* Fields map onto the CMDQV PARAM register; one VINTF is exposed per VM. */
struct iommu_hw_info_tegra241_cmdqv {
	__u32 flags;
	__u8 version;
	__u8 log2vcmdqs;
	__u8 log2vsids;
	__u8 __reserved;
};

/* v7.3: the raw AMD EFR and EFR2 registers; the VMM filters them. */
struct iommu_hw_info_amd {
	__aligned_u64 efr;
	__aligned_u64 efr2;
};

/*
 * NONE and DEFAULT share 0: as output it means "no data", as input (with
 * IOMMU_HW_INFO_FLAG_INPUT_TYPE) it means "whatever the driver prefers".
 */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE            = 0,
	IOMMU_HW_INFO_TYPE_DEFAULT         = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD       = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3      = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV  = 3,
	IOMMU_HW_INFO_TYPE_AMD             = 4,	/* v7.3 */
};

enum iommufd_hw_capabilities {
	/* HWPT_SET_DIRTY_TRACKING / HWPT_GET_DIRTY_BITMAP are usable */
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	/* the two PASID bits are meaningless when out_max_pasid_log2 == 0 */
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
	/*
	 * v7.3: ATS cannot be used on this device.  A negative bit, so that
	 * an older kernel's silence keeps meaning "ATS may be enabled".
	 */
	IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED = 1 << 3,
};

enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,
};

/*
 * data_len is in/out: buffer capacity in, driver's native length out.  A
 * larger buffer is zero-filled past the data, a smaller one truncated;
 * data_len == 0 is a valid "just tell me the type" probe.
 *
 * After 6.14 the type word became bidirectional (in_data_type is only read
 * when IOMMU_HW_INFO_FLAG_INPUT_TYPE is set) and the byte after it reports
 * the PASID width; in 6.14 those 8 bytes were out_data_type + __reserved.
 * No offset moved, so old binaries stay compatible.
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

/* ------------------------------------------------------------------------
 * Dirty tracking
 */

enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,	/* clear = disable */
};

struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};
#define IOMMU_HWPT_SET_DIRTY_TRACKING \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

enum iommufd_hwpt_get_dirty_bitmap_flags {
	/* read-only peek, typically because an unmap follows immediately */
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

/*
 * Note hwpt_id precedes flags here, unlike most structs.  Bit n of the
 * bitmap at `data` (64-bit words) covers iova + n * page_size.  Reading
 * clears the dirty state unless NO_CLEAR is given.
 */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};
#define IOMMU_HWPT_GET_DIRTY_BITMAP \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/* ------------------------------------------------------------------------
 * Cache invalidation
 */

/* One enum for both targets: a nested HWPT (VT-d) or a vIOMMU (SMMUv3). */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1       = 0,
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,
};

/* addr is 4 KiB aligned; addr 0 + npages U64_MAX flushes everything. */
struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 flags;
	__u32 __reserved;
};

/* One raw 128-bit CMDQ command, little-endian; unsupported opcodes -> EIO. */
struct iommu_viommu_arm_smmuv3_invalidate {
	__aligned_le64 cmd[2];
};

/*
 * An array of entry_num records of entry_len bytes each.  entry_num is
 * in/out (records consumed), so partial progress is reported on error.
 * entry_num == 0 is a cheap "is data_type supported?" probe.
 */
struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};
#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/* ------------------------------------------------------------------------
 * I/O page faults (read()/write() on the fault-queue fd)
 */

enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = 1 << 0,
	IOMMU_PGFAULT_FLAGS_LAST_PAGE   = 1 << 1,	/* ends a fault group */
};

/* EXEC/PRIV mirror the PCIe PASID TLP prefix request bits. */
enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ  = 1 << 0,
	IOMMU_PGFAULT_PERM_WRITE = 1 << 1,
	IOMMU_PGFAULT_PERM_EXEC  = 1 << 2,
	IOMMU_PGFAULT_PERM_PRIV  = 1 << 3,
};

/*
 * Record read from a fault fd.  Only the group's last record's cookie needs
 * echoing in the response; length is a prefetch hint and may be 0.
 */
struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length;
	__u32 cookie;
};

/* Values follow PCIe PRG response codes "Success" / "Invalid Request". */
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};

/* Record written to a fault fd. */
struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};

/* Hands back both an object ID (for HWPT_ALLOC fault_id) and an fd. */
struct iommu_fault_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_fault_id;
	__u32 out_fault_fd;
};
#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

/* ------------------------------------------------------------------------
 * Virtual IOMMU and virtual devices
 */

enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT         = 0,	/* reserved */
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3      = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV  = 2,
};

/* Output-only driver data: where to mmap the VINTF page0 from the iommufd. */
struct iommu_viommu_tegra241_cmdqv {
	__aligned_u64 out_vintf_mmap_offset;
	__aligned_u64 out_vintf_mmap_length;
};

/*
 * A VM-private slice of one physical IOMMU, wrapping a nest-parent HWPT.
 * data_len/__reserved/data_uptr were appended after 6.14 (struct grew from
 * 24 to 40 bytes); 24-byte callers must still work and get no driver data.
 */
struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};
#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/*
 * virt_id is the guest-visible device ID (vSID, vDeviceID, vRID...).  A
 * vDEVICE outliving its physical device is force-destroyed and its ID leaks
 * until the iommufd closes, so clients destroy it first.
 */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};
#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/*
 * Re-charges all pinned pages of the context to the calling process (live
 * update).  All-or-nothing, and only valid when every mapping came from
 * IOAS_MAP_FILE; anything VA-based makes it EINVAL.
 */
struct iommu_ioas_change_process {
	__u32 size;
	__u32 __reserved;
};
#define IOMMU_IOAS_CHANGE_PROCESS \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

/* ------------------------------------------------------------------------
 * Virtual event queues (post-6.14); read() on the vEVENTQ fd
 */

enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = 1U << 0,
};

/*
 * Precedes each event's payload.  sequence counts 0..INT_MAX and wraps to 0;
 * a jump greater than one means events were dropped in between.  Drops at
 * the tail are reported by a payload-less header with LOST_EVENTS set.
 */
struct iommufd_vevent_header {
	__u32 flags;
	__u32 sequence;
};

enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT         = 0,	/* reserved */
	IOMMU_VEVENTQ_TYPE_ARM_SMMUV3      = 1,
	IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV  = 2,
};

/* A raw 256-bit SMMUv3 event record; StreamID already holds the vSID. */
struct iommu_vevent_arm_smmuv3 {
	__aligned_le64 evt[4];
};

/* The VINTF's LVCMDQ_ERR_MAP register pair, passed through verbatim. */
struct iommu_vevent_tegra241_cmdqv {
	__aligned_le64 lvcmdq_err_map[2];
};

/*
 * At most one queue per (vIOMMU, type).  When veventq_depth events are
 * pending, new ones are dropped and accounted via the sequence gap.
 */
struct iommu_veventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
	__u32 out_veventq_fd;
	__u32 __reserved;
};
#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

/* ------------------------------------------------------------------------
 * HW-accelerated queues (post-6.14)
 */

enum iommu_hw_queue_type {
	IOMMU_HW_QUEUE_TYPE_DEFAULT         = 0,	/* reserved */
	/*
	 * VCMDQ: indexes allocated upwards from 0 and freed downwards;
	 * base aligned to a power-of-two length (>= 32 bytes) and already
	 * mapped in the IOAS.
	 */
	IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV  = 1,
};

/*
 * The queue memory lives in guest-physical space (nesting parent IOVA), so
 * hardware reads the guest's ring directly; index is per (vIOMMU, type).
 */
struct iommu_hw_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 index;
	__u32 out_hw_queue_id;
	__aligned_u64 nesting_parent_iova;
	__aligned_u64 length;
};
#define IOMMU_HW_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HW_QUEUE_ALLOC)

/* ------------------------------------------------------------------------
 * Cheap self-checks: every consumer of this header verifies the sizes, so a
 * bad edit breaks the build everywhere, not only in tests/unit/abi_layout.c
 * (which also pins every field offset).  The sizes are the same on all
 * Linux ABIs because every 64-bit member is explicitly 8-byte aligned.
 */
_Static_assert(IOMMUFD_TYPE == 0x3b, "iommufd ioctl type");
_Static_assert(sizeof(struct iommu_destroy) == 8, "iommu_destroy");
_Static_assert(sizeof(struct iommu_ioas_alloc) == 12, "iommu_ioas_alloc");
_Static_assert(sizeof(struct iommu_iova_range) == 16, "iommu_iova_range");
_Static_assert(sizeof(struct iommu_ioas_iova_ranges) == 32,
	       "iommu_ioas_iova_ranges");
_Static_assert(sizeof(struct iommu_ioas_allow_iovas) == 24,
	       "iommu_ioas_allow_iovas");
_Static_assert(sizeof(struct iommu_ioas_map) == 40, "iommu_ioas_map");
_Static_assert(sizeof(struct iommu_ioas_noiommu_get_pa) == 40,
	       "iommu_ioas_noiommu_get_pa");
_Static_assert(sizeof(struct iommu_ioas_map_file) == 40,
	       "iommu_ioas_map_file");
_Static_assert(sizeof(struct iommu_ioas_copy) == 40, "iommu_ioas_copy");
_Static_assert(sizeof(struct iommu_ioas_unmap) == 24, "iommu_ioas_unmap");
_Static_assert(sizeof(struct iommu_option) == 24, "iommu_option");
_Static_assert(sizeof(struct iommu_vfio_ioas) == 12, "iommu_vfio_ioas");
_Static_assert(sizeof(struct iommu_hwpt_vtd_s1) == 24, "iommu_hwpt_vtd_s1");
_Static_assert(sizeof(struct iommu_hwpt_arm_smmuv3) == 16,
	       "iommu_hwpt_arm_smmuv3");
_Static_assert(sizeof(struct iommu_hwpt_amd_guest) == 32,
	       "iommu_hwpt_amd_guest");
_Static_assert(sizeof(struct iommu_hwpt_alloc) == 48, "iommu_hwpt_alloc");
_Static_assert(sizeof(struct iommu_hw_info_vtd) == 24, "iommu_hw_info_vtd");
_Static_assert(sizeof(struct iommu_hw_info_arm_smmuv3) == 40,
	       "iommu_hw_info_arm_smmuv3");
_Static_assert(sizeof(struct iommu_hw_info_tegra241_cmdqv) == 8,
	       "iommu_hw_info_tegra241_cmdqv");
_Static_assert(sizeof(struct iommu_hw_info_amd) == 16, "iommu_hw_info_amd");
_Static_assert(sizeof(struct iommu_hw_info) == 40, "iommu_hw_info");
_Static_assert(sizeof(struct iommu_hwpt_set_dirty_tracking) == 16,
	       "iommu_hwpt_set_dirty_tracking");
_Static_assert(sizeof(struct iommu_hwpt_get_dirty_bitmap) == 48,
	       "iommu_hwpt_get_dirty_bitmap");
_Static_assert(sizeof(struct iommu_hwpt_vtd_s1_invalidate) == 24,
	       "iommu_hwpt_vtd_s1_invalidate");
_Static_assert(sizeof(struct iommu_viommu_arm_smmuv3_invalidate) == 16,
	       "iommu_viommu_arm_smmuv3_invalidate");
_Static_assert(sizeof(struct iommu_hwpt_invalidate) == 32,
	       "iommu_hwpt_invalidate");
_Static_assert(sizeof(struct iommu_hwpt_pgfault) == 40, "iommu_hwpt_pgfault");
_Static_assert(sizeof(struct iommu_hwpt_page_response) == 8,
	       "iommu_hwpt_page_response");
_Static_assert(sizeof(struct iommu_fault_alloc) == 16, "iommu_fault_alloc");
_Static_assert(sizeof(struct iommu_viommu_tegra241_cmdqv) == 16,
	       "iommu_viommu_tegra241_cmdqv");
_Static_assert(sizeof(struct iommu_viommu_alloc) == 40, "iommu_viommu_alloc");
_Static_assert(sizeof(struct iommu_vdevice_alloc) == 24,
	       "iommu_vdevice_alloc");
_Static_assert(sizeof(struct iommu_ioas_change_process) == 8,
	       "iommu_ioas_change_process");
_Static_assert(sizeof(struct iommufd_vevent_header) == 8,
	       "iommufd_vevent_header");
_Static_assert(sizeof(struct iommu_vevent_arm_smmuv3) == 32,
	       "iommu_vevent_arm_smmuv3");
_Static_assert(sizeof(struct iommu_vevent_tegra241_cmdqv) == 16,
	       "iommu_vevent_tegra241_cmdqv");
_Static_assert(sizeof(struct iommu_veventq_alloc) == 32,
	       "iommu_veventq_alloc");
_Static_assert(sizeof(struct iommu_hw_queue_alloc) == 40,
	       "iommu_hw_queue_alloc");

#endif /* conflicting kernel header */
#endif /* UIOMMUFD_ABI_H */
