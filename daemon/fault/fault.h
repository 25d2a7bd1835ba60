/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection (build option -Dfault_injection=true, off by default and
 * refused in release builds): every allocation and every syscall the
 * daemon's code makes can be failed on its Nth occurrence within one
 * armed ioctl, as the kernel's failslab lets iommufd_fail_nth do.
 *
 * The calls are wrapped at link time (-Wl,--wrap=..., fault_wrap.c), so no
 * call site changes; a wrapper counts only while its thread runs the
 * handler of an armed ioctl (fault_dispatch(), the one hook in
 * dispatch.c).  The test drives it with UIOMMUFD_FAULT_CMD
 * (uiommufd/abi_fault.h, fault_ctl.c).  Without the option fault_dispatch()
 * is the plain call and the control ioctl is ENOTTY like any unknown
 * number.
 */
#ifndef UIOMMUFD_FAULT_H
#define UIOMMUFD_FAULT_H

#include <stdbool.h>

struct iommufd_ucmd;

typedef long (*fault_dispatch_fn)(struct iommufd_ucmd *ucmd, unsigned int cmd);

#if UIOMMUFD_FAULT_INJECTION
/* Runs fn(ucmd, cmd) armed when the test armed it; ctx->lock held. */
long fault_dispatch(struct iommufd_ucmd *ucmd, unsigned int cmd,
		    fault_dispatch_fn fn);
/*
 * For the wrappers: whether this call (what, e.g. "malloc") is the one to
 * fail; counts it when the thread is armed.  err: the errno it will get.
 */
bool fault_hit(const char *what, int err);
/* Heap bytes the daemon's code holds (fault_wrap.c counts them). */
long long fault_heap_bytes(void);
/* Objects obj_pool hands out now (areas, pages). */
long long fault_pool_objects(void);
#else
static inline long fault_dispatch(struct iommufd_ucmd *ucmd, unsigned int cmd,
				  fault_dispatch_fn fn)
{
	return fn(ucmd, cmd);
}
#endif

#endif
