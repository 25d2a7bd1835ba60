// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A FUSE file system whose one file never answers a read, for the stop
 * test: a client maps DIR/f and passes a pointer into it as an ioctl
 * argument, and the daemon's read of that page waits until this server
 * answers (never) or its connection is aborted.
 *
 *   hang_fuse DIR [UID]
 *
 * Prints "mounted" once DIR/f exists and serves until killed (the kernel
 * then aborts the connection).  With UID (run as root) it mounts DIR itself
 * as UID's mount (user_id=UID, as fusermount3 would for that user, which
 * needs /dev/fuse open to users) and serves as UID.
 */
#define FUSE_USE_VERSION 35
#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_INO 2
#define FILE_SIZE (64 * 1024)

static int fill(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (ino == FILE_INO) {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
		st->st_size = FILE_SIZE;
	} else {
		return ENOENT;
	}
	return 0;
}

static void hf_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	int err = fill(ino, &st);

	(void)fi;
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_attr(req, &st, 60);
}

static void hf_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { .ino = FILE_INO, .attr_timeout = 60,
				      .entry_timeout = 60 };

	if (parent != FUSE_ROOT_ID || strcmp(name, "f")) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill(FILE_INO, &e.attr);
	fuse_reply_entry(req, &e);
}

static void hf_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != FILE_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

/* The point of it all: the request is never answered. */
static void hf_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	(void)req;
	(void)ino;
	(void)size;
	(void)off;
	(void)fi;
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = hf_lookup,
	.getattr = hf_getattr,
	.open = hf_open,
	.read = hf_read,
};

int main(int argc, char **argv)
{
	char *fargv[] = { argv[0], NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, fargv);
	struct fuse_session *se;

	char mnt[32], opts[128];
	const char *where = argv[1];

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s DIR [UID]\n", argv[0]);
		return 2;
	}
	if (argc == 3) {
		unsigned int uid = (unsigned int)atoi(argv[2]);
		int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			perror("/dev/fuse");
			return 1;
		}
		snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=%u,group_id=%u",
			 fd, uid, uid);
		if (mount("hang_fuse", argv[1], "fuse.hang_fuse", MS_NOSUID | MS_NODEV,
			  opts) < 0) {
			perror("mount");
			return 1;
		}
		if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
		    setresuid(uid, uid, uid) < 0) {
			perror("dropping to UID");
			return 1;
		}
		/* libfuse serves an fd already mounted when named /dev/fd/N. */
		snprintf(mnt, sizeof(mnt), "/dev/fd/%d", fd);
		where = mnt;
	}
	se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	if (!se || fuse_session_mount(se, where))
		return 1;
	printf("mounted\n");
	fflush(stdout);
	/* Multi-threaded: a hung read must not hold up lookups. */
	fuse_session_loop_mt(se, NULL);
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	return 0;
}
