// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for daemon/providers/vfio_real/kernel_iommufd.c without a
 * kernel iommufd: the file is included, and ioctl() (linked with
 * --wrap=ioctl) is a fake kernel IOAS that holds areas the way the
 * kernel does (MAP with FIXED_IOVA refuses an overlap, UNMAP of a part of
 * an area is ENOENT), so that what the backend leaves in the "kernel" can
 * be compared with what the core asked.  The pages accessors are wrapped
 * too: a pages object is a name here, its view a made-up address.  Built
 * from the file and the interval tree alone (not the core library), so
 * that nothing else defines the backend's symbols.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "providers/vfio_real/kernel_iommufd.c"

#define FAKE_IOMMUFD 1000
#define FAKE_DEVICE 1001
#define VIEW_BASE 0x7f0000000000ull
#define FILE_FD 42
#define FILE_START 0x100000ull

/* ---- the fake kernel ---------------------------------------------------- */

struct fake_area {
	uint32_t ioas;
	uint64_t iova, length;
	bool by_file;
	uint64_t src; /* user_va, or the file offset */
	uint32_t flags;
};

#define FAKE_MAX 64
static struct fake_area areas[FAKE_MAX];
static unsigned int nr_areas;
static uint32_t next_ioas = 1, live_ioas[FAKE_MAX];
static unsigned int nr_live;
static uint32_t attached_to; /* 0: detached */
static int fail_next_map, fail_next_attach;
static unsigned int nr_ioctls;

static int fake_map(uint32_t ioas, uint64_t iova, uint64_t length,
		    bool by_file, uint64_t src, uint32_t flags)
{
	if (fail_next_map) {
		int e = fail_next_map;

		fail_next_map = 0;
		return e;
	}
	for (unsigned int i = 0; i < nr_areas; i++)
		if (areas[i].ioas == ioas && iova < areas[i].iova + areas[i].length &&
		    areas[i].iova < iova + length)
			return EEXIST;
	assert_true(nr_areas < FAKE_MAX);
	areas[nr_areas++] = (struct fake_area){ ioas, iova, length, by_file, src, flags };
	return 0;
}

/* The kernel's rule: whole areas inside the range, at least one. */
static int fake_unmap(struct iommu_ioas_unmap *u)
{
	uint64_t last = u->iova + u->length - 1, done = 0;

	for (unsigned int i = 0; i < nr_areas; i++) {
		struct fake_area *a = &areas[i];

		if (a->ioas != u->ioas_id || a->iova > last ||
		    a->iova + a->length - 1 < u->iova)
			continue;
		if (a->iova < u->iova || a->iova + a->length - 1 > last)
			return ENOENT;
	}
	for (unsigned int i = 0; i < nr_areas;) {
		struct fake_area *a = &areas[i];

		if (a->ioas == u->ioas_id && a->iova >= u->iova &&
		    a->iova + a->length - 1 <= last) {
			done += a->length;
			*a = areas[--nr_areas];
		} else {
			i++;
		}
	}
	u->length = done;
	return done ? 0 : ENOENT;
}

int __wrap_ioctl(int fd, unsigned long cmd, ...);
int __wrap_ioctl(int fd, unsigned long cmd, ...)
{
	va_list ap;
	void *arg;
	int e = 0;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	nr_ioctls++;
	if (cmd == VFIO_DEVICE_ATTACH_IOMMUFD_PT) {
		struct vfio_device_attach_iommufd_pt *a = arg;

		assert_int_equal(fd, FAKE_DEVICE);
		if (fail_next_attach) {
			e = fail_next_attach;
			fail_next_attach = 0;
		} else {
			attached_to = a->pt_id;
		}
	} else if (cmd == VFIO_DEVICE_DETACH_IOMMUFD_PT) {
		assert_int_equal(fd, FAKE_DEVICE);
		attached_to = 0;
	} else {
		assert_int_equal(fd, FAKE_IOMMUFD);
		if (cmd == IOMMU_IOAS_ALLOC) {
			((struct iommu_ioas_alloc *)arg)->out_ioas_id = next_ioas;
			live_ioas[nr_live++] = next_ioas++;
		} else if (cmd == IOMMU_DESTROY) {
			uint32_t id = ((struct iommu_destroy *)arg)->id;

			e = ENOENT;
			for (unsigned int i = 0; i < nr_live; i++)
				if (live_ioas[i] == id) {
					live_ioas[i] = live_ioas[--nr_live];
					e = 0;
					break;
				}
			for (unsigned int i = 0; !e && i < nr_areas;)
				if (areas[i].ioas == id)
					areas[i] = areas[--nr_areas];
				else
					i++;
		} else if (cmd == IOMMU_IOAS_MAP) {
			struct iommu_ioas_map *m = arg;

			assert_true(m->flags & IOMMU_IOAS_MAP_FIXED_IOVA);
			e = fake_map(m->ioas_id, m->iova, m->length, false,
				     m->user_va, m->flags);
		} else if (cmd == IOMMU_IOAS_MAP_FILE) {
			struct iommu_ioas_map_file *m = arg;

			assert_true(m->flags & IOMMU_IOAS_MAP_FIXED_IOVA);
			assert_int_equal(m->fd, FILE_FD);
			e = fake_map(m->ioas_id, m->iova, m->length, true,
				     m->start, m->flags);
		} else if (cmd == IOMMU_IOAS_UNMAP) {
			e = fake_unmap(arg);		} else if (cmd == IOMMU_IOAS_IOVA_RANGES) {
			/* an Intel IOMMU of 39 bits with the device attached */
			struct iommu_ioas_iova_ranges *r = arg;
			struct iommu_iova_range *out =
				(void *)(uintptr_t)r->allowed_iovas;

			assert_int_equal(attached_to, r->ioas_id);
			assert_true(r->num_iovas >= 2);
			out[0] = (struct iommu_iova_range){ 0, 0xfedfffff };
			out[1] = (struct iommu_iova_range){ 0xfef00000, (1ull << 39) - 1 };
			r->num_iovas = 2;
			r->out_iova_alignment = 4096;
		} else {
			e = ENOTTY;
		}
	}
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

/* A pages object: its address says whether it is a file and where. */
static struct iopt_pages *const VA_PAGES = (struct iopt_pages *)0x1000;
static struct iopt_pages *const FILE_PAGES = (struct iopt_pages *)0x2000;
static struct iopt_pages *const PRIVATE_PAGES = (struct iopt_pages *)0x3000;

void *__wrap_iopt_pages_view_va(const struct iopt_pages *pages,
				uint64_t start_byte, uint64_t len);
void *__wrap_iopt_pages_view_va(const struct iopt_pages *pages,
				uint64_t start_byte, uint64_t len)
{
	(void)len;
	if (pages == PRIVATE_PAGES)
		return NULL;
	return (void *)(uintptr_t)(VIEW_BASE + (pages == FILE_PAGES ? 1ull << 32 : 0) +
				   start_byte);
}

int __wrap_iopt_pages_file_fd(const struct iopt_pages *pages,
			      uint64_t start_byte, uint64_t *offset);
int __wrap_iopt_pages_file_fd(const struct iopt_pages *pages,
			      uint64_t start_byte, uint64_t *offset)
{
	if (pages != FILE_PAGES)
		return -1;
	*offset = FILE_START + start_byte;
	return FILE_FD;
}

/* ---- fixture ------------------------------------------------------------ */

static struct real_dev rd;

static int setup(void **state)
{
	struct kiommufd_dev *kd = calloc(1, sizeof(*kd));

	(void)state;
	nr_areas = nr_live = 0;
	attached_to = 0;
	fail_next_map = fail_next_attach = 0;
	/* as kiommufd_open() leaves it: bound, probed, detached */
	kfd = FAKE_IOMMUFD;
	kfd_refs = 1;
	kd->iommufd = FAKE_IOMMUFD;
	kd->aperture_start = 0;
	kd->aperture_last = (1ull << 39) - 1;
	kd->iova_alignment = 4096;
	kd->nr_holes = 1;
	kd->holes[0] = (struct iommufd_iova_hole){ 0xfee00000, 0xfeefffff };
	memset(&rd, 0, sizeof(rd));
	strcpy(rd.bdf, "0000:00:03.0");
	rd.device_fd = FAKE_DEVICE;
	rd.backend = &kernel_iommufd_backend;
	rd.backend_priv = kd;
	kdevs = kd;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kdevs = NULL;
	free(rd.backend_priv);
	kfd = -1;
	kfd_refs = 0;
	return 0;
}

static struct iommufd_domain *new_domain(void)
{
	struct iommufd_domain *d = NULL;

	assert_int_equal(kernel_iommufd_backend.domain_alloc(&rd, &d), 0);
	assert_non_null(d);
	return d;
}

static const struct fake_area *area_at(uint64_t iova)
{
	for (unsigned int i = 0; i < nr_areas; i++)
		if (areas[i].iova == iova)
			return &areas[i];
	return NULL;
}

static void hw(uint64_t ranges, uint64_t bytes)
{
	struct real_hw_mapped m;

	kernel_iommufd_backend.hw_mapped(&rd, &m);
	assert_int_equal(m.ranges, ranges);
	assert_int_equal(m.bytes, bytes);
}

/* ---- tests -------------------------------------------------------------- */

static void test_domain_from_probe(void **state)
{
	struct iommufd_domain *d = new_domain();

	(void)state;
	assert_true(d->needs_phys);
	assert_int_equal(d->aperture_start, 0);
	assert_int_equal(d->aperture_end, (1ull << 39) - 1);
	assert_int_equal(d->pgsize_bitmap & -d->pgsize_bitmap, 4096);
	/* the probe's reserved region, a copy the domain owns */
	assert_int_equal(d->nr_holes, 1);
	assert_ptr_not_equal(d->holes, ((struct kiommufd_dev *)rd.backend_priv)->holes);
	assert_int_equal(d->holes[0].start, 0xfee00000);
	assert_int_equal(d->holes[0].last, 0xfeefffff);
	assert_int_equal(nr_live, 1);
	assert_int_equal(kfd_refs, 2); /* the domain holds the file too */
	d->ops->free(d);
	assert_int_equal(nr_live, 0);
	assert_int_equal(kfd_refs, 1);
}

/* At open: the kernel's ranges with the device attached, then detached. */
static void test_probe(void **state)
{
	struct kiommufd_dev *kd = rd.backend_priv;

	(void)state;
	kd->aperture_last = kd->iova_alignment = 0;
	kd->nr_holes = 0;
	assert_int_equal(kiommufd_probe(&rd, kd), 0);
	assert_int_equal(kd->aperture_start, 0);
	assert_int_equal(kd->aperture_last, (1ull << 39) - 1);
	assert_int_equal(kd->iova_alignment, 4096);
	assert_int_equal(kd->nr_holes, 1);
	assert_int_equal(kd->holes[0].start, 0xfee00000);
	assert_int_equal(kd->holes[0].last, 0xfeefffff);
	assert_int_equal(attached_to, 0);
	assert_int_equal(nr_live, 0);
	/* a refused attach is the kernel's errno, nothing left behind */
	fail_next_attach = EINVAL;
	assert_int_equal(kiommufd_probe(&rd, kd), -EINVAL);
	assert_int_equal(nr_live, 0);
}

/* Shared memory by VA: MAP of the view at the same IOVA, prot kept. */
static void test_map_view(void **state)
{
	struct iommufd_domain *d = new_domain();
	const struct fake_area *a;

	(void)state;
	assert_int_equal(d->ops->map(d, 0x10000, VA_PAGES, 0x2000, 0x4000,
				     IOMMU_READ), 0);
	a = area_at(0x10000);
	assert_non_null(a);
	assert_false(a->by_file);
	assert_int_equal(a->src, VIEW_BASE + 0x2000);
	assert_int_equal(a->length, 0x4000);
	assert_int_equal(a->flags, IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE);
	hw(0, 0); /* not attached: status shows nothing for the device */
	assert_int_equal(kernel_iommufd_backend.attach(&rd, d), 0);
	hw(1, 0x4000);
	d->ops->unmap(d, 0x10000, 0x4000);
	assert_int_equal(nr_areas, 0);
	hw(0, 0);
	assert_int_equal(kernel_iommufd_backend.attach(&rd, NULL), 0);
	d->ops->free(d);
}

/* A file the daemon holds: MAP_FILE of its fd at the matching offset. */
static void test_map_file(void **state)
{
	struct iommufd_domain *d = new_domain();
	const struct fake_area *a;

	(void)state;
	assert_int_equal(d->ops->map(d, 0x200000, FILE_PAGES, 0x3000, 0x1000,
				     IOMMU_READ | IOMMU_WRITE), 0);
	a = area_at(0x200000);
	assert_non_null(a);
	assert_true(a->by_file);
	assert_int_equal(a->src, FILE_START + 0x3000);
	assert_int_equal(a->flags, IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					   IOMMU_IOAS_MAP_WRITEABLE);
	d->ops->unmap(d, 0x200000, 0x1000);
	assert_int_equal(nr_areas, 0);
	d->ops->free(d);
}

/* The kernel's errno comes back and nothing is recorded. */
static void test_map_errno(void **state)
{
	struct iommufd_domain *d = new_domain();

	(void)state;
	assert_int_equal(kernel_iommufd_backend.attach(&rd, d), 0);
	fail_next_map = EADDRINUSE;
	assert_int_equal(d->ops->map(d, 0xfee00000, VA_PAGES, 0, 0x1000,
				     IOMMU_READ | IOMMU_WRITE), -EADDRINUSE);
	hw(0, 0);
	assert_int_equal(nr_areas, 0);
	/* a view the pages layer does not give (never pinned shared) */
	assert_int_equal(d->ops->map(d, 0x1000, PRIVATE_PAGES, 0, 0x1000,
				     IOMMU_READ), -EFAULT);
	hw(0, 0);
	/* an overlap the kernel refuses */
	assert_int_equal(d->ops->map(d, 0x1000, VA_PAGES, 0, 0x2000, IOMMU_READ), 0);
	assert_int_equal(d->ops->map(d, 0x2000, VA_PAGES, 0, 0x1000, IOMMU_READ),
			 -EEXIST);
	hw(1, 0x2000);
	assert_int_equal(kernel_iommufd_backend.attach(&rd, NULL), 0);
	d->ops->unmap(d, 0x1000, 0x2000);
	d->ops->free(d);
}

/*
 * The core unmaps a part of an area (a cut): the kernel refuses a part, so
 * the whole area goes and what stays is mapped back from the same source.
 */
static void test_unmap_cuts(void **state)
{
	struct iommufd_domain *d = new_domain();
	const struct fake_area *a;

	(void)state;
	assert_int_equal(kernel_iommufd_backend.attach(&rd, d), 0);
	assert_int_equal(d->ops->map(d, 0x10000, VA_PAGES, 0x1000, 0x8000,
				     IOMMU_READ | IOMMU_WRITE), 0);
	d->ops->unmap(d, 0x12000, 0x1000);
	assert_int_equal(nr_areas, 2);
	a = area_at(0x10000);
	assert_non_null(a);
	assert_int_equal(a->length, 0x2000);
	assert_int_equal(a->src, VIEW_BASE + 0x1000);
	a = area_at(0x13000);
	assert_non_null(a);
	assert_int_equal(a->length, 0x5000);
	assert_int_equal(a->src, VIEW_BASE + 0x4000);
	assert_int_equal(a->flags, IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
					   IOMMU_IOAS_MAP_WRITEABLE);
	hw(2, 0x7000);

	/* a file area after it; one unmap cuts the end of one, the start of the other */
	assert_int_equal(d->ops->map(d, 0x18000, FILE_PAGES, 0, 0x4000, IOMMU_READ), 0);
	d->ops->unmap(d, 0x16000, 0x4000);
	assert_int_equal(nr_areas, 3);
	a = area_at(0x13000);
	assert_non_null(a);
	assert_int_equal(a->length, 0x3000);
	a = area_at(0x1a000);
	assert_non_null(a);
	assert_true(a->by_file);
	assert_int_equal(a->length, 0x2000);
	assert_int_equal(a->src, FILE_START + 0x2000);
	assert_null(area_at(0x18000));
	hw(3, 0x7000);

	/* the rest, at once */
	d->ops->unmap(d, 0, 1ull << 32);
	assert_int_equal(nr_areas, 0);
	hw(0, 0);
	assert_int_equal(kernel_iommufd_backend.attach(&rd, NULL), 0);
	d->ops->free(d);
}

/* Attach, replace, detach; a refusal keeps the old attachment. */
static void test_attach(void **state)
{
	struct iommufd_domain *d1 = new_domain(), *d2 = new_domain();
	static const struct backend_ops other_ops = { .name = "emulated" };
	struct iommufd_domain other_domain = { .ops = &other_ops }, *other = &other_domain;
	unsigned int before;

	(void)state;
	assert_int_equal(kernel_iommufd_backend.attach(&rd, d1), 0);
	assert_int_equal(attached_to, to_kdomain(d1)->ioas);
	assert_int_equal(d2->ops->map(d2, 0x1000, VA_PAGES, 0, 0x1000, IOMMU_READ), 0);
	assert_int_equal(kernel_iommufd_backend.attach(&rd, d2), 0);
	assert_int_equal(attached_to, to_kdomain(d2)->ioas);
	hw(1, 0x1000);
	/* another driver's domain: EINVAL, the kernel not asked */
	before = nr_ioctls;
	assert_int_equal(kernel_iommufd_backend.attach(&rd, other), -EINVAL);
	assert_int_equal(nr_ioctls, before);
	assert_int_equal(attached_to, to_kdomain(d2)->ioas);
	/* the kernel's refusal comes back; d2 still followed */
	fail_next_attach = EBUSY;
	assert_int_equal(kernel_iommufd_backend.attach(&rd, d1), -EBUSY);
	assert_int_equal(attached_to, to_kdomain(d2)->ioas);
	hw(1, 0x1000);
	assert_int_equal(kernel_iommufd_backend.attach(&rd, NULL), 0);
	assert_int_equal(attached_to, 0);
	hw(0, 0);
	d2->ops->unmap(d2, 0x1000, 0x1000);
	d2->ops->free(d2);
	d1->ops->free(d1);
	assert_int_equal(nr_live, 0);
}

/* A domain going unmaps what the kernel still holds and destroys its IOAS. */
static void test_free_empties_kernel(void **state)
{
	struct iommufd_domain *d = new_domain();

	(void)state;
	assert_int_equal(kernel_iommufd_backend.attach(&rd, d), 0);
	assert_int_equal(d->ops->map(d, 0x1000, VA_PAGES, 0, 0x3000, IOMMU_READ), 0);
	hw(1, 0x3000);
	d->ops->free(d);
	assert_int_equal(nr_areas, 0);
	assert_int_equal(nr_live, 0);
	/* status no longer points at the freed domain */
	hw(0, 0);
	assert_int_equal(kernel_iommufd_backend.attach(&rd, NULL), 0);
}

/* Only a BDF's characters reach a sysfs path; no such device here. */
static void test_bdf_checked(void **state)
{
	char name[32];

	(void)state;
	assert_int_equal(bdf_vfio_cdev("../../../dev", name, sizeof(name)), -EINVAL);
	assert_int_equal(bdf_vfio_cdev("", name, sizeof(name)), -EINVAL);
	assert_int_equal(bdf_vfio_cdev("0000:00:1f.7/x", name, sizeof(name)), -EINVAL);
	assert_false(kernel_iommufd_backend.usable("0000:ff:1f.7"));
	assert_false(kernel_iommufd_backend.usable("../0000:00:03.0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_domain_from_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_cuts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_empties_kernel, setup, teardown),
		cmocka_unit_test(test_bdf_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
