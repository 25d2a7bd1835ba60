// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The attacker's own FUSE server for sec-fdpass-flush: hang_fuse's one
 * read-only file, "bait", whose FLUSH (sent by every close() of a
 * descriptor of it, in whichever process closes it) is never answered, and
 * whose READ is not either.  A process that closes a descriptor of "bait"
 * waits uninterruptibly until the server dies.
 *
 *   sec_hang_flush MOUNTPOINT | /dev/fd/N
 */
#define FUSE_USE_VERSION 34
#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BAIT_INO 2
#define BAIT_SIZE (1 << 20)

static unsigned long reads_held;

static void fill_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = BAIT_SIZE;
	}
}

static void hang_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { .ino = BAIT_INO };

	if (parent != FUSE_ROOT_ID || strcmp(name, "bait")) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_stat(BAIT_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void hang_getattr(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (ino != FUSE_ROOT_ID && ino != BAIT_INO) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_stat(ino, &st);
	fuse_reply_attr(req, &st, 3600);
}

static void hang_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != BAIT_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EACCES);
		return;
	}
	fuse_reply_open(req, fi);
}

/* The point of the server: the request is never answered. */
static void hang_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	(void)req, (void)ino, (void)size, (void)off, (void)fi;
	if (reads_held++ == 0)
		fprintf(stderr, "hang_fuse: holding a READ\n");
}

static void hang_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)req, (void)ino, (void)fi;
	fprintf(stderr, "hang_fuse: holding a FLUSH\n");
}

static const struct fuse_lowlevel_ops hang_ops = {
	.flush = hang_flush,
	.lookup = hang_lookup,
	.getattr = hang_getattr,
	.open = hang_open,
	.read = hang_read,
};

int main(int argc, char **argv)
{
	char *fargv[] = { argv[0], NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, fargv);
	struct fuse_session *se;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MOUNTPOINT\n", argv[0]);
		return 2;
	}
	se = fuse_session_new(&args, &hang_ops, sizeof(hang_ops), NULL);
	if (!se)
		return 1;
	if (fuse_session_mount(se, argv[1])) {
		fuse_session_destroy(se);
		return 1;
	}
	fprintf(stderr, "hang_flush: mounted on %s\n", argv[1]);
	rc = fuse_session_loop(se);
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	return rc ? 1 : 0;
}
