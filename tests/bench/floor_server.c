// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * floor_server: the "bare transport floor" for uiommufd benchmarks.
 *
 * It serves the same transports as the daemon (a CUSE character device, or
 * a regular file DIR/iommu in a FUSE mount) but does no work: every ioctl is
 * answered at once with result 0.  Whatever ioctl_bench measures against it
 * is the cost of the kernel <-> userspace round trip alone, the floor under
 * any real iommufd command.  --arg adds the two ways a server can reach the
 * caller's argument struct, so their cost over the floor can be measured:
 *
 *   none   reply 0, touch no caller memory (the floor itself)
 *   retry  CUSE only: FUSE_IOCTL_RETRY asking the kernel to copy ARG_SIZE
 *          bytes at arg in and out, then echo them back (two round trips)
 *   pvm    process_vm_readv()/process_vm_writev() ARG_SIZE bytes at arg in
 *          the caller (one round trip plus two cross-process copies)
 *   pvm-read  process_vm_readv() only, as a call that fails after reading
 *          its argument (the daemon's minimal call)
 *
 * usage: floor_server (--cuse NAME | --fuse DIR) [--arg none|retry|pvm|pvm-read]
 *                     [--mt] [--loop classic|uring] [--debug]
 *
 * --loop uring serves with the daemon's own FUSE-over-io_uring loop
 * (daemon/frontend/uring_loop.c, with the classic pool for what still comes by
 * read(2)), so benchmarks can put both loops beside this floor; it needs
 * /sys/module/fuse/parameters/enable_uring=Y, which the caller sets.
 * classic (the default) is libfuse's own loop, the floor itself.
 *
 * Runs in the foreground; SIGTERM/SIGINT/SIGHUP end the loop, unmount (FUSE)
 * or unregister the device (CUSE, by closing /dev/cuse) and exit 0.
 */
#define FUSE_USE_VERSION 35

#include <cuse_lowlevel.h>
#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "frontend/serve_loop.h"
#include "frontend/uring_loop.h"

/* Every iommufd argument struct starts with a u32 size; 16 bytes covers the
 * small ones and is what ioctl_bench passes. */
#define ARG_SIZE 16

#define ROOT_INO  FUSE_ROOT_ID
#define IOMMU_INO 2
#define IOMMU_NAME "iommu"

enum arg_mode { ARG_NONE, ARG_RETRY, ARG_PVM, ARG_PVM_READ };

static enum arg_mode arg_mode = ARG_NONE;

/*
 * Copy ARG_SIZE bytes from the caller's arg and, with write_back, write them
 * back, the way a daemon reads an iommufd struct and writes its out fields
 * (a call that fails after reading its argument writes nothing).  pid is
 * the calling thread's id as FUSE reports it, which process_vm_* accept.
 * Returns 0 or a negative errno.
 */
static int pvm_bounce(pid_t pid, void *uarg, bool write_back)
{
	unsigned char buf[ARG_SIZE];
	struct iovec local = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct iovec remote = { .iov_base = uarg, .iov_len = sizeof(buf) };
	ssize_t n;

	if (pid <= 0)
		return -ESRCH; /* caller not visible in our pid namespace */
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(buf))
		return -EFAULT; /* partial copy: arg straddles an unmapped page */
	if (!write_back)
		return 0;
	n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(buf))
		return -EFAULT;
	return 0;
}

/* The one ioctl handler shared by both transports. */
static void floor_ioctl(fuse_req_t req, void *uarg, const void *in_buf,
			size_t in_bufsz)
{
	int err;

	switch (arg_mode) {
	case ARG_NONE:
		break;
	case ARG_RETRY: {
		/* The kernel passes _IO() commands with no data; ask it to
		 * fetch the struct and to copy the same range back out. */
		struct iovec iov = { .iov_base = uarg, .iov_len = ARG_SIZE };

		if (in_bufsz == 0) {
			fuse_reply_ioctl_retry(req, &iov, 1, &iov, 1);
			return;
		}
		if (in_bufsz != ARG_SIZE) {
			fuse_reply_err(req, EINVAL);
			return;
		}
		fuse_reply_ioctl(req, 0, in_buf, ARG_SIZE);
		return;
	}
	case ARG_PVM:
	case ARG_PVM_READ:
		err = pvm_bounce(fuse_req_ctx(req)->pid, uarg,
				 arg_mode == ARG_PVM);
		if (err) {
			fuse_reply_err(req, -err);
			return;
		}
		break;
	}
	fuse_reply_ioctl(req, 0, NULL, 0);
}

/* ------------------------------------------------------------- CUSE ---- */

static void cuse_open(fuse_req_t req, struct fuse_file_info *fi)
{
	fuse_reply_open(req, fi);
}

static void cuse_ioctl(fuse_req_t req, int cmd, void *uarg,
		       struct fuse_file_info *fi, unsigned int flags,
		       const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	(void)cmd; (void)fi; (void)flags; (void)out_bufsz;
	floor_ioctl(req, uarg, in_buf, in_bufsz);
}

static const struct cuse_lowlevel_ops cuse_ops = {
	.open = cuse_open,
	.ioctl = cuse_ioctl,
};

/* ------------------------------------------------------------- FUSE ---- */

static int fill_attr(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (ino == ROOT_INO) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (ino == IOMMU_INO) {
		/* 0666 like the kernel's /dev/iommu; the mount's own
		 * permissions (allow_other or not) still apply */
		st->st_mode = S_IFREG | 0666;
		st->st_nlink = 1;
	} else {
		return -ENOENT;
	}
	return 0;
}

/* Long timeouts: nothing here ever changes, and lookups should not show up
 * in the figures. */
#define ATTR_TIMEOUT 3600.0

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = {
		.ino = IOMMU_INO,
		.attr_timeout = ATTR_TIMEOUT,
		.entry_timeout = ATTR_TIMEOUT,
	};

	if (parent != ROOT_INO || strcmp(name, IOMMU_NAME) != 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_attr(IOMMU_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct stat st;
	int err = fill_attr(ino, &st);

	(void)fi;
	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_attr(req, &st, ATTR_TIMEOUT);
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != IOMMU_INO) {
		fuse_reply_err(req, ino == ROOT_INO ? EISDIR : ENOENT);
		return;
	}
	/* a device-like file: no page cache, no file position */
	fi->direct_io = 1;
	fi->nonseekable = 1;
	fuse_reply_open(req, fi);
}

static void fs_release(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	(void)ino; (void)fi;
	fuse_reply_err(req, 0);
}

/* Add one entry to a readdir buffer; returns the new used size. */
static size_t dirbuf_add(fuse_req_t req, char *buf, size_t size, size_t used,
			 const char *name, fuse_ino_t ino, off_t next)
{
	struct stat st = { .st_ino = ino };
	size_t len;

	fill_attr(ino, &st);
	len = fuse_add_direntry(req, buf + used, size - used, name, &st, next);
	return len > size - used ? used : used + len;
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	char buf[512];
	size_t used = 0;

	(void)fi;
	if (ino != ROOT_INO) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	/* offsets 1..3 name the entry after this one */
	if (off < 1)
		used = dirbuf_add(req, buf, size, used, ".", ROOT_INO, 1);
	if (off < 2)
		used = dirbuf_add(req, buf, size, used, "..", ROOT_INO, 2);
	if (off < 3)
		used = dirbuf_add(req, buf, size, used, IOMMU_NAME, IOMMU_INO, 3);
	fuse_reply_buf(req, buf, used);
}

static void fs_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd,
		     void *uarg, struct fuse_file_info *fi, unsigned int flags,
		     const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	(void)cmd; (void)fi; (void)flags; (void)out_bufsz;
	if (ino != IOMMU_INO) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	floor_ioctl(req, uarg, in_buf, in_bufsz);
}

static const struct fuse_lowlevel_ops fuse_ops = {
	.lookup = fs_lookup,
	.getattr = fs_getattr,
	.open = fs_open,
	.release = fs_release,
	.readdir = fs_readdir,
	.ioctl = fs_ioctl,
};

/* ------------------------------------------------------------- main ---- */

static struct fuse_session *the_session;
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
	/* only sets the session's exit flag, as libfuse's own handler does */
	fuse_session_exit(the_session);
}

/*
 * Our own handlers rather than fuse_set_signal_handlers(): installed without
 * SA_RESTART so a loop blocked in read() on the device returns EINTR and
 * sees the exit flag, and we know the stop was asked for (libfuse versions
 * differ in what the loop returns after a signal).  Returns 0 or -errno.
 */
static int set_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const int sigs[] = { SIGTERM, SIGINT, SIGHUP };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -errno;
	/* a client vanishing mid-reply must not kill the server */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		return -errno;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: floor_server (--cuse NAME | --fuse DIR) [--arg none|retry|pvm|pvm-read] [--mt] [--debug]\n"
		"  --cuse NAME  serve /dev/NAME through CUSE (unrestricted ioctls)\n"
		"  --fuse DIR   mount DIR and serve DIR/" IOMMU_NAME " (restricted ioctls)\n"
		"  --arg MODE   none: reply at once (default); retry: CUSE retry of %d bytes;\n"
		"               pvm: process_vm_readv/writev %d bytes at arg;\n"
		"               pvm-read: process_vm_readv only\n"
		"  --mt         fuse_session_loop_mt instead of the single-threaded loop\n"
		"  --loop L     classic: libfuse's loop (default); uring: the daemon's\n"
		"               FUSE-over-io_uring loop (needs enable_uring=Y)\n"
		"  --debug      libfuse request tracing on stderr\n",
		ARG_SIZE, ARG_SIZE);
}

/*
 * Open /dev/cuse ourselves (cuse_lowlevel_setup would open it without
 * O_CLOEXEC and daemonize) and hand it to the session as /dev/fd/N, which
 * fuse_session_mount takes as "already open, nothing to mount".
 * Returns the session or NULL.
 */
static struct fuse_session *cuse_session(struct fuse_args *args,
					 const char *name)
{
	char devname[256], fdpath[32];
	const char *dev_info[] = { devname };
	struct cuse_info ci = {
		.dev_info_argc = 1,
		.dev_info_argv = dev_info,
		/* iommufd commands are _IO(): only unrestricted ioctls let the
		 * server use the retry protocol or see the raw arg pointer */
		.flags = CUSE_UNRESTRICTED_IOCTL,
	};
	struct fuse_session *se;
	int fd;

	if (snprintf(devname, sizeof(devname), "DEVNAME=%s", name) >= (int)sizeof(devname)) {
		fprintf(stderr, "floor_server: device name too long\n");
		return NULL;
	}
	se = cuse_lowlevel_new(args, &ci, &cuse_ops, NULL);
	if (!se)
		return NULL;
	fd = open("/dev/cuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "floor_server: /dev/cuse: %s%s\n", strerror(errno),
			errno == ENOENT || errno == ENODEV ? " (modprobe cuse?)" : "");
		fuse_session_destroy(se);
		return NULL;
	}
	snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fd);
	if (fuse_session_mount(se, fdpath) != 0) {
		close(fd);
		fuse_session_destroy(se);
		return NULL;
	}
	return se; /* fuse_session_destroy closes fd */
}

/*
 * The daemon's loops: the ring queues plus the classic pool for what comes
 * by read(2).  The stop signals are blocked in every thread and taken here.
 * Returns 0 or 1.
 */
static int run_uring(struct fuse_session *se, bool cuse)
{
	struct serve_loop classic;
	struct uring_loop *u;
	sigset_t set;
	int sig = 0, rc;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	rc = uring_loop_new(se, cuse, 1, 64, &u);
	if (rc) {
		fprintf(stderr, "floor_server: io_uring loop: %s\n", strerror(-rc));
		return 1;
	}
	rc = serve_loop_start(&classic, se, 1, 64);
	if (rc) {
		fprintf(stderr, "floor_server: workers: %s\n", strerror(-rc));
		uring_loop_free(u);
		return 1;
	}
	sigwait(&set, &sig);
	got_signal = sig;
	if (!uring_loop_stop(u, monotonic_us() + 2000000) &&
	    !serve_loop_stop(&classic, monotonic_us() + 2000000)) {
		serve_loop_fini(&classic);
		uring_loop_free(u);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cuse_name = NULL, *fuse_dir = NULL;
	bool mt = false, debug = false, uring = false;
	struct fuse_session *se;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--cuse") && v) {
			cuse_name = v; i++;
		} else if (!strcmp(a, "--fuse") && v) {
			fuse_dir = v; i++;
		} else if (!strcmp(a, "--arg") && v) {
			if (!strcmp(v, "none"))
				arg_mode = ARG_NONE;
			else if (!strcmp(v, "retry"))
				arg_mode = ARG_RETRY;
			else if (!strcmp(v, "pvm"))
				arg_mode = ARG_PVM;
			else if (!strcmp(v, "pvm-read"))
				arg_mode = ARG_PVM_READ;
			else {
				fprintf(stderr, "floor_server: --arg none|retry|pvm|pvm-read\n");
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--loop") && v) {
			if (strcmp(v, "uring") && strcmp(v, "classic")) {
				fprintf(stderr, "floor_server: --loop classic|uring\n");
				return 2;
			}
			uring = !strcmp(v, "uring");
			i++;
		} else if (!strcmp(a, "--mt")) {
			mt = true;
		} else if (!strcmp(a, "--debug")) {
			debug = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!cuse_name == !fuse_dir) {
		usage(stderr);
		return 2;
	}
	if (fuse_dir && arg_mode == ARG_RETRY) {
		/* the kernel fails a retry reply to a restricted ioctl with EIO */
		fprintf(stderr, "floor_server: --arg retry needs --cuse (FUSE file ioctls are restricted)\n");
		return 2;
	}

	/* libfuse takes its options argv-style; only -d is of use here */
	char *fargv[] = { argv[0], debug ? "-d" : NULL, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(debug ? 2 : 1, fargv);

	if (cuse_name) {
		se = cuse_session(&args, cuse_name);
	} else {
		se = fuse_session_new(&args, &fuse_ops, sizeof(fuse_ops), NULL);
		if (se && fuse_session_mount(se, fuse_dir) != 0) {
			fuse_session_destroy(se);
			se = NULL;
		}
	}
	fuse_opt_free_args(&args);
	if (!se)
		return 1;
	the_session = se;
	rc = set_signals();
	if (rc == 0 && uring)
		rc = run_uring(se, cuse_name != NULL);
	else if (rc == 0)
		rc = mt ? fuse_session_loop_mt(se, NULL) : fuse_session_loop(se);
	else
		fprintf(stderr, "floor_server: sigaction: %s\n", strerror(-rc));
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	if (got_signal)
		return 0; /* asked to stop: whatever the loop returned is moot */
	if (rc != 0)
		fprintf(stderr, "floor_server: session loop ended: %d\n", rc);
	return rc == 0 ? 0 : 1;
}
