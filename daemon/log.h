/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging for the daemon.  Under systemd (JOURNAL_STREAM names our stderr)
 * lines carry a "<N>" syslog priority prefix that journald turns into the
 * entry's priority; elsewhere they are plain "uiommufd: level: message".
 *
 * The object layer never logs: a failed ioctl is the caller's error and is
 * answered with an errno.  Only the front end and start-up code log.
 */
#ifndef UIOMMUFD_LOG_H
#define UIOMMUFD_LOG_H

#include <stdarg.h>
#include <syslog.h>

extern int log_max_level;

void log_init(int level);
void log_set_level(int level);
int log_level_from_string(const char *s);
void log_printf(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) \
	do { if (log_max_level >= LOG_DEBUG) log_printf(LOG_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_printf(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_printf(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_printf(LOG_ERR, __VA_ARGS__)

/* Logs at error level and hands back the (negative) errno, systemd style. */
#define log_error_errno(err, ...) \
	({ int _e = (err); log_printf(LOG_ERR, __VA_ARGS__); _e < 0 ? _e : -_e; })

#endif
