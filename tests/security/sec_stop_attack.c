// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The attacker of stop-fuse-flush and stop-fuse-access: a request of the
 * daemon left waiting on the attacker's own never-answering FUSE file
 * (hang_fuse --flush) somewhere other than the ioctl argument, where the
 * kernel may keep the daemon's worker uninterruptibly:
 *
 *   sec_stop_attack flush NODE BAIT   IOAS_MAP_FILE of BAIT: whoever
 *                                     closes a copy of that fd waits on
 *                                     its FLUSH
 *   sec_stop_attack access NODE BAIT  (under uiommufd-exec) ACCESS_RW of an
 *                                     unpinned area whose memory is a page
 *                                     of BAIT, read through /proc/TID/mem
 *
 * Prints "started" before the call that stays stuck, "returned N" if it
 * ever returns; exits 0 unless the setup failed.
 */
#include <sys/mman.h>

#include "sec_ops.h"

int main(int argc, char **argv)
{
	int node, bait = -1;
	uint32_t ioas;
	long rc;

	if (argc != 4) {
		fprintf(stderr, "usage: %s flush|access NODE BAIT\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The server may still be starting. */
	for (int i = 0; i < 100 && bait < 0; i++) {
		bait = open(argv[3], O_RDONLY | O_CLOEXEC);
		if (bait < 0)
			usleep(50 * 1000);
	}
	node = open(argv[2], O_RDWR | O_CLOEXEC);
	sec_need(bait >= 0 && node >= 0, "open the node and the bait");
	sec_need(itest_ioas_alloc(node, &ioas) == 0, "IOAS_ALLOC");
	if (!strcmp(argv[1], "flush")) {
		uint64_t iova = 0;

		printf("started\n");
		rc = itest_map_file(node, ioas, IOMMU_IOAS_MAP_READABLE, bait, 0,
				    SEC_PS, &iova);
	} else {
		char buf[64];
		void *p = mmap(NULL, SEC_PS, PROT_READ, MAP_SHARED, bait, 0);
		int afd;

		sec_need(p != MAP_FAILED, "mmap the bait");
		sec_need(itest_map_fixed(node, ioas, IOMMU_IOAS_MAP_READABLE, p,
					 SEC_PS, SEC_IOVA) == 0, "IOAS_MAP of the bait");
		sec_need(sec_create_access(node, ioas, &afd) == 0,
			 "CREATE_ACCESS");
		printf("started\n");
		rc = sec_access_rw(node, afd, SEC_IOVA, buf, sizeof(buf), 0);
	}
	printf("returned %ld\n", rc);
	return 0;
}
