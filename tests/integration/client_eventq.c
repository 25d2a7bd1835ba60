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
#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

static int fd;

static uint32_t ioas_alloc(void)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	CHECK_RC(itest_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd), 0);
	return cmd.out_ioas_id;
}

static long destroy(uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return itest_ioctl(fd, IOMMU_DESTROY, &cmd);
}

static long test_cmd(struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return itest_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

static void mock_domain(uint32_t ioas, uint32_t *stdev, uint32_t *idev)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN,
				      .id = ioas };

	CHECK_RC(test_cmd(&cmd), 0);
	*stdev = cmd.mock_domain.out_stdev_id;
	*idev = cmd.mock_domain.out_idev_id;
}

static long replace(uint32_t stdev, uint32_t pt)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev,
		.mock_domain_replace = { .pt_id = pt },
	};

	return test_cmd(&cmd);
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

	return test_cmd(&cmd);
}

static long trigger_vevent(uint32_t idev)
{
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_TRIGGER_VEVENT,
				      .trigger_vevent = { .dev_id = idev } };

	return test_cmd(&cmd);
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

	s->ioas = ioas_alloc();
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
	CHECK_RC(destroy(s->nested), 0);
	CHECK_RC(destroy(s->vdev), 0);
	CHECK_RC(destroy(s->viommu), 0);
	CHECK_RC(destroy(s->parent), 0);
	CHECK_RC(destroy(s->stdev), 0);
	CHECK_RC(destroy(s->ioas), 0);
}

/* Without the launcher: EOPNOTSUPP, and the IDs were not used. */
static void no_launcher(void)
{
	struct viommu_setup s;
	uint32_t id, ioas, next;
	int qfd;

	ioas = ioas_alloc();
	CHECK_RC(fault_alloc(&id, &qfd), -EOPNOTSUPP);
	viommu_setup(&s);
	CHECK_RC(veventq_alloc(s.viommu, 0, &id, &qfd), -EINVAL);
	CHECK_RC(veventq_alloc(s.viommu, 2, &id, &qfd), -EOPNOTSUPP);
	/* No queue of the type was left behind. */
	CHECK_RC(trigger_vevent(s.idev), -EOPNOTSUPP);
	viommu_teardown(&s);
	next = ioas_alloc();
	CHECK(next == ioas + 1);
	CHECK_RC(destroy(next), 0);
	CHECK_RC(destroy(ioas), 0);
}

/* The kernel self-test's flow: fault, read, answer, tear down. */
static void iopf_roundtrip(void)
{
	struct iommu_hwpt_page_response resp = { .code = IOMMUFD_PAGE_RESP_SUCCESS };
	uint32_t ioas = ioas_alloc(), stdev, idev, parent, fault_id, iopf;
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
	CHECK_RC(destroy(iopf), -EBUSY);
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
	CHECK_RC(destroy(iopf), 0);
	/* The fd holds the queue until the daemon sees it closed. */
	CHECK_RC(destroy(fault_id), -EBUSY);
	close(qfd);
	CHECK_RC(destroy(fault_id), 0);
	CHECK_RC(destroy(parent), 0);
	CHECK_RC(destroy(stdev), 0);
	CHECK_RC(destroy(ioas), 0);
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
	CHECK_RC(destroy(s.viommu), -EBUSY);
	close(qfd);
	CHECK_RC(destroy(id), 0);
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
	CHECK_RC(destroy(fault_id), -EBUSY);
	close(go[1]);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK_RC(destroy(fault_id), 0);
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

/* Runs this program again under uiommufd-exec and reports its outcome. */
static void under_launcher(char **argv)
{
	const char *exec = getenv("UIOMMUFD_EXEC");
	const char *sock = getenv("UIOMMUFD_FDPASS_SOCKET");
	int status;
	pid_t child;

	if (!exec || !sock) {
		printf("skip iopf_roundtrip vevent_overflow forked_copy close_iommufd_first: not under uiommufd-exec (set UIOMMUFD_FDPASS_SOCKET and UIOMMUFD_EXEC)\n");
		return;
	}
	fflush(stdout);
	child = fork();
	if (child == 0) {
		execl(exec, exec, "--socket", sock, argv[0], argv[1], (char *)NULL);
		perror(exec);
		_exit(127);
	}
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
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
	itest_case = "under_launcher";
	under_launcher(argv);
	close(fd);
	return itest_finish();
}
