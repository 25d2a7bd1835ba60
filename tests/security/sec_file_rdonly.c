// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attack class 1a, as an unprivileged user under uiommufd-exec:
 *   sec_file_rdonly NODE ROOTFILE
 * ROOTFILE is a root-owned 0644 file on tmpfs.  It is opened O_RDONLY and
 * given to IOMMU_IOAS_MAP_FILE as a writeable map, (a) into an IOAS that
 * already has a mock domain and (b) into one that gets its domain after
 * the map; whatever succeeds is then written through ACCESS_RW.  The
 * kernel's pin needs write access the fd does not carry: the writeable map
 * with a domain, or the attach after it, must fail with EACCES.  The
 * caller checks afterwards that ROOTFILE did not change.
 * Legitimate, must work: a read-only MAP_FILE of the same O_RDONLY fd
 * reads the file; a writeable MAP_FILE of the user's own O_RDWR memfd is
 * written by ACCESS_RW.
 */
#include <sys/mman.h>

#include "sec_ops.h"

static const char evil[] = "WRITTEN-THROUGH-UIOMMUFD";

/* (a) The domain is there first: the map itself pins. */
static void map_with_domain(int fd, int rfd)
{
	uint32_t ioas = sec_ioas_with_domain(fd);
	long rc = itest_map_file(fd, ioas, SEC_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
				 rfd, 0, SEC_PS, &(uint64_t){ SEC_IOVA });

	sec_say(rc == -EACCES,
		"writeable MAP_FILE of an O_RDONLY fd into an IOAS with a domain: %s (want EACCES)",
		sec_err(rc));
	if (rc == 0)
		sec_try_write(fd, ioas, evil, sizeof(evil) - 1, "map with domain");
}

/* (b) Map first (bookkeeping only), attach the domain afterwards. */
static void map_then_attach(int fd, int rfd)
{
	uint32_t ioas;
	long rc, arc = -1;

	sec_need(itest_ioas_alloc(fd, &ioas) == 0, "IOAS_ALLOC");
	rc = itest_map_file(fd, ioas, SEC_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
			    rfd, 0, SEC_PS, &(uint64_t){ SEC_IOVA });
	if (rc == 0)
		arc = itest_mock_domain(fd, ioas, NULL, NULL, NULL);
	/* Refusing the map already (EACCES) is as good as refusing the attach. */
	sec_say(rc == -EACCES || (rc == 0 && arc == -EACCES),
		"writeable MAP_FILE of an O_RDONLY fd, domain attached after: map %s, attach %s (want EACCES)",
		sec_err(rc), rc ? "-" : sec_err(arc));
	if (rc == 0 && arc == 0)
		sec_try_write(fd, ioas, evil, sizeof(evil) - 1, "attach after map");
}

/* Legitimate: reading a file one may read. */
static void read_only_map(int fd, int rfd)
{
	uint32_t ioas = sec_ioas_with_domain(fd);
	char want[64] = "", got[64] = "";
	int afd = -1;
	long rc;

	sec_need(pread(rfd, want, sizeof(want), 0) > 0, "pread ROOTFILE");
	rc = itest_map_file(fd, ioas,
			    IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
			    rfd, 0, SEC_PS, &(uint64_t){ SEC_IOVA });
	sec_say(rc == 0, "read-only MAP_FILE of the O_RDONLY fd with a domain: %s",
		sec_err(rc));
	if (rc)
		return;
	rc = sec_create_access(fd, ioas, &afd);
	if (rc == 0)
		rc = sec_access_rw(fd, afd, SEC_IOVA, got, sizeof(got), 0);
	sec_say(rc == 0 && !memcmp(got, want, sizeof(got)),
		"ACCESS_RW read of the read-only map: %s, %s", sec_err(rc),
		memcmp(got, want, sizeof(got)) ? "wrong bytes" : "the file's bytes");
	if (afd >= 0)
		close(afd);
}

/* Legitimate: writing one's own memfd through a writeable MAP_FILE. */
static void own_memfd(int fd)
{
	uint32_t ioas = sec_ioas_with_domain(fd);
	char got[sizeof(evil)] = "";
	int mfd = memfd_create("sec-own", MFD_CLOEXEC), afd = -1;
	long rc;

	sec_need(mfd >= 0 && ftruncate(mfd, SEC_PS) == 0, "memfd");
	rc = itest_map_file(fd, ioas, SEC_MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
			    mfd, 0, SEC_PS, &(uint64_t){ SEC_IOVA });
	sec_say(rc == 0, "writeable MAP_FILE of an O_RDWR memfd with a domain: %s",
		sec_err(rc));
	if (rc)
		return;
	rc = sec_create_access(fd, ioas, &afd);
	if (rc == 0)
		rc = sec_access_rw(fd, afd, SEC_IOVA + 8, (void *)evil,
				   sizeof(evil) - 1, 1);
	sec_need(pread(mfd, got, sizeof(evil) - 1, 8) == sizeof(evil) - 1,
		 "pread memfd");
	sec_say(rc == 0 && !memcmp(got, evil, sizeof(evil) - 1),
		"ACCESS_RW write into the own memfd: %s, memfd %s", sec_err(rc),
		memcmp(got, evil, sizeof(evil) - 1) ? "unchanged" : "written");
	if (afd >= 0)
		close(afd);
	close(mfd);
}

int main(int argc, char **argv)
{
	int fd, rfd;

	if (argc < 3 || !getenv("UIOMMUFD_EXEC_ACTIVE")) {
		fprintf(stderr, "usage: uiommufd-exec %s NODE ROOTFILE\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	sec_need(fd >= 0, argv[1]);
	rfd = open(argv[2], O_RDONLY | O_CLOEXEC);
	sec_need(rfd >= 0, argv[2]);
	/* The premise: this user cannot open the file for writing. */
	sec_need(open(argv[2], O_RDWR | O_CLOEXEC) < 0 && errno == EACCES,
		 "ROOTFILE must not be writable by this user");
	map_with_domain(fd, rfd);
	map_then_attach(fd, rfd);
	read_only_map(fd, rfd);
	own_memfd(fd);
	close(fd);
	return sec_failed;
}
