// SPDX-License-Identifier: GPL-2.0-or-later
/* IOMMU_DESTROY and IOMMU_OPTION; mirror the kernel's main.c. */
#include "core/iommufd_private.h"

#include <linux/capability.h>
#include <stddef.h>

#include "uiommufd/abi.h"

int iommufd_destroy(struct iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return iommufd_object_remove(ucmd->ictx, cmd->id);
}

/*
 * Mirrors iommufd_option_rlimit_mode(): the accounting mode belongs to the
 * context and can only change while it holds no object, so no pinned page
 * was ever counted under the old mode.
 */
static int iommufd_option_rlimit_mode(struct iommufd_ucmd *ucmd,
				      struct iommu_option *cmd)
{
	struct iommufd_ctx *ictx = ucmd->ictx;
	int rc;

	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = ictx->account_mode == IOPT_PAGES_ACCOUNT_MM;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	rc = iommufd_caller_capable_rc(ucmd, CAP_SYS_RESOURCE);
	if (rc <= 0)
		return rc ? rc : -EPERM;
	if (ictx->objects.count)
		return -EBUSY;
	if (cmd->val64 == 0)
		ictx->account_mode = IOPT_PAGES_ACCOUNT_USER;
	else if (cmd->val64 == 1)
		ictx->account_mode = IOPT_PAGES_ACCOUNT_MM;
	else
		return -EINVAL;
	return 0;
}

int iommufd_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = iommufd_option_rlimit_mode(ucmd, cmd);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = iommufd_ioas_option(ucmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	/* Only val64 goes back, as in the kernel. */
	return ucmd_copy_to_user(ucmd,
				 ucmd->ubuffer + offsetof(struct iommu_option, val64),
				 &cmd->val64, sizeof(cmd->val64));
}
