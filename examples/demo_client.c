// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The README's demonstration: a device puts its DMA through an IOAS.
 *
 *   demo_client IOMMUFD DEVICE [-- COMMAND ARGS...]
 *
 * Opens the iommufd node and an edu device's VFIO cdev, binds the device,
 * allocates an IOAS and attaches the device to it, maps two pages of its
 * own memory, and has the device DMA a message from one page through its
 * buffer into the other.  While the pages are mapped (and pinned) it runs
 * COMMAND (build-and-demo.sh passes `uiommufdctl status`).  Then it unmaps
 * the destination and shows that the device's next write is blocked.
 * Only the kernel's ABI is used: the same binary runs against the
 * kernel's /dev/iommu and vfio-pci with QEMU's edu device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edu_ops.h"

#define IOVA_MSG 0x100000
#define IOVA_BUF 0x200000
#define MSG_LEN 64

static int fail(const char *what, int err)
{
	fprintf(stderr, "demo: %s: %s\n", what, strerror(err < 0 ? -err : errno));
	return 1;
}

static int map(int fd, uint32_t ioas, void *va, size_t len, uint64_t iova)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = ioas, .user_va = (uintptr_t)va,
		.length = len, .iova = iova,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
	};

	return edu_ioctl(fd, IOMMU_IOAS_MAP, &m);
}

static void run(char **cmd)
{
	pid_t pid;
	int status;

	if (!cmd || !cmd[0])
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
}

int main(int argc, char **argv)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct edu_handle dev;
	long page = sysconf(_SC_PAGESIZE);
	char **cmd = NULL;
	uint8_t *mem;
	uint32_t id;
	int fd, mfd, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: %s IOMMUFD DEVICE [-- COMMAND ARGS...]\n", argv[0]);
		return 2;
	}
	if (argc > 4 && !strcmp(argv[3], "--"))
		cmd = argv + 4;
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(argv[1], 0);
	dev.fd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (dev.fd < 0)
		return fail(argv[2], 0);
	printf("opened %s (iommufd) and %s (a VFIO device)\n", argv[1], argv[2]);
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &alloc))
		return fail("IOMMU_IOAS_ALLOC", 0);
	printf("IOMMU_IOAS_ALLOC: IOAS %u\n", alloc.out_ioas_id);
	rc = edu_bind_attach(&dev, fd, alloc.out_ioas_id);
	if (rc)
		return fail("VFIO_DEVICE_BIND_IOMMUFD / ATTACH_IOMMUFD_PT", rc);
	printf("VFIO_DEVICE_BIND_IOMMUFD: device object %u; "
	       "VFIO_DEVICE_ATTACH_IOMMUFD_PT: its DMA goes through HWPT %u of IOAS %u\n",
	       dev.devid, dev.hwpt, alloc.out_ioas_id);
	rc = edu_read32(&dev, EDU_ID_REG, &id);
	if (rc)
		return fail("pread BAR0", rc);
	printf("BAR0 identification register: %#010x (edu)\n", id);
	rc = edu_command(&dev, PCI_CMD_MEMORY | PCI_CMD_MASTER, 0);
	if (rc)
		return fail("config space: bus mastering", rc);

	mfd = memfd_create("demo", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, 2 * page))
		return fail("memfd", 0);
	mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (mem == MAP_FAILED)
		return fail("mmap", 0);
	snprintf((char *)mem, MSG_LEN, "hello from page 1, carried by the device");
	strcpy((char *)mem + page, "(nothing yet)");
	if ((rc = map(fd, alloc.out_ioas_id, mem, page, IOVA_MSG)) ||
	    (rc = map(fd, alloc.out_ioas_id, mem + page, page, IOVA_BUF)))
		return fail("IOMMU_IOAS_MAP", rc);
	printf("IOMMU_IOAS_MAP: page 1 at IOVA %#x, page 2 at IOVA %#x (now pinned)\n",
	       IOVA_MSG, IOVA_BUF);
	if ((rc = edu_dma(&dev, IOVA_MSG, 0, MSG_LEN, false, false)) ||
	    (rc = edu_dma(&dev, IOVA_BUF, 0, MSG_LEN, true, false)))
		return fail("edu DMA", rc);
	printf("device DMA: IOVA %#x -> its buffer -> IOVA %#x\n", IOVA_MSG, IOVA_BUF);
	printf("page 2 now reads: \"%s\"\n", (char *)mem + page);
	if (strcmp((char *)mem + page, (char *)mem)) {
		fprintf(stderr, "demo: the device's DMA did not arrive\n");
		return 1;
	}
	if (cmd) {
		printf("--- %s, while mapped:\n", cmd[0]);
		run(cmd);
		printf("---\n");
	}

	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = IOVA_BUF;
	unmap.length = page;
	if (ioctl(fd, IOMMU_IOAS_UNMAP, &unmap))
		return fail("IOMMU_IOAS_UNMAP", 0);
	strcpy((char *)mem + page, "(page 2 after the unmap: untouched)");
	printf("IOMMU_IOAS_UNMAP: IOVA %#x unmapped\n", IOVA_BUF);
	if ((rc = edu_dma(&dev, IOVA_BUF, 0, MSG_LEN, true, false)))
		return fail("edu DMA", rc);
	printf("device DMA to IOVA %#x again: blocked by the IOMMU; page 2 reads \"%s\"\n",
	       IOVA_BUF, (char *)mem + page);
	if (strcmp((char *)mem + page, "(page 2 after the unmap: untouched)")) {
		fprintf(stderr, "demo: the device wrote an unmapped IOVA\n");
		return 1;
	}
	close(dev.fd);
	close(fd);
	printf("closed: the device is unbound, the IOAS and its pins are gone\n");
	return 0;
}
