// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Link-time wrappers (-Wl,--wrap=NAME, daemon/meson.build) around every
 * allocation and every syscall the daemon's own code makes: each asks
 * fault_hit() whether it is the armed ioctl's nth failure point and, when
 * it is, fails as the real call could: NULL/-1 with the errno below.
 *
 * The errno chosen per call is one the real call documents for a
 * resource running out, the failure a well-formed request can meet:
 * ENOMEM for allocations, mappings, locking, stat and the /proc queries;
 * EMFILE for calls that make a descriptor; EIO for reads and writes of
 * /proc/PID/mem and files; ENOBUFS for socket sends; ESRCH for a pidfd
 * signal (the process went away).
 *
 * Release calls (free, close, munmap, obj_pool_free) are never failed:
 * like kfree() and fput() in the kernel they cannot fail in practice and
 * the unwinding paths rely on them.  free and obj_pool_free are wrapped
 * only to count what the daemon holds (fault_heap_bytes()).
 *
 * The heap count adds malloc_usable_size() of what the daemon's code gets
 * and takes away what it frees.  getline() and realpath() return memory
 * libc allocated by itself, which the daemon frees: their wrappers count
 * it in, so that the count stays exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/obj_pool.h"
#include "fault/fault.h"

static _Atomic long long heap_bytes;
static _Atomic long long pool_objects;

long long fault_heap_bytes(void)
{
	return atomic_load(&heap_bytes);
}

long long fault_pool_objects(void)
{
	return atomic_load(&pool_objects);
}

static void heap_add(void *p)
{
	if (p)
		atomic_fetch_add(&heap_bytes, (long long)malloc_usable_size(p));
}

static void heap_sub(void *p)
{
	if (p)
		atomic_fetch_sub(&heap_bytes, (long long)malloc_usable_size(p));
}

/* Fail with err when this is the nth point: the value to return is ret. */
#define FAULT_POINT(what, err, ret)                                         \
	do {                                                                \
		if (fault_hit(what, err)) {                                 \
			errno = err;                                        \
			return ret;                                         \
		}                                                           \
	} while (0)

/* The wrappers' prototypes, and the real calls --wrap gives us. */
#define WRAP_DECL(ret, name, ...)                                           \
	ret __real_##name(__VA_ARGS__);                                     \
	ret __wrap_##name(__VA_ARGS__)

WRAP_DECL(void *, malloc, size_t size);
WRAP_DECL(void *, calloc, size_t n, size_t size);
WRAP_DECL(void *, realloc, void *p, size_t size);
WRAP_DECL(void, free, void *p);
WRAP_DECL(ssize_t, __getdelim, char **line, size_t *cap, int delim, FILE *f);
WRAP_DECL(char *, realpath, const char *path, char *resolved);
WRAP_DECL(FILE *, fopen64, const char *path, const char *mode);
WRAP_DECL(FILE *, fdopen, int fd, const char *mode);
WRAP_DECL(FILE *, fopencookie, void *cookie, const char *mode,
	  cookie_io_functions_t funcs);
WRAP_DECL(void *, obj_pool_alloc, struct obj_pool *pool);
WRAP_DECL(void, obj_pool_free, struct obj_pool *pool, void *obj);
WRAP_DECL(void *, mmap64, void *addr, size_t len, int prot, int flags, int fd,
	  off_t off);
WRAP_DECL(int, madvise, void *addr, size_t len, int advice);
WRAP_DECL(int, memfd_create, const char *name, unsigned int flags);
WRAP_DECL(int, open64, const char *path, int flags, ...);
WRAP_DECL(int, openat64, int dfd, const char *path, int flags, ...);
WRAP_DECL(ssize_t, pread64, int fd, void *buf, size_t len, off_t off);
WRAP_DECL(ssize_t, pwrite64, int fd, const void *buf, size_t len, off_t off);
WRAP_DECL(ssize_t, read, int fd, void *buf, size_t len);
WRAP_DECL(ssize_t, write, int fd, const void *buf, size_t len);
WRAP_DECL(ssize_t, process_vm_readv, pid_t pid, const struct iovec *l,
	  unsigned long nl, const struct iovec *r, unsigned long nr,
	  unsigned long flags);
WRAP_DECL(ssize_t, process_vm_writev, pid_t pid, const struct iovec *l,
	  unsigned long nl, const struct iovec *r, unsigned long nr,
	  unsigned long flags);
WRAP_DECL(int, ioctl, int fd, unsigned long req, ...);
WRAP_DECL(int, fcntl64, int fd, int cmd, ...);
WRAP_DECL(int, fstat64, int fd, struct stat *st);
WRAP_DECL(int, stat64, const char *path, struct stat *st);
WRAP_DECL(int, fstatat64, int dfd, const char *path, struct stat *st,
	  int flags);
WRAP_DECL(int, statx, int dfd, const char *path, int flags, unsigned int mask,
	  struct statx *st);
WRAP_DECL(int, fstatfs64, int fd, struct statfs *st);
WRAP_DECL(ssize_t, readlink, const char *path, char *buf, size_t len);
WRAP_DECL(int, ftruncate64, int fd, off_t len);
WRAP_DECL(int, socketpair, int domain, int type, int proto, int sv[2]);
WRAP_DECL(ssize_t, sendmsg, int fd, const struct msghdr *msg, int flags);
WRAP_DECL(ssize_t, send, int fd, const void *buf, size_t len, int flags);
WRAP_DECL(int, eventfd, unsigned int initval, int flags);
WRAP_DECL(long, syscall, long nr, ...);

void *__wrap_malloc(size_t size)
{
	void *p;

	FAULT_POINT("malloc", ENOMEM, NULL);
	p = __real_malloc(size);
	heap_add(p);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p;

	FAULT_POINT("calloc", ENOMEM, NULL);
	p = __real_calloc(n, size);
	heap_add(p);
	return p;
}

void *__wrap_realloc(void *old, size_t size)
{
	size_t old_size = old ? malloc_usable_size(old) : 0;
	void *p;

	FAULT_POINT("realloc", ENOMEM, NULL);
	p = __real_realloc(old, size);
	if (p || !size) {
		atomic_fetch_sub(&heap_bytes, (long long)old_size);
		heap_add(p);
	}
	return p;
}

void __wrap_free(void *p)
{
	heap_sub(p);
	__real_free(p);
}

ssize_t __wrap___getdelim(char **line, size_t *cap, int delim, FILE *f)
{
	size_t before = *line ? malloc_usable_size(*line) : 0;
	ssize_t n;

	FAULT_POINT("getline", ENOMEM, -1);
	n = __real___getdelim(line, cap, delim, f);
	atomic_fetch_add(&heap_bytes,
			 (long long)(*line ? malloc_usable_size(*line) : 0) -
				 (long long)before);
	return n;
}

char *__wrap_realpath(const char *path, char *resolved)
{
	char *p;

	FAULT_POINT("realpath", ENOMEM, NULL);
	p = __real_realpath(path, resolved);
	if (!resolved)
		heap_add(p);
	return p;
}

FILE *__wrap_fopen64(const char *path, const char *mode)
{
	FAULT_POINT("fopen", ENOMEM, NULL);
	return __real_fopen64(path, mode);
}

FILE *__wrap_fdopen(int fd, const char *mode)
{
	FAULT_POINT("fdopen", ENOMEM, NULL);
	return __real_fdopen(fd, mode);
}

FILE *__wrap_fopencookie(void *cookie, const char *mode,
			 cookie_io_functions_t funcs)
{
	FAULT_POINT("fopencookie", ENOMEM, NULL);
	return __real_fopencookie(cookie, mode, funcs);
}

void *__wrap_obj_pool_alloc(struct obj_pool *pool)
{
	void *p;

	FAULT_POINT("obj_pool_alloc", ENOMEM, NULL);
	p = __real_obj_pool_alloc(pool);
	if (p)
		atomic_fetch_add(&pool_objects, 1);
	return p;
}

void __wrap_obj_pool_free(struct obj_pool *pool, void *obj)
{
	if (obj)
		atomic_fetch_sub(&pool_objects, 1);
	__real_obj_pool_free(pool, obj);
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off)
{
	FAULT_POINT("mmap", ENOMEM, MAP_FAILED);
	return __real_mmap64(addr, len, prot, flags, fd, off);
}

int __wrap_madvise(void *addr, size_t len, int advice)
{
	FAULT_POINT("madvise", ENOMEM, -1);
	return __real_madvise(addr, len, advice);
}

int __wrap_memfd_create(const char *name, unsigned int flags)
{
	FAULT_POINT("memfd_create", EMFILE, -1);
	return __real_memfd_create(name, flags);
}

int __wrap_open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	FAULT_POINT("open", EMFILE, -1);
	return __real_open64(path, flags, mode);
}

int __wrap_openat64(int dfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | __O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	FAULT_POINT("openat", EMFILE, -1);
	return __real_openat64(dfd, path, flags, mode);
}

ssize_t __wrap_pread64(int fd, void *buf, size_t len, off_t off)
{
	FAULT_POINT("pread", EIO, -1);
	return __real_pread64(fd, buf, len, off);
}

ssize_t __wrap_pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	FAULT_POINT("pwrite", EIO, -1);
	return __real_pwrite64(fd, buf, len, off);
}

ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	FAULT_POINT("read", EIO, -1);
	return __real_read(fd, buf, len);
}

ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	FAULT_POINT("write", EIO, -1);
	return __real_write(fd, buf, len);
}

ssize_t __wrap_process_vm_readv(pid_t pid, const struct iovec *l,
				unsigned long nl, const struct iovec *r,
				unsigned long nr, unsigned long flags)
{
	FAULT_POINT("process_vm_readv", ENOMEM, -1);
	return __real_process_vm_readv(pid, l, nl, r, nr, flags);
}

/*
 * Not a failure point: it writes the reply, after the command took
 * effect, as the kernel's copy_to_user() does (a failed MAP keeps its
 * mapping there too, and iommufd_fail_nth never fails a user copy).
 * Failing it would sweep the client's own memory, not the daemon.
 */
ssize_t __wrap_process_vm_writev(pid_t pid, const struct iovec *l,
				 unsigned long nl, const struct iovec *r,
				 unsigned long nr, unsigned long flags)
{
	return __real_process_vm_writev(pid, l, nl, r, nr, flags);
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	void *arg;
	va_list ap;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	FAULT_POINT("ioctl", ENOMEM, -1);
	return __real_ioctl(fd, req, arg);
}

int __wrap_fcntl64(int fd, int cmd, ...)
{
	void *arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	/* Only the commands that make a descriptor can run out. */
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		FAULT_POINT("fcntl(F_DUPFD)", EMFILE, -1);
	return __real_fcntl64(fd, cmd, arg);
}

int __wrap_fstat64(int fd, struct stat *st)
{
	FAULT_POINT("fstat", ENOMEM, -1);
	return __real_fstat64(fd, st);
}

int __wrap_stat64(const char *path, struct stat *st)
{
	FAULT_POINT("stat", ENOMEM, -1);
	return __real_stat64(path, st);
}

int __wrap_fstatat64(int dfd, const char *path, struct stat *st, int flags)
{
	FAULT_POINT("fstatat", ENOMEM, -1);
	return __real_fstatat64(dfd, path, st, flags);
}

int __wrap_statx(int dfd, const char *path, int flags, unsigned int mask,
		 struct statx *st)
{
	FAULT_POINT("statx", ENOMEM, -1);
	return __real_statx(dfd, path, flags, mask, st);
}

int __wrap_fstatfs64(int fd, struct statfs *st)
{
	FAULT_POINT("fstatfs", ENOMEM, -1);
	return __real_fstatfs64(fd, st);
}

ssize_t __wrap_readlink(const char *path, char *buf, size_t len)
{
	FAULT_POINT("readlink", ENOMEM, -1);
	return __real_readlink(path, buf, len);
}

int __wrap_ftruncate64(int fd, off_t len)
{
	FAULT_POINT("ftruncate", ENOSPC, -1);
	return __real_ftruncate64(fd, len);
}

int __wrap_socketpair(int domain, int type, int proto, int sv[2])
{
	FAULT_POINT("socketpair", EMFILE, -1);
	return __real_socketpair(domain, type, proto, sv);
}

ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	FAULT_POINT("sendmsg", ENOBUFS, -1);
	return __real_sendmsg(fd, msg, flags);
}

ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags)
{
	FAULT_POINT("send", ENOBUFS, -1);
	return __real_send(fd, buf, len, flags);
}

int __wrap_eventfd(unsigned int initval, int flags)
{
	FAULT_POINT("eventfd", EMFILE, -1);
	return __real_eventfd(initval, flags);
}

/*
 * syscall(): the numbers the daemon calls this way that can fail for want
 * of a resource or because the caller went away.  The credential switch
 * (setfsuid, setfsgid, capset, getgroups, capget) is left alone: its
 * failure is not a resource running out, and the restore path already
 * checks what it got back.
 */
long __wrap_syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	switch (nr) {
	case SYS_pidfd_open:
		FAULT_POINT("pidfd_open", EMFILE, -1);
		break;
	case SYS_pidfd_getfd:
		FAULT_POINT("pidfd_getfd", EMFILE, -1);
		break;
	case SYS_pidfd_send_signal:
		FAULT_POINT("pidfd_send_signal", ESRCH, -1);
		break;
	case SYS_mlock:
		FAULT_POINT("mlock", ENOMEM, -1);
		break;
	case SYS_setgroups:
		FAULT_POINT("setgroups", ENOMEM, -1);
		break;
	default:
		break;
	}
	return __real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
