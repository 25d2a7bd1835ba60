// SPDX-License-Identifier: GPL-2.0-or-later
#include "cuse/serve_loop.h"

#define FUSE_USE_VERSION 35
#include <errno.h>
#include <fuse_lowlevel.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

/* Interrupts a worker blocked in read(2) on the session fd. */
#define SERVE_WAKE_SIGNAL SIGUSR2

unsigned long long monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ull +
	       (unsigned long long)ts.tv_nsec / 1000;
}

static void wake_handler(int sig)
{
	(void)sig;
}

static void *serve_worker_main(void *arg)
{
	struct serve_worker *w = arg;
	struct serve_loop *loop = w->loop;
	struct fuse_buf buf = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SERVE_WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (!atomic_load(&loop->stop) && !fuse_session_exited(loop->se)) {
		int res = fuse_session_receive_buf(loop->se, &buf);

		if (res == -EINTR || res == -EAGAIN)
			continue;
		if (res <= 0) {
			/* ENODEV: the kernel side went away (unmount, stop). */
			if (res < 0 && res != -ENODEV)
				log_error("reading a request failed: %s",
					  strerror(-res));
			fuse_session_exit(loop->se);
			break;
		}
		atomic_store(&w->busy_since, monotonic_us());
		fuse_session_process_buf(loop->se, &buf);
		atomic_store(&w->busy_since, 0);
	}
	free(buf.mem);
	return NULL;
}

int serve_loop_start(struct serve_loop *loop, struct fuse_session *se,
		     unsigned int nr_workers)
{
	struct sigaction sa = { .sa_handler = wake_handler };

	/* No SA_RESTART: the wake signal must interrupt read(2). */
	sigemptyset(&sa.sa_mask);
	sigaction(SERVE_WAKE_SIGNAL, &sa, NULL);

	memset(loop, 0, sizeof(*loop));
	loop->se = se;
	loop->workers = calloc(nr_workers, sizeof(*loop->workers));
	if (!loop->workers)
		return -ENOMEM;
	loop->nr_workers = nr_workers;
	for (unsigned int i = 0; i < nr_workers; i++) {
		struct serve_worker *w = &loop->workers[i];
		int rc;

		w->loop = loop;
		rc = pthread_create(&w->thread, NULL, serve_worker_main, w);
		if (rc) {
			serve_loop_stop(loop);
			return -rc;
		}
		w->started = true;
	}
	return 0;
}

void serve_loop_stop(struct serve_loop *loop)
{
	atomic_store(&loop->stop, true);
	fuse_session_exit(loop->se);
	for (unsigned int i = 0; i < loop->nr_workers; i++) {
		struct serve_worker *w = &loop->workers[i];
		struct timespec ts;

		if (!w->started)
			continue;
		/*
		 * A worker may be between its stop check and read(2), where a
		 * signal would be lost: keep poking until it has returned.
		 */
		for (;;) {
			pthread_kill(w->thread, SERVE_WAKE_SIGNAL);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 50 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			if (pthread_timedjoin_np(w->thread, NULL, &ts) == 0)
				break;
		}
		w->started = false;
	}
	free(loop->workers);
	loop->workers = NULL;
	loop->nr_workers = 0;
}

bool serve_loop_stalled(struct serve_loop *loop, unsigned long long max_us)
{
	unsigned long long now = monotonic_us();

	for (unsigned int i = 0; i < loop->nr_workers; i++) {
		unsigned long long t = atomic_load(&loop->workers[i].busy_since);

		if (t && now - t > max_us)
			return true;
	}
	return false;
}
