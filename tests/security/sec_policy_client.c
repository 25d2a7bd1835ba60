// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A client of a served device with an access policy
 * (tests/security/device-policy.sh), run as various uids:
 *
 *   sec_policy_client open PATH [ro]   open the device node (O_RDWR, or
 *       O_RDONLY with ro); prints "opened" or the errno's name (EACCES).
 *   sec_policy_client bind DEV IOMMU   open both, VFIO_DEVICE_BIND_IOMMUFD;
 *       prints "bound" (exit 0) or where it failed and the errno's name.
 *   sec_policy_client send DEV SOCK    open DEV, listen on the Unix socket
 *       SOCK (mode 0777), hand the open file to the first peer, "sent";
 *       exits once the peer hung up.
 *   sec_policy_client recv-bind SOCK IOMMU  take a device fd from SOCK and
 *       bind it to our own iommufd: "bound" (an fd passed on by a user the
 *       policy lets in works for whoever holds it, as a real node's).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "uiommufd/vfio_abi.h"

static const char *errname(int e)
{
	switch (e) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case EBADFD: return "EBADFD";
	case ENODEV: return "ENODEV";
	case ENOMEM: return "ENOMEM";
	default: return strerror(e);
	}
}

static int bind_dev(int dev, int iommufd)
{
	struct vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = iommufd };

	if (ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &b)) {
		printf("bind %s\n", errname(errno));
		return 1;
	}
	printf("bound\n");
	return 0;
}

static int unix_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

static int do_send(const char *dev_path, const char *sock_path)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'd';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct sockaddr_un a;
	struct cmsghdr *c;
	int dev, ls, s;

	dev = open(dev_path, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		printf("open %s\n", errname(errno));
		return 1;
	}
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || unix_addr(sock_path, &a) ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) || chmod(sock_path, 0777) ||
	    listen(ls, 1)) {
		perror("socket");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0)
		return 1;
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &dev, sizeof(int));
	if (sendmsg(s, &msg, 0) != 1) {
		perror("sendmsg");
		return 1;
	}
	/* Our own copy goes: the peer's is then the file's only one. */
	close(dev);
	printf("sent\n");
	fflush(stdout);
	while (read(s, &byte, 1) > 0)
		;
	return 0;
}

static int do_recv_bind(const char *sock_path, const char *iommu_path)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct sockaddr_un a;
	struct cmsghdr *c;
	int s, dev, iommufd;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || unix_addr(sock_path, &a) ||
	    connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		return 1;
	}
	if (recvmsg(s, &msg, MSG_CMSG_CLOEXEC) != 1 || !(c = CMSG_FIRSTHDR(&msg)) ||
	    c->cmsg_type != SCM_RIGHTS) {
		printf("no fd received\n");
		return 1;
	}
	memcpy(&dev, CMSG_DATA(c), sizeof(int));
	iommufd = open(iommu_path, O_RDWR | O_CLOEXEC);
	if (iommufd < 0) {
		printf("open iommu %s\n", errname(errno));
		return 1;
	}
	return bind_dev(dev, iommufd);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "open")) {
		bool ro = argc == 4 && !strcmp(argv[3], "ro");
		int fd = open(argv[2], (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);

		printf("%s\n", fd >= 0 ? "opened" : errname(errno));
		return fd >= 0 ? 0 : 2;
	}
	if (argc == 4 && !strcmp(argv[1], "bind")) {
		int dev = open(argv[2], O_RDWR | O_CLOEXEC), iommufd;

		if (dev < 0) {
			printf("open %s\n", errname(errno));
			return 2;
		}
		iommufd = open(argv[3], O_RDWR | O_CLOEXEC);
		if (iommufd < 0) {
			printf("open iommu %s\n", errname(errno));
			return 1;
		}
		return bind_dev(dev, iommufd);
	}
	if (argc == 4 && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "recv-bind"))
		return do_recv_bind(argv[2], argv[3]);
	fprintf(stderr, "usage: %s open PATH [ro] | bind DEV IOMMU | send DEV SOCK | recv-bind SOCK IOMMU\n",
		argv[0]);
	return 1;
}
