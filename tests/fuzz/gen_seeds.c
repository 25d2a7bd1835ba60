// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes the seed corpus of fuzz_dispatch: gen_seeds DIR.  One file per
 * command of fuzz_cmds[] (each command at least once), most after a common
 * prefix that makes an IOAS, a mock device with its domain and a mapping,
 * so the command meets objects that exist; plus a few longer stories (VFIO
 * container, accesses, nesting, dma-buf).  The encoding is in fuzz_cmds.h;
 * field mode bytes are those of fuzz_dispatch.c (fix_field()).
 *
 * In the ID pool of these seeds, in order: 0 the IOAS, 1 the mock device
 * (stdev), 2 its HWPT, 3 its idev; later creations follow.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_cmds.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"
#include "uiommufd/vfio_abi.h"

struct seed {
	uint8_t b[4096];
	size_t len;
};

/* Field modes (fix_field() in fuzz_dispatch.c). */
#define ID(n) (n)                 /* the pool's nth ID (n < pool size) */
#define ID_RAW 0xff               /* the struct's value */
#define OUT 0                     /* an output, zeroed */
#define PTR_SHARED(pg) ((pg) << 3 | 0)
#define PTR_PRIVATE(pg) ((pg) << 3 | 2)
#define PTR_MEMFD(pg) ((pg) << 3 | 3)
#define PTR_RO(pg) ((pg) << 3 | 4)
#define PTR_GUARD 5
#define PTR_NULL 6
#define FD_MEMFD 0
#define FD_MEMFD_RO 1
#define FD_REGULAR 2
#define FD_POOL(n) ((n) << 3 | 3)
#define IOVA_RAW 0
#define IOVA_POOL(n) (64 + (n))
#define IOVA_APERTURE(pg) (128 + (pg)) /* MOCK_APERTURE_START + pg pages */
#define LEN_PAGES(n) ((n) - 1)         /* n (1..32) 4 KiB pages */
#define LEN_RAW 128
#define LEN_ALL 228                    /* UINT64_MAX */

#define IOMMUFD_CTX(n) (n)             /* context n's file, for BIND */
#define EVENTFD(n) (n)                 /* the harness's nth eventfd */

#define REC_INSTALL FUZZ_REC_INSTALL_FD
#define PAGE_SIZE_4K 4096

static void hdr(struct seed *s, uint8_t h0, uint8_t h1)
{
	s->len = 0;
	s->b[s->len++] = h0;
	s->b[s->len++] = h1;
}

static void put(struct seed *s, const void *p, size_t n)
{
	if (!n)
		return;
	if (s->len + n > sizeof(s->b))
		abort();
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

/* One record: modes has one byte per field of the command. */
static void rec(struct seed *s, const char *name, uint8_t b1, uint8_t param,
		const uint8_t *modes, const void *st, size_t st_len)
{
	int i = fuzz_cmd_index(name);
	const struct fuzz_cmd *c;
	uint8_t zero[256] = { 0 };
	uint8_t b0;

	if (i < 0) {
		fprintf(stderr, "gen_seeds: no command %s\n", name);
		exit(1);
	}
	c = &fuzz_cmds[i];
	b0 = (uint8_t)i;
	put(s, &b0, 1);
	put(s, &b1, 1);
	put(s, &param, 1);
	if (c->flags & FC_PSEUDO) {
		if (st_len > c->size)
			abort();
		put(s, st, st_len);
		put(s, zero, c->size - st_len);
		return;
	}
	if (modes)
		put(s, modes, fuzz_nr_fields(c));
	else
		put(s, zero, fuzz_nr_fields(c));
	if (st_len > c->size)
		abort();
	put(s, st, st_len);
	put(s, zero, c->size - st_len);
}

#define REC(s, name, b1, modes, st) \
	rec(s, name, b1, 0, (const uint8_t[])modes, &(st), sizeof(st))
#define M(...) { __VA_ARGS__ }

static void test_rec(struct seed *s, const char *name, uint8_t b1,
		     const uint8_t *modes, struct iommu_test_cmd *cmd)
{
	rec(s, name, b1, 0, modes, cmd, sizeof(*cmd));
}

/* IOAS; mock domain on it; 4 pages of the shared buffer at the aperture. */
static void prefix(struct seed *s, uint8_t h0, uint8_t h1)
{
	struct iommu_ioas_alloc alloc = { 0 };
	struct iommu_test_cmd md = { 0 };
	struct iommu_ioas_map map = {
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
	};

	hdr(s, h0, h1);
	REC(s, "IOAS_ALLOC", 0, M(OUT), alloc);
	test_rec(s, "TEST_MOCK_DOMAIN", 0,
		 (const uint8_t[]){ ID(0), OUT, OUT, OUT }, &md);
	REC(s, "IOAS_MAP", 0,
	    M(ID(0), PTR_SHARED(0), LEN_PAGES(4), IOVA_APERTURE(0)), map);
}

/* FILL: n bytes at page pg of buffer buf (0 shared, 1 private, 2 memfd). */
static void fill(struct seed *s, unsigned int buf, unsigned int pg,
		 const void *p, size_t n)
{
	rec(s, "FILL", 0, (uint8_t)(pg << 2 | buf), NULL, p, n);
}

static void write_seed(const char *dir, const char *name, const struct seed *s)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->len, f) != s->len || fclose(f)) {
		fprintf(stderr, "gen_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void dev_bind(struct seed *s, uint8_t file)
{
	struct vfio_device_bind_iommufd b = { 0 };

	REC(s, "DEV_BIND_IOMMUFD", file, M(IOMMUFD_CTX(0), OUT, PTR_NULL), b);
}

/* DEV_RW: a register-sized access (len 1 << lg) at off of region. */
static void dev_rw(struct seed *s, uint8_t region, bool write, uint64_t off,
		   unsigned int lg, uint64_t value)
{
	struct fuzz_dev_rw a = { .region = region, .write = write,
				 .len = (uint16_t)lg, .off = off,
				 .value = value };

	rec(s, "DEV_RW", 0, 0, NULL, &a, sizeof(a));
}

/* Every command once, after the prefix, its IDs from the pool's start. */
static void every_command(const char *dir)
{
	for (unsigned int i = 0; i < fuzz_nr_cmds; i++) {
		const struct fuzz_cmd *c = &fuzz_cmds[i];
		uint8_t modes[FUZZ_MAX_FIELDS] = { 0 };
		uint8_t st[256] = { 0 };
		unsigned int nid = 0;
		char name[96];
		struct seed s;

		prefix(&s, 0, 0);
		/* A device command meets a bound device (its devid: ID 4). */
		if ((c->flags & FC_DEVICE || (c->flags & FC_PSEUDO &&
					      c->test_op >= FP_DEV_OPEN)) &&
		    c->cmd != VFIO_DEVICE_BIND_IOMMUFD)
			dev_bind(&s, 0);
		if (c->cmd == VFIO_DEVICE_SET_IRQS && (c->flags & FC_DEVICE)) {
			struct vfio_irq_set *set = (struct vfio_irq_set *)st;

			set->flags = VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_TRIGGER;
			set->index = VFIO_PCI_INTX_IRQ_INDEX;
			set->count = 1;
		}
		if (c->cmd == VFIO_DEVICE_FEATURE && (c->flags & FC_DEVICE))
			memcpy(st + 4, &(uint32_t){ VFIO_DEVICE_FEATURE_PROBE |
						     VFIO_DEVICE_FEATURE_GET |
						     1 }, 4);
		if (c->flags & FC_PSEUDO && c->test_op == FP_DEV_RW) {
			struct fuzz_dev_rw *a = (struct fuzz_dev_rw *)st;

			a->len = 2; /* 4 bytes of BAR0: edu's ID */
		}
		for (unsigned int f = 0; f < fuzz_nr_fields(c); f++) {
			switch (c->f[f].kind) {
			case FK_ID:
				/* the IOAS first, then the device's objects */
				modes[f] = ID(nid++ % 4);
				break;
			case FK_PTR:
				modes[f] = PTR_PRIVATE(8);
				break;
			case FK_IOVA:
				modes[f] = IOVA_POOL(0);
				break;
			case FK_LEN:
			case FK_ULEN:
				modes[f] = LEN_PAGES(1);
				break;
			case FK_FD:
				modes[f] = FD_MEMFD;
				break;
			case FK_IOMMUFD:
				modes[f] = IOMMUFD_CTX(0);
				break;
			case FK_EVENTFD:
				modes[f] = EVENTFD(0);
				break;
			}
		}
		rec(&s, c->name, REC_INSTALL, 0, modes, st,
		    c->size < sizeof(st) ? c->size : sizeof(st));
		snprintf(name, sizeof(name), "cmd-%02u-%s", i, c->name);
		write_seed(dir, name, &s);
	}
}

static void story_map_unmap_copy(const char *dir)
{
	struct iommu_ioas_alloc alloc = { 0 };
	struct iommu_ioas_copy copy = {
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_READABLE,
	};
	struct iommu_ioas_unmap unmap = { 0 };
	struct iommu_ioas_map map = { .flags = IOMMU_IOAS_MAP_READABLE };
	struct iommu_test_cmd check = { 0 };
	struct seed s;

	prefix(&s, 0, 0);
	/* a second IOAS (pool 4); copy the aperture mapping into it */
	REC(&s, "IOAS_ALLOC", 0, M(OUT), alloc);
	REC(&s, "IOAS_COPY", 0,
	    M(ID(4), ID(0), LEN_PAGES(4), IOVA_APERTURE(32), IOVA_POOL(0)),
	    copy);
	/* a private mapping at an IOVA the IOAS picks */
	REC(&s, "IOAS_MAP", 0, M(ID(0), PTR_PRIVATE(0), LEN_PAGES(8), IOVA_RAW),
	    map);
	test_rec(&s, "TEST_MD_CHECK_MAP", 0,
		 (const uint8_t[]){ ID(2), IOVA_POOL(0), LEN_PAGES(4),
				    PTR_SHARED(0) }, &check);
	REC(&s, "IOAS_UNMAP", 0, M(ID(0), IOVA_POOL(0), LEN_PAGES(4)), unmap);
	REC(&s, "IOAS_UNMAP", 0, M(ID(4), IOVA_RAW, LEN_ALL), unmap);
	write_seed(dir, "story-map-copy-unmap", &s);

	/* allowed ranges, then the IOAS's ranges read back */
	{
		struct iommu_iova_range ranges[2] = {
			{ .start = 0x1000000, .last = 0x1ffffff },
			{ .start = 0x4000000, .last = 0x7fffffff },
		};
		struct iommu_ioas_allow_iovas allow = { .num_iovas = 2 };
		struct iommu_ioas_iova_ranges get = { .num_iovas = 4 };
		struct iommu_test_cmd reserve = { .add_reserved = {
			.start = 0x2000000, .length = 0x100000 } };

		hdr(&s, 0, 0);
		REC(&s, "IOAS_ALLOC", 0, M(OUT), alloc);
		fill(&s, 1, 3, ranges, sizeof(ranges));
		REC(&s, "IOAS_ALLOW_IOVAS", 0, M(ID(0), PTR_PRIVATE(3)), allow);
		test_rec(&s, "TEST_ADD_RESERVED", 0,
			 (const uint8_t[]){ ID(0), IOVA_RAW, LEN_RAW }, &reserve);
		REC(&s, "IOAS_IOVA_RANGES", 0, M(ID(0), PTR_PRIVATE(5)), get);
		REC(&s, "IOAS_MAP", 0,
		    M(ID(0), PTR_SHARED(0), LEN_PAGES(16), IOVA_RAW), map);
		write_seed(dir, "story-allow-iovas", &s);
	}
}

static void story_access(const char *dir)
{
	struct iommu_test_cmd create = { .create_access = {
		.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES } };
	struct iommu_test_cmd pages = { .access_pages = {
		.flags = MOCK_FLAGS_ACCESS_WRITE } };
	struct iommu_test_cmd rw = { .access_rw = {
		.flags = MOCK_ACCESS_RW_WRITE } };
	struct iommu_test_cmd destroy = { 0 };
	struct iommu_test_cmd replace = { 0 };
	struct iommu_ioas_alloc alloc = { 0 };
	struct iommu_ioas_unmap unmap = { 0 };
	struct seed s;

	prefix(&s, 0, 0);
	test_rec(&s, "TEST_CREATE_ACCESS", REC_INSTALL,
		 (const uint8_t[]){ ID(0), OUT }, &create);
	test_rec(&s, "TEST_ACCESS_PAGES", REC_INSTALL,
		 (const uint8_t[]){ FD_POOL(0), OUT, IOVA_APERTURE(0),
				    LEN_PAGES(2), PTR_PRIVATE(0) }, &pages);
	test_rec(&s, "TEST_ACCESS_RW", REC_INSTALL,
		 (const uint8_t[]){ FD_POOL(0), IOVA_APERTURE(1), LEN_PAGES(1),
				    PTR_PRIVATE(4) }, &rw);
	/* unmapping under the pinned access pages: the access is told */
	REC(&s, "IOAS_UNMAP", 0, M(ID(0), IOVA_RAW, LEN_ALL), unmap);
	test_rec(&s, "TEST_DESTROY_ACCESS_PAGES", REC_INSTALL,
		 (const uint8_t[]){ FD_POOL(0), ID(4) }, &destroy);
	REC(&s, "IOAS_ALLOC", 0, M(OUT), alloc);
	test_rec(&s, "TEST_ACCESS_REPLACE_IOAS", REC_INSTALL,
		 (const uint8_t[]){ FD_POOL(0), ID(5) }, &replace);
	write_seed(dir, "story-access", &s);
}

static void story_nesting(const char *dir)
{
	struct iommu_hwpt_alloc parent = {
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc nested = {
		.data_type = IOMMU_HWPT_DATA_SELFTEST, .data_len = sizeof(data),
	};
	struct iommu_viommu_alloc viommu = {
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
	};
	struct iommu_vdevice_alloc vdev = { .virt_id = 0x99 };
	struct iommu_veventq_alloc veventq = {
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST, .veventq_depth = 2,
	};
	struct iommu_hw_queue_alloc hwq = {
		.type = IOMMU_HW_QUEUE_TYPE_SELFTEST,
	};
	struct iommu_hwpt_invalidate inv = {
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(struct iommu_hwpt_invalidate_selftest),
		.entry_num = 1,
	};
	struct iommu_test_cmd vevent = { 0 }, replace = { 0 };
	struct iommu_destroy destroy = { 0 };
	struct seed s;

	prefix(&s, 0, 0);
	REC(&s, "HWPT_ALLOC", 0, M(ID(3), ID(0), OUT, PTR_NULL, ID_RAW),
	    parent); /* pool 4: the nest parent */
	fill(&s, 0, 16, &data, sizeof(data));
	REC(&s, "HWPT_ALLOC", 0, M(ID(3), ID(4), OUT, PTR_SHARED(16), ID_RAW),
	    nested); /* pool 5: nested */
	test_rec(&s, "TEST_MOCK_DOMAIN_REPLACE", 0,
		 (const uint8_t[]){ ID(1), ID(4) }, &replace);
	REC(&s, "VIOMMU_ALLOC", 0, M(ID(3), ID(4), OUT, PTR_NULL), viommu);
	REC(&s, "VDEVICE_ALLOC", 0, M(ID(6), ID(3), OUT), vdev);
	REC(&s, "VEVENTQ_ALLOC", REC_INSTALL, M(ID(6), OUT, OUT), veventq);
	test_rec(&s, "TEST_TRIGGER_VEVENT", 0,
		 (const uint8_t[]){ ID(1), ID(3) }, &vevent);
	fill(&s, 0, 20, &(struct iommu_hwpt_invalidate_selftest){
		.flags = 0, .iotlb_id = 2 }, 8);
	REC(&s, "HWPT_INVALIDATE", 0, M(ID(5), PTR_SHARED(20)), inv);
	REC(&s, "HW_QUEUE_ALLOC", 0, M(ID(6), OUT, IOVA_APERTURE(0),
				     LEN_PAGES(1)), hwq);
	REC(&s, "DESTROY", 0, M(ID(6)), destroy);
	write_seed(dir, "story-nesting", &s);
}

static void story_vfio(const char *dir)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	};
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	struct vfio_iommu_type1_info info = { .argsz = 256 };
	uint64_t type1 = VFIO_TYPE1_IOMMU, v2 = VFIO_TYPE1v2_IOMMU;
	struct seed s;

	/* compat default, context 0 on the VFIO node */
	hdr(&s, 0x02 | 0x10, 0);
	REC(&s, "VFIO_CHECK_EXTENSION", 0, M(0), v2);
	REC(&s, "VFIO_SET_IOMMU", 0, M(0), type1);
	REC(&s, "VFIO_IOMMU_GET_INFO", 0, M(0), info);
	REC(&s, "VFIO_IOMMU_MAP_DMA", 0,
	    M(PTR_SHARED(0), IOVA_APERTURE(0), LEN_PAGES(8)), map);
	REC(&s, "VFIO_IOMMU_UNMAP_DMA", 0, M(IOVA_APERTURE(2), LEN_PAGES(2)),
	    unmap);
	unmap.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	REC(&s, "VFIO_IOMMU_UNMAP_DMA", 0, M(IOVA_RAW, 0xe0), unmap);
	write_seed(dir, "story-vfio-type1", &s);

	/* IOMMU_VFIO_IOAS on an iommufd context, then the container ioctls */
	{
		struct iommu_vfio_ioas set = { .op = IOMMU_VFIO_IOAS_SET };
		struct iommu_vfio_ioas get = { .op = IOMMU_VFIO_IOAS_GET };

		prefix(&s, 0, 0);
		REC(&s, "VFIO_IOAS", 0, M(ID(0)), set);
		REC(&s, "VFIO_IOAS", 0, M(ID_RAW), get);
		REC(&s, "VFIO_SET_IOMMU", 0, M(0), v2);
		REC(&s, "VFIO_IOMMU_MAP_DMA", 0,
		    M(PTR_PRIVATE(0), IOVA_APERTURE(16), LEN_PAGES(2)), map);
		REC(&s, "VFIO_IOMMU_GET_INFO", 0, M(0), info);
		write_seed(dir, "story-vfio-ioas", &s);
	}
}

static void story_files(const char *dir)
{
	struct iommu_ioas_map_file mf = {
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
	};
	struct iommu_test_cmd get = { .dmabuf_get = { .length = 8192 } };
	struct iommu_test_cmd revoke = { .dmabuf_revoke = { .revoked = 1 } };
	struct iommu_ioas_unmap unmap = { 0 };
	struct seed s;

	prefix(&s, 0, 0);
	REC(&s, "IOAS_MAP_FILE", 0,
	    M(ID(0), FD_MEMFD, 0, LEN_PAGES(4), IOVA_APERTURE(32)), mf);
	/* the memfd shrinks under the pinned mapping */
	rec(&s, "TRUNCATE_MEMFD", 0, 1, NULL, NULL, 0);
	REC(&s, "IOAS_UNMAP", 0, M(ID(0), IOVA_RAW, LEN_ALL), unmap);
	REC(&s, "IOAS_MAP_FILE", 0,
	    M(ID(0), FD_MEMFD_RO, 0, LEN_PAGES(1), IOVA_APERTURE(40)), mf);
	REC(&s, "IOAS_MAP_FILE", 0,
	    M(ID(0), FD_REGULAR, 0, LEN_PAGES(1), IOVA_APERTURE(48)), mf);
	test_rec(&s, "TEST_DMABUF_GET", REC_INSTALL, (const uint8_t[]){ ID(0) },
		 &get);
	REC(&s, "IOAS_MAP_FILE", 0,
	    M(ID(0), FD_POOL(0), 0, LEN_PAGES(2), IOVA_APERTURE(56)), mf);
	test_rec(&s, "TEST_DMABUF_REVOKE", 0, (const uint8_t[]){ FD_POOL(0) },
		 &revoke);
	rec(&s, "REMAP_PRIVATE", 0, 0, NULL, NULL, 0);
	rec(&s, "REOPEN", 0, 0, NULL, NULL, 0);
	write_seed(dir, "story-files", &s);
}

/*
 * Events: a fault queue on a nested HWPT the device is attached to, then a
 * page fault; a vEVENTQ on a vIOMMU whose nested HWPT the device uses.
 */
static void story_events(const char *dir)
{
	struct iommu_hwpt_alloc parent = {
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
	};
	struct iommu_hwpt_alloc nested = {
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(struct iommu_hwpt_selftest),
	};
	struct iommu_hwpt_alloc on_viommu = {
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(struct iommu_hwpt_selftest),
	};
	struct iommu_viommu_alloc viommu = { .type = IOMMU_VIOMMU_TYPE_SELFTEST };
	struct iommu_vdevice_alloc vdev = { .virt_id = 0x42 };
	struct iommu_veventq_alloc veventq = {
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST, .veventq_depth = 1,
	};
	struct iommu_fault_alloc fault = { 0 };
	struct iommu_test_cmd iopf = { .trigger_iopf = { .grpid = 1,
							 .perm = 1 } };
	struct iommu_test_cmd replace = { 0 }, vevent = { 0 };
	struct seed s;

	prefix(&s, 0, 0);
	REC(&s, "HWPT_ALLOC", 0, M(ID(3), ID(0), OUT, PTR_NULL, ID_RAW),
	    parent);					/* 4 */
	REC(&s, "FAULT_QUEUE_ALLOC", REC_INSTALL, M(OUT, OUT), fault); /* 5 */
	REC(&s, "HWPT_ALLOC", 0, M(ID(3), ID(4), OUT, PTR_SHARED(0), ID(5)),
	    nested);					/* 6 */
	test_rec(&s, "TEST_MOCK_DOMAIN_REPLACE", 0,
		 (const uint8_t[]){ ID(1), ID(6) }, &replace);
	test_rec(&s, "TEST_TRIGGER_IOPF", 0, (const uint8_t[]){ ID(1), ID(3) },
		 &iopf);
	test_rec(&s, "TEST_TRIGGER_IOPF", 0, (const uint8_t[]){ ID(1), ID(3) },
		 &iopf);
	REC(&s, "VIOMMU_ALLOC", 0, M(ID(3), ID(4), OUT, PTR_NULL), viommu); /* 7 */
	REC(&s, "VDEVICE_ALLOC", 0, M(ID(7), ID(3), OUT), vdev);	/* 8 */
	REC(&s, "HWPT_ALLOC", 0, M(ID(3), ID(7), OUT, PTR_SHARED(0), ID_RAW),
	    on_viommu);					/* 9 */
	test_rec(&s, "TEST_MOCK_DOMAIN_REPLACE", 0,
		 (const uint8_t[]){ ID(1), ID(9) }, &replace);
	REC(&s, "VEVENTQ_ALLOC", REC_INSTALL, M(ID(7), OUT, OUT), veventq);
	test_rec(&s, "TEST_TRIGGER_VEVENT", 0,
		 (const uint8_t[]){ ID(1), ID(3) }, &vevent);
	test_rec(&s, "TEST_TRIGGER_VEVENT", 0,
		 (const uint8_t[]){ ID(1), ID(3) }, &vevent);
	test_rec(&s, "TEST_TRIGGER_VEVENT", 0,
		 (const uint8_t[]){ ID(1), ID(3) }, &vevent);
	write_seed(dir, "story-events", &s);
}

/* Dirty tracking: a tracking HWPT, pages made dirty, the bitmap read. */
static void story_dirty(const char *dir)
{
	struct iommu_hwpt_alloc hwpt = {
		.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	struct iommu_hwpt_set_dirty_tracking on = {
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	struct iommu_test_cmd replace = { 0 };
	struct iommu_test_cmd dirty = { .dirty = { .page_size = PAGE_SIZE_4K } };
	struct iommu_hwpt_get_dirty_bitmap get = { .page_size = PAGE_SIZE_4K };
	struct seed s;

	prefix(&s, 0, 0);
	REC(&s, "HWPT_ALLOC", 0, M(ID(3), ID(0), OUT, PTR_NULL, ID_RAW),
	    hwpt);					/* 4 */
	test_rec(&s, "TEST_MOCK_DOMAIN_REPLACE", 0,
		 (const uint8_t[]){ ID(1), ID(4) }, &replace);
	REC(&s, "HWPT_SET_DIRTY_TRACKING", 0, M(ID(4)), on);
	/* the bitmap of pages to dirty: the shared buffer's page 8 */
	fill(&s, 0, 8, (const uint8_t[]){ 0x0b }, 1);
	test_rec(&s, "TEST_DIRTY", 0,
		 (const uint8_t[]){ ID(4), IOVA_APERTURE(0), LEN_PAGES(4),
				    PTR_SHARED(8) }, &dirty);
	REC(&s, "HWPT_GET_DIRTY_BITMAP", 0,
	    M(ID(4), IOVA_APERTURE(0), LEN_PAGES(4), PTR_SHARED(9)), get);
	get.flags = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
	REC(&s, "HWPT_GET_DIRTY_BITMAP", 0,
	    M(ID(4), IOVA_APERTURE(1), LEN_PAGES(2), PTR_PRIVATE(9)), get);
	on.flags = 0;
	REC(&s, "HWPT_SET_DIRTY_TRACKING", 0, M(ID(4)), on);
	write_seed(dir, "story-dirty", &s);
}

/* A pinned memfd shrinks; then the daemon reads and writes its lost pages. */
static void story_truncate_pinned(const char *dir)
{
	struct iommu_ioas_map_file mf = {
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
	};
	struct iommu_test_cmd check = { 0 };
	struct iommu_test_cmd create = { 0 };
	struct iommu_test_cmd rw = { .access_rw = {
		.flags = MOCK_ACCESS_RW_WRITE } };
	struct seed s;

	prefix(&s, 0, 0);
	REC(&s, "IOAS_MAP_FILE", 0,
	    M(ID(0), FD_MEMFD, 0, LEN_PAGES(4), IOVA_APERTURE(32)), mf);
	rec(&s, "TRUNCATE_MEMFD", 0, 1, NULL, NULL, 0);
	test_rec(&s, "TEST_MD_CHECK_MAP", 0,
		 (const uint8_t[]){ ID(2), IOVA_APERTURE(32), LEN_PAGES(4),
				    PTR_SHARED(0) }, &check);
	test_rec(&s, "TEST_CREATE_ACCESS", REC_INSTALL,
		 (const uint8_t[]){ ID(0), OUT }, &create);
	test_rec(&s, "TEST_ACCESS_RW", REC_INSTALL,
		 (const uint8_t[]){ FD_POOL(0), IOVA_APERTURE(34), LEN_PAGES(1),
				    PTR_PRIVATE(0) }, &rw);
	rw.access_rw.flags = 0;
	test_rec(&s, "TEST_ACCESS_RW", REC_INSTALL,
		 (const uint8_t[]){ FD_POOL(0), IOVA_APERTURE(35), LEN_PAGES(1),
				    PTR_PRIVATE(0) }, &rw);
	write_seed(dir, "story-truncate-pinned", &s);
}

/* Two contexts, one unreachable: IDs of one are not the other's. */
static void story_contexts(const char *dir)
{
	struct iommu_ioas_map map = { .flags = IOMMU_IOAS_MAP_READABLE };
	struct iommu_destroy destroy = { 0 };
	struct seed s;

	prefix(&s, 0x04, 0x04);
	REC(&s, "IOAS_MAP", 1, M(ID(0), PTR_SHARED(0), LEN_PAGES(1), IOVA_RAW),
	    map);
	REC(&s, "DESTROY", 1, M(ID(2)), destroy);
	REC(&s, "DESTROY", 0, M(ID(1)), destroy);
	REC(&s, "DESTROY", 0, M(ID(2)), destroy);
	REC(&s, "DESTROY", 0, M(ID(0)), destroy);
	write_seed(dir, "story-contexts", &s);
}

/*
 * The edu device's DMA through an IOAS: bind, IOAS, attach, a buffer of
 * ours mapped, bus mastering on, INTx to an eventfd, DMA into the device
 * and back out, unmap, and a DMA that faults.  IDs: 0 devid, 1 the IOAS.
 */
#define EDU_IOVA 0x100000ull
#define EDU_BUF 0x40000ull

static void story_edu_dma(const char *dir)
{
	struct iommu_ioas_alloc alloc = { 0 };
	struct vfio_device_attach_iommufd_pt at = { 0 };
	struct vfio_device_detach_iommufd_pt dt = { 0 };
	struct iommu_ioas_map map = {
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.iova = EDU_IOVA,
	};
	struct iommu_ioas_unmap unmap = { .iova = EDU_IOVA };
	struct vfio_device_info info = { 0 };
	uint8_t irq[sizeof(struct vfio_irq_set) + 16] = { 0 };
	struct vfio_irq_set *set = (struct vfio_irq_set *)irq;
	const char hello[] = "edu DMA through the fuzzer's IOAS";
	struct seed s;

	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_INTX_IRQ_INDEX;
	set->count = 1;
	hdr(&s, 0, 0);
	dev_bind(&s, 0);
	REC(&s, "IOAS_ALLOC", 0, M(OUT), alloc);
	at.pt_id = 0;
	REC(&s, "DEV_ATTACH_PT", 0, M(ID(1)), at);
	REC(&s, "DEV_GET_INFO", 0, M(0), info);
	REC(&s, "IOAS_MAP", 0,
	    M(ID(1), PTR_SHARED(8), LEN_PAGES(1), IOVA_RAW), map);
	fill(&s, 0, 8, hello, sizeof(hello));
	REC(&s, "DEV_SET_IRQS", 0, M(EVENTFD(1), 0, 0, 0), irq);
	/* Config space: memory decoding and bus mastering on. */
	dev_rw(&s, VFIO_PCI_CONFIG_REGION_INDEX, true, 0x04, 1, 0x0006);
	/* RAM -> device buffer. */
	dev_rw(&s, 0, true, 0x80, 3, EDU_IOVA);
	dev_rw(&s, 0, true, 0x88, 3, EDU_BUF);
	dev_rw(&s, 0, true, 0x90, 3, 64);
	dev_rw(&s, 0, true, 0x98, 3, 1);
	/* Device buffer -> RAM, 64 bytes further, with the interrupt. */
	dev_rw(&s, 0, true, 0x80, 3, EDU_BUF);
	dev_rw(&s, 0, true, 0x88, 3, EDU_IOVA + 64);
	dev_rw(&s, 0, true, 0x98, 3, 1 | 2 | 4);
	dev_rw(&s, 0, false, 0x24, 2, 0);
	dev_rw(&s, 0, true, 0x64, 2, 0x100);
	/* Unmapped: the next DMA faults (refused, no crash, no stale page). */
	unmap.length = PAGE_SIZE_4K;
	REC(&s, "IOAS_UNMAP", 0, M(ID(1), IOVA_RAW, LEN_PAGES(1)), unmap);
	dev_rw(&s, 0, true, 0x98, 3, 1 | 2);
	/* Bus mastering off: refused too; then detach, reset, a second open. */
	dev_rw(&s, VFIO_PCI_CONFIG_REGION_INDEX, true, 0x04, 1, 0x0002);
	dev_rw(&s, 0, true, 0x98, 3, 1);
	REC(&s, "DEV_DETACH_PT", 0, M(0), dt);
	rec(&s, "DEV_RESET", 0, 0, NULL, NULL, 0);
	rec(&s, "DEV_OPEN", 1, 0, NULL, NULL, 0);
	dev_bind(&s, 1);
	rec(&s, "DEV_CLOSE", 0, 0, NULL, NULL, 0);
	dev_bind(&s, 1);
	write_seed(dir, "story-edu-dma", &s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	every_command(argv[1]);
	story_map_unmap_copy(argv[1]);
	story_access(argv[1]);
	story_nesting(argv[1]);
	story_vfio(argv[1]);
	story_files(argv[1]);
	story_contexts(argv[1]);
	story_events(argv[1]);
	story_dirty(argv[1]);
	story_truncate_pinned(argv[1]);
	story_edu_dma(argv[1]);
	return 0;
}
