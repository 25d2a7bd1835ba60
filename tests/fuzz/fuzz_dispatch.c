// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: sequences of ioctls through the real dispatcher
 * (iommufd_dispatch()) with the unit tests' fake transport
 * (tests/unit/fake_ucmd.c), the caller being this process.
 *
 * The input encoding is in fuzz_cmds.h.  Every input gets a fresh daemon
 * state and one to four contexts, all released at its end, so that
 * LeakSanitizer sees what a sequence leaked and no input depends on another.
 *
 * Caller memory.  The harness's buffers sit inside one large PROT_NONE
 * reservation, with guard space between them: a shared anonymous buffer
 * (pinned through map_files), a private one (reached by VA), a memfd mapping
 * (also the MAP_FILE fd), and a read-only one.  Pointers the fuzzer gives
 * are never used raw: a pointer field is made to point into a buffer, into
 * the guard space, at page 0 or at a kernel address, and lengths of caller
 * VA stay inside the reservation.  The daemon reaches this process's memory
 * through /proc/self/mem and map_files, for real, so a raw pointer would let
 * an input make the daemon write over the fuzzer itself, which is the
 * caller's right and not a daemon bug.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_ucmd.h"
#include "fuzz_cmds.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"
#include "uiommufd/vfio_abi.h"
#include "vfio/device.h"
#include "vfio/device_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define PAGE 4096ull
#define BUF_LEN (256 * 1024ull)
#define ARG_MAX (64 * 1024ull)
#define RESV_LEN (64ull << 30)
/* Where each buffer starts in the reservation; the rest is PROT_NONE. */
#define OFF_SHARED (0ull)
#define OFF_PRIVATE (1ull << 20)
#define OFF_MEMFD (2ull << 20)
#define OFF_RO (3ull << 20)
#define OFF_ARG (4ull << 20)
#define OFF_GUARD (8ull << 20)
#define RO_LEN (16 * 1024ull)
/* A length of caller VA is kept below this (the reservation is larger). */
#define ULEN_MASK ((1ull << 35) - 1)

#define MAX_CTX 4
#define POOL_IDS 64
#define POOL_IOVAS 16
#define POOL_FDS 16
/* Open files of the input's served edu device at once. */
#define MAX_DEV_FILES 2
#define NR_EVENTFDS 3
/* The most a region read or write moves (FP_DEV_RW). */
#define DEV_RW_MAX 8192

static struct {
	char *resv;
	char *shared, *priv, *mfd_buf, *ro, *arg;
	int memfd, memfd_ro, regfd;
	pid_t pid;
	bool trace; /* UIOMMUFD_FUZZ_TRACE set: each call and its result */
	int fd_floor; /* the lowest free fd when the input began */
	/*
	 * What stands for context N's file in a BIND: a memfd the harness's
	 * ctx_from_file recognises by its inode (the unit tests' way).
	 */
	int ictx_fd[MAX_CTX];
	ino_t ictx_ino[MAX_CTX];
	int efd[NR_EVENTFDS]; /* for SET_IRQS */
	uint8_t rw_buf[DEV_RW_MAX];
} h;

struct run {
	const uint8_t *p;
	size_t left;
	struct fake_env env;
	unsigned int nctx;
	struct iommufd_ctx *ctx[MAX_CTX];
	bool unreachable[MAX_CTX];
	uint32_t ids[POOL_IDS];
	unsigned int nr_ids;
	uint64_t iovas[POOL_IOVAS];
	unsigned int nr_iovas;
	int fds[POOL_FDS];
	unsigned int nr_fds;
	size_t memfd_len; /* of the memfd buffer, registered as caller memory */
	size_t arg_dirty; /* bytes of the argument buffer to clear */
	struct served_device *sd; /* the input's edu device */
	struct vfio_device_file *df[MAX_DEV_FILES];
};

/* The input running now, for the ctx_from_file hook. */
static struct run *cur_run;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_dispatch: %s: %s\n", what, strerror(errno));
	abort();
}

static uint8_t take_u8(struct run *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

static void take(struct run *r, void *dst, size_t n)
{
	size_t m = n < r->left ? n : r->left;

	memcpy(dst, r->p, m);
	memset((char *)dst + m, 0, n - m);
	r->p += m;
	r->left -= m;
}

static void map_fixed(void *at, size_t len, int prot, int flags, int fd)
{
	if (mmap(at, len, prot, flags | MAP_FIXED, fd, 0) == MAP_FAILED)
		die("mmap");
}

static int lowest_free_fd(void)
{
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		die("F_DUPFD");
	close(fd);
	return fd;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[64];

	(void)argc;
	(void)argv;
	h.pid = getpid();
	h.trace = getenv("UIOMMUFD_FUZZ_TRACE");
	/*
	 * One thread: a second file's BIND can never see the first binding
	 * go while it waits, so the wait would only cost 500 ms an input.
	 */
	sdev_bind_wait_us = 0;
	h.resv = mmap(NULL, RESV_LEN, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h.resv == MAP_FAILED)
		die("reserve");
	h.shared = h.resv + OFF_SHARED;
	h.priv = h.resv + OFF_PRIVATE;
	h.mfd_buf = h.resv + OFF_MEMFD;
	h.ro = h.resv + OFF_RO;
	h.arg = h.resv + OFF_ARG;
	map_fixed(h.shared, BUF_LEN, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1);
	map_fixed(h.priv, BUF_LEN, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1);
	h.memfd = memfd_create("fuzz-memfd", MFD_CLOEXEC);
	if (h.memfd < 0 || ftruncate(h.memfd, BUF_LEN))
		die("memfd");
	map_fixed(h.mfd_buf, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
		  h.memfd);
	map_fixed(h.ro, RO_LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	map_fixed(h.arg, ARG_MAX, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", h.memfd);
	h.memfd_ro = open(path, O_RDONLY | O_CLOEXEC);
	if (h.memfd_ro < 0)
		die("memfd read-only");
	/* A regular file: MAP_FILE must refuse to pin it. */
	h.regfd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (h.regfd < 0 || ftruncate(h.regfd, BUF_LEN))
		die("tmpfile");
	for (unsigned int i = 0; i < MAX_CTX; i++) {
		struct stat st;

		h.ictx_fd[i] = memfd_create("fuzz-iommufd", MFD_CLOEXEC);
		if (h.ictx_fd[i] < 0 || fstat(h.ictx_fd[i], &st))
			die("iommufd stand-in");
		h.ictx_ino[i] = st.st_ino;
	}
	for (unsigned int i = 0; i < NR_EVENTFDS; i++) {
		h.efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (h.efd[i] < 0)
			die("eventfd");
	}
	return 0;
}

/* BIND's iommufd: context N's stand-in memfd is context N's file. */
static int fuzz_ctx_from_file(struct iommufd_daemon *d, int fd,
			      struct iommufd_ctx **out)
{
	struct stat st;

	(void)d;
	if (fstat(fd, &st))
		return -EBADFD;
	for (unsigned int i = 0; i < cur_run->nctx; i++) {
		if (st.st_ino != h.ictx_ino[i] || !cur_run->ctx[i])
			continue;
		iommufd_ctx_get(cur_run->ctx[i]);
		*out = cur_run->ctx[i];
		return 0;
	}
	return -EBADFD;
}

static void pool_id(struct run *r, uint32_t id)
{
	if (r->nr_ids < POOL_IDS)
		r->ids[r->nr_ids++] = id;
	else
		r->ids[id % POOL_IDS] = id;
}

static void pool_iova(struct run *r, uint64_t iova)
{
	if (r->nr_iovas < POOL_IOVAS)
		r->iovas[r->nr_iovas++] = iova;
	else
		r->iovas[iova % POOL_IOVAS] = iova;
}

static void pool_fd(struct run *r, int fd)
{
	if (r->nr_fds < POOL_FDS)
		r->fds[r->nr_fds++] = fd;
	else
		r->fds[(unsigned int)fd % POOL_FDS] = fd;
}

/* The caller memory the fake transport reaches (fake_ucmd.c). */
static void register_buffers(struct run *r)
{
	fake_user_reset();
	fake_user_add(h.shared, BUF_LEN);
	fake_user_add(h.priv, BUF_LEN);
	if (r->memfd_len)
		fake_user_add(h.mfd_buf, r->memfd_len);
}

static uint64_t pick_ptr(uint8_t mode, uint64_t raw)
{
	uint64_t off = (mode >> 3) * PAGE + (raw & (PAGE - 1));

	switch (mode & 7) {
	case 0:
	case 1:
		return (uintptr_t)h.shared + off;
	case 2:
		return (uintptr_t)h.priv + off;
	case 3:
		return (uintptr_t)h.mfd_buf + off;
	case 4:
		return (uintptr_t)h.ro + off;
	case 5:
		return (uintptr_t)h.resv + OFF_GUARD + off;
	case 6:
		return off; /* page 0 and up: never mapped */
	default:
		return 0xffff800000000000ull + off; /* the kernel's half */
	}
}

static uint64_t pick_len(uint8_t mode, uint64_t raw, bool caller_va)
{
	static const uint64_t special[8] = {
		0, 1, 2048, PAGE - 1, UINT64_MAX, UINT64_MAX - PAGE + 1,
		1ull << 31, 1ull << 35,
	};

	if (mode < 96)
		return ((mode % 32) + 1) * PAGE;
	if (mode < 128)
		return ((mode % 32) + 1) * (uint64_t)MOCK_PAGE_SIZE;
	if (mode < 192)
		return caller_va ? raw & ULEN_MASK : raw;
	if (mode < 224)
		return raw & 0xffffffffull & (caller_va ? ULEN_MASK : ~0ull);
	return special[mode % 8];
}

static uint64_t pick_iova(struct run *r, uint8_t mode, uint64_t raw)
{
	if (mode < 64)
		return raw;
	if (mode < 128)
		return r->nr_iovas ? r->iovas[mode % r->nr_iovas] : raw;
	if (mode < 192)
		return MOCK_APERTURE_START + (mode - 128) * PAGE;
	return raw & ~(PAGE - 1);
}

static int pick_fd(struct run *r, uint8_t mode, int raw)
{
	switch (mode % 8) {
	case 0:
		return h.memfd;
	case 1:
		return h.memfd_ro;
	case 2:
		return h.regfd;
	case 3:
	case 4:
		return r->nr_fds ? r->fds[(mode / 8) % r->nr_fds] : -1;
	case 5:
		return -1;
	case 6:
		return raw;
	default:
		return 1000 + mode / 8; /* a number nothing holds */
	}
}

static int pick_iommufd(struct run *r, uint8_t mode, int raw)
{
	switch (mode % 8) {
	case 0:
	case 1:
	case 2:
	case 3:
		return h.ictx_fd[mode % MAX_CTX]; /* maybe a context not open */
	case 4:
		return h.memfd; /* a file, not an iommufd */
	case 5:
		return -1;
	case 6:
		return raw;
	default:
		return pick_fd(r, mode / 8, raw);
	}
}

static int pick_eventfd(struct run *r, uint8_t mode, int raw)
{
	switch (mode % 8) {
	case 0:
	case 1:
	case 2:
	case 3:
		return h.efd[mode % NR_EVENTFDS];
	case 4:
		return -1;
	case 5:
		return raw;
	default:
		return pick_fd(r, mode / 8, raw);
	}
}

static void fix_field(struct run *r, const struct fuzz_field *f, uint8_t mode,
		      uint8_t *s)
{
	uint64_t v64;
	uint32_t v32;
	int32_t fd;

	switch (f->kind) {
	case FK_ID:
		memcpy(&v32, s + f->off, 4);
		if (mode < 200 && r->nr_ids)
			v32 = r->ids[mode % r->nr_ids];
		else if (mode < 224)
			v32 = mode % 24;
		memcpy(s + f->off, &v32, 4);
		break;
	case FK_OUT_ID:
	case FK_OUT_FD:
		/* The kernel ignores what an output field holds; mostly zero. */
		if (!(mode & 1))
			memset(s + f->off, 0, 4);
		break;
	case FK_PTR:
		memcpy(&v64, s + f->off, 8);
		v64 = pick_ptr(mode, v64);
		memcpy(s + f->off, &v64, 8);
		break;
	case FK_FD:
		memcpy(&fd, s + f->off, 4);
		fd = pick_fd(r, mode, fd);
		memcpy(s + f->off, &fd, 4);
		break;
	case FK_IOMMUFD:
	case FK_EVENTFD:
		memcpy(&fd, s + f->off, 4);
		fd = f->kind == FK_IOMMUFD ? pick_iommufd(r, mode, fd) :
					     pick_eventfd(r, mode, fd);
		memcpy(s + f->off, &fd, 4);
		break;
	case FK_IOVA:
		memcpy(&v64, s + f->off, 8);
		v64 = pick_iova(r, mode, v64);
		memcpy(s + f->off, &v64, 8);
		break;
	case FK_LEN:
	case FK_ULEN:
		memcpy(&v64, s + f->off, 8);
		v64 = pick_len(mode, v64, f->kind == FK_ULEN);
		memcpy(s + f->off, &v64, 8);
		break;
	}
}

/* What a call that succeeded created: IDs, fds, IOVAs, for later records. */
static void harvest(struct run *r, const struct fuzz_cmd *c, const uint8_t *s,
		    long rc)
{
	unsigned int nf = fuzz_nr_fields(c);
	uint64_t v64;
	uint32_t v32;

	if (c->flags & FC_RET_FD)
		pool_fd(r, (int)rc);
	for (unsigned int i = 0; i < nf; i++) {
		const struct fuzz_field *f = &c->f[i];

		switch (f->kind) {
		case FK_OUT_ID:
			memcpy(&v32, s + f->off, 4);
			pool_id(r, v32);
			break;
		case FK_OUT_FD:
			memcpy(&v32, s + f->off, 4);
			pool_fd(r, (int)v32);
			break;
		case FK_IOVA:
			memcpy(&v64, s + f->off, 8);
			pool_iova(r, v64);
			break;
		}
	}
}

static int open_ctx(struct run *r, unsigned int i, bool vfio_node,
		    bool unreachable)
{
	r->unreachable[i] = unreachable;
	r->ctx[i] = NULL;
	return iommufd_ctx_open(&r->env.daemon, 0, 0, vfio_node, &r->ctx[i]);
}

static void close_ctx(struct run *r, unsigned int i)
{
	if (r->ctx[i])
		iommufd_ctx_release(r->ctx[i]);
	r->ctx[i] = NULL;
}

/* FP_FILL: param's low 2 bits the buffer, the rest its page. */
static void fill(struct run *r, uint8_t param, const void *bytes, size_t n)
{
	static const uint64_t at[] = { OFF_SHARED, OFF_PRIVATE, OFF_MEMFD,
				       OFF_SHARED };
	uint64_t off = (param >> 2) * PAGE;

	if ((param & 3) == 2 && off + n > r->memfd_len)
		return; /* past the truncated memfd's end: no page there */
	memcpy(h.resv + at[param & 3] + off, bytes, n);
}

static void dev_open(struct run *r, unsigned int i)
{
	if (!r->df[i] && vfio_device_file_open(r->sd, h.pid, 0, &r->df[i]))
		r->df[i] = NULL;
}

static void dev_close(struct run *r, unsigned int i)
{
	if (r->df[i])
		vfio_device_file_release(r->df[i]);
	r->df[i] = NULL;
}

/*
 * pread/pwrite of the device file at a region's offset: BAR0's registers
 * drive edu's DMA through the bound context's IOAS, the config space's
 * command register turns bus mastering on and off.
 */
static void dev_rw(struct run *r, unsigned int i, uint8_t param,
		   const struct fuzz_dev_rw *a)
{
	uint64_t off = param & 0x80 ? a->off : a->off & 0xff;
	size_t len = param & 0x40 ? a->len % (DEV_RW_MAX + 1) :
				    1u << (a->len % 4);
	uint64_t value = a->value;
	ssize_t rc;

	if (!r->df[i])
		return;
	if ((param & 0x20) && r->nr_iovas)
		value = r->iovas[a->value % r->nr_iovas] + (a->value >> 56);
	for (size_t n = 0; n < DEV_RW_MAX; n += 8)
		memcpy(h.rw_buf + n, &value, 8);
	rc = vfio_device_file_rw(r->df[i],
				 UIOMMUFD_VFIO_PCI_INDEX_TO_OFFSET(a->region) + off,
				 h.rw_buf, len, a->write & 1);
	if (h.trace)
		fprintf(stderr, "dev %u %s region %u off %#llx len %zu: %zd\n",
			i, a->write & 1 ? "pwrite" : "pread", a->region,
			(unsigned long long)off, len, rc);
}

static void pseudo(struct run *r, const struct fuzz_cmd *c, unsigned int ci,
		   unsigned int di, uint8_t param)
{
	uint8_t bytes[64];

	take(r, bytes, c->size);
	switch (c->test_op) {
	case FP_FILL:
		fill(r, param, bytes, c->size);
		break;
	case FP_DEV_OPEN:
		dev_open(r, di);
		break;
	case FP_DEV_CLOSE:
		dev_close(r, di);
		break;
	case FP_DEV_RW: {
		struct fuzz_dev_rw a;

		memcpy(&a, bytes, sizeof(a));
		dev_rw(r, di, param, &a);
		break;
	}
	case FP_REOPEN:
		close_ctx(r, ci);
		open_ctx(r, ci, param & 1, param & 2);
		break;
	case FP_REMAP_PRIVATE:
		map_fixed(h.priv, BUF_LEN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1);
		break;
	case FP_TRUNCATE_MEMFD:
		/* Unregistered first: the fake transport must not touch it. */
		r->memfd_len = (param % 64) * PAGE;
		if (r->memfd_len > BUF_LEN)
			r->memfd_len = BUF_LEN;
		register_buffers(r);
		if (ftruncate(h.memfd, r->memfd_len))
			die("truncate");
		break;
	}
}

static uint64_t bad_arg(uint8_t param)
{
	switch (param % 4) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)h.arg + ARG_MAX; /* the guard after it */
	case 2:
		return (uintptr_t)h.resv + OFF_GUARD;
	default:
		return 0xffff800000000000ull;
	}
}

/*
 * The record's size word (exact, short, long or raw from the bytes), written
 * into the struct where the ABI has it; a raw command takes its number from
 * the first 8 bytes, which *s then skips.
 */
static uint32_t record_size(const struct fuzz_cmd *c, uint8_t b1,
			    uint8_t param, uint8_t **s, unsigned int *cmd)
{
	uint32_t user_size;

	if (c->flags & FC_RAW_CMD) {
		memcpy(cmd, *s, 4);
		*s += 8;
		return c->size - 8;
	}
	switch ((b1 >> FUZZ_SIZE_SHIFT) & 3) {
	case FUZZ_SIZE_EXACT:
		user_size = c->size;
		break;
	case FUZZ_SIZE_SHORT:
		user_size = c->size - 1 - param % c->size;
		break;
	case FUZZ_SIZE_LONG:
		user_size = c->size + 1 + param;
		break;
	default:
		memcpy(&user_size, *s, 4);
		break;
	}
	memcpy(*s, &user_size, 4);
	return user_size;
}

/* A device ioctl: the same encoding, to an open device file. */
static void dev_record(struct run *r, const struct fuzz_cmd *c,
		       unsigned int di, uint8_t b1, uint8_t param, uint8_t *s)
{
	struct vfio_device_file *df = r->df[di];
	unsigned int cmd = c->cmd;
	struct iommufd_ucmd ucmd;
	uint32_t user_size;
	uint64_t reg;
	long rc;

	if (!df)
		return;
	fake_caller_pid = h.pid;
	fake_install_fd = b1 & FUZZ_REC_INSTALL_FD;
	if (c->flags & FC_ARG_INT) {
		uint64_t v;

		memcpy(&v, s, 8);
		fake_ucmd_prepare(&ucmd, v);
		rc = vfio_device_file_ioctl(df, &ucmd, cmd);
		goto out;
	}
	user_size = record_size(c, b1, param, &s, &cmd);
	switch ((b1 >> FUZZ_ARG_SHIFT) & 3) {
	case FUZZ_ARG_SHORT:
		reg = param % (c->size + 1);
		break;
	case FUZZ_ARG_BAD:
		fake_ucmd_prepare(&ucmd, bad_arg(param));
		rc = vfio_device_file_ioctl(df, &ucmd, cmd);
		goto out;
	default:
		reg = user_size > c->size ? user_size : c->size;
		break;
	}
	if (reg > ARG_MAX - (uint64_t)(s - (uint8_t *)h.arg))
		reg = ARG_MAX - (uint64_t)(s - (uint8_t *)h.arg);
	if (r->arg_dirty < reg + (uint64_t)(s - (uint8_t *)h.arg))
		r->arg_dirty = reg + (uint64_t)(s - (uint8_t *)h.arg);
	fake_user_add(s, reg);
	fake_ucmd_prepare(&ucmd, (uint64_t)(uintptr_t)s);
	rc = vfio_device_file_ioctl(df, &ucmd, cmd);
	register_buffers(r); /* takes the argument's region away again */
	if (rc >= 0 && !(c->flags & FC_RAW_CMD))
		harvest(r, c, s, rc);
out:
	if (h.trace)
		fprintf(stderr, "dev %u %s: %ld\n", di, c->name, rc);
}

static void run_record(struct run *r)
{
	const struct fuzz_cmd *c = &fuzz_cmds[take_u8(r) % fuzz_nr_cmds];
	uint8_t b1 = take_u8(r), param = take_u8(r);
	unsigned int ci = (b1 & FUZZ_CTX_MASK) % r->nctx;
	/* A device command's file, whatever the number of contexts. */
	unsigned int di = (b1 & FUZZ_CTX_MASK) % MAX_DEV_FILES;
	unsigned int nf = fuzz_nr_fields(c);
	uint8_t modes[FUZZ_MAX_FIELDS];
	uint8_t *s = (uint8_t *)h.arg;
	unsigned int cmd = c->cmd;
	uint64_t reg, tail_end;
	uint32_t user_size;
	long rc;

	if (c->flags & FC_PSEUDO) {
		pseudo(r, c, ci, di, param);
		return;
	}
	take(r, modes, nf);
	memset(s, 0, r->arg_dirty);
	take(r, s, c->size);
	r->arg_dirty = c->size;
	for (unsigned int i = 0; i < nf; i++)
		fix_field(r, &c->f[i], modes[i], s);
	if (c->flags & FC_TEST_OP)
		memcpy(s + 4, &c->test_op, 4);
	if (c->flags & FC_DEVICE) {
		dev_record(r, c, di, b1, param, s);
		return;
	}
	if (!r->ctx[ci])
		return;

	fake_caller_pid = r->unreachable[ci] ? 0 : h.pid;
	fake_install_fd = b1 & FUZZ_REC_INSTALL_FD;

	if (c->flags & FC_ARG_INT) {
		uint64_t v;

		memcpy(&v, s, 8);
		fake_ioctl_ptr(r->ctx[ci], cmd, v);
		return;
	}
	user_size = record_size(c, b1, param, &s, &cmd);
	/* A tail past the struct: zero, or with one byte that is not. */
	tail_end = user_size < ARG_MAX - 8 ? user_size : ARG_MAX - 8;
	if ((b1 & FUZZ_REC_TAIL_BYTE) && tail_end > c->size) {
		s[c->size + param % (tail_end - c->size)] = 0xa5;
		if (r->arg_dirty < tail_end)
			r->arg_dirty = tail_end;
	}

	switch ((b1 >> FUZZ_ARG_SHIFT) & 3) {
	case FUZZ_ARG_SHORT:
		reg = param % (c->size + 1);
		break;
	case FUZZ_ARG_BAD:
		fake_ioctl_ptr(r->ctx[ci], cmd, bad_arg(param));
		return;
	default:
		reg = user_size > c->size ? user_size : c->size;
		break;
	}
	if (reg > ARG_MAX - (uint64_t)(s - (uint8_t *)h.arg))
		reg = ARG_MAX - (uint64_t)(s - (uint8_t *)h.arg);
	if (r->arg_dirty < reg + (uint64_t)(s - (uint8_t *)h.arg))
		r->arg_dirty = reg + (uint64_t)(s - (uint8_t *)h.arg);
	/*
	 * What the CUSE retry front end asks first: the plan for the bytes
	 * it holds (none, or at least the size word).
	 */
	{
		struct ucmd_plan plan;

		iommufd_dispatch_plan(&r->env.daemon, cmd, s, reg >= 4 ? reg : 0,
				      &plan);
	}
	rc = fake_ioctl(r->ctx[ci], cmd, s, reg);
	if (h.trace)
		fprintf(stderr, "ctx %u %s size %u reachable %llu: %ld\n", ci,
			c->name, user_size, (unsigned long long)reg, rc);
	if (rc >= 0 && !(c->flags & FC_RAW_CMD))
		harvest(r, c, s, rc);
}

/* The self-test's memory limit is global in the daemon, as in the kernel. */
static void reset_test_memory_limit(struct run *r)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
		.memory_limit = { .limit = 65536 },
	};

	fake_ioctl(r->env.ictx, IOMMU_TEST_CMD, &cmd, sizeof(cmd));
}

/*
 * Every fd a sequence made the daemon open must be closed once its contexts
 * are gone; a few may be on their way (own_files.c closes some on a thread).
 */
static void check_fds(void)
{
	for (int tries = 0; lowest_free_fd() != h.fd_floor; tries++) {
		if (tries == 200) {
			char path[64], target[256] = "";

			snprintf(path, sizeof(path), "/proc/self/fd/%d",
				 h.fd_floor);
			if (readlink(path, target, sizeof(target) - 1) < 0)
				strcpy(target, "?");
			fprintf(stderr,
				"fuzz_dispatch: fd %d (%s) still open after every context was released\n",
				h.fd_floor, target);
			abort();
		}
		usleep(1000);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = { .p = data, .left = size, .memfd_len = BUF_LEN };
	uint8_t h0 = take_u8(&r), h1 = take_u8(&r);

	/* libFuzzer's own files come and go between inputs, not during one. */
	h.fd_floor = lowest_free_fd();

	/*
	 * Zero pages for every input, freed rather than cleared: only the
	 * pages an input touches cost a fault.
	 */
	if (ftruncate(h.memfd, 0) || ftruncate(h.memfd, BUF_LEN))
		die("memfd size");
	if (madvise(h.shared, BUF_LEN, MADV_REMOVE) ||
	    madvise(h.priv, BUF_LEN, MADV_DONTNEED))
		die("madvise");

	fake_env_init(&r.env, !(h0 & 1));
	r.env.daemon.vfio_compat_default = h0 & 2;
	if (!(h0 & 1))
		reset_test_memory_limit(&r);
	/* The fixture's context is replaced: ours take the header's flags. */
	iommufd_ctx_release(r.env.ictx);
	r.nctx = 1 + ((h0 >> 2) & 3);
	for (unsigned int i = 0; i < r.nctx; i++)
		if (open_ctx(&r, i, h0 & (0x10 << i), h1 & (1 << (2 * i))))
			abort(); /* a handful of contexts fit every limit */
	register_buffers(&r);
	/* The input's edu device, opened once; DEV_OPEN opens more. */
	cur_run = &r;
	r.env.daemon.ctx_from_file = fuzz_ctx_from_file;
	if (served_device_create(&r.env.daemon, "edu", 0, false, &r.sd))
		abort();
	dev_open(&r, 0);
	for (unsigned int i = 0; i < NR_EVENTFDS; i++) {
		uint64_t n;

		if (read(h.efd[i], &n, sizeof(n)) < 0 && errno != EAGAIN)
			die("eventfd read");
	}

	for (unsigned int n = 0; n < FUZZ_MAX_OPS && r.left; n++)
		run_record(&r);

	/* Device files first: their release unbinds from the contexts. */
	for (unsigned int i = 0; i < MAX_DEV_FILES; i++)
		dev_close(&r, i);
	served_device_destroy(r.sd);
	for (unsigned int i = 1; i < r.nctx; i++)
		close_ctx(&r, i);
	/* fake_env_fini releases env.ictx and ends the daemon. */
	r.env.ictx = r.ctx[0];
	if (r.env.ictx) {
		fake_env_fini(&r.env);
	} else {
		iommufd_daemon_fini(&r.env.daemon);
		fake_user_reset();
	}
	fake_caller_pid = 0;
	fake_install_fd = false;
	check_fds();
	return 0;
}
