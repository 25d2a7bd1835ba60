// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shared_anon_semantics: the promises of private anonymous memory, checked
 * under libuiommufd-shared-anon.so (run with it in LD_PRELOAD; without it
 * the first case fails, so the test cannot pass by accident).  Each case
 * fails if the shim breaks its rule: zero fill, MADV_DONTNEED/FREE/REMOVE
 * reading zero, mremap and realloc keeping data, munmap/mprotect/MAP_FIXED
 * of a part, fork giving the child an isolated copy while the parent
 * keeps its very memfd, MADV_DONTFORK/WIPEONFORK, and the fallbacks to
 * real private memory (no memfd to be had, the table full, disabled).
 *
 *   shared_anon_semantics            the cases
 *   shared_anon_semantics table N    (run by the cases) N regions asked for
 *                                    under UIOMMUFD_SHARED_ANON_REGIONS
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "itest.h"

#define MiB (1024ul * 1024)
#define KiB 1024ul

enum backing { UNMAPPED, ANON, MEMFD, OTHER };

/* What backs addr, from /proc/self/maps; *ino: the file's inode. */
static enum backing backing_of(const void *addr, unsigned long *ino)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	enum backing b = UNMAPPED;

	if (!f)
		return UNMAPPED;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, inode;
		char path[256] = "";

		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %255s", &lo, &hi,
			   &inode, path) < 3)
			continue;
		if ((uintptr_t)addr < lo || (uintptr_t)addr >= hi)
			continue;
		if (ino)
			*ino = inode;
		if (strstr(path, "/memfd:uiommufd-shared-anon"))
			b = MEMFD;
		else if (!inode)
			b = ANON;
		else
			b = OTHER;
		break;
	}
	fclose(f);
	return b;
}

static void *anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void fill(void *p, size_t len, unsigned char seed)
{
	for (size_t i = 0; i < len; i++)
		((unsigned char *)p)[i] = (unsigned char)(seed + i * 13 + (i >> 12));
}

static bool filled(const void *p, size_t len, unsigned char seed)
{
	for (size_t i = 0; i < len; i++)
		if (((const unsigned char *)p)[i] !=
		    (unsigned char)(seed + i * 13 + (i >> 12)))
			return false;
	return true;
}

static bool zero(const void *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (((const unsigned char *)p)[i])
			return false;
	return true;
}

static void test_backed_and_zero(void)
{
	uint8_t *p = anon(MiB), *small = anon(16 * KiB), *c;

	CHECK(backing_of(p, NULL) == MEMFD);	/* the shim is preloaded */
	CHECK(zero(p, MiB));
	CHECK(backing_of(small, NULL) == ANON);	/* under the threshold */
	munmap(p, MiB);
	munmap(small, 16 * KiB);
	CHECK(backing_of(p, NULL) == UNMAPPED);

	c = calloc(1, 3 * MiB);
	CHECK(c && backing_of(c, NULL) == MEMFD);
	CHECK(c && zero(c, 3 * MiB));
	/* a freed block kept for reuse still reads zero through calloc */
	for (int i = 0; i < 3; i++) {
		memset(c, 0xa5, 3 * MiB);
		free(c);
		c = calloc(3, MiB);
		CHECK(c && backing_of(c, NULL) == MEMFD && zero(c, 3 * MiB));
	}
	free(c);
}

/* Reservations, stacks and hugetlb are left as they are. */
static void test_left_alone(void)
{
	void *r = mmap(NULL, MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *n = mmap(NULL, MiB, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	void *s = mmap(NULL, MiB, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	void *f;

	CHECK(backing_of(r, NULL) == ANON);
	CHECK(backing_of(n, NULL) == ANON);
	CHECK(backing_of(s, NULL) == ANON);
	/* memory made later inside a reservation (QEMU's RAM) is backed */
	f = mmap(r, MiB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(f == r && backing_of(r, NULL) == MEMFD);
	munmap(r, MiB);
	munmap(n, MiB);
	munmap(s, MiB);
}

static void test_discard_reads_zero(void)
{
	static const int advice[] = { MADV_DONTNEED, MADV_FREE, MADV_REMOVE };

	for (unsigned int i = 0; i < 3; i++) {
		uint8_t *p = anon(MiB);

		fill(p, MiB, (unsigned char)i);
		CHECK_RC(madvise(p + 256 * KiB, 256 * KiB, advice[i]) ? -errno : 0, 0);
		CHECK(filled(p, 256 * KiB, (unsigned char)i));
		CHECK(zero(p + 256 * KiB, 256 * KiB));
		/* the rest still holds its bytes */
		CHECK(p[600 * KiB] == (unsigned char)(i + 600 * KiB * 13 + ((600 * KiB) >> 12)));
		munmap(p, MiB);
	}
	/* read-only memory too (MADV_REMOVE needs a writable mapping) */
	{
		uint8_t *p = anon(MiB);

		fill(p, MiB, 3);
		CHECK(mprotect(p, MiB, PROT_READ) == 0);
		CHECK_RC(madvise(p, MiB, MADV_DONTNEED) ? -errno : 0, 0);
		CHECK(zero(p, MiB));
		munmap(p, MiB);
	}
}

static void test_mremap(void)
{
	uint8_t *p = anon(MiB), *q, *r;

	/* grow, moving: contents kept, still backed */
	fill(p, MiB, 5);
	q = mremap(p, MiB, 8 * MiB, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED);
	if (q == MAP_FAILED)
		return;
	CHECK(filled(q, MiB, 5));
	CHECK(zero(q + MiB, 7 * MiB));
	CHECK(backing_of(q + 7 * MiB, NULL) == MEMFD);
	/* shrink in place */
	r = mremap(q, 8 * MiB, 512 * KiB, 0);
	CHECK(r == q && filled(r, 512 * KiB, 5));
	CHECK(backing_of(q + MiB, NULL) != MEMFD);
	munmap(r, 512 * KiB);

	/* grow in place without MREMAP_MAYMOVE: the same address */
	p = anon(4 * MiB);
	munmap(p + 2 * MiB, 2 * MiB);
	fill(p, 2 * MiB, 6);
	q = mremap(p, 2 * MiB, 4 * MiB, 0);
	CHECK(q == p);
	if (q == p) {
		CHECK(filled(q, 2 * MiB, 6) && zero(q + 2 * MiB, 2 * MiB));
		CHECK(backing_of(q + 3 * MiB, NULL) == MEMFD);
	}
	/* no room: ENOMEM, nothing changed */
	r = anon(MiB);
	if (r != q + 4 * MiB) {
		munmap(r, MiB);
		r = mmap(q + 4 * MiB, MiB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	}
	if (r == q + 4 * MiB) {
		CHECK(mremap(q, 4 * MiB, 6 * MiB, 0) == MAP_FAILED && errno == ENOMEM);
		CHECK(filled(q, 2 * MiB, 6));
	}
	munmap(r, MiB);
	/* move to a fixed place: contents follow, the old place is gone */
	r = anon(4 * MiB);
	munmap(r, 4 * MiB);
	p = mremap(q, 4 * MiB, 4 * MiB, MREMAP_MAYMOVE | MREMAP_FIXED, r);
	CHECK(p == r && filled(p, 2 * MiB, 6));
	CHECK(backing_of(q, NULL) == UNMAPPED || q == r);
	CHECK(backing_of(p, NULL) == MEMFD);
	/* MREMAP_DONTUNMAP: moved, and the old range reads zero */
	q = mremap(p, 4 * MiB, 4 * MiB, MREMAP_MAYMOVE | 4 /* DONTUNMAP */);
	CHECK(q != MAP_FAILED);
	if (q != MAP_FAILED) {
		CHECK(filled(q, 2 * MiB, 6));
		CHECK(zero(p, 4 * MiB));
		munmap(q, 4 * MiB);
	}
	munmap(p, 4 * MiB);
	/* old_size 0 duplicates shared memory only: private memory says EINVAL */
	p = anon(MiB);
	CHECK(mremap(p, 0, MiB, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL);
	munmap(p, MiB);
}

static void test_realloc(void)
{
	uint8_t *p = malloc(100 * KiB), *q;

	CHECK(p && backing_of(p, NULL) == MEMFD);
	fill(p, 100 * KiB, 7);
	q = realloc(p, 16 * MiB);
	CHECK(q && filled(q, 100 * KiB, 7));
	CHECK(q && backing_of(q + 15 * MiB, NULL) == MEMFD);
	CHECK(malloc_usable_size(q) >= 16 * MiB);
	p = realloc(q, 200 * KiB);	/* shrink, still large */
	CHECK(p && filled(p, 100 * KiB, 7));
	q = realloc(p, 1000);		/* under the threshold: the next malloc */
	CHECK(q && filled(q, 1000, 7) && backing_of(q, NULL) != MEMFD);
	p = realloc(q, 2 * MiB);	/* and back */
	CHECK(p && filled(p, 1000, 7) && backing_of(p, NULL) == MEMFD);
	free(p);
	/* aligned allocations */
	CHECK(posix_memalign((void **)&p, 4096, MiB) == 0);
	CHECK(((uintptr_t)p & 4095) == 0 && backing_of(p, NULL) == MEMFD);
	free(p);
	p = aligned_alloc(256, 512 * KiB);
	CHECK(p && ((uintptr_t)p & 255) == 0 && backing_of(p, NULL) == MEMFD);
	free(p);
}

static void test_part_unmap_protect_fixed(void)
{
	uint8_t *p = anon(MiB), *f;

	fill(p, MiB, 8);
	CHECK(munmap(p + 256 * KiB, 256 * KiB) == 0);
	CHECK(backing_of(p + 300 * KiB, NULL) == UNMAPPED);
	CHECK(filled(p, 256 * KiB, 8));
	CHECK(p[700 * KiB] == (unsigned char)(8 + 700 * KiB * 13 + ((700 * KiB) >> 12)));
	/* a fixed private mapping over a part: zero there, the rest kept */
	f = mmap(p + 512 * KiB, 128 * KiB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(f == p + 512 * KiB && zero(f, 128 * KiB));
	CHECK(backing_of(f, NULL) == MEMFD);
	CHECK(p[700 * KiB] == (unsigned char)(8 + 700 * KiB * 13 + ((700 * KiB) >> 12)));
	/* a small fixed mapping over a part is the kernel's own */
	f = mmap(p + 768 * KiB, 16 * KiB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(f == p + 768 * KiB && backing_of(f, NULL) == ANON && zero(f, 16 * KiB));
	/* mprotect of a part, kept through a fork */
	CHECK(mprotect(p, 64 * KiB, PROT_READ) == 0);
	{
		pid_t pid = fork();
		int st;

		if (!pid) {
			p[100 * KiB] = 1;		/* writable */
			_exit(filled(p, 64 * KiB, 8) ? 0 : 3);
		}
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st));
		pid = fork();
		if (!pid) {
			p[10] = 1;			/* read-only: SIGSEGV */
			_exit(0);
		}
		CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
		      WTERMSIG(st) == SIGSEGV);
	}
	munmap(p, MiB);
}

/* The child's copy and the parent's memory are two: both ways. */
static void test_fork_isolation(void)
{
	uint8_t *p = anon(4 * MiB), *m = malloc(MiB);
	unsigned long ino_before = 0, ino_after = 0, ino_child = 0;
	int to_child[2], to_parent[2], st;
	pid_t pid;
	char c;

	fill(p, 4 * MiB, 9);
	fill(m, MiB, 10);
	CHECK(backing_of(p, &ino_before) == MEMFD);
	CHECK(pipe(to_child) == 0 && pipe(to_parent) == 0);
	pid = fork();
	if (!pid) {
		int bad = 0;

		/* the copy as it was at fork */
		bad |= !filled(p, 4 * MiB, 9) << 0;
		bad |= !filled(m, MiB, 10) << 1;
		/* the child's own shared memory, not its parent's */
		bad |= (backing_of(p, &ino_child) != MEMFD) << 2;
		bad |= (ino_child == ino_before) << 3;
		fill(p, 4 * MiB, 11);
		m[5] ^= 0xff;
		if (write(to_parent[1], "w", 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(100);
		/* the parent's writes after the fork stay its own */
		bad |= !filled(p, 4 * MiB, 11) << 4;
		bad |= (m[7] != (unsigned char)(10 + 7 * 13)) << 5;
		_exit(bad);
	}
	CHECK(pid > 0);
	CHECK(read(to_parent[0], &c, 1) == 1);
	/* the child's writes stay its own */
	CHECK(filled(p, 4 * MiB, 9));
	CHECK(filled(m, MiB, 10));
	fill(p, 4 * MiB, 12);
	m[7] = 0;
	CHECK(write(to_child[1], "p", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	if (WIFEXITED(st) && WEXITSTATUS(st))
		fprintf(stderr, "child failed checks %#x\n", WEXITSTATUS(st));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the parent keeps its very memfd (what the daemon has mapped) */
	CHECK(backing_of(p, &ino_after) == MEMFD && ino_after == ino_before);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	munmap(p, 4 * MiB);
	free(m);
}

static void test_fork_advice(void)
{
	uint8_t *d = anon(MiB), *w = anon(MiB);
	pid_t pid;
	int st;

	fill(d, MiB, 13);
	fill(w, MiB, 14);
	CHECK(madvise(d, MiB, MADV_DONTFORK) == 0);
	CHECK(madvise(w, MiB, MADV_WIPEONFORK) == 0);
	pid = fork();
	if (!pid)
		_exit((backing_of(d, NULL) != UNMAPPED) | (!zero(w, MiB) << 1) |
		      ((backing_of(w, NULL) != MEMFD) << 2));
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(filled(d, MiB, 13) && filled(w, MiB, 14));
	/* a region given back to fork is copied again */
	CHECK(madvise(d, MiB, MADV_DOFORK) == 0);
	pid = fork();
	if (!pid)
		_exit(!filled(d, MiB, 13));
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	munmap(d, MiB);
	munmap(w, MiB);
}

/*
 * Threads allocating, growing and freeing large blocks while another
 * forks: every block keeps its bytes, every child sees its copy whole.
 */
static int thread_bad;

static void *churn(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	for (int i = 0; i < 150; i++) {
		size_t n = 64 * KiB + (rand_r(&seed) % 8) * 96 * KiB;
		unsigned char tag = (unsigned char)rand_r(&seed);
		uint8_t *p = malloc(n);

		if (!p) {
			__atomic_store_n(&thread_bad, 1, __ATOMIC_RELAXED);
			break;
		}
		fill(p, n, tag);
		p = realloc(p, n * 2);
		if (!p || !filled(p, n, tag))
			__atomic_store_n(&thread_bad, 1, __ATOMIC_RELAXED);
		free(p);
	}
	return NULL;
}

/* A freed block kept for reuse is not copied into a child. */
static void test_fork_freed_block(void)
{
	uint8_t *p = malloc(5 * MiB), *q;
	volatile uintptr_t was = (uintptr_t)p;
	pid_t pid;
	int st;

	fill(p, 5 * MiB, 17);
	free(p);
	pid = fork();
	if (!pid)
		_exit(backing_of((void *)was, NULL) == MEMFD);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st));
	/* handed out again, it is copied again */
	q = malloc(5 * MiB);
	CHECK(q && backing_of(q, NULL) == MEMFD);
	if (!q)
		return;
	fill(q, 5 * MiB, 18);
	pid = fork();
	if (!pid)
		_exit(!filled(q, 5 * MiB, 18));
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st));
	free(q);
}

static void test_threads_and_fork(void)
{
	pthread_t t[3];
	uint8_t *mine = anon(2 * MiB);

	fill(mine, 2 * MiB, 21);
	for (int i = 0; i < 3; i++)
		CHECK(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i + 1)) == 0);
	for (int i = 0; i < 10; i++) {
		pid_t pid = fork();
		int st;

		if (!pid)
			_exit(!filled(mine, 2 * MiB, 21));
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st));
	}
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK(!thread_bad);
	CHECK(filled(mine, 2 * MiB, 21));
	munmap(mine, 2 * MiB);
}

/* No memfd can be had (no descriptor free): the real private memory. */
static void test_fallback_no_fd(void)
{
	struct rlimit old, lim;
	uint8_t *p;

	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	lim = old;
	/* a new descriptor gets the lowest free number: make that too high */
	lim.rlim_cur = (rlim_t)dup(0);
	close((int)lim.rlim_cur);
	CHECK(setrlimit(RLIMIT_NOFILE, &lim) == 0);
	p = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	CHECK(backing_of(p, NULL) == ANON && zero(p, MiB));
	fill(p, MiB, 15);
	CHECK(filled(p, MiB, 15));
	munmap(p, MiB);
}

/* Runs this program again with env set; returns its exit status. */
static int rerun(const char *self, const char *env, const char *mode,
		 const char *arg)
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		char *e = strdup(env), *eq = strchr(e, '=');

		*eq = '\0';
		setenv(e, eq + 1, 1);
		execl(self, self, mode, arg, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* table N: map N regions; some must be backed and the rest private. */
static int table_mode(int n, bool want_backed)
{
	int backed = 0, plain = 0;

	for (int i = 0; i < n; i++) {
		uint8_t *p = anon(128 * KiB);
		enum backing b = backing_of(p, NULL);

		fill(p, 128 * KiB, (unsigned char)i);
		if (!filled(p, 128 * KiB, (unsigned char)i))
			return 1;
		backed += b == MEMFD;
		plain += b == ANON;
	}
	printf("table: %d backed, %d private\n", backed, plain);
	if (!want_backed)
		return backed ? 1 : 0;
	return backed && plain && backed + plain == n ? 0 : 1;
}

static const char *self_path;

static void test_fallback_table_full(void)
{
	CHECK(rerun(self_path, "UIOMMUFD_SHARED_ANON_REGIONS=160", "table", "300") == 0);
}

static void test_disabled(void)
{
	CHECK(rerun(self_path, "UIOMMUFD_SHARED_ANON=0", "off", "20") == 0);
	/* a threshold above the size: private */
	CHECK(rerun(self_path, "UIOMMUFD_SHARED_ANON_MIN=1M", "off", "20") == 0);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	self_path = argv[0];
	if (argc == 3 && !strcmp(argv[1], "table"))
		return table_mode(atoi(argv[2]), true);
	if (argc == 3 && !strcmp(argv[1], "off"))
		return table_mode(atoi(argv[2]), false);
	if (backing_of(main, NULL) == UNMAPPED)	/* no /proc */
		return 77;
	RUN(test_backed_and_zero);
	RUN(test_left_alone);
	RUN(test_discard_reads_zero);
	RUN(test_mremap);
	RUN(test_realloc);
	RUN(test_part_unmap_protect_fixed);
	RUN(test_fork_isolation);
	RUN(test_fork_advice);
	RUN(test_fork_freed_block);
	RUN(test_threads_and_fork);
	RUN(test_fallback_no_fd);
	RUN(test_fallback_table_full);
	RUN(test_disabled);
	return itest_finish();
}
