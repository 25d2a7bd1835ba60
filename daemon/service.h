/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Life as a service: readiness, status and watchdog notifications to the
 * service manager, and the signals that stop the daemon or reload its log
 * level.  Without systemd (or NOTIFY_SOCKET) the notifications are no-ops.
 *
 * The log level is the first of: UIOMMUFD_LOG_LEVEL in the --config file,
 * $UIOMMUFD_LOG_LEVEL, the command line (--log-level, -v), "info".  SIGHUP
 * evaluates that again; only the file can have changed since the start,
 * which is why the unit passes its EnvironmentFile as --config too.
 */
#ifndef UIOMMUFD_SERVICE_H
#define UIOMMUFD_SERVICE_H

#include <signal.h>
#include <stddef.h>

struct iommufd_daemon;
struct frontend;

/*
 * Looks up KEY in an environment file (systemd EnvironmentFile= syntax:
 * KEY=VALUE lines, '#' comments, optional quotes).  Returns the value's
 * length, -ENOENT when the file or key is absent, or another -errno.
 */
int service_config_get(const char *path, const char *key, char *buf, size_t len);
/* The log level by the rule above; config may be NULL. */
int service_log_level(const char *config, int fallback);
/* Sends READY=1, then serves signals until SIGTERM/SIGINT. */
int service_run(struct iommufd_daemon *d, struct frontend *fe,
		const sigset_t *signals, const char *config, int log_level);
/*
 * Bounds the stop: if the process still runs half a second after seconds
 * (a stop path stuck on a client), log it and _exit(0): what the stop had
 * to do for the clients it could reach is done by then, and the kernel
 * drops the node and every mapping with the process.
 */
void service_stop_deadline(unsigned int seconds);

#endif
