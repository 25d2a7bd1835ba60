/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fault-injection control ioctl: only a daemon built with
 * -Dfault_injection=true answers it; any other build says ENOTTY, as for
 * an unknown number.  Not part of the iommufd ABI, never in a release
 * build.  Like the kernel's iommufd_fail_nth (which arms failslab), a test
 * arms "fail the Nth failure point of my next ioctl on this file", makes
 * the call, then asks whether the failure fired, and compares snapshots of
 * the daemon's state taken before and after.
 */
#ifndef UIOMMUFD_ABI_FAULT_H
#define UIOMMUFD_ABI_FAULT_H

#include <linux/ioctl.h>
#include <linux/types.h>

enum uiommufd_fault_op {
	/*
	 * The next ioctl the calling thread makes on this file counts its
	 * failure points (allocations, syscalls) and fails the nth; nth 0
	 * only counts.
	 */
	UIOMMUFD_FAULT_ARM = 1,
	/* What the last armed ioctl of this thread did: out_hooks, out_fired. */
	UIOMMUFD_FAULT_RESULT = 2,
	/*
	 * A text description of the state this file's context and the
	 * daemon hold (objects, areas, pins, accounting, fds, heap bytes),
	 * written NUL-terminated to buf_uptr.  Bindings kept idle for reuse
	 * are dropped first, so that two snapshots compare exactly.
	 */
	UIOMMUFD_FAULT_SNAPSHOT = 3,
	/*
	 * ARM and SNAPSHOT also make the calling thread the only one whose
	 * ioctls the daemon serves (others wait) until RELEASE, or until
	 * two seconds pass without any of its fault ioctls: a sweep needs
	 * the daemon-wide figures (heap, descriptors) to be its own.
	 */
	UIOMMUFD_FAULT_RELEASE = 4,
};

struct uiommufd_fault_cmd {
	__u32 size;
	__u32 op;
	__u64 nth;
	__aligned_u64 buf_uptr;
	__u32 buf_len;
	__u32 out_len;		/* SNAPSHOT: bytes written, the NUL included */
	__aligned_u64 out_hooks;	/* RESULT: failure points the ioctl passed */
	__u32 out_fired;	/* RESULT: 1 when the nth one failed */
	__s32 out_errno;	/* RESULT: the errno that point was given */
	char out_what[32];	/* RESULT: the call that failed ("malloc") */
};

/* ';' is iommufd's type; 0xef is far above its table and VFIO's. */
#define UIOMMUFD_FAULT_CMD _IO(';', 0xef)

#endif
