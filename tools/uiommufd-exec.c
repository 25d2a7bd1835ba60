// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uiommufd-exec: run a program so that uiommufd can give it the file
 * descriptors some iommufd ioctls return (IOMMU_TEST_OP_CREATE_ACCESS,
 * IOMMU_TEST_OP_DMABUF_GET, IOMMU_FAULT_QUEUE_ALLOC, IOMMU_VEVENTQ_ALLOC).
 *
 *   uiommufd-exec [--socket PATH] PROGRAM [ARG]...
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
 * Exit status: PROGRAM's, or 125 when the setup fails, 127 when PROGRAM
 * cannot be executed.  See docs/fd-passing.md.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "uiommufd/abi.h"
#include "uiommufd/abi_test.h"

#if defined(__x86_64__)
#define EXEC_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define EXEC_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "uiommufd-exec: add this architecture's AUDIT_ARCH"
#endif

/* ioctl's cmd is an unsigned int to the kernel: the low word of args[1]. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG1_LOW offsetof(struct seccomp_data, args[1])
#else
#define ARG1_LOW (offsetof(struct seccomp_data, args[1]) + 4)
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: uiommufd-exec [--socket PATH] PROGRAM [ARG]...\n"
		"Run PROGRAM so that uiommufd can hand it the file descriptors that\n"
		"IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_FAULT_QUEUE_ALLOC and\n"
		"IOMMU_VEVENTQ_ALLOC return.\n\n"
		"  --socket PATH  the daemon's --fdpass-socket (default:\n"
		"                 $UIOMMUFD_FDPASS_SOCKET)\n"
		"  -h, --help     this text\n");
}

static int install_filter(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, EXEC_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG1_LOW),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IOMMU_TEST_CMD, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IOMMU_FAULT_QUEUE_ALLOC, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IOMMU_VEVENTQ_ALLOC, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = { .len = sizeof(insns) / sizeof(insns[0]),
				   .filter = insns };
	int fd;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	/*
	 * Once the daemon has received a notification, only a fatal signal
	 * may end the wait (5.19+): an fd it adds is never orphaned by a
	 * restarted syscall.  Older kernels work without that guarantee.
	 */
	fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			  SECCOMP_FILTER_FLAG_NEW_LISTENER |
				  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
			  &prog);
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				  SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	return fd < 0 ? -errno : fd;
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

	while (argi < argc && argv[argi][0] == '-') {
		if (!strcmp(argv[argi], "--socket") && argi + 1 < argc) {
			path = argv[argi + 1];
			argi += 2;
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
	execvp(argv[argi], argv + argi);
	fprintf(stderr, "uiommufd-exec: %s: %s\n", argv[argi], strerror(errno));
	return 127;
}
