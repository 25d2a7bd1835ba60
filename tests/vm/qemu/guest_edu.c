// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guest_edu: runs inside a guest that QEMU gives the daemon's software edu
 * device through `-device vfio-pci,iommufd=...,fd=N`.  The guest has no
 * vIOMMU, so a bus address is a guest physical address; this program finds
 * the edu (1234:11e8) in sysfs, maps its BAR0 through resource0, takes the
 * physical addresses of two locked pages from /proc/self/pagemap and moves
 * a pattern RAM -> device -> RAM with the edu's DMA engine, then compares
 * byte for byte.  On the host that DMA is the daemon's: it reaches guest
 * RAM only through the IOAS mappings QEMU made of it.
 *
 * Linked statically: the guest's initramfs holds busybox and this only.
 * Exit 0 on success, 1 on a failed check, 77 when no edu is found.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_FACTORIAL	0x08
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000ULL
#define EDU_DMA_MASK	((1ULL << 28) - 1)
#define BAR0_SIZE	(1 << 20)
#define PAGE		4096

static volatile uint8_t *bar;

static uint32_t rd32(unsigned int off)
{
	return *(volatile uint32_t *)(bar + off);
}

static void wr32(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(bar + off) = v;
}

static uint64_t rd64(unsigned int off)
{
	return *(volatile uint64_t *)(bar + off);
}

static void wr64(unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(bar + off) = v;
}

static int read_hex(const char *dir, const char *name, unsigned long *out)
{
	char path[512], buf[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = strtoul(buf, NULL, 16);
	return 0;
}

/* the sysfs directory of the first 1234:11e8 device, or NULL */
static char *find_edu(void)
{
	static char found[400];
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		unsigned long vendor, device;
		char dir[300];

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", e->d_name);
		if (read_hex(dir, "vendor", &vendor) || read_hex(dir, "device", &device))
			continue;
		if (vendor == 0x1234 && device == 0x11e8) {
			snprintf(found, sizeof(found), "%s", dir);
			closedir(d);
			return found;
		}
	}
	closedir(d);
	return NULL;
}

/* memory decoding and bus mastering on, through the config space file */
static int enable_device(const char *dir)
{
	char path[600];
	uint16_t cmd;
	int fd;

	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || pread(fd, &cmd, 2, 4) != 2) {
		perror(path);
		return -1;
	}
	cmd |= 0x6;
	if (pwrite(fd, &cmd, 2, 4) != 2) {
		perror("config write");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static uint64_t phys_of(const void *va)
{
	uint64_t entry;
	off_t off = (uintptr_t)va / PAGE * sizeof(entry);
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || pread(fd, &entry, sizeof(entry), off) != sizeof(entry)) {
		perror("pagemap");
		return 0;
	}
	close(fd);
	if (!(entry & (1ULL << 63)))
		return 0;
	return (entry & ((1ULL << 55) - 1)) * PAGE + (uintptr_t)va % PAGE;
}

/* start a transfer and wait for the start bit to clear (10 s at most) */
static int dma(uint64_t src, uint64_t dst, uint32_t count, uint32_t cmd)
{
	struct timespec pause = { 0, 1000000 };
	int i;

	wr64(EDU_DMA_SRC, src);
	wr64(EDU_DMA_DST, dst);
	wr64(EDU_DMA_COUNT, count);
	wr64(EDU_DMA_CMD, cmd | EDU_CMD_START);
	for (i = 0; i < 10000; i++) {
		if (!(rd64(EDU_DMA_CMD) & EDU_CMD_START))
			return 0;
		nanosleep(&pause, NULL);
	}
	fprintf(stderr, "guest_edu: DMA did not complete\n");
	return -1;
}

static int round_trip(uint8_t *src, uint8_t *dst, uint64_t src_pa,
		      uint64_t dst_pa, unsigned int seed)
{
	size_t i, bad = 0;

	for (i = 0; i < PAGE; i++)
		src[i] = (uint8_t)(i * 7 + seed);
	memset(dst, 0xa5, PAGE);
	if (dma(src_pa, EDU_BUF, PAGE, 0) ||
	    dma(EDU_BUF, dst_pa, PAGE, EDU_CMD_TO_RAM))
		return -1;
	for (i = 0; i < PAGE; i++)
		if (dst[i] != src[i] && !bad++)
			fprintf(stderr, "guest_edu: byte %zu is 0x%02x, wanted 0x%02x\n",
				i, dst[i], src[i]);
	if (bad) {
		fprintf(stderr, "guest_edu: %zu of %d bytes differ\n", bad, PAGE);
		return -1;
	}
	return 0;
}

int main(void)
{
	char path[600];
	char *dir = find_edu();
	uint64_t src_pa, dst_pa;
	uint8_t *pages;
	uint32_t v;
	int fd, i;

	if (!dir) {
		printf("guest_edu: no 1234:11e8 device in /sys/bus/pci/devices\n");
		return 77;
	}
	printf("guest_edu: edu at %s\n", dir);
	if (enable_device(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/resource0", dir);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	bar = mmap(NULL, BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED) {
		perror("mmap resource0");
		return 1;
	}

	v = rd32(EDU_ID);
	if (v != 0x010000ed) {
		fprintf(stderr, "guest_edu: identification 0x%08x\n", v);
		return 1;
	}
	wr32(EDU_LIVENESS, 0x12345678);
	v = rd32(EDU_LIVENESS);
	if (v != ~0x12345678u) {
		fprintf(stderr, "guest_edu: liveness 0x%08x\n", v);
		return 1;
	}
	wr32(EDU_FACTORIAL, 10);
	for (i = 0; i < 10000 && (rd32(0x20) & 1); i++)
		usleep(1000);
	v = rd32(EDU_FACTORIAL);
	if (v != 3628800) {
		fprintf(stderr, "guest_edu: 10! read as %u\n", v);
		return 1;
	}
	printf("guest_edu: registers answer (id, liveness, 10! = %u)\n", v);

	pages = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
	if (pages == MAP_FAILED || mlock(pages, 2 * PAGE)) {
		perror("locked pages");
		return 1;
	}
	memset(pages, 0, 2 * PAGE);
	src_pa = phys_of(pages);
	dst_pa = phys_of(pages + PAGE);
	printf("guest_edu: source page at 0x%llx, destination at 0x%llx\n",
	       (unsigned long long)src_pa, (unsigned long long)dst_pa);
	if (!src_pa || !dst_pa || (src_pa | dst_pa) > EDU_DMA_MASK) {
		fprintf(stderr, "guest_edu: pages outside the edu's 28-bit DMA reach\n");
		return 1;
	}
	for (i = 0; i < 3; i++) {
		if (round_trip(pages, pages + PAGE, src_pa, dst_pa, 3 * i + 1))
			return 1;
	}
	printf("guest_edu: DMA RAM -> device -> RAM, 3 x %d bytes checked byte for byte: OK\n",
	       PAGE);
	return 0;
}
