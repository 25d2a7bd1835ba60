/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Life as a service: readiness, status and watchdog notifications to the
 * service manager, and the signals that stop the daemon or reload its log
 * level.  Without systemd (or NOTIFY_SOCKET) the notifications are no-ops.
 */
#ifndef UIOMMUFD_SERVICE_H
#define UIOMMUFD_SERVICE_H

#include <signal.h>

struct iommufd_daemon;
struct frontend;

/* The log level: $UIOMMUFD_LOG_LEVEL when set and valid, else fallback. */
int service_log_level(int fallback);
/* Sends READY=1, then serves signals until SIGTERM/SIGINT. */
int service_run(struct iommufd_daemon *d, struct frontend *fe,
		const sigset_t *signals, int log_level);

#endif
