// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A client that holds known objects in a running daemon for the service
 * tests, then checks how its fds behave once the daemon is gone.
 *
 *   svc_client NODE CTX,CTX,...  [--mock] [--map BYTES]
 *
 * Opens one context per comma-separated number and allocates that many IOAS
 * in it.  With --mock it attaches a selftest mock domain to the first IOAS
 * of each context (the daemon needs --test-interface), so a mapping is
 * pinned; with --map it maps BYTES of shared memory (memfd) into that IOAS.
 * It then prints "ready pid=P mock=E map=E" (E: 0 or an errno name) and
 * reads commands from stdin:
 *   probe  one ioctl on every held fd; prints "probe OK" if all failed with
 *          an error, or "probe BAD ..." (the test expects errors: the daemon
 *          is gone).  alarm(10) turns a hang into a failure.
 *   exit   (or EOF) closes everything and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#define MAX_CTX 16

static long xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static const char *ename(long rc)
{
	return rc ? strerrorname_np((int)-rc) : "0";
}

int main(int argc, char **argv)
{
	int fds[MAX_CTX], nfds = 0;
	uint32_t first_ioas[MAX_CTX];
	long mock_rc = -ENOSYS, map_rc = -ENOSYS;
	uint64_t map_bytes = 0;
	bool mock = false;
	char line[64], *list;

	if (argc < 3) {
		fprintf(stderr, "usage: %s NODE N[,N...] [--mock] [--map BYTES]\n", argv[0]);
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--mock"))
			mock = true;
		else if (!strcmp(argv[i], "--map") && i + 1 < argc)
			map_bytes = strtoull(argv[++i], NULL, 0);
		else
			return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	list = argv[2];
	for (char *tok = strtok(list, ","); tok && nfds < MAX_CTX; tok = strtok(NULL, ",")) {
		int fd = open(argv[1], O_RDWR | O_CLOEXEC), n = atoi(tok);

		if (fd < 0) {
			fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		for (int j = 0; j < n; j++) {
			struct iommu_ioas_alloc a = { .size = sizeof(a) };
			long rc = xioctl(fd, IOMMU_IOAS_ALLOC, &a);

			if (rc) {
				fprintf(stderr, "IOAS_ALLOC: %s\n", ename(rc));
				return 1;
			}
			if (!j)
				first_ioas[nfds] = a.out_ioas_id;
		}
		fds[nfds++] = fd;
	}

	for (int i = 0; i < nfds; i++) {
		if (mock) {
			struct iommu_test_cmd t = {
				.size = sizeof(t),
				.op = IOMMU_TEST_OP_MOCK_DOMAIN,
				.id = first_ioas[i],
			};

			mock_rc = xioctl(fds[i], IOMMU_TEST_CMD, &t);
		}
		if (map_bytes) {
			int mfd = memfd_create("svc_client", MFD_CLOEXEC);
			void *p = MAP_FAILED;
			struct iommu_ioas_map m = {
				.size = sizeof(m),
				.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
				.ioas_id = first_ioas[i],
				.length = map_bytes,
			};

			if (mfd >= 0 && ftruncate(mfd, (off_t)map_bytes) == 0)
				p = mmap(NULL, map_bytes, PROT_READ | PROT_WRITE,
					 MAP_SHARED, mfd, 0);
			if (p == MAP_FAILED) {
				fprintf(stderr, "memfd: %s\n", strerror(errno));
				return 1;
			}
			memset(p, 0x5a, map_bytes);
			m.user_va = (uintptr_t)p;
			map_rc = xioctl(fds[i], IOMMU_IOAS_MAP, &m);
			close(mfd); /* the mapping keeps the memory */
		}
	}
	printf("ready pid=%d mock=%s map=%s\n", (int)getpid(), ename(mock_rc),
	       ename(map_rc));

	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "probe", 5)) {
			char bad[512] = "";

			alarm(10);
			for (int i = 0; i < nfds; i++) {
				struct iommu_ioas_alloc a = { .size = sizeof(a) };
				long rc = xioctl(fds[i], IOMMU_IOAS_ALLOC, &a);
				size_t l = strlen(bad);

				snprintf(bad + l, sizeof(bad) - l, " fd%d=%s", i, ename(rc));
				if (!rc)
					bad[0] = '!';
			}
			alarm(0);
			printf("probe %s%s\n", bad[0] == '!' ? "BAD" : "OK", bad + (bad[0] == '!'));
		} else if (!strncmp(line, "exit", 4)) {
			break;
		}
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return 0;
}
