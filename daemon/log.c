// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int log_max_level = LOG_INFO;
static int log_to_journal;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg",	 [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "error",	 [LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice", [LOG_INFO] = "info",	[LOG_DEBUG] = "debug",
};

/*
 * JOURNAL_STREAM holds "dev:ino" of the stream journald handed us; it only
 * counts if stderr is still that stream (a child may have redirected it).
 */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(2, &st) < 0)
		return 0;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_init(int level)
{
	log_max_level = level;
	log_to_journal = stderr_is_journal();
}

void log_set_level(int level)
{
	__atomic_store_n(&log_max_level, level, __ATOMIC_RELAXED);
}

int log_level_from_string(const char *s)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (level_names[i] && !strcasecmp(s, level_names[i]))
			return (int)i;
	if (!strcasecmp(s, "err"))
		return LOG_ERR;
	if (!strcasecmp(s, "warn"))
		return LOG_WARNING;
	if (s[0] >= '0' && s[0] <= '7' && !s[1])
		return s[0] - '0';
	return -EINVAL;
}

void log_printf(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int saved = errno;

	if (level > __atomic_load_n(&log_max_level, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line so lines from several threads do not interleave. */
	if (log_to_journal)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "uiommufd: %s: %s\n", level_names[level], line);
	errno = saved;
}
