// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Theory of operation: serving requests when some never finish.
 *
 * A request runs on a worker thread and reads and writes the caller's
 * memory (process_vm_readv/writev, /proc/PID/mem).  The caller chooses that
 * memory, and may place it in a page of its own FUSE mount whose server
 * never answers: the worker then sleeps in the kernel until that server
 * answers or dies.  Nothing in this process can wake it (only a fatal
 * signal would, and that kills the process), so the design does not try:
 * it assumes that some workers are lost for as long as their caller wants,
 * and makes sure that a lost worker costs only its caller.
 *
 *  - The pool grows.  When a worker takes a request and no other worker is
 *    left reading the session fd, it starts one more (up to max_threads),
 *    so a reader always waits and the next request, anybody's, is read at
 *    once.  Workers beyond min_threads leave after SERVE_IDLE_MS without a
 *    request, not as soon as others are idle: with the client on the same
 *    CPU, the next request often arrives before the worker that answered
 *    the last one reads again, and leaving at once would start and end a
 *    thread per request.  Every worker waits in read(2) alone, never in
 *    poll(2): a request wakes every poller of the session fd but only one
 *    reader, so pollers would cost a wakeup each per request.  Instead a
 *    worker that finishes a request looks, at most every SERVE_TRIM_US,
 *    for workers beyond min_threads idle that long and interrupts their
 *    read with the wake signal; they leave.  An idle daemon keeps its
 *    extra workers until its next request.
 *
 *  - One uid holds few workers (admit.c).  At most --max-requests-per-user
 *    ioctls of one uid are served at once; the next ones of that uid are
 *    queued, in order, as the FUSE request plus a copy of its arguments,
 *    holding no thread, and are served by the worker that finishes one of
 *    that uid's requests.  So a user with any number of stuck threads holds
 *    at most that many workers, and max_threads is reached only when many
 *    users are stuck at once.  Opens and releases are never queued and
 *    never wait on a context's lock (contexts are counted references, see
 *    core/iommufd_private.h).
 *
 *  - Nothing shared waits for a worker.  The status snapshot tries context
 *    locks and reports last known figures when busy; the watchdog looks only
 *    at this pool's counters (serve_loop_stalled(): wedged means every
 *    worker the pool may have is busy, not that one request is slow); the
 *    stop waits for workers until its deadline and then leaves the stuck
 *    ones behind, naming them in the last log line, and the process exits.
 *
 * At exit the kernel kills every thread.  A worker in a killable wait (a
 * FUSE page read by process_vm_readv is one) dies with the others.  A
 * worker the kernel keeps in an uninterruptible wait cannot die until that
 * wait ends: until then the process is not fully gone, its parent is not
 * told, and its fds (the session, so our node) stay open.  A client can
 * put us there with its own FUSE server: the FLUSH of closing a copy of
 * its fd, a page of its file read through /proc/TID/mem, both wait
 * uninterruptibly.  So before giving up the stop aborts that client's FUSE
 * connections (fuse_abort.h): the one behind the caller address a worker
 * last noted (serve_loop_note_addr(), also called for each /proc/TID/mem
 * access), then every connection of a stuck caller's uid with requests
 * waiting.  Only a wait the client cannot end itself (a hung NFS mount)
 * still outlives the stop.
 */
#include "frontend/serve_loop.h"

#define FUSE_USE_VERSION 35
#include <errno.h>
#include <fuse_lowlevel.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontend/fuse_abort.h"
#include "log.h"
#include "core/caller_mm.h"
#include "core/ucmd.h"

/* Interrupts a worker blocked in read(2) on the session fd. */
#define SERVE_WAKE_SIGNAL SIGUSR2
/* How long a worker beyond min_threads waits for a request before leaving. */
#define SERVE_IDLE_MS 5000
/* How often, at most, a worker looks for idle ones to send away. */
#define SERVE_TRIM_US (1000 * 1000ull)
/* How often the stop pokes readers that may have missed the signal. */
#define SERVE_POKE_US (50 * 1000)

static _Thread_local struct serve_worker *current_worker;

static void wake_handler(int sig)
{
	(void)sig;
}

static void *serve_worker_main(void *arg);

/* Starts one more worker; under loop->lock. */
static int serve_spawn_locked(struct serve_loop *loop)
{
	struct serve_worker *w = calloc(1, sizeof(*w));
	pthread_attr_t attr;
	int rc;

	if (!w)
		return -ENOMEM;
	w->loop = loop;
	pthread_attr_init(&attr);
	/* Nobody joins a worker: a stuck one must not hold up the stop. */
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (loop->cpu >= 0 && loop->cpu < CPU_SETSIZE) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(loop->cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	rc = pthread_create(&w->thread, &attr, serve_worker_main, w);
	if (rc == EINVAL && loop->cpu >= 0) {
		/* That CPU is offline or outside our cpuset: run unpinned. */
		if (!loop->told_unpinned)
			log_notice("cannot pin workers to CPU %d: running them unpinned",
				   loop->cpu);
		loop->told_unpinned = true;
		pthread_attr_destroy(&attr);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&w->thread, &attr, serve_worker_main, w);
	}
	pthread_attr_destroy(&attr);
	if (rc) {
		free(w);
		return -rc;
	}
	w->next = loop->workers;
	if (loop->workers)
		loop->workers->pprev = &w->next;
	w->pprev = &loop->workers;
	loop->workers = w;
	loop->nr_threads++;
	return 0;
}

/* A worker took a request: keep a reader waiting if the pool may grow. */
static void serve_grow(struct serve_loop *loop)
{
	int rc = -EAGAIN;

	pthread_mutex_lock(&loop->lock);
	/* Checked again: a reader may have come back meanwhile. */
	if (atomic_load(&loop->nr_readers) || atomic_load(&loop->stop))
		goto out;
	if (loop->nr_threads < loop->max_threads)
		rc = serve_spawn_locked(loop);
	if (!rc)
		goto out;
	if (!atomic_load(&loop->saturated_since))
		atomic_store(&loop->saturated_since, monotonic_us());
	if (!loop->told_saturated) {
		loop->told_saturated = true;
		if (rc == -EAGAIN && loop->nr_threads >= loop->max_threads)
			log_warning("all %u workers are busy; requests wait (see --max-threads, --max-requests-per-user)",
				    loop->nr_threads);
		else
			log_warning("cannot start another worker (%s); requests wait",
				    strerror(-rc));
	}
out:
	pthread_mutex_unlock(&loop->lock);
}

/* Takes w out of the pool; under loop->lock.  The loop is not touched after. */
static void serve_leave_locked(struct serve_loop *loop, struct serve_worker *w)
{
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	loop->nr_threads--;
	pthread_cond_broadcast(&loop->changed);
}

/*
 * A worker beyond min_threads, idle for SERVE_IDLE_MS: leaves the pool if it
 * is still beyond it; true if it did.  Called after its read (no longer
 * counted in nr_readers).
 */
static bool serve_leave_if_extra(struct serve_loop *loop, struct serve_worker *w)
{
	bool leave = false;

	pthread_mutex_lock(&loop->lock);
	if (loop->nr_threads > loop->min_threads) {
		serve_leave_locked(loop, w);
		leave = true;
	}
	pthread_mutex_unlock(&loop->lock);
	return leave;
}

/*
 * After a request: interrupts the read of workers beyond min_threads that
 * have waited SERVE_IDLE_MS for one (they leave, see above).  Atomics only,
 * unless SERVE_TRIM_US passed since the last look.
 */
static void serve_trim(struct serve_loop *loop)
{
	unsigned long long now, last = atomic_load(&loop->last_trim);
	unsigned int extra;

	if (loop->src->keep_workers ||
	    atomic_load(&loop->nr_threads) <= loop->min_threads)
		return;
	now = monotonic_us();
	if (now - last < SERVE_TRIM_US ||
	    !atomic_compare_exchange_strong(&loop->last_trim, &last, now) ||
	    pthread_mutex_trylock(&loop->lock))
		return;
	extra = loop->nr_threads - loop->min_threads;
	for (struct serve_worker *w = loop->workers; w && extra; w = w->next) {
		unsigned long long since = atomic_load(&w->idle_since);

		if (atomic_load(&w->reading) && since &&
		    now - since >= SERVE_IDLE_MS * 1000ull) {
			pthread_kill(w->thread, SERVE_WAKE_SIGNAL);
			extra--;
		}
	}
	pthread_mutex_unlock(&loop->lock);
}

/*
 * The classic source: read(2) on the session fd, one request per read.
 * No poll(2) for the idle timeout: a request wakes every poller of the fd,
 * so idle workers wait in read(2) and serve_trim() interrupts them.
 */
static int session_receive(struct serve_loop *loop, struct serve_worker *w,
			   int idle_ms)
{
	struct fuse_buf *buf = w->job;

	(void)idle_ms;
	if (!buf) {
		buf = calloc(1, sizeof(*buf));
		if (!buf)
			return -EAGAIN;
		w->job = buf;
	}
	return fuse_session_receive_buf(loop->se, buf);
}

static void session_process(struct serve_loop *loop, struct serve_worker *w)
{
	fuse_session_process_buf(loop->se, w->job);
}

/*
 * A reader may be between its stop check and read(2), where a signal would
 * be lost: the stop calls this again until none is left.  Workers inside a
 * request are left alone, an interrupted syscall there would fail their
 * caller's ioctl for nothing.  Under loop->lock.
 */
void serve_loop_poke_readers(struct serve_loop *loop)
{
	for (struct serve_worker *w = loop->workers; w; w = w->next)
		if (atomic_load(&w->reading))
			pthread_kill(w->thread, SERVE_WAKE_SIGNAL);
}

static void session_worker_exit(struct serve_worker *w)
{
	struct fuse_buf *buf = w->job;

	if (buf)
		free(buf->mem);
	free(buf);
}

static const struct serve_source session_source = {
	.receive = session_receive,
	.process = session_process,
	.wake = serve_loop_poke_readers,
	.worker_exit = session_worker_exit,
};

static void *serve_worker_main(void *arg)
{
	struct serve_worker *w = arg;
	struct serve_loop *loop = w->loop;
	/* Kept: once this worker has left, the loop may be gone. */
	const struct serve_source *src = loop->src;
	bool left = false;
	sigset_t set;

	current_worker = w;
	sigemptyset(&set);
	sigaddset(&set, SERVE_WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	for (;;) {
		int res;

		/*
		 * Marked as reading before the stop is checked: the stop sets
		 * its flag, then pokes every reader until none is left, so a
		 * stop between the check and read(2) is not missed.
		 */
		atomic_store(&w->reading, true);
		atomic_fetch_add(&loop->nr_readers, 1);
		atomic_store(&loop->saturated_since, 0);
		if (atomic_load(&loop->stop) || fuse_session_exited(loop->se)) {
			atomic_fetch_sub(&loop->nr_readers, 1);
			atomic_store(&w->reading, false);
			break;
		}
		if (!atomic_load(&w->idle_since))
			atomic_store(&w->idle_since, monotonic_us());
		res = src->receive(loop, w,
				atomic_load(&loop->nr_threads) > loop->min_threads ?
					SERVE_IDLE_MS : -1);
		if (res == 0) {
			/* A source with its own idle timeout (uring_loop.c). */
			atomic_fetch_sub(&loop->nr_readers, 1);
			atomic_store(&w->reading, false);
			if (serve_leave_if_extra(loop, w)) {
				left = true;
				goto out;
			}
			continue;
		}
		atomic_store(&w->reading, false);
		if (atomic_fetch_sub(&loop->nr_readers, 1) == 1 && res > 0)
			serve_grow(loop);
		if (res == -EINTR || res == -EAGAIN) {
			/* serve_trim()'s signal, or the stop's poke. */
			if (!src->keep_workers &&
			    monotonic_us() - atomic_load(&w->idle_since) >=
				    SERVE_IDLE_MS * 1000ull &&
			    serve_leave_if_extra(loop, w)) {
				left = true;
				goto out;
			}
			continue;
		}
		atomic_store(&w->idle_since, 0);
		if (res <= 0) {
			/* ENODEV: the kernel side went away (unmount, stop). */
			if (res < 0 && res != -ENODEV)
				log_error("reading a request failed: %s",
					  strerror(-res));
			fuse_session_exit(loop->se);
			break;
		}

		atomic_store(&w->busy_since, monotonic_us());
		src->process(loop, w);
		atomic_store(&w->busy_since, 0);
		atomic_store(&w->cmd, 0);
		serve_trim(loop);
	}
out:
	/* Before leaving: a stop that saw no worker left may free it all. */
	if (src->worker_exit)
		src->worker_exit(w);
	if (!left) {
		pthread_mutex_lock(&loop->lock);
		serve_leave_locked(loop, w);
		pthread_mutex_unlock(&loop->lock);
	}
	current_worker = NULL;
	free(w);
	return NULL;
}

int serve_loop_start(struct serve_loop *loop, struct fuse_session *se,
		     unsigned int min_threads, unsigned int max_threads)
{
	return serve_loop_start_src(loop, se, &session_source, NULL, -1,
				    min_threads, max_threads);
}

int serve_loop_start_src(struct serve_loop *loop, struct fuse_session *se,
			 const struct serve_source *src, void *src_arg, int cpu,
			 unsigned int min_threads, unsigned int max_threads)
{
	struct sigaction sa = { .sa_handler = wake_handler };
	pthread_condattr_t ca;
	int rc = 0;

	/* No SA_RESTART: the wake signal must interrupt read(2). */
	sigemptyset(&sa.sa_mask);
	sigaction(SERVE_WAKE_SIGNAL, &sa, NULL);

	/* Accesses outside the argument transport say where they go too. */
	caller_mm_note_hook = serve_loop_note_addr;
	memset(loop, 0, sizeof(*loop));
	loop->se = se;
	loop->src = src;
	loop->src_arg = src_arg;
	loop->cpu = cpu;
	loop->min_threads = min_threads ? min_threads : 1;
	loop->max_threads = max_threads > loop->min_threads ? max_threads :
							      loop->min_threads;
	pthread_mutex_init(&loop->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&loop->changed, &ca);
	pthread_condattr_destroy(&ca);

	pthread_mutex_lock(&loop->lock);
	for (unsigned int i = 0; i < loop->min_threads && !rc; i++)
		rc = serve_spawn_locked(loop);
	pthread_mutex_unlock(&loop->lock);
	if (rc)
		serve_loop_stop(loop, 0);
	return rc;
}

static void serve_wait_until(struct serve_loop *loop, unsigned long long until)
{
	unsigned long long now = monotonic_us();
	struct timespec ts;

	if (until <= now)
		return;
	clock_deadline(CLOCK_MONOTONIC, until - now, &ts);
	pthread_cond_timedwait(&loop->changed, &loop->lock, &ts);
}

unsigned int serve_loop_stop(struct serve_loop *loop,
			     unsigned long long deadline_us)
{
	unsigned int left;

	pthread_mutex_lock(&loop->lock);
	atomic_store(&loop->stop, true);
	fuse_session_exit(loop->se);
	while (loop->nr_threads) {
		unsigned long long now = monotonic_us(), until = now + SERVE_POKE_US;

		/* Poked until every worker is gone: a wake can be missed. */
		loop->src->wake(loop);
		if (deadline_us && now >= deadline_us)
			break;
		if (deadline_us && until > deadline_us)
			until = deadline_us;
		serve_wait_until(loop, until);
	}
	left = loop->nr_threads;
	pthread_mutex_unlock(&loop->lock);
	return left;
}

void serve_loop_fini(struct serve_loop *loop)
{
	if (!loop->se)
		return; /* never started */
	pthread_cond_destroy(&loop->changed);
	pthread_mutex_destroy(&loop->lock);
	loop->se = NULL;
}

bool serve_loop_stalled(struct serve_loop *loop, unsigned long long max_us)
{
	unsigned long long since;

	since = atomic_load(&loop->nr_readers) || atomic_load(&loop->stop) ?
			0 : atomic_load(&loop->saturated_since);
	return since && monotonic_us() - since > max_us;
}

unsigned int serve_loop_describe_busy(struct serve_loop *loop, char *buf,
				      size_t len, size_t *used)
{
	unsigned long long now = monotonic_us();
	unsigned int n = 0;

	pthread_mutex_lock(&loop->lock);
	for (struct serve_worker *w = loop->workers; w; w = w->next) {
		unsigned long long t = atomic_load(&w->busy_since);
		unsigned int cmd = atomic_load(&w->cmd);
		int r;

		if (!t)
			continue;
		n++;
		if (*used >= len)
			continue;
		r = snprintf(buf + *used, len - *used, "%s%s pid %d uid %u (%.1f s)",
			     *used ? ", " : "",
			     cmd ? iommufd_cmd_name(cmd) : "request",
			     (int)atomic_load(&w->pid),
			     (unsigned int)atomic_load(&w->uid),
			     (double)(now - t) / 1e6);
		*used += r > 0 ? (size_t)r : 0;
	}
	pthread_mutex_unlock(&loop->lock);
	if (*used > len)
		*used = len;
	return n;
}

void serve_loop_note(unsigned int cmd, pid_t pid, uid_t uid, uint64_t addr)
{
	struct serve_worker *w = current_worker;

	if (!w)
		return;
	atomic_store(&w->pid, pid);
	atomic_store(&w->uid, uid);
	atomic_store(&w->addr, addr);
	atomic_store(&w->cmd, cmd);
}

void serve_loop_note_addr(uint64_t addr)
{
	if (current_worker)
		atomic_store(&current_worker->addr, addr);
}

unsigned int serve_loop_stuck(struct serve_loop *loop,
			      struct fuse_abort_stuck *out, unsigned int max)
{
	unsigned int n = 0;

	pthread_mutex_lock(&loop->lock);
	for (struct serve_worker *w = loop->workers; w && n < max; w = w->next) {
		if (!atomic_load(&w->busy_since) || !atomic_load(&w->cmd))
			continue;
		out[n].tid = atomic_load(&w->pid);
		out[n].uid = atomic_load(&w->uid);
		out[n].addr = atomic_load(&w->addr);
		n++;
	}
	pthread_mutex_unlock(&loop->lock);
	return n;
}
