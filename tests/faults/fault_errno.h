/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The errnos the kernel can give each command when it runs short (fault_errno.c). */
#ifndef UIOMMUFD_FAULT_ERRNO_H
#define UIOMMUFD_FAULT_ERRNO_H

#include <stdbool.h>

const char *fault_cmd_name(unsigned long req);
/* Whether err is what the kernel could answer req when it runs short. */
bool fault_errno_allowed(unsigned long req, const void *arg, int err);
/*
 * Calls not swept: the self-test's TRIGGER_IOPF and TRIGGER_VEVENT stand
 * for a device raising an event, which the kernel drops, answering 0,
 * when it cannot queue it; a failure there loses the event the client
 * then waits for, by design.
 */
bool fault_cmd_best_effort(unsigned long req, const void *arg);

#endif
