// SPDX-License-Identifier: GPL-2.0-or-later
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "frontend/frontend.h"
#include "log.h"
#include "core/iommufd_private.h"
#include "core/stats.h"

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

/*
 * The backstop fires this long after --stop-timeout: the front end gives up
 * on stuck requests before the timeout, so this only catches a stop stuck
 * elsewhere (a thread joined while it waits on a client).
 */
#define STOP_BACKSTOP_NS 500000000L

/* An environment file is configuration, not data: a few KiB at most. */
#define CONFIG_MAX_BYTES (64 * 1024)

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int service_config_get(const char *path, const char *key, char *buf, size_t len)
{
	char line[1024];
	size_t klen = strlen(key), total = 0;
	int found = -ENOENT;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && total < CONFIG_MAX_BYTES) {
		char *l, *v;
		size_t vlen;

		total += strlen(line);
		l = trim(line);
		if (!*l || *l == '#' || *l == ';' || strncmp(l, key, klen) ||
		    l[klen] != '=')
			continue;
		v = trim(l + klen + 1);
		vlen = strlen(v);
		if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
			v[vlen - 1] = '\0';
			v++;
		}
		/* The last assignment wins, as with systemd. */
		found = snprintf(buf, len, "%s", v);
	}
	fclose(f);
	return found;
}

int service_log_level(const char *config, int fallback)
{
	char v[64];
	const char *s;
	int l;

	if (config && service_config_get(config, "UIOMMUFD_LOG_LEVEL", v, sizeof(v)) > 0) {
		l = log_level_from_string(v);
		if (l >= 0)
			return l;
		log_warning("%s: bad UIOMMUFD_LOG_LEVEL '%s', ignored", config, v);
	}
	s = getenv("UIOMMUFD_LOG_LEVEL");
	l = s && *s ? log_level_from_string(s) : -1;
	return l >= 0 ? l : fallback;
}

static void format_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)b;
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < ARRAY_SIZE(unit)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)b);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
}

/*
 * STATUS=: clients, contexts, objects, pinned bytes.  Sent only when the
 * text changes, so an idle daemon does not chatter at the manager.
 */
static void service_status(struct iommufd_daemon *d, char *last, size_t len)
{
	struct iommufd_stats st;
	uint64_t objects = 0, pinned = 0, clients = 0;
	char buf[256], bytes[32];

	if (iommufd_stats_snapshot(d, &st))
		return;
	for (size_t i = 0; i < st.nr_ctx; i++) {
		objects += st.ctx[i].nr_objects;
		pinned += st.ctx[i].pinned_bytes;
		/* Sorted by (pid, uid): a new client starts a new run. */
		if (!i || st.ctx[i].pid != st.ctx[i - 1].pid ||
		    st.ctx[i].uid != st.ctx[i - 1].uid)
			clients++;
	}
	format_bytes(pinned, bytes, sizeof(bytes));
	snprintf(buf, sizeof(buf),
		 "STATUS=%llu client%s, %zu context%s, %llu object%s, %s pinned",
		 (unsigned long long)clients, clients == 1 ? "" : "s",
		 st.nr_ctx + st.nr_ctx_omitted,
		 st.nr_ctx + st.nr_ctx_omitted == 1 ? "" : "s",
		 (unsigned long long)objects, objects == 1 ? "" : "s", bytes);
	iommufd_stats_free(&st);
	if (!strcmp(buf, last))
		return;
	snprintf(last, len, "%s", buf);
	sd_notify(0, buf);
}

int service_run(struct iommufd_daemon *d, struct frontend *fe,
		const sigset_t *signals, const char *config, int log_level)
{
	uint64_t wd_usec = 0;
	struct timespec tick = { .tv_sec = 1 };
	char last_status[256] = "";

	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec / 2 < 1000000ull) {
		tick.tv_sec = (time_t)(wd_usec / 2 / 1000000ull);
		tick.tv_nsec = (long)(wd_usec / 2 % 1000000ull * 1000);
	}
	/* The node exists and answered an open (frontend_start): ready. */
	sd_notify(0, "READY=1");
	service_status(d, last_status, sizeof(last_status));

	for (;;) {
		siginfo_t si;
		int sig = sigtimedwait(signals, &si, &tick);

		if (sig == SIGTERM || sig == SIGINT) {
			log_info("%s: stopping", strsignal(sig));
			sd_notify(0, "STOPPING=1\nSTATUS=stopping: finishing requests, releasing contexts");
			return 0;
		}
		if (sig == SIGHUP) {
			int l = service_log_level(config, log_level);

			log_set_level(l);
			log_notice("SIGHUP: log level is now %d (%s)", l,
				   config ? config : "no --config file");
		}
		/*
		 * The watchdog is fed unless the service is wedged: every
		 * worker the pool may have busy for half the period, so no
		 * new request can be read.  One client's slow or stuck
		 * requests never stop the pings (they hold few workers, see
		 * frontend/serve_loop.c); a restart would cost every client.
		 */
		if (wd_usec && !frontend_stalled(fe, wd_usec / 2))
			sd_notify(0, "WATCHDOG=1");
		service_status(d, last_status, sizeof(last_status));
	}
}

static void *stop_deadline_thread(void *arg)
{
	unsigned int seconds = (unsigned int)(uintptr_t)arg;
	struct timespec ts = { .tv_sec = seconds, .tv_nsec = STOP_BACKSTOP_NS };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	log_warning("still stopping %u s after SIGTERM (stuck in a client's memory); exiting now",
		    seconds);
	_exit(0);
	return NULL;
}

void service_stop_deadline(unsigned int seconds)
{
	pthread_t t;
	pthread_attr_t attr;

	if (!seconds)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, stop_deadline_thread,
			   (void *)(uintptr_t)seconds))
		log_warning("cannot bound the stop time: no thread");
	pthread_attr_destroy(&attr);
}
