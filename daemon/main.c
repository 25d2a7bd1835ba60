// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uiommufd: Linux's /dev/iommu (iommufd) and VFIO type1 container ABI,
 * served from userspace.  This file holds the options, picks the front end,
 * tells the service manager when the node answers, and waits for signals.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "frontend/frontend.h"
#include "frontend/serve_loop.h"
#include "fdpass/fdpass.h"
#include "clock.h"
#include "log.h"
#include "vfio/device.h"
#include "core/iommufd_private.h"
#include "service.h"
#include "status/status_server.h"

/* What the stop keeps for itself after giving up on stuck requests. */
#define STOP_MARGIN_US 250000ull

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: uiommufd [--cuse [--name NAME] | --fuse DIR] [OPTION]...\n"
		"Serve the iommufd (/dev/iommu) and VFIO container ioctl ABI from userspace.\n\n"
		"Front end (one of):\n"
		"  --cuse               register a CUSE character device (default when\n"
		"                       /dev/cuse exists)\n"
		"  --name NAME          CUSE device name under /dev (default: iommu)\n"
		"  --fuse DIR           mount DIR and serve DIR/iommu as a FUSE file\n"
		"Node:\n"
		"  --mode MODE          octal permissions of the node (default: 0660)\n"
		"  --owner USER         owner of the node\n"
		"  --group GROUP        group of the node\n"
		"  --vfio-node[=NAME]   also serve a VFIO container look-alike\n"
		"                       (CUSE: /dev/NAME, default vfio/vfio; FUSE: DIR/vfio)\n"
		"                       with the same --mode, --owner and --group\n"
		"  --vfio-compat-default  every new context starts with a compat IOAS\n"
		"  --device KIND[,name=NAME][,OPTS]  serve a device through a VFIO\n"
		"                       device cdev look-alike (CUSE: /dev/NAME, default\n"
		"                       vfio/devices/uvfioN; FUSE: DIR/devices/NAME,\n"
		"                       default uvfioN) with the same --mode, --owner\n"
		"                       and --group; KIND: edu (a software PCI device\n"
		"                       with QEMU edu's registers) or vfio:BDF (a real\n"
		"                       PCI device bound to vfio-pci, DMA through the\n"
		"                       IOMMU; ,backend=type1|iommufd); repeatable, up to 64\n"
		"Requests:\n"
		"  --arg-transport T    CUSE only: how ioctl arguments are read and\n"
		"                       written: 'pvm' (process_vm_readv/writev, default)\n"
		"                       or 'retry' (the CUSE ioctl retry protocol)\n"
		"  --threads N          worker threads per node kept waiting (default: 2)\n"
		"  --max-threads N      worker threads per node at most; more start while\n"
		"                       requests keep every one busy (default: 64)\n"
		"  --loop classic|uring|auto  how requests are taken: read(2) on the\n"
		"                       session fd, or FUSE-over-io_uring with one queue\n"
		"                       per CPU (Linux 6.14+, needs the administrator's\n"
		"                       /sys/module/fuse/parameters/enable_uring=Y;\n"
		"                       without it 'uring' warns and 'auto' quietly\n"
		"                       serves with the classic loop; default: %s)\n"
		"  --max-requests-per-user N  ioctls of one uid served at once; the next\n"
		"                       ones wait their turn without a thread (default: 4)\n"
		"  --max-arg-bytes N    bytes of a command struct past the known size that\n"
		"                       are checked to be zero; a longer struct is E2BIG\n"
		"                       (default: 16777216)\n"
		"  --max-objects N      objects one context may hold (default: 1048576)\n"
		"  --max-user-memory BYTES  daemon memory (contexts, objects, IOVA areas)\n"
		"                       one user's contexts may take, suffix K, M or G;\n"
		"                       root is charged like anyone (default: 512M)\n"
		"  --max-contexts-per-user N  open contexts per user, root included\n"
		"                       (default: 256)\n"
		"                       Over either limit: ENOMEM, one log line a minute\n"
		"  --max-fds-per-user N descriptors the daemon may keep for one user's\n"
		"                       contexts (caller bindings, MAP_FILE files); all\n"
		"                       users together leave 256 of RLIMIT_NOFILE free\n"
		"                       (default: 1024)\n"
		"  --max-files-per-context N\n"
		"                       files one context may hold for IOAS_MAP_FILE\n"
		"                       (default: 64)\n"
		"  --test-interface     expose IOMMU_TEST_CMD (CONFIG_IOMMUFD_TEST)\n"
		"  --fdpass-socket PATH let programs started with uiommufd-exec receive\n"
		"                       the fds some ioctls return (docs/fd-passing.md)\n"
		"Service:\n"
		"  --status-socket PATH where uiommufdctl asks (default: root\n"
		"                       /run/uiommufd/status.sock, others\n"
		"                       $XDG_RUNTIME_DIR/uiommufd/status.sock); 'none'\n"
		"  --status-group GROUP who besides root may ask the status socket\n"
		"  --config FILE        environment file read for UIOMMUFD_LOG_LEVEL at\n"
		"                       start and on SIGHUP\n"
		"  --stop-timeout SECS  longest SIGTERM waits for requests in flight;\n"
		"                       requests stuck in client memory are then\n"
		"                       abandoned and the daemon exits (default: 10;\n"
		"                       0: wait for ever)\n"
		"Logging:\n"
		"  -v, --verbose        trace every ioctl (debug level)\n"
		"  --log-level LEVEL    error, warning, notice, info, debug\n"
		"  -h, --help           this text\n"
		"  --version            print the version\n",
		loop_kind_name(LOOP_DEFAULT));
}

enum {
	OPT_CUSE = 256, OPT_NAME, OPT_FUSE, OPT_MODE, OPT_OWNER, OPT_GROUP,
	OPT_VFIO_NODE, OPT_VFIO_DEFAULT, OPT_ARG_TRANSPORT, OPT_THREADS,
	OPT_MAX_OBJECTS, OPT_MAX_FILES, OPT_MAX_FDS, OPT_TEST_IF, OPT_LOG_LEVEL, OPT_VERSION,
	OPT_STATUS_SOCKET, OPT_STATUS_GROUP, OPT_CONFIG, OPT_STOP_TIMEOUT,
	OPT_FDPASS_SOCKET, OPT_MAX_USER_MEMORY, OPT_MAX_CONTEXTS_PER_USER,
	OPT_MAX_THREADS, OPT_MAX_REQUESTS_PER_USER,
	OPT_MAX_ARG_BYTES, OPT_LOOP, OPT_DEVICE,
};

static const struct option long_options[] = {
	{ "cuse", no_argument, NULL, OPT_CUSE },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "fuse", required_argument, NULL, OPT_FUSE },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "vfio-node", optional_argument, NULL, OPT_VFIO_NODE },
	{ "vfio-compat-default", no_argument, NULL, OPT_VFIO_DEFAULT },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "arg-transport", required_argument, NULL, OPT_ARG_TRANSPORT },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "max-threads", required_argument, NULL, OPT_MAX_THREADS },
	{ "loop", required_argument, NULL, OPT_LOOP },
	{ "max-requests-per-user", required_argument, NULL, OPT_MAX_REQUESTS_PER_USER },
	{ "max-arg-bytes", required_argument, NULL, OPT_MAX_ARG_BYTES },
	{ "max-objects", required_argument, NULL, OPT_MAX_OBJECTS },
	{ "max-user-memory", required_argument, NULL, OPT_MAX_USER_MEMORY },
	{ "max-contexts-per-user", required_argument, NULL,
	  OPT_MAX_CONTEXTS_PER_USER },
	{ "max-files-per-context", required_argument, NULL, OPT_MAX_FILES },
	{ "max-fds-per-user", required_argument, NULL, OPT_MAX_FDS },
	{ "test-interface", no_argument, NULL, OPT_TEST_IF },
	{ "status-socket", required_argument, NULL, OPT_STATUS_SOCKET },
	{ "status-group", required_argument, NULL, OPT_STATUS_GROUP },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
	{ "fdpass-socket", required_argument, NULL, OPT_FDPASS_SOCKET },
	{ "verbose", no_argument, NULL, 'v' },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ 0 },
};

static int parse_uint(const char *s, unsigned long max, int base,
		      unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || !*s || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* BYTES with an optional K, M or G (powers of 1024); at least 1. */
static int parse_bytes(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end || !v || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

struct config {
	struct frontend_options fe;
	bool cuse;
	int log_level;
	bool test_interface;
	bool vfio_compat_default;
	/* --device arguments, in order. */
	const char *devices[SERVED_DEVICES_MAX];
	unsigned int nr_devices;
	unsigned long max_objects;
	uint64_t max_user_memory;
	unsigned int max_contexts_per_user;
	unsigned long max_arg_bytes;
	unsigned long max_files;
	unsigned int max_fds_per_user;
	const char *status_socket; /* NULL: the default; "none": no socket */
	gid_t status_group;
	const char *config;
	unsigned int stop_timeout;
	const char *fdpass_socket; /* NULL: no fd passing */
};

static int parse_group(const char *name, gid_t *out)
{
	struct group *gr = getgrnam(name);
	unsigned long v;

	if (gr)
		*out = gr->gr_gid;
	else if (parse_uint(name, 0xfffffffe, 10, &v) == 0)
		*out = (gid_t)v;
	else
		return log_error_errno(-EINVAL, "unknown group '%s'", name);
	return 0;
}

static int parse_args(int argc, char **argv, struct config *c)
{
	unsigned long v;
	int opt;

	while ((opt = getopt_long(argc, argv, "vh", long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_CUSE:
			c->cuse = true;
			break;
		case OPT_NAME:
			c->fe.cuse_name = optarg;
			break;
		case OPT_FUSE:
			c->fe.fuse_dir = optarg;
			break;
		case OPT_MODE:
			if (parse_uint(optarg, 07777, 8, &v))
				return log_error_errno(-EINVAL, "bad --mode '%s'", optarg);
			c->fe.mode = (mode_t)v;
			break;
		case OPT_OWNER: {
			struct passwd *pw = getpwnam(optarg);

			if (pw)
				c->fe.owner = pw->pw_uid;
			else if (parse_uint(optarg, 0xfffffffe, 10, &v) == 0)
				c->fe.owner = (uid_t)v;
			else
				return log_error_errno(-EINVAL, "unknown user '%s'", optarg);
			break;
		}
		case OPT_GROUP:
			if (parse_group(optarg, &c->fe.group))
				return -EINVAL;
			break;
		case OPT_STATUS_SOCKET:
			if (optarg[0] != '/' && strcmp(optarg, "none"))
				return log_error_errno(-EINVAL, "--status-socket takes an absolute path or 'none'");
			c->status_socket = optarg;
			break;
		case OPT_STATUS_GROUP:
			if (parse_group(optarg, &c->status_group))
				return -EINVAL;
			break;
		case OPT_CONFIG:
			c->config = optarg;
			break;
		case OPT_STOP_TIMEOUT:
			if (parse_uint(optarg, 3600, 10, &v))
				return log_error_errno(-EINVAL, "--stop-timeout takes 0 to 3600 seconds");
			c->stop_timeout = (unsigned int)v;
			break;
		case OPT_VFIO_NODE:
			c->fe.vfio_name = optarg ? optarg : "vfio/vfio";
			break;
		case OPT_VFIO_DEFAULT:
			c->vfio_compat_default = true;
			break;
		case OPT_DEVICE:
			if (c->nr_devices == SERVED_DEVICES_MAX)
				return log_error_errno(-EINVAL, "at most %d --device",
						       SERVED_DEVICES_MAX);
			c->devices[c->nr_devices++] = optarg;
			break;
		case OPT_ARG_TRANSPORT:
			if (!strcmp(optarg, "pvm"))
				c->fe.arg_transport = ARG_TRANSPORT_PVM;
			else if (!strcmp(optarg, "retry"))
				c->fe.arg_transport = ARG_TRANSPORT_RETRY;
			else
				return log_error_errno(-EINVAL, "--arg-transport takes 'pvm' or 'retry'");
			break;
		case OPT_THREADS:
			if (parse_uint(optarg, 256, 10, &v) || !v)
				return log_error_errno(-EINVAL, "--threads takes 1 to 256");
			c->fe.threads = (unsigned int)v;
			break;
		case OPT_MAX_THREADS:
			if (parse_uint(optarg, 4096, 10, &v) || !v)
				return log_error_errno(-EINVAL, "--max-threads takes 1 to 4096");
			c->fe.max_threads = (unsigned int)v;
			break;
		case OPT_LOOP:
			if (loop_kind_parse(optarg, &c->fe.loop))
				return log_error_errno(-EINVAL, "--loop takes 'classic', 'uring' or 'auto'");
			break;
		case OPT_MAX_REQUESTS_PER_USER:
			if (parse_uint(optarg, 4096, 10, &v) || !v)
				return log_error_errno(-EINVAL, "--max-requests-per-user takes 1 to 4096");
			c->fe.max_requests_per_user = (unsigned int)v;
			break;
		case OPT_MAX_ARG_BYTES:
			if (parse_uint(optarg, 0xffffffffUL, 10, &v))
				return log_error_errno(-EINVAL, "--max-arg-bytes takes 0 to 4294967295");
			c->max_arg_bytes = v;
			break;
		case OPT_MAX_OBJECTS:
			if (parse_uint(optarg, 0x7fffffff, 10, &v) || !v)
				return log_error_errno(-EINVAL, "bad --max-objects '%s'", optarg);
			c->max_objects = v;
			break;
		case OPT_MAX_USER_MEMORY:
			if (parse_bytes(optarg, &c->max_user_memory))
				return log_error_errno(-EINVAL, "bad --max-user-memory '%s' (BYTES, or with K, M or G)", optarg);
			break;
		case OPT_MAX_CONTEXTS_PER_USER:
			if (parse_uint(optarg, 1u << 20, 10, &v) || !v)
				return log_error_errno(-EINVAL, "--max-contexts-per-user takes 1 to 1048576");
			c->max_contexts_per_user = (unsigned int)v;
			break;
		case OPT_MAX_FDS:
			if (parse_uint(optarg, 1u << 20, 10, &v) || !v)
				return log_error_errno(-EINVAL, "--max-fds-per-user takes 1 to 1048576");
			c->max_fds_per_user = (unsigned int)v;
			break;
		case OPT_MAX_FILES:
			if (parse_uint(optarg, 0x100000, 10, &v) || !v)
				return log_error_errno(-EINVAL, "bad --max-files-per-context '%s'", optarg);
			c->max_files = v;
			break;
		case OPT_TEST_IF:
			c->test_interface = true;
			break;
		case OPT_FDPASS_SOCKET:
			if (optarg[0] != '/')
				return log_error_errno(-EINVAL, "--fdpass-socket takes an absolute path");
			c->fdpass_socket = optarg;
			break;
		case 'v':
			c->log_level = LOG_DEBUG;
			c->fe.trace = true;
			break;
		case OPT_LOG_LEVEL: {
			int l = log_level_from_string(optarg);

			if (l < 0)
				return log_error_errno(-EINVAL, "bad --log-level '%s'", optarg);
			c->log_level = l;
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf("uiommufd %s\n", UIOMMUFD_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return log_error_errno(-EINVAL, "unexpected argument '%s'", argv[optind]);
	}
	if (c->fe.max_threads < c->fe.threads) {
		log_notice("--max-threads %u is below --threads %u: using %u",
			   c->fe.max_threads, c->fe.threads, c->fe.threads);
		c->fe.max_threads = c->fe.threads;
	}
	if (c->cuse && c->fe.fuse_dir)
		return log_error_errno(-EINVAL, "--cuse and --fuse exclude each other");
	if (!c->fe.fuse_dir) {
		if (!c->cuse && access("/dev/cuse", F_OK) < 0)
			return log_error_errno(-EINVAL,
					       "/dev/cuse is missing: this kernel has no CUSE; use --fuse DIR");
		if (!c->fe.cuse_name)
			c->fe.cuse_name = "iommu";
	} else {
		c->fe.cuse_name = NULL;
	}
	return 0;
}

/*
 * The status socket starts once the node answers, so that a front end that
 * cannot start says so in its one line, and before READY=1.  Failing on a
 * path the operator named is fatal; on the default path it only costs the
 * status command.
 */
static int start_status(struct iommufd_daemon *d, const struct config *c,
			struct status_info *info, char nodes[2][280],
			struct status_server **out)
{
	char path[108];
	int rc;

	*out = NULL;
	info->frontend = c->fe.fuse_dir ? "fuse" : "cuse";
	info->started_us = monotonic_us(); /* the status socket's uptime */
	if (c->fe.fuse_dir) {
		snprintf(nodes[0], 280, "%s/iommu", c->fe.fuse_dir);
		if (c->fe.vfio_name)
			snprintf(nodes[1], 280, "%s/vfio", c->fe.fuse_dir);
	} else {
		snprintf(nodes[0], 280, "/dev/%s", c->fe.cuse_name);
		if (c->fe.vfio_name)
			snprintf(nodes[1], 280, "/dev/%s", c->fe.vfio_name);
	}
	info->nodes[0] = nodes[0];
	info->nodes[1] = nodes[1][0] ? nodes[1] : NULL;

	if (c->status_socket && !strcmp(c->status_socket, "none"))
		return 0;
	if (c->status_socket) {
		snprintf(path, sizeof(path), "%s", c->status_socket);
	} else if (status_socket_default_path(path, sizeof(path))) {
		log_notice("no XDG_RUNTIME_DIR: serving without a status socket (see --status-socket)");
		return 0;
	}
	rc = status_server_start(d, info, path, c->status_group, out);
	if (rc == -EADDRINUSE) {
		log_warning("another uiommufd answers on %s; %s", path,
			    c->status_socket ? "pick another --status-socket" :
			    "serving without a status socket (see --status-socket)");
		return c->status_socket ? rc : 0;
	}
	if (rc && !c->status_socket) {
		log_warning("serving without a status socket");
		return 0;
	}
	if (!rc)
		log_info("status socket %s", path);
	return rc;
}

/* The --device list, in order: DIR/devices/uvfio0, uvfio1, ... */
static int create_served_devices(struct iommufd_daemon *d,
				 const struct config *c)
{
	if (!c->nr_devices)
		return 0;
	d->served = calloc(c->nr_devices, sizeof(*d->served));
	if (!d->served)
		return -ENOMEM;
	for (unsigned int i = 0; i < c->nr_devices; i++) {
		int rc = served_device_create(d, c->devices[i], i,
					      !c->fe.fuse_dir, &d->served[i]);

		if (rc)
			return rc;
		d->nr_served++;
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(served_device_name(d->served[j]),
				    served_device_name(d->served[i])))
				return log_error_errno(-EINVAL, "--device: two devices named %s",
						       served_device_name(d->served[i]));
	}
	return 0;
}

static void destroy_served_devices(struct iommufd_daemon *d)
{
	for (unsigned int i = 0; i < d->nr_served; i++)
		served_device_destroy(d->served[i]);
	free(d->served);
	d->served = NULL;
	d->nr_served = 0;
}

int main(int argc, char **argv)
{
	struct config c = {
		.fe = { .mode = 0660, .owner = (uid_t)-1, .group = (gid_t)-1,
			.threads = 2, .max_threads = 64, .loop = LOOP_DEFAULT,
			.max_requests_per_user = 4,
			.arg_transport = ARG_TRANSPORT_PVM },
		.log_level = LOG_INFO,
		.max_objects = 1u << 20,
		.max_user_memory = USER_LIMITS_DEFAULT_MAX_BYTES,
		.max_contexts_per_user = USER_LIMITS_DEFAULT_MAX_CONTEXTS,
		.max_arg_bytes = IOMMUFD_DEFAULT_MAX_ARG_BYTES,
		.max_files = 64,
		.max_fds_per_user = USER_LIMITS_DEFAULT_MAX_FDS,
		.status_group = (gid_t)-1,
		.stop_timeout = 10,
	};
	struct iommufd_daemon daemon;
	struct status_server *status = NULL;
	struct fdpass *fdpass = NULL;
	struct status_info info = { 0 };
	char nodes[2][280] = { "", "" };
	struct frontend *fe;
	unsigned long long stop_deadline;
	uint64_t locked;
	sigset_t set;
	int rc;

	/*
	 * The worker pool grows under load; glibc would give each new thread
	 * a malloc arena of its own, which keeps what it freed: a burst of
	 * one client's requests would leave the daemon larger than what that
	 * client is charged for.  A few arenas are enough for a few workers.
	 */
	mallopt(M_ARENA_MAX, 4);
	log_init(LOG_INFO);
	if (parse_args(argc, argv, &c))
		return 2;
	if (c.config && access(c.config, R_OK) < 0)
		log_notice("--config %s: %m; the log level comes from elsewhere",
			   c.config);
	log_init(service_log_level(c.config, c.log_level));

	/*
	 * Signals are taken synchronously by this thread only; the workers
	 * inherit the mask and never see them.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	iommufd_daemon_init(&daemon);
	daemon.max_objects = (uint32_t)c.max_objects;
	daemon.user_limits.max_bytes = c.max_user_memory;
	daemon.user_limits.max_contexts = c.max_contexts_per_user;
	daemon.max_arg_bytes = c.max_arg_bytes;
	daemon.max_files_per_ctx = (unsigned int)c.max_files;
	daemon.user_limits.max_fds = c.max_fds_per_user;
	daemon.test_interface = c.test_interface;
	daemon.vfio_compat_default = c.vfio_compat_default;
	if (create_served_devices(&daemon, &c)) {
		destroy_served_devices(&daemon);
		iommufd_daemon_fini(&daemon);
		return 1;
	}

	rc = frontend_start(&daemon, &c.fe, &fe);
	if (rc) {
		destroy_served_devices(&daemon);
		iommufd_daemon_fini(&daemon);
		return 1;
	}
	if (start_status(&daemon, &c, &info, nodes, &status) ||
	    (c.fdpass_socket &&
	     fdpass_start(&daemon, c.fdpass_socket,
			  (const char *const[]){ nodes[0], nodes[1] }, 2,
			  &fdpass))) {
		status_server_stop(status);
		frontend_stop(fe);
		iommufd_daemon_fini(&daemon);
		return 1;
	}
	log_info("serving %s (%s%s, %s loop)", frontend_node_path(fe),
		 c.fe.fuse_dir ? "FUSE file" : "CUSE device",
		 c.fe.fuse_dir ? "" :
		 c.fe.arg_transport == ARG_TRANSPORT_RETRY ? ", retry arguments" :
							    ", process_vm arguments",
		 frontend_loop_name(fe));
	rc = service_run(&daemon, fe, &set, c.config, c.log_level);

	/*
	 * Stop: no new opens or requests (the front end answers ENODEV), the
	 * requests in flight finish, the nodes go away (clients holding them
	 * get errors, never a hang), every context is released and with it
	 * every pin.  A request stuck in its client's memory is waited for
	 * until just before --stop-timeout, then abandoned: every context but
	 * its own is released, and the process exits 0 (frontend_stop_until()
	 * names it).  The deadline thread is the backstop for anything else.
	 */
	stop_deadline = c.stop_timeout ?
		monotonic_us() + c.stop_timeout * 1000000ull - STOP_MARGIN_US : 0;
	service_stop_deadline(c.stop_timeout);
	status_server_stop(status);
	/* Before the front end: a notification in flight still needs it. */
	fdpass_stop(fdpass);
	if (frontend_stop_until(fe, stop_deadline)) {
		/*
		 * Stuck workers still use the object layer: tearing it down
		 * under them is not an option, and the kernel ends them with
		 * the process.
		 */
		_exit(rc ? 1 : 0);
	}
	/* Every device file is closed by now (the front end is gone). */
	destroy_served_devices(&daemon);
	locked = status_locked_bytes();
	if (locked)
		log_warning("stopped with %llu bytes still locked",
			    (unsigned long long)locked);
	iommufd_daemon_fini(&daemon);
	log_info("stopped: every context released, %llu bytes locked",
		 (unsigned long long)locked);
	return rc ? 1 : 0;
}
