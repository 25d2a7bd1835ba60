// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attacks on the VFIO device look-alike (tests/security/device-forge.sh),
 * run as an unprivileged uid:
 *
 *   sec_device_attack forge DEV NODE BAIT   bind with forged iommufds: a
 *       file of the attacker's own FUSE mount whose FLUSH is never answered
 *       (BAIT), a memfd, the fd number another process has its iommufd at;
 *       and give BAIT as an interrupt eventfd.  Prints "forge ok" when
 *       every one got the kernel's errno, then "forge done".
 *   sec_device_attack hold DEV NODE         bind, attach, map; "held"; waits
 *       to be killed.
 *   sec_device_attack stuck DEV NODE BAIT   bind, then an ioctl whose
 *       argument lies on a page of BAIT (its READ is never answered):
 *       "stuck" and the daemon's worker waits there.
 *   sec_device_attack bind DEV NODE         the legitimate use: bind (the
 *       device may still be released by a killed client: up to 5 s), GET_INFO.
 *       Exit 0 when both worked.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uiommufd/abi.h"
#include "uiommufd/vfio_abi.h"

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

static long bind_to(int dev, int iommufd)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = iommufd };

	return ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b) < 0 ? -errno : 0;
}

static int expect(const char *what, long got, long want)
{
	printf("%s: %ld (want %ld)\n", what, got, want);
	fflush(stdout);
	return got == want;
}

static pid_t foreign_pid;

/* An fd number that this process does not have but a child has its iommufd at. */
static int foreign_fd_number(const char *node)
{
	int p[2], n = -1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd;

		/* Above anything the parent has open. */
		fd = fcntl(open_or_die(node, O_RDWR), F_DUPFD_CLOEXEC, 900);
		if (write(p[1], &fd, sizeof(fd)) != sizeof(fd))
			_exit(1);
		pause();
		_exit(0);
	}
	foreign_pid = pid;
	if (read(p[0], &n, sizeof(n)) != sizeof(n))
		n = -1;
	close(p[0]);
	close(p[1]);
	return n;
}

static int forge(const char *dev_path, const char *node, const char *bait)
{
	/* First, so that the child holds none of the files below. */
	int foreign = foreign_fd_number(node);
	int dev = open_or_die(dev_path, O_RDWR);
	int bait_fd = open_or_die(bait, O_RDONLY);
	int mfd = memfd_create("forged", MFD_CLOEXEC);
	int ok = 1, ictx, efd;
	/* SET_IRQS's header and one eventfd, laid end to end. */
	struct vfio_irq_set irq_hdr = {
		.argsz = sizeof(irq_hdr) + sizeof(int32_t), .count = 1,
		.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
	};
	unsigned char irq[sizeof(irq_hdr) + sizeof(int32_t)];
	int32_t irq_fd;

	printf("started\n");
	fflush(stdout);
	ok &= expect("bind to a never-flushing FUSE file", bind_to(dev, bait_fd), -EBADFD);
	ok &= expect("bind to a memfd", bind_to(dev, mfd), -EBADFD);
	ok &= expect("bind to another process's iommufd number",
		     foreign >= 0 ? bind_to(dev, foreign) : -1, -EBADF);
	if (foreign_pid > 0) {
		kill(foreign_pid, SIGKILL);
		waitpid(foreign_pid, NULL, 0);
	}
	ok &= expect("bind to the device itself", bind_to(dev, dev), -EBADFD);
	ictx = open_or_die(node, O_RDWR);
	ok &= expect("bind to our own iommufd", bind_to(dev, ictx), 0);
	irq_fd = bait_fd;
	memcpy(irq, &irq_hdr, sizeof(irq_hdr));
	memcpy(irq + sizeof(irq_hdr), &irq_fd, sizeof(irq_fd));
	ok &= expect("never-flushing FUSE file as an eventfd",
		     ioctl(dev, VFIO_DEVICE_SET_IRQS, irq) < 0 ? -errno : 0, -EINVAL);
	efd = memfd_create("not-an-eventfd", MFD_CLOEXEC);
	irq_fd = efd;
	memcpy(irq + sizeof(irq_hdr), &irq_fd, sizeof(irq_fd));
	ok &= expect("memfd as an eventfd",
		     ioctl(dev, VFIO_DEVICE_SET_IRQS, irq) < 0 ? -errno : 0, -EINVAL);
	printf("%s\nforge done\n", ok ? "forge ok" : "forge FAILED");
	fflush(stdout);
	close(dev);
	close(ictx);
	/* Our own close of bait_fd would wait for ever: exit with it open. */
	_exit(ok ? 0 : 1);
}

static int hold(const char *dev_path, const char *node)
{
	int dev = open_or_die(dev_path, O_RDWR), ictx = open_or_die(node, O_RDWR);
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	void *buf = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct iommu_ioas_map m = {
		.size = sizeof(m), .flags = IOMMU_IOAS_MAP_READABLE |
					    IOMMU_IOAS_MAP_WRITEABLE |
					    IOMMU_IOAS_MAP_FIXED_IOVA,
		.user_va = (uintptr_t)buf, .length = 65536, .iova = 0x100000,
	};

	if (bind_to(dev, ictx) || ioctl(ictx, IOMMU_IOAS_ALLOC, &a))
		return 1;
	at.pt_id = a.out_ioas_id;
	m.ioas_id = a.out_ioas_id;
	if (ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at) ||
	    ioctl(ictx, IOMMU_IOAS_MAP, &m))
		return 1;
	printf("held\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int stuck(const char *dev_path, const char *node, const char *bait)
{
	int dev = open_or_die(dev_path, O_RDWR), ictx = open_or_die(node, O_RDWR);
	int bfd = open_or_die(bait, O_RDONLY);
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, bfd, 0);

	if (p == MAP_FAILED || bind_to(dev, ictx))
		return 1;
	printf("stuck\n");
	fflush(stdout);
	/* The daemon reads the struct from a page whose READ never returns. */
	ioctl(dev, VFIO_DEVICE_GET_INFO, p);
	printf("unstuck\n");
	_exit(0);
}

static int legit(const char *dev_path, const char *node)
{
	int dev = open_or_die(dev_path, O_RDWR), ictx = open_or_die(node, O_RDWR);
	struct vfio_device_info info = { .argsz = sizeof(info) };
	long rc = -EINVAL;

	for (int i = 0; i < 50 && rc == -EINVAL; i++) {
		rc = bind_to(dev, ictx);
		if (rc == -EINVAL)
			usleep(100000);
	}
	if (rc) {
		fprintf(stderr, "bind: %s\n", strerror((int)-rc));
		return 1;
	}
	if (ioctl(dev, VFIO_DEVICE_GET_INFO, &info)) {
		perror("GET_INFO");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "forge"))
		return forge(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "stuck"))
		return stuck(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "bind"))
		return legit(argv[2], argv[3]);
	fprintf(stderr, "usage: see the top of %s\n", __FILE__);
	return 2;
}
