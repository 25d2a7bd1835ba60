// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The caller's bound identity (daemon/core/caller_mm.c): the /proc text
 * parsers on hostile input, binding this very process and reaching its
 * memory, VMAs and shared files through the binding; and the MAP_FILE
 * rules that come with it (access mode, unpinnable files, files held per
 * context), through the fake transport with this process as the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_ops.h"
#include "core/caller_mm.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define PS 4096ul
#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define MAP_FIXED_RW (MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA)

static FILE *text(const char *s)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");

	assert_non_null(f);
	return f;
}

/* ---- parsers ------------------------------------------------------------ */

/*
 * A file name longer than any fixed buffer, holding what looks like a
 * "rw-s" line of its own: only whole lines count.
 */
static void test_maps_long_line_forges_nothing(void **state)
{
	const char *forged = " 7f0000000000-7f0000001000 rw-s 00000000 08:01 99 /etc/passwd";
	size_t pad = 5000, n;
	char *buf, *p;
	struct caller_vma v;
	FILE *f;

	(void)state;
	buf = malloc(pad + 1024);
	assert_non_null(buf);
	p = buf + sprintf(buf, "00400000-00401000 r--p 00000000 08:01 1234 /tmp/");
	memset(p, 'A', pad);
	p += pad;
	p += sprintf(p, "%s\n", forged);
	p += sprintf(p, "7f0000000000-7f0000002000 r--p 00001000 08:02 77 /a b (deleted)\n");
	n = (size_t)(p - buf);
	f = fmemopen(buf, n, "r");
	assert_non_null(f);
	assert_int_equal(caller_parse_maps(f, 0x7f0000000000, &v), 0);
	fclose(f);
	assert_int_equal(v.start, 0x7f0000000000);
	assert_int_equal(v.end, 0x7f0000002000);
	assert_false(v.write);
	assert_false(v.shared);
	assert_int_equal(v.ino, 77);
	assert_int_equal(v.pgoff, 0x1000);
	assert_int_equal(major(v.dev), 8);
	assert_int_equal(minor(v.dev), 2);

	/* The first VMA, whose name holds the forged text, is itself. */
	f = fmemopen(buf, n, "r");
	assert_int_equal(caller_parse_maps(f, 0, &v), 0);
	fclose(f);
	assert_int_equal(v.start, 0x400000);
	assert_true(v.read);
	assert_false(v.shared);
	assert_int_equal(v.ino, 1234);
	free(buf);
}

static void test_maps_rules(void **state)
{
	struct caller_vma v;
	FILE *f;

	(void)state;
	f = text("1000-2000 rw-s 00000000 00:01 5 /dev/zero (deleted)\n"
		 "3000-4000 r--p 00000000 00:00 0                          [vvar]\n"
		 "5000-6000 rw-p 00000000 00:00 0 \n");
	/* In a hole: the next VMA. */
	assert_int_equal(caller_parse_maps(f, 0x2000, &v), 0);
	assert_int_equal(v.start, 0x3000);
	assert_true(v.special);
	fclose(f);
	f = text("1000-2000 rw-s 00000000 00:01 5 /dev/zero (deleted)\n");
	assert_int_equal(caller_parse_maps(f, 0x1fff, &v), 0);
	assert_true(v.shared && v.write && v.read && !v.special);
	fclose(f);
	f = text("1000-2000 rw-s 00000000 00:01 5 x\n");
	assert_int_equal(caller_parse_maps(f, 0x2000, &v), -ENOENT);
	fclose(f);
	/* No text: the address space is gone. */
	f = text("");
	assert_int_equal(caller_parse_maps(f, 0, &v), -ESRCH);
	fclose(f);
	/* What is not a maps line is refused, not skipped. */
	f = text("garbage\n1000-2000 rw-s 00000000 00:01 5 x\n");
	assert_int_equal(caller_parse_maps(f, 0, &v), -EIO);
	fclose(f);
	/* A file named "[vvar]" is a path, never special. */
	f = text("1000-2000 r--p 00000000 08:01 9 /tmp/[vvar]\n");
	assert_int_equal(caller_parse_maps(f, 0, &v), 0);
	assert_false(v.special);
	fclose(f);
}

static void test_limits(void **state)
{
	uint64_t b = 0;
	FILE *f;

	(void)state;
	f = text("Limit                     Soft Limit           Hard Limit           Units     \n"
		 "Max cpu time              unlimited            unlimited            seconds   \n"
		 "Max locked memory         8388608              16777216             bytes     \n");
	assert_int_equal(caller_parse_limits_memlock(f, &b), 0);
	assert_int_equal(b, 8388608);
	fclose(f);
	f = text("Max locked memory         unlimited            unlimited            bytes     \n");
	assert_int_equal(caller_parse_limits_memlock(f, &b), 0);
	assert_int_equal(b, UINT64_MAX);
	fclose(f);
	f = text("Max cpu time              unlimited            unlimited            seconds   \n");
	assert_int_equal(caller_parse_limits_memlock(f, &b), -EIO);
	fclose(f);
	f = text("Max locked memory         lots                 unlimited            bytes     \n");
	assert_int_equal(caller_parse_limits_memlock(f, &b), -EIO);
	fclose(f);
}

static void test_status_long_groups(void **state)
{
	size_t n = 20000, len = 0;
	struct caller_creds cr;
	char *buf = malloc(n * 12 + 512);
	FILE *f;

	(void)state;
	assert_non_null(buf);
	len += (size_t)sprintf(buf + len, "Name:\tx\nTgid:\t42\nUid:\t1 2 3 1000\nGid:\t4 5 6 1001\nGroups:\t");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "%zu ", i + 100);
	len += (size_t)sprintf(buf + len, "\nCapPrm:\t0000000000000000\nCapEff:\t0000000000004000\n");
	f = fmemopen(buf, len, "r");
	assert_int_equal(caller_parse_status(f, &cr), 0);
	fclose(f);
	assert_int_equal(cr.tgid, 42);
	assert_int_equal(cr.fsuid, 1000);
	assert_int_equal(cr.fsgid, 1001);
	assert_int_equal(cr.ngroups, n);
	assert_int_equal(cr.groups[n - 1], n + 99);
	assert_int_equal(cr.cap_eff, 0x4000);
	caller_creds_fini(&cr);
	/* A missing field: refused. */
	f = text("Tgid:\t42\nUid:\t1 2 3 1000\nGid:\t4 5 6 1001\nGroups:\t\nCapEff:\t0\n");
	assert_int_equal(caller_parse_status(f, &cr), -EIO);
	fclose(f);
	free(buf);
}

/* ---- a binding of this process ------------------------------------------ */

static void bind_self(bool text)
{
	int mfd = memfd_create("t", MFD_CLOEXEC), fd;
	static const char ro[PS] __attribute__((aligned(4096))) = "read-only";
	struct caller_mm *mm;
	struct caller_vma v;
	char *shared, *priv, buf[16];
	struct stat st;

	assert_true(mfd >= 0);
	assert_int_equal(ftruncate(mfd, 2 * PS), 0);
	shared = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	priv = mmap(NULL, PS, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(shared != MAP_FAILED && priv != MAP_FAILED);
	assert_int_equal(caller_mm_bind(0, 0, &mm), -ESRCH);
	assert_int_equal(caller_mm_bind(gettid(), 0, &mm), 0);
	if (text)
		caller_mm_use_maps_text(mm);
	assert_int_equal(caller_mm_tgid(mm), getpid());
	assert_true(caller_mm_alive(mm));
	assert_true(caller_mm_process_alive(mm));
	assert_true(caller_mm_serves(mm, gettid(), geteuid(), getegid(), 0));
	assert_false(caller_mm_serves(mm, gettid() + 1, geteuid(), getegid(), 0));

	/* Memory through the bound mem fd. */
	assert_int_equal(caller_mm_write(mm, (uintptr_t)priv, "hello", 6), 0);
	assert_string_equal(priv, "hello");
	assert_int_equal(caller_mm_read(mm, (uintptr_t)ro, buf, 10), 0);
	assert_string_equal(buf, "read-only");
	assert_int_equal(caller_mm_write_checked(mm, (uintptr_t)ro, "x", 1), -EFAULT);
	assert_int_equal(caller_mm_read_checked(mm, (uintptr_t)ro, buf, 2), 0);
	assert_int_equal(mprotect(priv, PS, PROT_NONE), 0);
	assert_int_equal(caller_mm_read_checked(mm, (uintptr_t)priv, buf, 1), -EFAULT);
	assert_int_equal(mprotect(priv, PS, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(caller_mm_write_checked(mm, (uintptr_t)priv, "y", 2), 0);
	assert_string_equal(priv, "y");
	munmap(priv, PS);
	assert_int_equal(caller_mm_read(mm, (uintptr_t)priv, buf, 1), -EFAULT);

	/* The shared VMA and its file, opened as the caller and checked. */
	assert_int_equal(caller_mm_find_vma(mm, (uintptr_t)shared + PS, &v), 0);
	assert_int_equal(v.start, (uintptr_t)shared);
	assert_true(v.shared && v.write);
	assert_int_equal(caller_mm_open_vma(mm, &v, true, &fd), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_ino, v.ino);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	close(fd);
	/* The range changed since the lookup: not that file any more. */
	munmap(shared + PS, PS);
	assert_int_equal(caller_mm_open_vma(mm, &v, false, &fd), -ESTALE);
	assert_int_equal(fd, -1);
	munmap(shared, PS);
	/* The daemon's credentials are back after the open. */
	assert_int_equal(access("/proc/self/map_files", R_OK), 0);
	assert_true(caller_mm_memlock(mm) > 0);
	caller_mm_put(mm);
	close(mfd);
}

static void test_bind_self(void **state)
{
	(void)state;
	bind_self(false);
}

/* The same where the kernel has no PROCMAP_QUERY (Linux before 6.11). */
static void test_bind_self_maps_text(void **state)
{
	(void)state;
	bind_self(true);
}

/*
 * The file a binding keeps from its last open of a shared VMA serves only
 * that very mapping: not another file mapped over the same range since,
 * and not a writable open when it was opened read-only.
 */
static void test_kept_vma_file(void **state)
{
	int a = memfd_create("a", MFD_CLOEXEC), b = memfd_create("b", MFD_CLOEXEC);
	struct caller_vma v;
	struct caller_mm *mm;
	struct stat sa, sb, st;
	char *at;
	int fd;

	(void)state;
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(ftruncate(a, PS), 0);
	assert_int_equal(ftruncate(b, PS), 0);
	assert_int_equal(fstat(a, &sa), 0);
	assert_int_equal(fstat(b, &sb), 0);
	at = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	assert_true(at != MAP_FAILED);
	assert_int_equal(caller_mm_bind(gettid(), 0, &mm), 0);
	/* Read-only first: kept, but no writable open comes from it. */
	assert_int_equal(caller_mm_find_vma(mm, (uintptr_t)at, &v), 0);
	assert_int_equal(caller_mm_open_vma(mm, &v, false, &fd), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(fd);
	assert_int_equal(caller_mm_open_vma(mm, &v, true, &fd), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_ino, sa.st_ino);
	close(fd);
	/* Another file over the very same range. */
	assert_true(mmap(at, PS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 b, 0) == at);
	assert_int_equal(caller_mm_find_vma(mm, (uintptr_t)at, &v), 0);
	assert_int_equal(caller_mm_open_vma(mm, &v, true, &fd), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_ino, sb.st_ino);
	close(fd);
	/* Now read-only over it: the VMA says no writing, whatever is kept. */
	assert_int_equal(mprotect(at, PS, PROT_READ), 0);
	assert_int_equal(caller_mm_find_vma(mm, (uintptr_t)at, &v), 0);
	assert_false(v.write);
	{
		struct caller_vma w = v;

		w.write = true; /* a stale lookup that still said writable */
		assert_int_equal(caller_mm_open_vma(mm, &w, true, &fd),
				 -ESTALE);
	}
	munmap(at, PS);
	caller_mm_put(mm);
	close(a);
	close(b);
}

/* After exit, a binding reaches nothing, and says so. */
static void test_bind_exited_child(void **state)
{
	int pfd[2], status;
	struct caller_mm *mm;
	char c = 0, buf[8];
	pid_t pid;

	(void)state;
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (read(pfd[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(caller_mm_bind(pid, 0, &mm), 0);
	assert_int_equal(caller_mm_read(mm, (uintptr_t)&c, buf, 1), 0);
	assert_int_equal(write(pfd[1], &c, 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_false(caller_mm_alive(mm));
	assert_false(caller_mm_process_alive(mm));
	assert_int_equal(caller_mm_read(mm, (uintptr_t)&c, buf, 1), -EFAULT);
	/* The limit read at bind time still counts. */
	assert_true(caller_mm_memlock(mm) > 0);
	caller_mm_put(mm);
	close(pfd[0]);
	close(pfd[1]);
}

/*
 * A caller in another user namespace, where it holds every capability
 * (unshare(CLONE_NEWUSER) as uid 1000), lends the serving thread none of
 * them: a root 0600 file it maps through an fd it was given is not opened
 * for it.  With its bits applied the thread had DAC_OVERRIDE and
 * SYS_PTRACE in the daemon's namespace and opened that file.
 */
static void test_open_vma_other_userns(void **state)
{
	char path[] = "/dev/shm/uiommufd-t-XXXXXX", c = 0;
	int pfd[2], qfd[2], f, fd = 0, status;
	struct caller_mm *mm;
	struct caller_vma v;
	struct stat st;
	void *p = NULL;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	f = mkostemp(path, O_CLOEXEC);
	assert_true(f >= 0);
	assert_int_equal(fchmod(f, 0600), 0);
	assert_int_equal(ftruncate(f, PS), 0);
	assert_int_equal(stat("/proc/self/ns/user", &st), 0);
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	assert_int_equal(pipe2(qfd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		/* Ends when the test does, even when it fails. */
		close(qfd[1]);
		close(pfd[0]);
		p = mmap(NULL, PS, PROT_READ, MAP_SHARED, f, 0);
		if (p == MAP_FAILED || setgroups(0, NULL) ||
		    setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000) ||
		    prctl(PR_SET_DUMPABLE, 1) || unshare(CLONE_NEWUSER) ||
		    write(pfd[1], &p, sizeof(p)) != sizeof(p) ||
		    read(qfd[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &p, sizeof(p)) != sizeof(p)) {
		/* No unprivileged user namespaces here. */
		waitpid(pid, &status, 0);
		unlink(path);
		skip();
	}
	assert_int_equal(caller_mm_bind(pid, (uint64_t)st.st_ino, &mm), 0);
	assert_int_equal(caller_mm_find_vma(mm, (uintptr_t)p, &v), 0);
	assert_true(v.shared);
	assert_int_not_equal(caller_mm_open_vma(mm, &v, false, &fd), 0);
	assert_int_equal(fd, -1);
	/* The daemon's credentials are back after the attempt. */
	assert_int_equal(access("/proc/self/map_files", R_OK), 0);
	caller_mm_put(mm);
	assert_int_equal(write(qfd[1], &c, 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(pfd[0]);
	close(qfd[0]);
	close(qfd[1]);
	close(f);
	unlink(path);
}

/* ---- MAP_FILE ----------------------------------------------------------- */

static struct fake_env env;
#define C() (env.ictx)

static int setup(void **state)
{
	fake_env_caller_init(&env, false);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_env_caller_fini(&env);
	return 0;
}

static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_CLOEXEC);
}

/* A writable pin needs a writable fd; nothing is reopened for it. */
static void test_map_file_read_only_fd(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	int mfd = memfd_create("t", MFD_CLOEXEC), rfd;
	uint64_t iova = MOCK_APERTURE_START;

	(void)state;
	assert_int_equal(ftruncate(mfd, 4 * PS), 0);
	rfd = reopen(mfd, O_RDONLY);
	assert_true(rfd >= 0);
	assert_int_equal(fake_mock_domain(C(), ioas, NULL, NULL, NULL), 0);
	assert_int_equal(fake_map_file(C(), ioas, MAP_FIXED_RW, rfd, 0, 4 * PS,
				       &iova), -EACCES);
	/* Read-only is what that fd carries: fine. */
	assert_int_equal(fake_map_file(C(), ioas,
				       IOMMU_IOAS_MAP_READABLE |
					       IOMMU_IOAS_MAP_FIXED_IOVA,
				       rfd, 0, 4 * PS, &iova), 0);
	iova += 4 * PS;
	assert_int_equal(fake_map_file(C(), ioas, MAP_FIXED_RW, mfd, 0, 4 * PS,
				       &iova), 0);
	close(rfd);
	close(mfd);
}

/* What can never be pinned is not held: MAP works, the pin is EINVAL. */
static void test_map_file_unpinnable(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	uint64_t iova = MOCK_APERTURE_START;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(fake_map_file(C(), ioas, MAP_FIXED_RW, p[0], 0, PS,
				       &iova), 0);
	assert_int_equal(C()->nr_held_files, 0);
	assert_int_equal(fake_mock_domain(C(), ioas, NULL, NULL, NULL), -EINVAL);
	close(p[0]);
	close(p[1]);
}

/* Files held per context: shared by (file, mode), bounded. */
static void test_map_file_limit(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	uint64_t iova = MOCK_APERTURE_START;
	int m[3];

	(void)state;
	env.daemon.max_files_per_ctx = 2;
	for (int i = 0; i < 3; i++) {
		m[i] = memfd_create("t", MFD_CLOEXEC);
		assert_int_equal(ftruncate(m[i], PS), 0);
	}
	for (int i = 0; i < 2; i++, iova += PS)
		assert_int_equal(fake_map_file(C(), ioas, MAP_FIXED_RW, m[i], 0,
					       PS, &iova), 0);
	/* The same file again costs nothing. */
	assert_int_equal(fake_map_file(C(), ioas, MAP_FIXED_RW, m[0], 0, PS,
				       &iova), 0);
	iova += PS;
	assert_int_equal(C()->nr_held_files, 2);
	assert_int_equal(fake_map_file(C(), ioas, MAP_FIXED_RW, m[2], 0, PS,
				       &iova), -ENOMEM);
	/* Unmapping gives the slots back. */
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(C()->nr_held_files, 0);
	assert_int_equal(fake_map_file(C(), ioas, MAP_FIXED_RW, m[2], 0, PS,
				       &iova), 0);
	for (int i = 0; i < 3; i++)
		close(m[i]);
}

static uint8_t area[4 * PS] __attribute__((aligned(4096)));

static void *map_from_thread(void *arg)
{
	uint32_t ioas = *(uint32_t *)arg;
	pid_t saved = fake_caller_pid;
	long rc;

	fake_caller_pid = gettid();
	rc = fake_map_fixed(C(), ioas, MAP_RW, area + 2 * PS, PS,
			    MOCK_APERTURE_START + 2 * PS);
	/* The thread may exit: what it mapped stays reachable. */
	fake_caller_pid = saved;
	return (void *)rc;
}

/*
 * A thread that keeps its address space is bound once per context; each
 * other thread that maps is bound for itself.
 */
static void test_bindings_per_caller(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	pthread_t t;
	void *rc;

	(void)state;
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, area, PS,
					MOCK_APERTURE_START), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, area + PS, PS,
					MOCK_APERTURE_START + PS), 0);
	assert_int_equal(C()->nr_sources, 1);
	assert_int_equal(pthread_create(&t, NULL, map_from_thread, &ioas), 0);
	assert_int_equal(pthread_join(t, &rc), 0);
	assert_null(rc);
	assert_int_equal(C()->nr_sources, 2);
	/* Pinned after the mapping thread is gone: its process's mm. */
	assert_int_equal(fake_mock_domain(C(), ioas, NULL, NULL, NULL), 0);
	assert_int_equal(C()->pinned_bytes, 3 * PS);
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, NULL), 0);
	/* Both kept for the next call, used by nothing. */
	assert_int_equal(C()->nr_sources, 2);
	assert_int_equal(C()->nr_idle_sources, 2);
}

/* ---- bindings kept after their last mapping ----------------------------- */

/* MAP, UNMAP, MAP from one thread: bound once, the binding kept between. */
static void test_binding_kept_after_unmap(void **state)
{
	uint32_t ioas = fake_ioas_new(C());

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, area, PS,
						MOCK_APERTURE_START), 0);
		assert_int_equal(C()->nr_idle_sources, 0);
		assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, NULL), 0);
		assert_int_equal(C()->nr_idle_sources, 1);
	}
	assert_int_equal(C()->nr_binds, 1);
	assert_int_equal(C()->nr_sources, 1);
}

/* Bounded: the oldest idle bindings go first. */
static void *map_unmap_from_thread(void *arg)
{
	uint32_t ioas = *(uint32_t *)arg;
	pid_t saved = fake_caller_pid;
	long rc;

	fake_caller_pid = gettid();
	rc = fake_map_fixed(C(), ioas, MAP_RW, area, PS, MOCK_APERTURE_START);
	if (!rc)
		rc = fake_unmap(C(), ioas, 0, UINT64_MAX, NULL);
	fake_caller_pid = saved;
	return (void *)rc;
}

static void test_idle_bindings_bounded(void **state)
{
	uint32_t ioas = fake_ioas_new(C());

	(void)state;
	for (int i = 0; i < 20; i++) {
		pthread_t t;
		void *rc;

		assert_int_equal(pthread_create(&t, NULL, map_unmap_from_thread,
						&ioas), 0);
		assert_int_equal(pthread_join(t, &rc), 0);
		assert_null(rc);
	}
	assert_int_equal(C()->nr_binds, 20);
	assert_true(C()->nr_idle_sources <= 8);
	assert_int_equal(C()->nr_sources, C()->nr_idle_sources);
}

/*
 * A child that waits on a pipe; at the parent's word it does what step
 * says, then waits again.  Its reads of go end when the parent closes it.
 */
enum child_step { STEP_EXEC, STEP_DROP_CAPS, STEP_SETUID };

static pid_t stepping_child(int *go_out, enum child_step step)
{
	int go[2], ready[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(go, 0), 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct __user_cap_header_struct h = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct d[2] = { 0 };
		char fd[16];

		close(go[1]);
		close(ready[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		switch (step) {
		case STEP_EXEC:
			/* ready's write end closes at the exec. */
			snprintf(fd, sizeof(fd), "%d", go[0]);
			execl("/bin/sh", "sh", "-c", "read x <&$0", fd,
			      (char *)NULL);
			_exit(1);
		case STEP_DROP_CAPS:
			if (syscall(SYS_capset, &h, d))
				_exit(1);
			break;
		case STEP_SETUID:
			if (setresgid(65534, 65534, 65534) ||
			    setresuid(65534, 65534, 65534))
				_exit(1);
			break;
		}
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	*go_out = go[1];
	/* Kept open to be read once the step is taken. */
	*go_out |= ready[0] << 16;
	return pid;
}

/* Tells the child to take its step and waits until it has. */
static void child_step(int go)
{
	char c;

	assert_int_equal(write(go & 0xffff, "s", 1), 1);
	/* A byte (setuid, caps) or EOF (the exec closed it). */
	assert_true(read(go >> 16, &c, 1) >= 0);
	close(go >> 16);
}

/*
 * Binds the child with a MAP and an UNMAP (the binding kept idle), lets it
 * take its step, and maps again from it: the kept binding must not serve
 * (a new one is made), and caller_mm_serves() says why not.
 */
static void kept_binding_refused_after(enum child_step step)
{
	uint32_t ioas = fake_ioas_new(C());
	pid_t saved = fake_caller_pid, child;
	struct caller_mm *mm;
	int go;

	if (step != STEP_EXEC && geteuid() != 0) {
		skip();
		return;
	}
	child = stepping_child(&go, step);
	fake_caller_pid = child;
	/* Mapped before the fork: the child has the same VA. */
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, area, PS,
					MOCK_APERTURE_START), 0);
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(C()->nr_binds, 1);
	assert_int_equal(C()->nr_idle_sources, 1);
	assert_int_equal(caller_mm_bind(child, env.daemon.own_userns_ino, &mm),
			 0);
	assert_true(caller_mm_serves(mm, child, 0, 0,
				     env.daemon.own_userns_ino));
	child_step(go);
	assert_false(caller_mm_serves(mm, child, 0, 0,
				      env.daemon.own_userns_ino));
	caller_mm_put(mm);
	/* The exec'd shell maps nothing at area: no domain, nothing read. */
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, area, PS,
					MOCK_APERTURE_START), 0);
	assert_int_equal(C()->nr_binds, 2);
	assert_int_equal(C()->nr_sources, 1);
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, NULL), 0);
	fake_caller_pid = saved;
	close(go & 0xffff);
	assert_int_equal(waitpid(child, NULL, 0), child);
}

static void test_kept_binding_after_exec(void **state)
{
	(void)state;
	kept_binding_refused_after(STEP_EXEC);
}

static void test_kept_binding_after_capset(void **state)
{
	(void)state;
	kept_binding_refused_after(STEP_DROP_CAPS);
}

static void test_kept_binding_after_setuid(void **state)
{
	(void)state;
	kept_binding_refused_after(STEP_SETUID);
}

/* clone3() with set_tid: a new process under a number that was used. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size, tls, set_tid, set_tid_size, cgroup;
};

static pid_t fork_with_pid(pid_t want)
{
	struct clone3_args a = {
		.exit_signal = SIGCHLD,
		.set_tid = (uint64_t)(uintptr_t)&want,
		.set_tid_size = 1,
	};

	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

/*
 * A thread's number reused by another process after it exited: the kept
 * binding of the number must not serve the newcomer.
 */
static void test_kept_binding_after_tid_reuse(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	pid_t saved = fake_caller_pid, first, second;
	int go[2];
	char c;

	(void)state;
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	first = fork();
	assert_true(first >= 0);
	if (!first) {
		close(go[1]);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	fake_caller_pid = first;
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, area, PS,
					MOCK_APERTURE_START), 0);
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(C()->nr_idle_sources, 1);
	close(go[1]);
	assert_int_equal(waitpid(first, NULL, 0), first);
	close(go[0]);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	second = fork_with_pid(first);
	if (second < 0) {
		/* set_tid needs CAP_SYS_ADMIN over the pid namespace. */
		fake_caller_pid = saved;
		close(go[0]);
		close(go[1]);
		skip();
		return;
	}
	if (!second) {
		close(go[1]);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	assert_int_equal(second, first);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, area, PS,
					MOCK_APERTURE_START), 0);
	assert_int_equal(C()->nr_binds, 2);
	assert_int_equal(C()->nr_sources, 1);
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, NULL), 0);
	fake_caller_pid = saved;
	close(go[1]);
	assert_int_equal(waitpid(second, NULL, 0), second);
	close(go[0]);
}

/*
 * A caller that is not this process: a child without CAP_IPC_LOCK and with
 * RLIMIT_MEMLOCK at 64 KiB (16 pages), waiting until told to exit.
 */
static pid_t limited_child(int *release)
{
	int ready[2], go[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct rlimit rl = { 16 * PS, 16 * PS };
		struct __user_cap_header_struct h = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct d[2];

		close(go[1]);
		close(ready[0]);
		if (setrlimit(RLIMIT_MEMLOCK, &rl) || syscall(SYS_capget, &h, d))
			_exit(1);
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
		if (syscall(SYS_capset, &h, d) || write(ready[1], "r", 1) != 1)
			_exit(1);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*release = go[1];
	return pid;
}

static void reap(pid_t pid, int release)
{
	close(release);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* The mapper's RLIMIT_MEMLOCK, read from /proc, limits pins and dma-bufs. */
static void test_limit_of_another_process(void **state)
{
	uint32_t ioas = fake_ioas_new(C());
	struct iommu_test_cmd get = {
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = 32 * PS, .open_flags = O_CLOEXEC },
	};
	pid_t saved = fake_caller_pid, child;
	uint8_t *mem;
	int release;

	(void)state;
	/* Mapped before the fork: the same VA in the child. */
	mem = mmap(NULL, 32 * PS, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	child = limited_child(&release);
	fake_caller_pid = child;
	assert_int_equal(fake_mock_domain(C(), ioas, NULL, NULL, NULL), 0);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, mem, 32 * PS,
					MOCK_APERTURE_START), -ENOMEM);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, mem, 8 * PS,
					MOCK_APERTURE_START), 0);
	assert_int_equal(C()->pinned_bytes, 8 * PS);
	/* A dma-buf is charged whole at creation: 32 pages > 16 - 8. */
	assert_int_equal(fake_test_cmd(C(), &get), -ENOMEM);
	get.dmabuf_get.length = 8 * PS;
	/* Within the limit; no fd can be installed here, and it is given back. */
	assert_int_equal(fake_test_cmd(C(), &get), -EOPNOTSUPP);
	assert_int_equal(fake_map_fixed(C(), ioas, MAP_RW, mem + 8 * PS, 8 * PS,
					MOCK_APERTURE_START + 8 * PS), 0);
	fake_caller_pid = saved;
	reap(child, release);
	/* The child is gone: the pins stay, charged until unmapped. */
	assert_int_equal(C()->pinned_bytes, 16 * PS);
	assert_int_equal(fake_unmap(C(), ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(C()->pinned_bytes, 0);
	munmap(mem, 32 * PS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_long_line_forges_nothing),
		cmocka_unit_test(test_maps_rules),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_status_long_groups),
		cmocka_unit_test(test_bind_self),
		cmocka_unit_test(test_bind_self_maps_text),
		cmocka_unit_test(test_bind_exited_child),
		cmocka_unit_test(test_kept_vma_file),
		cmocka_unit_test(test_open_vma_other_userns),
		cmocka_unit_test_setup_teardown(test_map_file_read_only_fd,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_file_unpinnable,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_file_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bindings_per_caller,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_of_another_process,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_binding_kept_after_unmap,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_bindings_bounded,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_binding_after_exec,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_binding_after_capset,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_binding_after_setuid,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_binding_after_tid_reuse,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
