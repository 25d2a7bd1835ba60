/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names the self-test in Debian's linux-source-6.12 (6.12.118) uses but its
 * own headers do not define: the 6.12.y stable series took self-test
 * changes from 6.16 and later without the uapi and mock-driver changes they
 * rely on, so the test as shipped does not build against its own tree.
 * scripts/kernel-selftest.sh force-includes this file only when the plain
 * build fails; the test's sources stay unmodified.  Values are those of the
 * later kernels' uapi (the daemon's include/uiommufd/abi*.h has them too).
 */
#ifndef UIOMMUFD_SELFTEST_COMPAT_612_H
#define UIOMMUFD_SELFTEST_COMPAT_612_H

/* GET_HW_INFO: in later kernels in_data_type shares out_data_type's word */
#define IOMMU_HW_INFO_TYPE_DEFAULT 0
#define IOMMU_HW_INFO_FLAG_INPUT_TYPE (1 << 0)
#define in_data_type out_data_type

/* the mock driver's PASID-capable device and its PASID width */
#define MOCK_FLAGS_DEVICE_PASID (1 << 2)
#define MOCK_PASID_WIDTH 20

#endif
