// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault queues and vEVENTQs over a real node (daemon with
 * --test-interface): FAULT_QUEUE_ALLOC and VEVENTQ_ALLOC, the fds they
 * return, an I/O page fault read and answered through the fault fd, vEVENTs
 * read through the vEVENTQ fd with the depth's lost-events header, and the
 * fd's hold on its queue (closing it, a fork()ed copy of it).
 *
 * The queue fds need the fd-passing launcher (docs/fd-passing.md):
 *  - not under it, both ioctls must fail with EOPNOTSUPP and leave no
 *    object behind (checked always);
 *  - when UIOMMUFD_FDPASS_SOCKET and UIOMMUFD_EXEC (the uiommufd-exec
 *    binary) are set, the client then runs itself under the launcher for
 *    the rest; otherwise those cases print "skip".
 * Under the launcher uiommufd-exec sets UIOMMUFD_EXEC_ACTIVE.
 */
#include <poll.h>
#include <stdbool.h>
#include <sys/wait.h>

#include "itest.h"
#include "itest_exec.h"
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

static int fd;

static void mock_domain(uint32_t ioas, uint32_t *stdev, uint32_t *idev)
{
	CHECK_RC(itest_mock_domain(fd, ioas, stdev, NULL, idev), 0);
}

static long replace(uint32_t stdev, uint32_t pt)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev,
		.mock_domain_replace = { .pt_id = pt },
	};

	return itest_test_cmd(fd, &cmd);
}

static long hwpt_alloc(uint32_t idev, uint32_t pt, uint32_t flags,
		       uint32_t fault_id, bool nested, uint32_t *out)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = idev,
		.pt_id = pt, .fault_id = fault_id,
	};
	long rc;

	if (nested) {
		cmd.data_type = IOMMU_HWPT_DATA_SELFTEST;
		cmd.data_len = sizeof(data);
		cmd.data_uptr = (uintptr_t)&data;
	}
	rc = itest_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	*out = cmd.out_hwpt_id;
	return rc;
}

static long fault_alloc(uint32_t *id, int *qfd)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd),
					 .out_fault_fd = 0xdeadbeef };
	long rc = itest_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	*id = cmd.out_fault_id;
	*qfd = rc ? -1 : (int)cmd.out_fault_fd;
	return rc;
}

static long veventq_alloc(uint32_t viommu, uint32_t depth, uint32_t *id,
			  int *qfd)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd), .viommu_id = viommu,
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST, .veventq_depth = depth,
	};
	long rc = itest_ioctl(fd, IOMMU_VEVENTQ_ALLOC, &cmd);

	*id = cmd.out_veventq_id;
	*qfd = rc ? -1 : (int)cmd.out_veventq_fd;
	return rc;
}

static long trigger_iopf(uint32_t idev, uint32_t pasid)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .dev_id = idev, .pasid = pasid, .grpid = 2,
				  .perm = IOMMU_PGFAULT_PERM_READ,
				  .addr = 0xdeadbeaf },
	};

	return itest_test_cmd(fd, &cmd);
}

static long trigger_vevent(uint32_t idev)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_TRIGGER_VEVENT,
				      .trigger_vevent = { .dev_id = idev } };

	return itest_test_cmd(fd, &cmd);
}

/* A device behind a vIOMMU (vDEVICE 0x99), attached to a nested HWPT. */
struct viommu_setup {
	uint32_t ioas, stdev, idev, parent, viommu, vdev, nested;
};

static void viommu_setup(struct viommu_setup *s)
{
	struct iommu_viommu_alloc va = { .size = sizeof(va),
					 .type = IOMMU_VIOMMU_TYPE_SELFTEST };
	struct iommu_vdevice_alloc vd = { .size = sizeof(vd), .virt_id = 0x99 };

	s->ioas = itest_ioas_new(fd);
	mock_domain(s->ioas, &s->stdev, &s->idev);
	CHECK_RC(hwpt_alloc(s->idev, s->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
			    false, &s->parent), 0);
	va.dev_id = s->idev;
	va.hwpt_id = s->parent;
	CHECK_RC(itest_ioctl(fd, IOMMU_VIOMMU_ALLOC, &va), 0);
	s->viommu = va.out_viommu_id;
	vd.viommu_id = s->viommu;
	vd.dev_id = s->idev;
	CHECK_RC(itest_ioctl(fd, IOMMU_VDEVICE_ALLOC, &vd), 0);
	s->vdev = vd.out_vdevice_id;
	CHECK_RC(hwpt_alloc(s->idev, s->viommu, 0, 0, true, &s->nested), 0);
	CHECK_RC(replace(s->stdev, s->nested), 0);
}

static void viommu_teardown(struct viommu_setup *s)
{
	CHECK_RC(replace(s->stdev, s->ioas), 0);
	CHECK_RC(itest_destroy(fd, s->nested), 0);
	CHECK_RC(itest_destroy(fd, s->vdev), 0);
	CHECK_RC(itest_destroy(fd, s->viommu), 0);
	CHECK_RC(itest_destroy(fd, s->parent), 0);
	CHECK_RC(itest_destroy(fd, s->stdev), 0);
	CHECK_RC(itest_destroy(fd, s->ioas), 0);
}

/* Without the launcher: EOPNOTSUPP, and the IDs were not used. */
static void no_launcher(void)
{
	struct viommu_setup s;
	uint32_t id, ioas, next;
	int qfd;

	ioas = itest_ioas_new(fd);
	CHECK_RC(fault_alloc(&id, &qfd), -EOPNOTSUPP);
	viommu_setup(&s);
	CHECK_RC(veventq_alloc(s.viommu, 0, &id, &qfd), -EINVAL);
	CHECK_RC(veventq_alloc(s.viommu, 2, &id, &qfd), -EOPNOTSUPP);
	/* No queue of the type was left behind. */
	CHECK_RC(trigger_vevent(s.idev), -EOPNOTSUPP);
	viommu_teardown(&s);
	next = itest_ioas_new(fd);
	CHECK(next == ioas + 1);
	CHECK_RC(itest_destroy(fd, next), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
}

/* The kernel self-test's flow: fault, read, answer, tear down. */
static void iopf_roundtrip(void)
{
	struct iommu_hwpt_page_response resp = { .code = IOMMUFD_PAGE_RESP_SUCCESS };
	uint32_t ioas = itest_ioas_new(fd), stdev, idev, parent, fault_id, iopf;
	struct iommu_hwpt_pgfault f[2];
	struct pollfd pfd;
	int qfd;

	mock_domain(ioas, &stdev, &idev);
	CHECK_RC(hwpt_alloc(idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0, false,
			    &parent), 0);
	CHECK_RC(fault_alloc(&fault_id, &qfd), 0);
	CHECK(qfd > 2 && (fcntl(qfd, F_GETFD) & FD_CLOEXEC));
	CHECK_RC(hwpt_alloc(idev, parent, IOMMU_HWPT_FAULT_ID_VALID, 999, true,
			    &iopf), -ENOENT);
	CHECK_RC(hwpt_alloc(idev, parent, IOMMU_HWPT_FAULT_ID_VALID, fault_id,
			    true, &iopf), 0);
	CHECK_RC(replace(stdev, iopf), 0);
	CHECK_RC(itest_destroy(fd, iopf), -EBUSY);
	/* Empty: read() does not block. */
	CHECK(read(qfd, f, sizeof(f)) == -1 && errno == EAGAIN);
	CHECK_RC(trigger_iopf(idev, 1), 0);
	pfd = (struct pollfd){ .fd = qfd, .events = POLLIN };
	CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLIN));
	CHECK(read(qfd, f, sizeof(f)) == sizeof(f[0]));
	CHECK(f[0].dev_id == idev && f[0].pasid == 1 && f[0].grpid == 2 &&
	      f[0].addr == 0xdeadbeaf && f[0].cookie == 1 &&
	      f[0].flags == (IOMMU_PGFAULT_FLAGS_PASID_VALID |
			     IOMMU_PGFAULT_FLAGS_LAST_PAGE));
	resp.cookie = f[0].cookie;
	CHECK(write(qfd, &resp, sizeof(resp)) == sizeof(resp));
	/* Answered: the next fault reuses cookie 1. */
	CHECK_RC(trigger_iopf(idev, 1), 0);
	CHECK(read(qfd, f, sizeof(f)) == sizeof(f[0]) && f[0].cookie == 1);

	CHECK_RC(replace(stdev, ioas), 0);
	CHECK_RC(itest_destroy(fd, iopf), 0);
	/* The fd holds the queue until the daemon sees it closed. */
	CHECK_RC(itest_destroy(fd, fault_id), -EBUSY);
	close(qfd);
	CHECK_RC(itest_destroy(fd, fault_id), 0);
	CHECK_RC(itest_destroy(fd, parent), 0);
	CHECK_RC(itest_destroy(fd, stdev), 0);
	CHECK_RC(itest_destroy(fd, ioas), 0);
}

/* The kernel self-test's vdevice_alloc flow: depth 2, three events. */
static void vevent_overflow(void)
{
	struct {
		struct iommufd_vevent_header hdr;
		struct iommu_viommu_event_selftest ev;
	} __attribute__((packed)) r[3];
	struct viommu_setup s;
	uint32_t id, id2;
	int qfd, qfd2;

	viommu_setup(&s);
	CHECK_RC(veventq_alloc(s.viommu, 2, &id, &qfd), 0);
	CHECK_RC(veventq_alloc(s.viommu, 2, &id2, &qfd2), -EEXIST);
	CHECK_RC(trigger_vevent(s.idev), 0);
	CHECK(read(qfd, r, sizeof(r)) == sizeof(r[0]));
	CHECK(r[0].hdr.flags == 0 && r[0].hdr.sequence == 0 &&
	      r[0].ev.virt_id == 0x99);
	for (int i = 0; i != 3; i++)
		CHECK_RC(trigger_vevent(s.idev), 0);
	memset(r, 0, sizeof(r));
	CHECK(read(qfd, r, sizeof(r)) == 2 * sizeof(r[0]) + sizeof(r[0].hdr));
	CHECK(r[0].hdr.sequence == 1 && r[1].hdr.sequence == 2 &&
	      r[1].ev.virt_id == 0x99);
	CHECK(r[2].hdr.flags == IOMMU_VEVENTQ_FLAG_LOST_EVENTS &&
	      r[2].hdr.sequence == 3);
	CHECK_RC(trigger_vevent(s.idev), 0);
	CHECK(read(qfd, r, sizeof(r)) == sizeof(r[0]));
	CHECK(r[0].hdr.flags == 0 && r[0].hdr.sequence == 4);
	CHECK_RC(itest_destroy(fd, s.viommu), -EBUSY);
	close(qfd);
	CHECK_RC(itest_destroy(fd, id), 0);
	viommu_teardown(&s);
}

/* A fork()ed copy of the fd holds the queue as a kernel file would. */
static void forked_copy(void)
{
	uint32_t fault_id;
	int qfd, status, go[2];
	pid_t child;

	CHECK_RC(fault_alloc(&fault_id, &qfd), 0);
	CHECK(pipe(go) == 0);
	child = fork();
	if (child == 0) {
		char c;

		close(go[1]);
		(void)read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	close(qfd);
	CHECK_RC(itest_destroy(fd, fault_id), -EBUSY);
	close(go[1]);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK_RC(itest_destroy(fd, fault_id), 0);
}

/* Closing the iommufd first: the queue fd reads end of file. */
static void close_iommufd_first(void)
{
	int saved = fd, qfd;
	uint32_t fault_id;
	char c;

	fd = itest_open();
	CHECK_RC(fault_alloc(&fault_id, &qfd), 0);
	close(fd);
	fd = saved;
	/* The daemon notices the close asynchronously: wait for it. */
	for (int i = 0; i != 200; i++) {
		if (read(qfd, &c, 1) == 0)
			break;
		usleep(10000);
	}
	CHECK(read(qfd, &c, 1) == 0);
	close(qfd);
}

int main(int argc, char **argv)
{
	itest_init(argc, argv);
	fd = itest_open();
	if (getenv("UIOMMUFD_EXEC_ACTIVE")) {
		RUN(iopf_roundtrip);
		RUN(vevent_overflow);
		RUN(forked_copy);
		RUN(close_iommufd_first);
		close(fd);
		return itest_finish();
	}
	RUN(no_launcher);
	itest_under_launcher(argv, "iopf_roundtrip vevent_overflow forked_copy "
				   "close_iommufd_first");
	close(fd);
	return itest_finish();
}
