// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per command, the errnos the v6.19/v7.3 kernel can give when the command
 * is well-formed but something runs short: what a failure injected into
 * the daemon may turn into.  Kept explicit, with the reason:
 *
 *  EFAULT  every command copies its struct (and any array) from and to the
 *          caller with copy_{from,to}_user(), which can fail on any of them.
 *  ENOMEM  commands whose kernel handler allocates: objects (IOAS, HWPT,
 *          vIOMMU, vdevice, queues, the self-test's mock objects), areas
 *          and pages (MAP, COPY, MAP_FILE, CHANGE_PROCESS), the allowed
 *          ranges (ALLOW_IOVAS), the info buffers (GET_HW_INFO, VFIO's
 *          GET_INFO capability chain), the dirty bitmap's iova_bitmap, and
 *          the accounting of pinned pages against RLIMIT_MEMLOCK.
 *          DESTROY, IOVA_RANGES, UNMAP, SET_DIRTY_TRACKING and
 *          NOIOMMU_GET_PA allocate nothing in the kernel: ENOMEM there is
 *          a finding.  HWPT_INVALIDATE of a vIOMMU does (the driver's copy
 *          of the array, kcalloc() in the mock driver).  One difference is accepted: OPTION's SET and
 *          NOIOMMU_GET_PA ask capable(), which the daemon answers from
 *          the caller's /proc files; when it cannot read them it says
 *          ENOMEM (its own shortage), not EPERM, which would tell a
 *          privileged caller it lacks the right for good.
 *  EMFILE  commands that install a new descriptor (get_unused_fd_flags()):
 *          FAULT_QUEUE_ALLOC, VEVENTQ_ALLOC, the self-test's CREATE_ACCESS
 *          and DMABUF_GET.
 *  EAGAIN  pinning (MAP, COPY, MAP_FILE, CHANGE_PROCESS, the self-test's
 *          ACCESS_PAGES) : pin_user_pages() and memfd_pin_folios() may
 *          say it for memory being migrated.
 *
 * The VFIO container's GET_API_VERSION and CHECK_EXTENSION take integers
 * and touch nothing: no errno at all.
 */
#include "fault_errno.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"
#include "uiommufd/vfio_abi.h"

#ifndef offsetofend
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#endif

#define F_EFAULT (1u << 0)
#define F_ENOMEM (1u << 1)
#define F_EMFILE (1u << 2)
#define F_EAGAIN (1u << 3)

struct cmd_rule {
	unsigned long req;
	const char *name;
	unsigned int allowed;
};

#define PIN (F_EFAULT | F_ENOMEM | F_EAGAIN)
#define ALLOC (F_EFAULT | F_ENOMEM)

static const struct cmd_rule rules[] = {
	{ IOMMU_DESTROY, "DESTROY", F_EFAULT },
	{ IOMMU_IOAS_ALLOC, "IOAS_ALLOC", ALLOC },
	{ IOMMU_IOAS_IOVA_RANGES, "IOAS_IOVA_RANGES", F_EFAULT },
	{ IOMMU_OPTION, "OPTION", F_EFAULT | F_ENOMEM },
	{ IOMMU_IOAS_ALLOW_IOVAS, "IOAS_ALLOW_IOVAS", ALLOC },
	{ IOMMU_IOAS_COPY, "IOAS_COPY", PIN },
	{ IOMMU_IOAS_MAP, "IOAS_MAP", PIN },
	{ IOMMU_IOAS_MAP_FILE, "IOAS_MAP_FILE", PIN },
	{ IOMMU_IOAS_UNMAP, "IOAS_UNMAP", F_EFAULT },
	{ IOMMU_IOAS_CHANGE_PROCESS, "IOAS_CHANGE_PROCESS", PIN },
	{ IOMMU_VFIO_IOAS, "VFIO_IOAS", ALLOC },
	{ IOMMU_HWPT_ALLOC, "HWPT_ALLOC", PIN },
	{ IOMMU_GET_HW_INFO, "GET_HW_INFO", ALLOC },
	{ IOMMU_HWPT_SET_DIRTY_TRACKING, "HWPT_SET_DIRTY_TRACKING", F_EFAULT },
	{ IOMMU_HWPT_GET_DIRTY_BITMAP, "HWPT_GET_DIRTY_BITMAP", ALLOC },
	/* a vIOMMU's driver copies the array with kcalloc() (the mock's does) */
	{ IOMMU_HWPT_INVALIDATE, "HWPT_INVALIDATE", ALLOC },
	{ IOMMU_FAULT_QUEUE_ALLOC, "FAULT_QUEUE_ALLOC", ALLOC | F_EMFILE },
	{ IOMMU_VIOMMU_ALLOC, "VIOMMU_ALLOC", ALLOC },
	{ IOMMU_VDEVICE_ALLOC, "VDEVICE_ALLOC", ALLOC },
	{ IOMMU_VEVENTQ_ALLOC, "VEVENTQ_ALLOC", ALLOC | F_EMFILE },
	{ IOMMU_HW_QUEUE_ALLOC, "HW_QUEUE_ALLOC", PIN },
	{ IOMMU_IOAS_NOIOMMU_GET_PA, "IOAS_NOIOMMU_GET_PA", F_EFAULT | F_ENOMEM },
	{ IOMMU_TEST_CMD, "TEST_CMD", ALLOC }, /* refined by op below */
	{ VFIO_GET_API_VERSION, "VFIO_GET_API_VERSION", 0 },
	{ VFIO_CHECK_EXTENSION, "VFIO_CHECK_EXTENSION", 0 },
	{ VFIO_SET_IOMMU, "VFIO_SET_IOMMU", F_ENOMEM },
	{ VFIO_IOMMU_GET_INFO, "VFIO_IOMMU_GET_INFO", ALLOC },
	{ VFIO_IOMMU_MAP_DMA, "VFIO_IOMMU_MAP_DMA", PIN },
	/* type1 (not v2) cuts areas first: iopt_cut_iova() allocates */
	{ VFIO_IOMMU_UNMAP_DMA, "VFIO_IOMMU_UNMAP_DMA", ALLOC },
};

static const struct cmd_rule *rule_of(unsigned long req)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].req == req)
			return &rules[i];
	return NULL;
}

const char *fault_cmd_name(unsigned long req)
{
	static __thread char buf[24];
	const struct cmd_rule *r = rule_of(req);

	if (r)
		return r->name;
	snprintf(buf, sizeof(buf), "ioctl %#lx", req);
	return buf;
}

/* The self-test op, read without faulting (the pointer may be bad); 0: unreadable. */
static uint32_t test_op(const void *arg)
{
	struct iommu_test_cmd c = { 0 };
	struct iovec local = { .iov_base = &c, .iov_len = offsetofend(struct iommu_test_cmd, op) };
	struct iovec remote = { .iov_base = (void *)arg, .iov_len = local.iov_len };

	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) !=
	    (ssize_t)local.iov_len)
		return 0;
	return c.op;
}

bool fault_cmd_best_effort(unsigned long req, const void *arg)
{
	uint32_t op;

	if (req != IOMMU_TEST_CMD)
		return false;
	op = test_op(arg);
	return op == IOMMU_TEST_OP_TRIGGER_IOPF ||
	       op == IOMMU_TEST_OP_TRIGGER_VEVENT;
}

static unsigned int test_op_allowed(const void *arg)
{
	switch (test_op(arg)) {
	case IOMMU_TEST_OP_CREATE_ACCESS:
	case IOMMU_TEST_OP_DMABUF_GET:
		return ALLOC | F_EMFILE;
	case IOMMU_TEST_OP_ACCESS_PAGES:
	case IOMMU_TEST_OP_ACCESS_RW:
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
	case IOMMU_TEST_OP_PASID_ATTACH:
	case IOMMU_TEST_OP_PASID_REPLACE:
		/* attaching fills a domain: pins every area */
		return PIN;
	default:
		/* the mock driver allocates in most of its ops */
		return ALLOC;
	}
}

bool fault_errno_allowed(unsigned long req, const void *arg, int err)
{
	const struct cmd_rule *r = rule_of(req);
	unsigned int allowed;

	if (!r)
		return err == EFAULT || err == ENOMEM;
	allowed = req == IOMMU_TEST_CMD ? test_op_allowed(arg) : r->allowed;
	switch (err) {
	case EFAULT: return allowed & F_EFAULT;
	case ENOMEM: return allowed & F_ENOMEM;
	case EMFILE: return allowed & F_EMFILE;
	case EAGAIN: return allowed & F_EAGAIN;
	default: return false;
	}
}
