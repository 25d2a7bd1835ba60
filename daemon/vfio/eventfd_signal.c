// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eventfd_signal_nowait(): see eventfd_signal.h for why a write needs a
 * bound.  Linux has no per-call non-blocking write, and setting O_NONBLOCK
 * would change the client's own file, so the write is bounded by a timer
 * of the writing thread whose signal (installed without SA_RESTART)
 * interrupts it.  Each thread makes its timer on first use and deletes it
 * when it exits.
 */
#include "vfio/eventfd_signal.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* glibc before 2.41 does not name the thread id of a SIGEV_THREAD_ID event */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

/* How long a write may wait: it only ever waits when a client raced us. */
#define EVENTFD_WRITE_LIMIT_NS (10 * 1000 * 1000L)

static pthread_once_t write_once = PTHREAD_ONCE_INIT;
static pthread_key_t timer_key;
static int write_signal;
static __thread timer_t thread_timer;
static __thread bool thread_timer_made;

static void write_interrupted(int sig)
{
	(void)sig;
}

static void thread_timer_delete(void *unused)
{
	(void)unused;
	if (thread_timer_made) {
		timer_delete(thread_timer);
		thread_timer_made = false;
	}
}

static void write_setup(void)
{
	struct sigaction sa = { .sa_handler = write_interrupted };

	write_signal = SIGRTMIN + 3;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must end the write. */
	sigaction(write_signal, &sa, NULL);
	(void)pthread_key_create(&timer_key, thread_timer_delete);
}

static int thread_timer_get(void)
{
	struct sigevent ev;

	if (thread_timer_made)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = write_signal;
	ev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &ev, &thread_timer))
		return -errno;
	thread_timer_made = true;
	/* Any non-NULL value: the destructor runs at the thread's exit. */
	(void)pthread_setspecific(timer_key, &thread_timer);
	return 0;
}

int eventfd_write_bounded(int fd, uint64_t val, long limit_ns)
{
	struct itimerspec arm = { .it_value = { .tv_sec = limit_ns / 1000000000L,
						.tv_nsec = limit_ns % 1000000000L } };
	struct itimerspec off = { 0 };
	sigset_t set, old;
	ssize_t n;
	int rc, err;

	pthread_once(&write_once, write_setup);
	rc = thread_timer_get();
	if (rc)
		return rc;
	sigemptyset(&set);
	sigaddset(&set, write_signal);
	pthread_sigmask(SIG_UNBLOCK, &set, &old);
	if (timer_settime(thread_timer, 0, &arm, NULL)) {
		err = errno;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return -err;
	}
	n = write(fd, &val, sizeof(val));
	err = errno;
	/* An expiry after the write runs the empty handler, nothing else. */
	timer_settime(thread_timer, 0, &off, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (n == sizeof(val))
		return 0;
	return n < 0 ? -err : -EIO;
}

int eventfd_signal_nowait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int rc;

	if (fd < 0)
		return -EBADF;
	/* The usual case, a counter with room, costs no timer. */
	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
		return -EAGAIN;
	rc = eventfd_write_bounded(fd, 1, EVENTFD_WRITE_LIMIT_NS);
	return rc == -EINTR ? -EAGAIN : rc;
}
