// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The legitimate client of the security tests: opens the node, allocates an
 * IOAS and destroys it.  Exit 0 when both calls succeed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "../integration/itest_ops.h"

int main(int argc, char **argv)
{
	uint32_t id;
	int fd;

	if (argc < 2)
		return 2;
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	if (itest_ioas_alloc(fd, &id) || itest_destroy(fd, id)) {
		fprintf(stderr, "IOAS_ALLOC/DESTROY failed\n");
		return 1;
	}
	close(fd);
	return 0;
}
