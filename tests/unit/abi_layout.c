/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * abi_layout.c - compile-time pin of every struct layout and ioctl number in
 * include/uiommufd/{abi,abi_test,vfio_abi}.h.
 *
 * Clients are compiled against the kernel's headers, so the only thing that
 * matters is that our bytes line up with theirs.  The expected numbers here
 * were derived by hand from the documented v6.19 layouts (natural alignment,
 * 8-byte __aligned_u64), independently of the header text, so a typo in a
 * header (a swapped field, a lost __reserved, a wrong type width) fails the
 * build instead of corrupting a client's memory at run time.
 *
 * The whole test is the compilation; main() exists only so meson can run it.
 */
#include <assert.h>
#include <stddef.h>

#include <uiommufd/abi.h>
#include <uiommufd/abi_test.h>
#include <uiommufd/vfio_abi.h>

/*
 * vfio_bitmap carries a user pointer and two type1 structs use plain __u64,
 * so those layouts are only the kernel's on LP64 hosts; the daemon targets
 * x86-64 and arm64 only.
 */
static_assert(sizeof(void *) == 8, "uiommufd assumes an LP64 host");
static_assert(_Alignof(__u64) == 8, "uiommufd assumes 8-byte aligned __u64");

#define SIZE(s, n) \
	static_assert(sizeof(struct s) == (n), "sizeof(struct " #s ")")
#define OFF(s, f, n) \
	static_assert(offsetof(struct s, f) == (n), "offsetof " #s "." #f)
/* offsetofend(), i.e. what the kernel uses as the minimum accepted size */
#define END(s, f) (offsetof(struct s, f) + sizeof(((struct s *)0)->f))

/* ------------------------------------------------------------------------
 * ioctl numbers: _IO(';', nr) == 0x3b00 | nr, with no size or direction.
 */
static_assert(IOMMU_DESTROY == 0x3b80, "IOMMU_DESTROY");
static_assert(IOMMU_IOAS_ALLOC == 0x3b81, "IOMMU_IOAS_ALLOC");
static_assert(IOMMU_IOAS_ALLOW_IOVAS == 0x3b82, "IOMMU_IOAS_ALLOW_IOVAS");
static_assert(IOMMU_IOAS_COPY == 0x3b83, "IOMMU_IOAS_COPY");
static_assert(IOMMU_IOAS_IOVA_RANGES == 0x3b84, "IOMMU_IOAS_IOVA_RANGES");
static_assert(IOMMU_IOAS_MAP == 0x3b85, "IOMMU_IOAS_MAP");
static_assert(IOMMU_IOAS_UNMAP == 0x3b86, "IOMMU_IOAS_UNMAP");
static_assert(IOMMU_OPTION == 0x3b87, "IOMMU_OPTION");
static_assert(IOMMU_VFIO_IOAS == 0x3b88, "IOMMU_VFIO_IOAS");
static_assert(IOMMU_HWPT_ALLOC == 0x3b89, "IOMMU_HWPT_ALLOC");
static_assert(IOMMU_GET_HW_INFO == 0x3b8a, "IOMMU_GET_HW_INFO");
static_assert(IOMMU_HWPT_SET_DIRTY_TRACKING == 0x3b8b,
	      "IOMMU_HWPT_SET_DIRTY_TRACKING");
static_assert(IOMMU_HWPT_GET_DIRTY_BITMAP == 0x3b8c,
	      "IOMMU_HWPT_GET_DIRTY_BITMAP");
static_assert(IOMMU_HWPT_INVALIDATE == 0x3b8d, "IOMMU_HWPT_INVALIDATE");
static_assert(IOMMU_FAULT_QUEUE_ALLOC == 0x3b8e, "IOMMU_FAULT_QUEUE_ALLOC");
static_assert(IOMMU_IOAS_MAP_FILE == 0x3b8f, "IOMMU_IOAS_MAP_FILE");
static_assert(IOMMU_VIOMMU_ALLOC == 0x3b90, "IOMMU_VIOMMU_ALLOC");
static_assert(IOMMU_VDEVICE_ALLOC == 0x3b91, "IOMMU_VDEVICE_ALLOC");
static_assert(IOMMU_IOAS_CHANGE_PROCESS == 0x3b92,
	      "IOMMU_IOAS_CHANGE_PROCESS");
static_assert(IOMMU_VEVENTQ_ALLOC == 0x3b93, "IOMMU_VEVENTQ_ALLOC");
static_assert(IOMMU_HW_QUEUE_ALLOC == 0x3b94, "IOMMU_HW_QUEUE_ALLOC");
static_assert(IOMMU_IOAS_NOIOMMU_GET_PA == 0x3b95, "IOMMU_IOAS_NOIOMMU_GET_PA");
static_assert(IOMMU_TEST_CMD == 0x3ba0, "IOMMU_TEST_CMD");

static_assert(VFIO_GET_API_VERSION == 0x3b64, "VFIO_GET_API_VERSION");
static_assert(VFIO_CHECK_EXTENSION == 0x3b65, "VFIO_CHECK_EXTENSION");
static_assert(VFIO_SET_IOMMU == 0x3b66, "VFIO_SET_IOMMU");
static_assert(VFIO_GROUP_GET_STATUS == 0x3b67, "VFIO_GROUP_GET_STATUS");
static_assert(VFIO_GROUP_SET_CONTAINER == 0x3b68, "VFIO_GROUP_SET_CONTAINER");
static_assert(VFIO_GROUP_UNSET_CONTAINER == 0x3b69,
	      "VFIO_GROUP_UNSET_CONTAINER");
static_assert(VFIO_GROUP_GET_DEVICE_FD == 0x3b6a, "VFIO_GROUP_GET_DEVICE_FD");
static_assert(VFIO_DEVICE_GET_INFO == 0x3b6b, "VFIO_DEVICE_GET_INFO");
static_assert(VFIO_DEVICE_GET_PCI_HOT_RESET_INFO == 0x3b70,
	      "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO");
static_assert(VFIO_DEVICE_PCI_HOT_RESET == 0x3b71, "VFIO_DEVICE_PCI_HOT_RESET");
static_assert(VFIO_IOMMU_GET_INFO == 0x3b70, "VFIO_IOMMU_GET_INFO");
static_assert(VFIO_IOMMU_MAP_DMA == 0x3b71, "VFIO_IOMMU_MAP_DMA");
static_assert(VFIO_IOMMU_UNMAP_DMA == 0x3b72, "VFIO_IOMMU_UNMAP_DMA");
static_assert(VFIO_IOMMU_ENABLE == 0x3b73, "VFIO_IOMMU_ENABLE");
static_assert(VFIO_IOMMU_DISABLE == 0x3b74, "VFIO_IOMMU_DISABLE");
static_assert(VFIO_IOMMU_DIRTY_PAGES == 0x3b75, "VFIO_IOMMU_DIRTY_PAGES");
static_assert(VFIO_DEVICE_BIND_IOMMUFD == 0x3b76, "VFIO_DEVICE_BIND_IOMMUFD");
static_assert(VFIO_DEVICE_ATTACH_IOMMUFD_PT == 0x3b77,
	      "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
static_assert(VFIO_DEVICE_DETACH_IOMMUFD_PT == 0x3b78,
	      "VFIO_DEVICE_DETACH_IOMMUFD_PT");

/* The VFIO range must end below iommufd's, or one fd could not serve both. */
static_assert((VFIO_DEVICE_DETACH_IOMMUFD_PT & 0xff) < IOMMUFD_CMD_BASE,
	      "VFIO and iommufd ioctl ranges overlap");

/* ------------------------------------------------------------------------
 * Enumerated values that clients put on the wire.
 */
static_assert(IOMMU_IOAS_MAP_FIXED_IOVA == 1 && IOMMU_IOAS_MAP_WRITEABLE == 2 &&
	      IOMMU_IOAS_MAP_READABLE == 4, "iommufd_ioas_map_flags");
static_assert(IOMMU_OPTION_RLIMIT_MODE == 0 && IOMMU_OPTION_HUGE_PAGES == 1,
	      "iommufd_option");
static_assert(IOMMU_OPTION_OP_SET == 0 && IOMMU_OPTION_OP_GET == 1,
	      "iommufd_option_ops");
static_assert(IOMMU_VFIO_IOAS_GET == 0 && IOMMU_VFIO_IOAS_SET == 1 &&
	      IOMMU_VFIO_IOAS_CLEAR == 2, "iommufd_vfio_ioas_op");
static_assert(IOMMU_HWPT_ALLOC_NEST_PARENT == 1 &&
	      IOMMU_HWPT_ALLOC_DIRTY_TRACKING == 2 &&
	      IOMMU_HWPT_FAULT_ID_VALID == 4 && IOMMU_HWPT_ALLOC_PASID == 8,
	      "iommufd_hwpt_alloc_flags");
static_assert(IOMMU_VTD_S1_SRE == 1 && IOMMU_VTD_S1_EAFE == 2 &&
	      IOMMU_VTD_S1_WPE == 4, "iommu_hwpt_vtd_s1_flags");
static_assert(IOMMU_HWPT_DATA_NONE == 0 && IOMMU_HWPT_DATA_VTD_S1 == 1 &&
	      IOMMU_HWPT_DATA_ARM_SMMUV3 == 2 &&
	      IOMMU_HWPT_DATA_AMD_GUEST == 3, "iommu_hwpt_data_type");
static_assert(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 == 1,
	      "iommu_hw_info_vtd_flags");
static_assert(IOMMU_HW_INFO_TYPE_NONE == 0 && IOMMU_HW_INFO_TYPE_DEFAULT == 0 &&
	      IOMMU_HW_INFO_TYPE_INTEL_VTD == 1 &&
	      IOMMU_HW_INFO_TYPE_ARM_SMMUV3 == 2 &&
	      IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV == 3 &&
	      IOMMU_HW_INFO_TYPE_AMD == 4, "iommu_hw_info_type");
static_assert(IOMMU_HW_INFO_ARM_SMMUV3_ERRATA_REPEAT_TLBI_CFGI == 1,
	      "iommu_hw_info_arm_smmuv3_flags");
static_assert(IOMMU_HW_CAP_DIRTY_TRACKING == 1 &&
	      IOMMU_HW_CAP_PCI_PASID_EXEC == 2 &&
	      IOMMU_HW_CAP_PCI_PASID_PRIV == 4 &&
	      IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED == 8,
	      "iommufd_hw_capabilities");
static_assert(IOMMU_HW_INFO_FLAG_INPUT_TYPE == 1, "iommufd_hw_info_flags");
static_assert(IOMMU_HWPT_DIRTY_TRACKING_ENABLE == 1,
	      "iommufd_hwpt_set_dirty_tracking_flags");
static_assert(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR == 1,
	      "iommufd_hwpt_get_dirty_bitmap_flags");
static_assert(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 == 0 &&
	      IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 == 1,
	      "iommu_hwpt_invalidate_data_type");
static_assert(IOMMU_VTD_INV_FLAGS_LEAF == 1,
	      "iommu_hwpt_vtd_s1_invalidate_flags");
static_assert(IOMMU_PGFAULT_FLAGS_PASID_VALID == 1 &&
	      IOMMU_PGFAULT_FLAGS_LAST_PAGE == 2, "iommu_hwpt_pgfault_flags");
static_assert(IOMMU_PGFAULT_PERM_READ == 1 && IOMMU_PGFAULT_PERM_WRITE == 2 &&
	      IOMMU_PGFAULT_PERM_EXEC == 4 && IOMMU_PGFAULT_PERM_PRIV == 8,
	      "iommu_hwpt_pgfault_perm");
static_assert(IOMMUFD_PAGE_RESP_SUCCESS == 0 && IOMMUFD_PAGE_RESP_INVALID == 1,
	      "iommufd_page_response_code");
static_assert(IOMMU_VIOMMU_TYPE_DEFAULT == 0 &&
	      IOMMU_VIOMMU_TYPE_ARM_SMMUV3 == 1 &&
	      IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV == 2, "iommu_viommu_type");
static_assert(IOMMU_VEVENTQ_FLAG_LOST_EVENTS == 1, "iommu_veventq_flag");
static_assert(IOMMU_VEVENTQ_TYPE_DEFAULT == 0 &&
	      IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 == 1 &&
	      IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV == 2, "iommu_veventq_type");
static_assert(IOMMU_HW_QUEUE_TYPE_DEFAULT == 0 &&
	      IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV == 1, "iommu_hw_queue_type");

static_assert(IOMMU_TEST_OP_ADD_RESERVED == 1 &&
	      IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS == 12 &&
	      IOMMU_TEST_OP_TRIGGER_VEVENT == 17 &&
	      IOMMU_TEST_OP_PASID_CHECK_HWPT == 21 &&
	      IOMMU_TEST_OP_DMABUF_REVOKE == 23, "IOMMU_TEST_OP_*");
static_assert(MOCK_APERTURE_START == 0x1000000 &&
	      MOCK_APERTURE_LAST == 0x7fffffff && MOCK_PAGE_SIZE == 2048 &&
	      MOCK_HUGE_PAGE_SIZE == 0x100000, "mock geometry");
static_assert(MOCK_FLAGS_DEVICE_NO_DIRTY == 1 && MOCK_FLAGS_DEVICE_PASID == 4,
	      "MOCK_FLAGS_DEVICE_*");
static_assert(MOCK_PASID_WIDTH == 20 && IOMMU_TEST_PASID_RESERVED == 1024,
	      "mock PASID");
static_assert(IOMMU_HWPT_DATA_SELFTEST == 0xdead &&
	      IOMMU_HW_INFO_TYPE_SELFTEST == 0xfeedbeef &&
	      IOMMU_HWPT_INVALIDATE_DATA_SELFTEST == 0xdeadbeef &&
	      IOMMU_VIOMMU_TYPE_SELFTEST == 0xdeadbeef &&
	      IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST == 0xdeadbeef &&
	      IOMMU_VEVENTQ_TYPE_SELFTEST == 0xbeefbeef &&
	      IOMMU_HW_QUEUE_TYPE_SELFTEST == 0xdeadbeef, "selftest types");

static_assert(VFIO_API_VERSION == 0, "VFIO_API_VERSION");
static_assert(VFIO_TYPE1_IOMMU == 1 && VFIO_SPAPR_TCE_IOMMU == 2 &&
	      VFIO_TYPE1v2_IOMMU == 3 && VFIO_DMA_CC_IOMMU == 4 &&
	      VFIO_EEH == 5 && VFIO_TYPE1_NESTING_IOMMU == 6 &&
	      __VFIO_RESERVED_TYPE1_NESTING_IOMMU == 6 &&
	      VFIO_SPAPR_TCE_v2_IOMMU == 7 && VFIO_NOIOMMU_IOMMU == 8 &&
	      VFIO_UNMAP_ALL == 9 && VFIO_UPDATE_VADDR == 10,
	      "VFIO extensions");
static_assert(VFIO_DMA_MAP_FLAG_READ == 1 && VFIO_DMA_MAP_FLAG_WRITE == 2 &&
	      VFIO_DMA_MAP_FLAG_VADDR == 4, "VFIO_DMA_MAP_FLAG_*");
static_assert(VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP == 1 &&
	      VFIO_DMA_UNMAP_FLAG_ALL == 2 && VFIO_DMA_UNMAP_FLAG_VADDR == 4,
	      "VFIO_DMA_UNMAP_FLAG_*");
static_assert(VFIO_IOMMU_INFO_PGSIZES == 1 && VFIO_IOMMU_INFO_CAPS == 2,
	      "VFIO_IOMMU_INFO_*");
static_assert(VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE == 1 &&
	      VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION == 2 &&
	      VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL == 3, "type1 capability ids");
static_assert(VFIO_IOMMU_DIRTY_PAGES_FLAG_START == 1 &&
	      VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP == 2 &&
	      VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP == 4,
	      "VFIO_IOMMU_DIRTY_PAGES_FLAG_*");

/* ------------------------------------------------------------------------
 * Minimum accepted sizes (kernel: offsetofend of each command's last
 * mandatory field).  Keeps the table at the top of abi.h honest.
 */
static_assert(END(iommu_destroy, id) == 8, "min DESTROY");
static_assert(END(iommu_ioas_alloc, out_ioas_id) == 12, "min IOAS_ALLOC");
static_assert(END(iommu_ioas_allow_iovas, allowed_iovas) == 24,
	      "min IOAS_ALLOW_IOVAS");
static_assert(END(iommu_ioas_copy, src_iova) == 40, "min IOAS_COPY");
static_assert(END(iommu_ioas_iova_ranges, out_iova_alignment) == 32,
	      "min IOAS_IOVA_RANGES");
static_assert(END(iommu_ioas_map, iova) == 40, "min IOAS_MAP");
static_assert(END(iommu_ioas_unmap, length) == 24, "min IOAS_UNMAP");
static_assert(END(iommu_option, val64) == 24, "min OPTION");
static_assert(END(iommu_vfio_ioas, __reserved) == 12, "min VFIO_IOAS");
static_assert(END(iommu_hwpt_alloc, __reserved) == 24, "min HWPT_ALLOC");
static_assert(END(iommu_hw_info, __reserved) == 32, "min GET_HW_INFO");
static_assert(END(iommu_hwpt_set_dirty_tracking, __reserved) == 16,
	      "min HWPT_SET_DIRTY_TRACKING");
static_assert(END(iommu_hwpt_get_dirty_bitmap, data) == 48,
	      "min HWPT_GET_DIRTY_BITMAP");
static_assert(END(iommu_hwpt_invalidate, __reserved) == 32,
	      "min HWPT_INVALIDATE");
static_assert(END(iommu_fault_alloc, out_fault_fd) == 16,
	      "min FAULT_QUEUE_ALLOC");
static_assert(END(iommu_ioas_map_file, iova) == 40, "min IOAS_MAP_FILE");
static_assert(END(iommu_viommu_alloc, out_viommu_id) == 24,
	      "min VIOMMU_ALLOC");
static_assert(END(iommu_vdevice_alloc, virt_id) == 24, "min VDEVICE_ALLOC");
static_assert(END(iommu_ioas_change_process, __reserved) == 8,
	      "min IOAS_CHANGE_PROCESS");
static_assert(END(iommu_veventq_alloc, out_veventq_fd) == 28,
	      "min VEVENTQ_ALLOC");
static_assert(END(iommu_hw_queue_alloc, length) == 40, "min HW_QUEUE_ALLOC");
static_assert(END(iommu_ioas_noiommu_get_pa, out_phys) == 40,
	      "min IOAS_NOIOMMU_GET_PA");
static_assert(END(iommu_test_cmd, last) == 68, "min TEST_CMD");
/* driver-data minimums the selftest mock insists on */
static_assert(END(iommu_hwpt_selftest, iotlb) == 4, "min hwpt selftest");
static_assert(END(iommu_viommu_selftest, out_data) == 8,
	      "min viommu selftest");
/* type1 argsz minimums */
static_assert(END(vfio_iommu_type1_info, iova_pgsizes) == 16,
	      "min VFIO_IOMMU_GET_INFO");
static_assert(END(vfio_iommu_type1_dma_map, size) == 32,
	      "min VFIO_IOMMU_MAP_DMA");
static_assert(END(vfio_iommu_type1_dma_unmap, size) == 24,
	      "min VFIO_IOMMU_UNMAP_DMA");

/* Union members must be exactly the same bytes in both directions. */
static_assert(sizeof(((struct iommu_hw_info *)0)->__reserved) == 3,
	      "iommu_hw_info.__reserved is 3 bytes");
static_assert(sizeof(((struct iommu_test_cmd *)0)->trigger_iopf.addr) == 8,
	      "trigger_iopf.addr is 64-bit");

/* ------------------------------------------------------------------------
 * include/uiommufd/abi.h
 */
SIZE(iommu_destroy, 8);
OFF(iommu_destroy, size, 0);
OFF(iommu_destroy, id, 4);

SIZE(iommu_ioas_alloc, 12);
OFF(iommu_ioas_alloc, size, 0);
OFF(iommu_ioas_alloc, flags, 4);
OFF(iommu_ioas_alloc, out_ioas_id, 8);

SIZE(iommu_iova_range, 16);
OFF(iommu_iova_range, start, 0);
OFF(iommu_iova_range, last, 8);

SIZE(iommu_ioas_iova_ranges, 32);
OFF(iommu_ioas_iova_ranges, size, 0);
OFF(iommu_ioas_iova_ranges, ioas_id, 4);
OFF(iommu_ioas_iova_ranges, num_iovas, 8);
OFF(iommu_ioas_iova_ranges, __reserved, 12);
OFF(iommu_ioas_iova_ranges, allowed_iovas, 16);
OFF(iommu_ioas_iova_ranges, out_iova_alignment, 24);

SIZE(iommu_ioas_allow_iovas, 24);
OFF(iommu_ioas_allow_iovas, size, 0);
OFF(iommu_ioas_allow_iovas, ioas_id, 4);
OFF(iommu_ioas_allow_iovas, num_iovas, 8);
OFF(iommu_ioas_allow_iovas, __reserved, 12);
OFF(iommu_ioas_allow_iovas, allowed_iovas, 16);

SIZE(iommu_ioas_map, 40);
OFF(iommu_ioas_map, size, 0);
OFF(iommu_ioas_map, flags, 4);
OFF(iommu_ioas_map, ioas_id, 8);
OFF(iommu_ioas_map, __reserved, 12);
OFF(iommu_ioas_map, user_va, 16);
OFF(iommu_ioas_map, length, 24);
OFF(iommu_ioas_map, iova, 32);

SIZE(iommu_ioas_map_file, 40);
OFF(iommu_ioas_map_file, size, 0);
OFF(iommu_ioas_map_file, flags, 4);
OFF(iommu_ioas_map_file, ioas_id, 8);
OFF(iommu_ioas_map_file, fd, 12);
OFF(iommu_ioas_map_file, start, 16);
OFF(iommu_ioas_map_file, length, 24);
OFF(iommu_ioas_map_file, iova, 32);

SIZE(iommu_ioas_copy, 40);
OFF(iommu_ioas_copy, size, 0);
OFF(iommu_ioas_copy, flags, 4);
OFF(iommu_ioas_copy, dst_ioas_id, 8);
OFF(iommu_ioas_copy, src_ioas_id, 12);
OFF(iommu_ioas_copy, length, 16);
OFF(iommu_ioas_copy, dst_iova, 24);
OFF(iommu_ioas_copy, src_iova, 32);

SIZE(iommu_ioas_unmap, 24);
OFF(iommu_ioas_unmap, size, 0);
OFF(iommu_ioas_unmap, ioas_id, 4);
OFF(iommu_ioas_unmap, iova, 8);
OFF(iommu_ioas_unmap, length, 16);

SIZE(iommu_option, 24);
OFF(iommu_option, size, 0);
OFF(iommu_option, option_id, 4);
OFF(iommu_option, op, 8);
OFF(iommu_option, __reserved, 10);
OFF(iommu_option, object_id, 12);
OFF(iommu_option, val64, 16);

SIZE(iommu_vfio_ioas, 12);
OFF(iommu_vfio_ioas, size, 0);
OFF(iommu_vfio_ioas, ioas_id, 4);
OFF(iommu_vfio_ioas, op, 8);
OFF(iommu_vfio_ioas, __reserved, 10);

SIZE(iommu_hwpt_vtd_s1, 24);
OFF(iommu_hwpt_vtd_s1, flags, 0);
OFF(iommu_hwpt_vtd_s1, pgtbl_addr, 8);
OFF(iommu_hwpt_vtd_s1, addr_width, 16);
OFF(iommu_hwpt_vtd_s1, __reserved, 20);

SIZE(iommu_hwpt_arm_smmuv3, 16);
OFF(iommu_hwpt_arm_smmuv3, ste[0], 0);
OFF(iommu_hwpt_arm_smmuv3, ste[1], 8);

SIZE(iommu_hwpt_amd_guest, 32);
OFF(iommu_hwpt_amd_guest, dte[0], 0);
OFF(iommu_hwpt_amd_guest, dte[3], 24);

SIZE(iommu_hwpt_alloc, 48);
OFF(iommu_hwpt_alloc, size, 0);
OFF(iommu_hwpt_alloc, flags, 4);
OFF(iommu_hwpt_alloc, dev_id, 8);
OFF(iommu_hwpt_alloc, pt_id, 12);
OFF(iommu_hwpt_alloc, out_hwpt_id, 16);
OFF(iommu_hwpt_alloc, __reserved, 20);
OFF(iommu_hwpt_alloc, data_type, 24);
OFF(iommu_hwpt_alloc, data_len, 28);
OFF(iommu_hwpt_alloc, data_uptr, 32);
OFF(iommu_hwpt_alloc, fault_id, 40);
OFF(iommu_hwpt_alloc, __reserved2, 44);

SIZE(iommu_hw_info_vtd, 24);
OFF(iommu_hw_info_vtd, flags, 0);
OFF(iommu_hw_info_vtd, __reserved, 4);
OFF(iommu_hw_info_vtd, cap_reg, 8);
OFF(iommu_hw_info_vtd, ecap_reg, 16);

SIZE(iommu_hw_info_arm_smmuv3, 40);
OFF(iommu_hw_info_arm_smmuv3, flags, 0);
OFF(iommu_hw_info_arm_smmuv3, __reserved, 4);
OFF(iommu_hw_info_arm_smmuv3, idr[0], 8);
OFF(iommu_hw_info_arm_smmuv3, idr[1], 12);
OFF(iommu_hw_info_arm_smmuv3, idr[2], 16);
OFF(iommu_hw_info_arm_smmuv3, idr[3], 20);
OFF(iommu_hw_info_arm_smmuv3, idr[4], 24);
OFF(iommu_hw_info_arm_smmuv3, idr[5], 28);
OFF(iommu_hw_info_arm_smmuv3, iidr, 32);
OFF(iommu_hw_info_arm_smmuv3, aidr, 36);

SIZE(iommu_hw_info_amd, 16);
OFF(iommu_hw_info_amd, efr, 0);
OFF(iommu_hw_info_amd, efr2, 8);

SIZE(iommu_hw_info_tegra241_cmdqv, 8);
OFF(iommu_hw_info_tegra241_cmdqv, flags, 0);
OFF(iommu_hw_info_tegra241_cmdqv, version, 4);
OFF(iommu_hw_info_tegra241_cmdqv, log2vcmdqs, 5);
OFF(iommu_hw_info_tegra241_cmdqv, log2vsids, 6);
OFF(iommu_hw_info_tegra241_cmdqv, __reserved, 7);

SIZE(iommu_hw_info, 40);
OFF(iommu_hw_info, size, 0);
OFF(iommu_hw_info, flags, 4);
OFF(iommu_hw_info, dev_id, 8);
OFF(iommu_hw_info, data_len, 12);
OFF(iommu_hw_info, data_uptr, 16);
OFF(iommu_hw_info, in_data_type, 24);
OFF(iommu_hw_info, out_data_type, 24);
OFF(iommu_hw_info, out_max_pasid_log2, 28);
OFF(iommu_hw_info, __reserved, 29);
OFF(iommu_hw_info, __reserved[2], 31);
OFF(iommu_hw_info, out_capabilities, 32);

SIZE(iommu_hwpt_set_dirty_tracking, 16);
OFF(iommu_hwpt_set_dirty_tracking, size, 0);
OFF(iommu_hwpt_set_dirty_tracking, flags, 4);
OFF(iommu_hwpt_set_dirty_tracking, hwpt_id, 8);
OFF(iommu_hwpt_set_dirty_tracking, __reserved, 12);

SIZE(iommu_hwpt_get_dirty_bitmap, 48);
OFF(iommu_hwpt_get_dirty_bitmap, size, 0);
OFF(iommu_hwpt_get_dirty_bitmap, hwpt_id, 4);
OFF(iommu_hwpt_get_dirty_bitmap, flags, 8);
OFF(iommu_hwpt_get_dirty_bitmap, __reserved, 12);
OFF(iommu_hwpt_get_dirty_bitmap, iova, 16);
OFF(iommu_hwpt_get_dirty_bitmap, length, 24);
OFF(iommu_hwpt_get_dirty_bitmap, page_size, 32);
OFF(iommu_hwpt_get_dirty_bitmap, data, 40);

SIZE(iommu_hwpt_vtd_s1_invalidate, 24);
OFF(iommu_hwpt_vtd_s1_invalidate, addr, 0);
OFF(iommu_hwpt_vtd_s1_invalidate, npages, 8);
OFF(iommu_hwpt_vtd_s1_invalidate, flags, 16);
OFF(iommu_hwpt_vtd_s1_invalidate, __reserved, 20);

SIZE(iommu_viommu_arm_smmuv3_invalidate, 16);
OFF(iommu_viommu_arm_smmuv3_invalidate, cmd[0], 0);
OFF(iommu_viommu_arm_smmuv3_invalidate, cmd[1], 8);

SIZE(iommu_hwpt_invalidate, 32);
OFF(iommu_hwpt_invalidate, size, 0);
OFF(iommu_hwpt_invalidate, hwpt_id, 4);
OFF(iommu_hwpt_invalidate, data_uptr, 8);
OFF(iommu_hwpt_invalidate, data_type, 16);
OFF(iommu_hwpt_invalidate, entry_len, 20);
OFF(iommu_hwpt_invalidate, entry_num, 24);
OFF(iommu_hwpt_invalidate, __reserved, 28);

SIZE(iommu_hwpt_pgfault, 40);
OFF(iommu_hwpt_pgfault, flags, 0);
OFF(iommu_hwpt_pgfault, dev_id, 4);
OFF(iommu_hwpt_pgfault, pasid, 8);
OFF(iommu_hwpt_pgfault, grpid, 12);
OFF(iommu_hwpt_pgfault, perm, 16);
OFF(iommu_hwpt_pgfault, __reserved, 20);
OFF(iommu_hwpt_pgfault, addr, 24);
OFF(iommu_hwpt_pgfault, length, 32);
OFF(iommu_hwpt_pgfault, cookie, 36);

SIZE(iommu_hwpt_page_response, 8);
OFF(iommu_hwpt_page_response, cookie, 0);
OFF(iommu_hwpt_page_response, code, 4);

SIZE(iommu_fault_alloc, 16);
OFF(iommu_fault_alloc, size, 0);
OFF(iommu_fault_alloc, flags, 4);
OFF(iommu_fault_alloc, out_fault_id, 8);
OFF(iommu_fault_alloc, out_fault_fd, 12);

SIZE(iommu_viommu_tegra241_cmdqv, 16);
OFF(iommu_viommu_tegra241_cmdqv, out_vintf_mmap_offset, 0);
OFF(iommu_viommu_tegra241_cmdqv, out_vintf_mmap_length, 8);

SIZE(iommu_viommu_alloc, 40);
OFF(iommu_viommu_alloc, size, 0);
OFF(iommu_viommu_alloc, flags, 4);
OFF(iommu_viommu_alloc, type, 8);
OFF(iommu_viommu_alloc, dev_id, 12);
OFF(iommu_viommu_alloc, hwpt_id, 16);
OFF(iommu_viommu_alloc, out_viommu_id, 20);
OFF(iommu_viommu_alloc, data_len, 24);
OFF(iommu_viommu_alloc, __reserved, 28);
OFF(iommu_viommu_alloc, data_uptr, 32);

SIZE(iommu_vdevice_alloc, 24);
OFF(iommu_vdevice_alloc, size, 0);
OFF(iommu_vdevice_alloc, viommu_id, 4);
OFF(iommu_vdevice_alloc, dev_id, 8);
OFF(iommu_vdevice_alloc, out_vdevice_id, 12);
OFF(iommu_vdevice_alloc, virt_id, 16);

SIZE(iommu_ioas_change_process, 8);
OFF(iommu_ioas_change_process, size, 0);
OFF(iommu_ioas_change_process, __reserved, 4);

SIZE(iommufd_vevent_header, 8);
OFF(iommufd_vevent_header, flags, 0);
OFF(iommufd_vevent_header, sequence, 4);

SIZE(iommu_vevent_arm_smmuv3, 32);
OFF(iommu_vevent_arm_smmuv3, evt[0], 0);
OFF(iommu_vevent_arm_smmuv3, evt[1], 8);
OFF(iommu_vevent_arm_smmuv3, evt[2], 16);
OFF(iommu_vevent_arm_smmuv3, evt[3], 24);

SIZE(iommu_vevent_tegra241_cmdqv, 16);
OFF(iommu_vevent_tegra241_cmdqv, lvcmdq_err_map[0], 0);
OFF(iommu_vevent_tegra241_cmdqv, lvcmdq_err_map[1], 8);

SIZE(iommu_veventq_alloc, 32);
OFF(iommu_veventq_alloc, size, 0);
OFF(iommu_veventq_alloc, flags, 4);
OFF(iommu_veventq_alloc, viommu_id, 8);
OFF(iommu_veventq_alloc, type, 12);
OFF(iommu_veventq_alloc, veventq_depth, 16);
OFF(iommu_veventq_alloc, out_veventq_id, 20);
OFF(iommu_veventq_alloc, out_veventq_fd, 24);
OFF(iommu_veventq_alloc, __reserved, 28);

SIZE(iommu_ioas_noiommu_get_pa, 40);
OFF(iommu_ioas_noiommu_get_pa, size, 0);
OFF(iommu_ioas_noiommu_get_pa, flags, 4);
OFF(iommu_ioas_noiommu_get_pa, ioas_id, 8);
OFF(iommu_ioas_noiommu_get_pa, __reserved, 12);
OFF(iommu_ioas_noiommu_get_pa, iova, 16);
OFF(iommu_ioas_noiommu_get_pa, length, 24);
OFF(iommu_ioas_noiommu_get_pa, out_phys, 32);

SIZE(iommu_hw_queue_alloc, 40);
OFF(iommu_hw_queue_alloc, size, 0);
OFF(iommu_hw_queue_alloc, flags, 4);
OFF(iommu_hw_queue_alloc, viommu_id, 8);
OFF(iommu_hw_queue_alloc, type, 12);
OFF(iommu_hw_queue_alloc, index, 16);
OFF(iommu_hw_queue_alloc, out_hw_queue_id, 20);
OFF(iommu_hw_queue_alloc, nesting_parent_iova, 24);
OFF(iommu_hw_queue_alloc, length, 32);

/* ------------------------------------------------------------------------
 * include/uiommufd/abi_test.h
 */
SIZE(iommu_test_cmd, 72);
OFF(iommu_test_cmd, size, 0);
OFF(iommu_test_cmd, op, 4);
OFF(iommu_test_cmd, id, 8);
OFF(iommu_test_cmd, __reserved, 12);
OFF(iommu_test_cmd, add_reserved.start, 16);
OFF(iommu_test_cmd, add_reserved.length, 24);
OFF(iommu_test_cmd, mock_domain.out_stdev_id, 16);
OFF(iommu_test_cmd, mock_domain.out_hwpt_id, 20);
OFF(iommu_test_cmd, mock_domain.out_idev_id, 24);
OFF(iommu_test_cmd, mock_domain_flags.out_stdev_id, 16);
OFF(iommu_test_cmd, mock_domain_flags.out_hwpt_id, 20);
OFF(iommu_test_cmd, mock_domain_flags.out_idev_id, 24);
OFF(iommu_test_cmd, mock_domain_flags.dev_flags, 28);
OFF(iommu_test_cmd, mock_domain_replace.pt_id, 16);
OFF(iommu_test_cmd, check_map.iova, 16);
OFF(iommu_test_cmd, check_map.length, 24);
OFF(iommu_test_cmd, check_map.uptr, 32);
OFF(iommu_test_cmd, check_refs.length, 16);
OFF(iommu_test_cmd, check_refs.uptr, 24);
OFF(iommu_test_cmd, check_refs.refs, 32);
OFF(iommu_test_cmd, create_access.out_access_fd, 16);
OFF(iommu_test_cmd, create_access.flags, 20);
OFF(iommu_test_cmd, destroy_access_pages.access_pages_id, 16);
OFF(iommu_test_cmd, access_pages.flags, 16);
OFF(iommu_test_cmd, access_pages.out_access_pages_id, 20);
OFF(iommu_test_cmd, access_pages.iova, 24);
OFF(iommu_test_cmd, access_pages.length, 32);
OFF(iommu_test_cmd, access_pages.uptr, 40);
OFF(iommu_test_cmd, access_rw.iova, 16);
OFF(iommu_test_cmd, access_rw.length, 24);
OFF(iommu_test_cmd, access_rw.uptr, 32);
OFF(iommu_test_cmd, access_rw.flags, 40);
OFF(iommu_test_cmd, memory_limit.limit, 16);
OFF(iommu_test_cmd, access_replace_ioas.ioas_id, 16);
OFF(iommu_test_cmd, dirty.flags, 16);
OFF(iommu_test_cmd, dirty.iova, 24);
OFF(iommu_test_cmd, dirty.length, 32);
OFF(iommu_test_cmd, dirty.page_size, 40);
OFF(iommu_test_cmd, dirty.uptr, 48);
OFF(iommu_test_cmd, dirty.out_nr_dirty, 56);
OFF(iommu_test_cmd, check_iotlb.id, 16);
OFF(iommu_test_cmd, check_iotlb.iotlb, 20);
OFF(iommu_test_cmd, trigger_iopf.dev_id, 16);
OFF(iommu_test_cmd, trigger_iopf.pasid, 20);
OFF(iommu_test_cmd, trigger_iopf.grpid, 24);
OFF(iommu_test_cmd, trigger_iopf.perm, 28);
OFF(iommu_test_cmd, trigger_iopf.addr, 32);
OFF(iommu_test_cmd, check_dev_cache.id, 16);
OFF(iommu_test_cmd, check_dev_cache.cache, 20);
OFF(iommu_test_cmd, trigger_vevent.dev_id, 16);
OFF(iommu_test_cmd, pasid_attach.pasid, 16);
OFF(iommu_test_cmd, pasid_attach.pt_id, 20);
OFF(iommu_test_cmd, pasid_replace.pasid, 16);
OFF(iommu_test_cmd, pasid_replace.pt_id, 20);
OFF(iommu_test_cmd, pasid_detach.pasid, 16);
OFF(iommu_test_cmd, pasid_check.pasid, 16);
OFF(iommu_test_cmd, pasid_check.hwpt_id, 20);
OFF(iommu_test_cmd, dmabuf_get.length, 16);
OFF(iommu_test_cmd, dmabuf_get.open_flags, 20);
OFF(iommu_test_cmd, dmabuf_revoke.dmabuf_fd, 16);
OFF(iommu_test_cmd, dmabuf_revoke.revoked, 20);
OFF(iommu_test_cmd, last, 64);

SIZE(iommu_test_hw_info, 8);
OFF(iommu_test_hw_info, flags, 0);
OFF(iommu_test_hw_info, test_reg, 4);

SIZE(iommu_hwpt_selftest, 8);
OFF(iommu_hwpt_selftest, iotlb, 0);
OFF(iommu_hwpt_selftest, pagetable_type, 4);

SIZE(iommu_hwpt_invalidate_selftest, 8);
OFF(iommu_hwpt_invalidate_selftest, flags, 0);
OFF(iommu_hwpt_invalidate_selftest, iotlb_id, 4);

SIZE(iommu_viommu_selftest, 24);
OFF(iommu_viommu_selftest, in_data, 0);
OFF(iommu_viommu_selftest, out_data, 4);
OFF(iommu_viommu_selftest, out_mmap_offset, 8);
OFF(iommu_viommu_selftest, out_mmap_length, 16);

SIZE(iommu_viommu_invalidate_selftest, 12);
OFF(iommu_viommu_invalidate_selftest, flags, 0);
OFF(iommu_viommu_invalidate_selftest, vdev_id, 4);
OFF(iommu_viommu_invalidate_selftest, cache_id, 8);

SIZE(iommu_viommu_event_selftest, 4);
OFF(iommu_viommu_event_selftest, virt_id, 0);

/* ------------------------------------------------------------------------
 * include/uiommufd/vfio_abi.h
 */
SIZE(vfio_info_cap_header, 8);
OFF(vfio_info_cap_header, id, 0);
OFF(vfio_info_cap_header, version, 2);
OFF(vfio_info_cap_header, next, 4);

SIZE(vfio_group_status, 8);
OFF(vfio_group_status, argsz, 0);
OFF(vfio_group_status, flags, 4);

SIZE(vfio_iommu_type1_info, 24);
OFF(vfio_iommu_type1_info, argsz, 0);
OFF(vfio_iommu_type1_info, flags, 4);
OFF(vfio_iommu_type1_info, iova_pgsizes, 8);
OFF(vfio_iommu_type1_info, cap_offset, 16);
OFF(vfio_iommu_type1_info, pad, 20);

SIZE(vfio_iova_range, 16);
OFF(vfio_iova_range, start, 0);
OFF(vfio_iova_range, end, 8);

SIZE(vfio_iommu_type1_info_cap_iova_range, 16);
OFF(vfio_iommu_type1_info_cap_iova_range, header, 0);
OFF(vfio_iommu_type1_info_cap_iova_range, header.next, 4);
OFF(vfio_iommu_type1_info_cap_iova_range, nr_iovas, 8);
OFF(vfio_iommu_type1_info_cap_iova_range, reserved, 12);
OFF(vfio_iommu_type1_info_cap_iova_range, iova_ranges, 16);
OFF(vfio_iommu_type1_info_cap_iova_range, iova_ranges[1].end, 40);

SIZE(vfio_iommu_type1_info_cap_migration, 32);
OFF(vfio_iommu_type1_info_cap_migration, header, 0);
OFF(vfio_iommu_type1_info_cap_migration, flags, 8);
OFF(vfio_iommu_type1_info_cap_migration, pgsize_bitmap, 16);
OFF(vfio_iommu_type1_info_cap_migration, max_dirty_bitmap_size, 24);

SIZE(vfio_iommu_type1_info_dma_avail, 12);
OFF(vfio_iommu_type1_info_dma_avail, header, 0);
OFF(vfio_iommu_type1_info_dma_avail, avail, 8);

SIZE(vfio_iommu_type1_dma_map, 32);
OFF(vfio_iommu_type1_dma_map, argsz, 0);
OFF(vfio_iommu_type1_dma_map, flags, 4);
OFF(vfio_iommu_type1_dma_map, vaddr, 8);
OFF(vfio_iommu_type1_dma_map, iova, 16);
OFF(vfio_iommu_type1_dma_map, size, 24);

SIZE(vfio_bitmap, 24);
OFF(vfio_bitmap, pgsize, 0);
OFF(vfio_bitmap, size, 8);
OFF(vfio_bitmap, data, 16);

SIZE(vfio_iommu_type1_dma_unmap, 24);
OFF(vfio_iommu_type1_dma_unmap, argsz, 0);
OFF(vfio_iommu_type1_dma_unmap, flags, 4);
OFF(vfio_iommu_type1_dma_unmap, iova, 8);
OFF(vfio_iommu_type1_dma_unmap, size, 16);
OFF(vfio_iommu_type1_dma_unmap, data, 24);

SIZE(vfio_iommu_type1_dirty_bitmap, 8);
OFF(vfio_iommu_type1_dirty_bitmap, argsz, 0);
OFF(vfio_iommu_type1_dirty_bitmap, flags, 4);
OFF(vfio_iommu_type1_dirty_bitmap, data, 8);

SIZE(vfio_iommu_type1_dirty_bitmap_get, 40);
OFF(vfio_iommu_type1_dirty_bitmap_get, iova, 0);
OFF(vfio_iommu_type1_dirty_bitmap_get, size, 8);
OFF(vfio_iommu_type1_dirty_bitmap_get, bitmap, 16);
OFF(vfio_iommu_type1_dirty_bitmap_get, bitmap.pgsize, 16);
OFF(vfio_iommu_type1_dirty_bitmap_get, bitmap.size, 24);
OFF(vfio_iommu_type1_dirty_bitmap_get, bitmap.data, 32);

int main(void)
{
	return 0;
}
