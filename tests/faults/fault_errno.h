/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The errnos the kernel can give each command when it runs short (fault_errno.c). */
#ifndef UIOMMUFD_FAULT_ERRNO_H
#define UIOMMUFD_FAULT_ERRNO_H

#include <stdbool.h>

const char *fault_cmd_name(unsigned long req);
/* Whether err is what the kernel could answer req when it runs short. */
bool fault_errno_allowed(unsigned long req, const void *arg, int err);

#endif
