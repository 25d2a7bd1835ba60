// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attack class 1b, as an unprivileged user under uiommufd-exec:
 *   sec_maps_forge NODE ROOTFILE USERDIR
 * ROOTFILE (root-owned, 0644) is mapped MAP_SHARED PROT_READ at X.  A file
 * of the user's own, mapped below X, gets a path so long that its line in
 * /proc/PID/maps passes 511 characters and the tail of the line reads
 *   "X-X+4096 rw-s 00000000 00:00 0 ..."
 * A reader with a fixed 512-byte line buffer sees that tail as a line of
 * its own: a writable shared mapping at X.  Then a writeable IOAS_MAP of X
 * into an IOAS with a mock domain (and one whose domain comes after the
 * map) and an ACCESS_RW write.  pin_user_pages(FOLL_WRITE) fails on a
 * read-only mapping: the fixed daemon must answer EFAULT (the map with a
 * domain, the attach after it) and the caller checks that ROOTFILE did not
 * change.  Legitimate, must work: a writeable IOAS_MAP of the user's own
 * MAP_SHARED memfd mapping, written by ACCESS_RW.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include "sec_ops.h"

/* Above ASan's shadow (which ends at 0x10007fff8000 on x86-64). */
#define LONG_VA 0x300000000000ull	/* the long-named file */
#define ROOT_VA 0x300000100000ull	/* X: the root file */
#define LINE_BUF 512			/* the old reader's fgets() buffer */

static const char evil[] = "WRITTEN-THROUGH-UIOMMUFD";

static void *map_at(uint64_t va, int prot, int fd)
{
	void *p = mmap((void *)(uintptr_t)va, SEC_PS, prot,
		       MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);

	sec_need(p == (void *)(uintptr_t)va, "mmap at a fixed address");
	return p;
}

/* Where the path starts in the maps line of the mapping at va. */
static size_t path_column(uint64_t va)
{
	char want[32], *line = NULL;
	size_t cap = 0, col = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	sec_need(f != NULL, "/proc/self/maps");
	snprintf(want, sizeof(want), "%llx-", (unsigned long long)va);
	while (getline(&line, &cap, f) > 0)
		if (!strncmp(line, want, strlen(want)) && strchr(line, '/'))
			col = (size_t)(strchr(line, '/') - line);
	fclose(f);
	free(line);
	sec_need(col > 0, "the long file's line in /proc/self/maps");
	return col;
}

/* Whether a reader of LINE_BUF-byte lines sees a line starting with s. */
static int short_reader_sees(const char *s)
{
	char line[LINE_BUF];
	FILE *f = fopen("/proc/self/maps", "re");
	int seen = 0;

	sec_need(f != NULL, "/proc/self/maps");
	while (fgets(line, sizeof(line), f))
		seen |= !strncmp(line, s, strlen(s));
	fclose(f);
	return seen;
}

/*
 * Rename the long file (mapped at LONG_VA) so that the forged text starts
 * at column LINE_BUF - 1 of its maps line.  Path components stay under
 * NAME_MAX; directories of 'a's take the length that one cannot.
 */
static void forge(const char *userdir, const char *tmp, const char *forged)
{
	size_t k = LINE_BUF - 1 - path_column(LONG_VA);	/* index in the path */
	char path[4096];
	size_t pos;

	snprintf(path, sizeof(path), "%s/", userdir);
	pos = strlen(path);
	sec_need(k > pos + 1, "the user directory's path is too long to forge");
	while (k - pos > 200) {
		size_t n = k - pos - 100 < 200 ? k - pos - 100 : 200;

		memset(path + pos, 'a', n);
		path[pos + n] = '\0';
		sec_need(mkdir(path, 0700) == 0 || errno == EEXIST, "mkdir");
		path[pos + n] = '/';
		pos += n + 1;
	}
	memset(path + pos, 'b', k - pos);
	snprintf(path + k, sizeof(path) - k, "%s", forged);
	sec_need(rename(tmp, path) == 0, "rename to the forged name");
}

static void attack(int fd)
{
	uint32_t ioas = sec_ioas_with_domain(fd), ioas2;
	long rc, arc = -1;

	rc = itest_map_fixed(fd, ioas, SEC_MAP_RW, (void *)(uintptr_t)ROOT_VA,
			     SEC_PS, SEC_IOVA);
	sec_say(rc == -EFAULT,
		"writeable IOAS_MAP of a read-only shared mapping behind a forged maps line, domain present: %s (want EFAULT)",
		sec_err(rc));
	if (rc == 0)
		sec_try_write(fd, ioas, evil, sizeof(evil) - 1, "map with domain");

	sec_need(itest_ioas_alloc(fd, &ioas2) == 0, "IOAS_ALLOC");
	rc = itest_map_fixed(fd, ioas2, SEC_MAP_RW, (void *)(uintptr_t)ROOT_VA,
			     SEC_PS, SEC_IOVA);
	if (rc == 0)
		arc = itest_mock_domain(fd, ioas2, NULL, NULL, NULL);
	sec_say(rc == -EFAULT || (rc == 0 && arc == -EFAULT),
		"the same, domain attached after the map: map %s, attach %s (want EFAULT)",
		sec_err(rc), rc ? "-" : sec_err(arc));
	if (rc == 0 && arc == 0)
		sec_try_write(fd, ioas2, evil, sizeof(evil) - 1, "attach after map");
}

/* Legitimate: the user's own shared memory, writeable. */
static void own_shared(int fd)
{
	uint32_t ioas = sec_ioas_with_domain(fd);
	int mfd = memfd_create("sec-own", MFD_CLOEXEC), afd = -1;
	char *p;
	long rc;

	sec_need(mfd >= 0 && ftruncate(mfd, SEC_PS) == 0, "memfd");
	p = mmap(NULL, SEC_PS, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	sec_need(p != MAP_FAILED, "mmap memfd");
	rc = itest_map_fixed(fd, ioas, SEC_MAP_RW, p, SEC_PS, SEC_IOVA);
	sec_say(rc == 0, "writeable IOAS_MAP of an own MAP_SHARED memfd with a domain: %s",
		sec_err(rc));
	if (rc)
		return;
	rc = sec_create_access(fd, ioas, &afd);
	if (rc == 0)
		rc = sec_access_rw(fd, afd, SEC_IOVA + 16, (void *)evil,
				   sizeof(evil) - 1, 1);
	sec_say(rc == 0 && !memcmp(p + 16, evil, sizeof(evil) - 1),
		"ACCESS_RW write into it: %s, memory %s", sec_err(rc),
		memcmp(p + 16, evil, sizeof(evil) - 1) ? "unchanged" : "written");
	if (afd >= 0)
		close(afd);
}

int main(int argc, char **argv)
{
	char tmp[4096], forged[128];
	int fd, rfd, lfd;

	if (argc < 4 || !getenv("UIOMMUFD_EXEC_ACTIVE")) {
		fprintf(stderr, "usage: uiommufd-exec %s NODE ROOTFILE USERDIR\n",
			argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	sec_need(fd >= 0, argv[1]);
	rfd = open(argv[2], O_RDONLY | O_CLOEXEC);
	sec_need(rfd >= 0, argv[2]);
	sec_need(open(argv[2], O_RDWR | O_CLOEXEC) < 0 && errno == EACCES,
		 "ROOTFILE must not be writable by this user");
	map_at(ROOT_VA, PROT_READ, rfd);

	snprintf(tmp, sizeof(tmp), "%s/long", argv[3]);
	lfd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	sec_need(lfd >= 0 && ftruncate(lfd, SEC_PS) == 0, tmp);
	map_at(LONG_VA, PROT_READ, lfd);
	snprintf(forged, sizeof(forged), "%llx-%llx rw-s 00000000 00:00 0 forged",
		 ROOT_VA, ROOT_VA + SEC_PS);
	forge(argv[3], tmp, forged);
	/* The premise: a 512-byte line reader now sees the forged line. */
	sec_need(short_reader_sees(forged), "the forged maps line");
	printf("setup: a %d-byte line reader of /proc/self/maps sees \"%s\"\n",
	       LINE_BUF, forged);

	attack(fd);
	own_shared(fd);
	close(fd);
	return sec_failed;
}
