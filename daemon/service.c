// SPDX-License-Identifier: GPL-2.0-or-later
#include "service.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cuse/frontend.h"
#include "log.h"
#include "objects/iommufd_private.h"

#if HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#else
static int sd_notify(int unset, const char *state)
{
	(void)unset;
	(void)state;
	return 0;
}

static int sd_watchdog_enabled(int unset, uint64_t *usec)
{
	(void)unset;
	(void)usec;
	return 0;
}
#endif

int service_log_level(int fallback)
{
	const char *s = getenv("UIOMMUFD_LOG_LEVEL");
	int l = s && *s ? log_level_from_string(s) : -1;

	return l >= 0 ? l : fallback;
}

static void service_status(struct iommufd_daemon *d)
{
	char buf[128];
	unsigned int n;

	pthread_mutex_lock(&d->lock);
	n = d->nr_contexts;
	pthread_mutex_unlock(&d->lock);
	snprintf(buf, sizeof(buf), "STATUS=%u open context%s", n, n == 1 ? "" : "s");
	sd_notify(0, buf);
}

int service_run(struct iommufd_daemon *d, struct frontend *fe,
		const sigset_t *signals, int log_level)
{
	uint64_t wd_usec = 0;
	struct timespec tick = { .tv_sec = 1 };

	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec / 2 < 1000000ull) {
		tick.tv_sec = (time_t)(wd_usec / 2 / 1000000ull);
		tick.tv_nsec = (long)(wd_usec / 2 % 1000000ull * 1000);
	}
	sd_notify(0, "READY=1");
	service_status(d);

	for (;;) {
		siginfo_t si;
		int sig = sigtimedwait(signals, &si, &tick);

		if (sig == SIGTERM || sig == SIGINT) {
			log_info("%s: stopping", strsignal(sig));
			sd_notify(0, "STOPPING=1");
			return 0;
		}
		if (sig == SIGHUP) {
			log_set_level(service_log_level(log_level));
			log_info("log level reloaded");
		}
		/*
		 * The watchdog is fed only while no request has been stuck
		 * for half its period: a wedged worker stops the pings.
		 */
		if (wd_usec && !frontend_stalled(fe, wd_usec / 2))
			sd_notify(0, "WATCHDOG=1");
		service_status(d);
	}
}
