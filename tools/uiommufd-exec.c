// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uiommufd-exec: run a program so that uiommufd can give it the file
 * descriptors some iommufd ioctls return (IOMMU_TEST_OP_CREATE_ACCESS,
 * IOMMU_TEST_OP_DMABUF_GET, IOMMU_FAULT_QUEUE_ALLOC, IOMMU_VEVENTQ_ALLOC).
 *
 *   uiommufd-exec [--socket PATH] [--shared-anon] PROGRAM [ARG]...
 *
 * It sets no_new_privs, installs a seccomp filter that hands exactly the
 * ioctl(2)s with those command numbers to a user-notification listener
 * (every other system call, and ioctls with other numbers, are allowed
 * untouched), sends the listener to the daemon's --fdpass-socket, and execs
 * PROGRAM.  The filter is inherited by PROGRAM's children and survives
 * exec, as seccomp filters do.  This is not a sandbox: it adds no
 * restriction, and the daemon may let a trapped call continue unchanged.
 *
 * If the daemon goes away, the trapped ioctls fail with ENOSYS (the
 * kernel's answer for a listener nobody holds) until PROGRAM exits.
 * --shared-anon appends libuiommufd-shared-anon.so to LD_PRELOAD, so that
 * PROGRAM's large private anonymous memory is shared memory a hardware
 * backend can pin (docs/private-memory.md); $UIOMMUFD_SHARED_ANON_LIB
 * names another copy of the library.  With --shared-anon and no socket
 * nothing else is set up.
 *
 * Exit status: PROGRAM's, or 125 when the setup fails, 127 when PROGRAM
 * cannot be executed.  See docs/fd-passing.md.
 */
#include <errno.h>
#include <stdbool.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

/* The ioctl numbers whose calls go to the daemon's listener. */
static const unsigned int trapped_cmds[] = {
	IOMMU_TEST_CMD, IOMMU_FAULT_QUEUE_ALLOC, IOMMU_VEVENTQ_ALLOC,
};

/* The shim's installed path, or $UIOMMUFD_SHARED_ANON_LIB. */
static const char *shared_anon_lib(void)
{
	const char *lib = getenv("UIOMMUFD_SHARED_ANON_LIB");

	return lib && *lib ? lib : UIOMMUFD_SHARED_ANON_LIB;
}

/* Appends the shim to LD_PRELOAD (the program's own preloads go first). */
static int preload_shared_anon(void)
{
	const char *lib = shared_anon_lib(), *old = getenv("LD_PRELOAD");
	size_t len;
	char *v;

	/* ld.so takes ' ' and ':' as separators: such a path cannot be named. */
	if (lib[0] != '/' || strpbrk(lib, " :") || access(lib, R_OK) < 0) {
		fprintf(stderr, "uiommufd-exec: --shared-anon: %s: %s\n", lib,
			lib[0] != '/' || strpbrk(lib, " :") ?
				"not an absolute path without ' ' or ':'" :
				strerror(errno));
		return -1;
	}
	len = (old ? strlen(old) + 1 : 0) + strlen(lib) + 1;
	v = malloc(len);
	if (!v)
		return -1;
	snprintf(v, len, "%s%s%s", old && *old ? old : "", old && *old ? ":" : "",
		 lib);
	setenv("LD_PRELOAD", v, 1);
	free(v);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: uiommufd-exec [--socket PATH] [--shared-anon] PROGRAM [ARG]...\n"
		"Run PROGRAM so that uiommufd can hand it the file descriptors that\n"
		"IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_FAULT_QUEUE_ALLOC and\n"
		"IOMMU_VEVENTQ_ALLOC return.\n\n"
		"  --socket PATH  the daemon's --fdpass-socket (default:\n"
		"                 $UIOMMUFD_FDPASS_SOCKET)\n"
		"  --shared-anon  back PROGRAM's large private anonymous memory\n"
		"                 with shared memory, so that hardware backends can\n"
		"                 pin it (preloads %s);\n"
		"                 without a socket, only that\n"
		"  -h, --help     this text\n", shared_anon_lib());
}

/*
 * The filter: ioctl(2) with a trapped command number goes to the listener,
 * everything else is allowed, other architectures included (this is no
 * sandbox).  ioctl's cmd is an unsigned int to the kernel, so only the low
 * word of args[1] is compared, whatever the caller put in the high word: a
 * mask, since libseccomp 2.5's SCMP_A1_32 still wants the high word 0.
 */
static scmp_filter_ctx build_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (!ctx)
		return NULL;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW))
		goto fail;
	for (size_t i = 0; i < sizeof(trapped_cmds) / sizeof(trapped_cmds[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
					     trapped_cmds[i])))
			goto fail;
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

/* ctx's BPF program, as libseccomp generates it, read back into memory. */
static int export_filter(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	int mfd = memfd_create("uiommufd-exec-bpf", MFD_CLOEXEC), rc = 0;
	struct stat st;

	if (mfd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, mfd);
	if (!rc && fstat(mfd, &st) < 0)
		rc = -errno;
	if (!rc && (st.st_size == 0 || st.st_size % sizeof(struct sock_filter)))
		rc = -EINVAL;
	if (!rc) {
		prog->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
		prog->filter = malloc((size_t)st.st_size);
		if (!prog->filter)
			rc = -ENOMEM;
		else if (pread(mfd, prog->filter, (size_t)st.st_size, 0) != st.st_size)
			rc = -EIO;
	}
	close(mfd);
	return rc;
}

static int install_filter(void)
{
	scmp_filter_ctx ctx = build_filter();
	struct sock_fprog prog = { 0 };
	int fd, rc;

	if (!ctx)
		return -ENOMEM;
	rc = export_filter(ctx, &prog);
	seccomp_release(ctx);
	if (rc) {
		free(prog.filter);
		return rc;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		rc = -errno;
		free(prog.filter);
		return rc;
	}
	/*
	 * Loaded here rather than by seccomp_load(): libseccomp 2.5 cannot ask
	 * for WAIT_KILLABLE_RECV.  Once the daemon has received a
	 * notification, only a fatal signal may end the wait (5.19+): an fd it
	 * adds is never orphaned by a restarted syscall.  Older kernels work
	 * without that guarantee.
	 */
	fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			  SECCOMP_FILTER_FLAG_NEW_LISTENER |
				  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
			  &prog);
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				  SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	rc = fd < 0 ? -errno : fd;
	free(prog.filter);
	return rc;
}

static int send_listener(int sock, int listener)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	char byte = 'L';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	unsigned char status;

	memset(&cbuf, 0, sizeof(cbuf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &listener, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) != 1)
		return -errno;
	if (recv(sock, &status, 1, 0) != 1)
		return -EPIPE;
	return -(int)status;
}

int main(int argc, char **argv)
{
	const char *path = getenv("UIOMMUFD_FDPASS_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int argi = 1, sock, listener, rc;
	bool shared_anon = false;

	while (argi < argc && argv[argi][0] == '-') {
		if (!strcmp(argv[argi], "--socket") && argi + 1 < argc) {
			path = argv[argi + 1];
			argi += 2;
		} else if (!strcmp(argv[argi], "--shared-anon")) {
			shared_anon = true;
			argi++;
		} else if (!strncmp(argv[argi], "--socket=", 9)) {
			path = argv[argi] + 9;
			argi++;
		} else if (!strcmp(argv[argi], "-h") || !strcmp(argv[argi], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[argi], "--")) {
			argi++;
			break;
		} else {
			usage(stderr);
			return 125;
		}
	}
	if (argi >= argc) {
		usage(stderr);
		return 125;
	}
	if (shared_anon && preload_shared_anon() < 0)
		return 125;
	if (shared_anon && (!path || !*path))
		goto run;
	if (!path || !*path) {
		fprintf(stderr, "uiommufd-exec: no socket: pass --socket PATH (the daemon's --fdpass-socket) or set UIOMMUFD_FDPASS_SOCKET\n");
		return 125;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "uiommufd-exec: socket path too long: %s\n", path);
		return 125;
	}
	strcpy(sa.sun_path, path);

	/* Connect first, so that a missing daemon fails before any filter. */
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "uiommufd-exec: cannot reach the daemon at %s: %s (is uiommufd running with --fdpass-socket %s?)\n",
			path, strerror(errno), path);
		return 125;
	}
	listener = install_filter();
	if (listener < 0) {
		fprintf(stderr, "uiommufd-exec: cannot install the seccomp filter: %s\n",
			strerror(-listener));
		return 125;
	}
	rc = send_listener(sock, listener);
	close(listener);
	close(sock);
	if (rc) {
		/* The filter stays; every trapped ioctl would fail with ENOSYS. */
		fprintf(stderr, "uiommufd-exec: the daemon refused the listener: %s\n",
			strerror(-rc));
		return 125;
	}
	/* Lets a program (or a test) know its fd-returning ioctls are served. */
	setenv("UIOMMUFD_EXEC_ACTIVE", "1", 1);
run:
	execvp(argv[argi], argv + argi);
	fprintf(stderr, "uiommufd-exec: %s: %s\n", argv[argi], strerror(errno));
	return 127;
}
