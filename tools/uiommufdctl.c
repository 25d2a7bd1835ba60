// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uiommufdctl: asks a running uiommufd what it holds, over its status socket,
 * and shows the answer as a table or as the daemon's JSON.  Every failure is
 * one line on stderr and exit status 1; usage errors are status 2.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "json_read.h"

/* More than the daemon ever sends (16 MiB) would be someone else talking. */
#define REPLY_MAX ((size_t)17 << 20)
#define REPLY_TIMEOUT_S 5

static const char *prog = "uiommufdctl";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: uiommufdctl [--socket PATH] status [--json]\n"
		"Show what a running uiommufd holds: per client (pid), its open\n"
		"contexts, objects by type, IOAS and areas, mapped and pinned bytes.\n\n"
		"  -s, --socket PATH  the daemon's status socket (default:\n"
		"                     $UIOMMUFD_STATUS_SOCKET, else for non-root\n"
		"                     $XDG_RUNTIME_DIR/uiommufd/status.sock if it exists,\n"
		"                     else /run/uiommufd/status.sock)\n"
		"  -j, --json         print the daemon's JSON instead of a table\n"
		"  -h, --help         this text\n"
		"      --version      print the version\n");
}

static const char *default_socket(char *buf, size_t len)
{
	const char *env = getenv("UIOMMUFD_STATUS_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (env && *env)
		return env;
	if (geteuid() != 0 && xdg && xdg[0] == '/') {
		snprintf(buf, len, "%s/uiommufd/status.sock", xdg);
		if (stat(buf, &st) == 0)
			return buf;
	}
	return "/run/uiommufd/status.sock";
}

/* Connects, sends "status", reads the whole reply.  Errors are printed. */
static int fetch_status(const char *path, char **out, size_t *out_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	size_t len = 0, cap = 65536;
	char *buf;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: socket path too long: %s\n", prog, path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		if (err == ENOENT)
			fprintf(stderr, "%s: no status socket at %s: uiommufd is not running there (see --socket)\n",
				prog, path);
		else if (err == ECONNREFUSED)
			fprintf(stderr, "%s: nothing answers on %s: uiommufd is not running (stale socket)\n",
				prog, path);
		else if (err == EACCES || err == EPERM)
			fprintf(stderr, "%s: permission denied on %s: the status socket is for root and the status group\n",
				prog, path);
		else
			fprintf(stderr, "%s: cannot connect to %s: %s\n", prog, path,
				strerror(err));
		close(fd);
		return -err;
	}
	/* A refused peer may be closed on before it writes: not an error yet. */
	if (send(fd, "status\n", 7, MSG_NOSIGNAL) < 0 && errno != EPIPE &&
	    errno != ECONNRESET) {
		fprintf(stderr, "%s: cannot send to %s: %s\n", prog, path, strerror(errno));
		close(fd);
		return -errno;
	}
	shutdown(fd, SHUT_WR);
	buf = malloc(cap);
	for (;;) {
		ssize_t n;

		if (!buf) {
			fprintf(stderr, "%s: out of memory\n", prog);
			close(fd);
			return -ENOMEM;
		}
		if (len + 1 >= cap) {
			char *p = cap * 2 <= REPLY_MAX ? realloc(buf, cap * 2) : NULL;

			if (!p) {
				fprintf(stderr, "%s: the reply from %s is too large\n", prog, path);
				free(buf);
				close(fd);
				return -E2BIG;
			}
			buf = p;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			fprintf(stderr, "%s: no reply from %s: %s\n", prog, path,
				err == EAGAIN ? "timed out" : strerror(err));
			free(buf);
			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

static void format_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)b;
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", b);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
}

/* "ioas:3,hwpt_paging:1", or "-" when the client holds no object. */
static void format_objects(const struct jv *objs, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; objs && objs->type == JV_OBJECT && i < objs->n; i++) {
		int n = snprintf(buf + used, len - used, "%s%s:%" PRIu64,
				 used ? "," : "", objs->keys[i],
				 objs->items[i].is_u64 ? objs->items[i].u64 : 0);

		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, len, "-");
}

/* A process name is whatever its owner chose: show only printable ASCII. */
static void sanitize(const char *in, char *out, size_t len)
{
	size_t i = 0;

	for (; in && *in && i + 1 < len; in++)
		out[i++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
	out[i] = '\0';
}

static void print_row(const char *pid, const char *uid, const char *comm,
		      const struct jv *c)
{
	char mapped[32], pinned[32], objects[256];

	format_bytes(jv_get_u64(c, "mapped_bytes", 0), mapped, sizeof(mapped));
	format_bytes(jv_get_u64(c, "pinned_bytes", 0), pinned, sizeof(pinned));
	format_objects(jv_get(c, "objects"), objects, sizeof(objects));
	printf("%8s %6s %-16s %4" PRIu64 " %5" PRIu64 " %6" PRIu64 " %10s %10s  %s\n",
	       pid, uid, comm, jv_get_u64(c, "contexts", 0), jv_get_u64(c, "ioas", 0),
	       jv_get_u64(c, "areas", 0), mapped, pinned, objects);
}

/* The served devices (--device), when the daemon has any. */
static void print_devices(const struct jv *devs)
{
	if (!devs || devs->type != JV_ARRAY || !devs->n)
		return;
	printf("\n%-32s %-6s %5s %8s %6s %5s %6s %10s\n", "DEVICE", "KIND",
	       "FILES", "BINDER", "UID", "DEVID", "PT", "PINNED");
	for (size_t i = 0; i < devs->n; i++) {
		const struct jv *v = &devs->items[i];
		const struct jv *bound = jv_get(v, "bound");
		const struct jv *busy = jv_get(v, "busy");
		char node[288], kind[16], pid[16] = "-", uid[16] = "-", devid[16] = "-",
		     pt[16] = "-", pinned[32] = "-";

		sanitize(jv_get_str(v, "node", "?"), node, sizeof(node));
		sanitize(jv_get_str(v, "kind", "?"), kind, sizeof(kind));
		if (busy && busy->type == JV_BOOL && busy->boolean)
			snprintf(pid, sizeof(pid), "busy");
		if (bound && bound->type == JV_BOOL && bound->boolean) {
			snprintf(pid, sizeof(pid), "%" PRIu64, jv_get_u64(v, "pid", 0));
			snprintf(uid, sizeof(uid), "%" PRIu64, jv_get_u64(v, "uid", 0));
			snprintf(devid, sizeof(devid), "%" PRIu64, jv_get_u64(v, "devid", 0));
			if (jv_get(v, "pt_id"))
				snprintf(pt, sizeof(pt), "%" PRIu64, jv_get_u64(v, "pt_id", 0));
			format_bytes(jv_get_u64(v, "pinned_bytes", 0), pinned,
				     sizeof(pinned));
		}
		printf("%-32s %-6s %5" PRIu64 " %8s %6s %5s %6s %10s\n", node, kind,
		       jv_get_u64(v, "open_files", 0), pid, uid, devid, pt, pinned);
		if (jv_get(v, "address")) {
			char addr[40], backend[24], hw[32];

			sanitize(jv_get_str(v, "address", "?"), addr, sizeof(addr));
			sanitize(jv_get_str(v, "backend", "?"), backend,
				 sizeof(backend));
			format_bytes(jv_get_u64(v, "hw_mapped_bytes", 0), hw,
				     sizeof(hw));
			printf("  real device %s, backend %s: %" PRIu64
			       " ranges, %s mapped on the IOMMU\n",
			       addr, backend, jv_get_u64(v, "hw_mapped_ranges", 0), hw);
		}
	}
}

static int print_table(const struct jv *root)
{
	const struct jv *d = jv_get(root, "daemon");
	const struct jv *clients = jv_get(root, "clients");
	const struct jv *totals = jv_get(root, "totals");
	const struct jv *nodes = jv_get(d, "nodes");
	uint64_t up = jv_get_u64(d, "uptime_s", 0), nclients, omitted;
	char locked[32], label[32];

	if (!d || !clients || clients->type != JV_ARRAY || !totals) {
		fprintf(stderr, "%s: the daemon's reply is not a status document\n", prog);
		return 1;
	}
	format_bytes(jv_get_u64(d, "locked_bytes", 0), locked, sizeof(locked));
	printf("uiommufd %s, pid %" PRIu64 ", %s", jv_get_str(d, "version", "?"),
	       jv_get_u64(d, "pid", 0), jv_get_str(d, "frontend", "?"));
	for (size_t i = 0; nodes && nodes->type == JV_ARRAY && i < nodes->n; i++)
		if (nodes->items[i].type == JV_STRING)
			printf(" %s", nodes->items[i].string);
	printf(", up %" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ", %s locked\n",
	       up / 3600, up / 60 % 60, up % 60, locked);
	printf("%8s %6s %-16s %4s %5s %6s %10s %10s  %s\n", "PID", "UID",
	       "COMMAND", "CTX", "IOAS", "AREAS", "MAPPED", "PINNED", "OBJECTS");
	for (size_t i = 0; i < clients->n; i++) {
		const struct jv *c = &clients->items[i];
		char pid[24], uid[24], comm[32];

		snprintf(pid, sizeof(pid), "%" PRIu64, jv_get_u64(c, "pid", 0));
		snprintf(uid, sizeof(uid), "%" PRIu64, jv_get_u64(c, "uid", 0));
		sanitize(jv_get_str(c, "comm", "?"), comm, sizeof(comm));
		print_row(pid, uid, comm, c);
	}
	nclients = jv_get_u64(totals, "clients", 0);
	snprintf(label, sizeof(label), "%" PRIu64 " client%s", nclients,
		 nclients == 1 ? "" : "s");
	print_row("TOTAL", "", label, totals);
	omitted = jv_get_u64(root, "contexts_omitted", 0);
	if (omitted)
		printf("(%" PRIu64 " more contexts are counted in the total but not listed)\n",
		       omitted);
	print_devices(jv_get(root, "devices"));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	char xdg_path[4096], *reply = NULL;
	const char *path = NULL, *err;
	struct jv *root = NULL;
	bool json = false;
	size_t len = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "s:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("uiommufdctl %s\n", UIOMMUFD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc || strcmp(argv[optind], "status") || optind + 1 != argc) {
		if (optind < argc && strcmp(argv[optind], "status"))
			fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!path)
		path = default_socket(xdg_path, sizeof(xdg_path));

	if (fetch_status(path, &reply, &len))
		return 1;
	if (!len) {
		fprintf(stderr, "%s: %s closed without a reply\n", prog, path);
		free(reply);
		return 1;
	}
	if (jv_parse(reply, len, &root)) {
		fprintf(stderr, "%s: the reply from %s is not JSON\n", prog, path);
		free(reply);
		return 1;
	}
	err = jv_get_str(root, "error", NULL);
	if (err) {
		char clean[256];

		sanitize(err, clean, sizeof(clean));
		fprintf(stderr, "%s: the daemon refused: %s\n", prog, clean);
		rc = 1;
	} else if (json) {
		fwrite(reply, 1, len, stdout);
		if (reply[len - 1] != '\n')
			putchar('\n');
		rc = 0;
	} else {
		rc = print_table(root);
	}
	jv_free(root);
	free(reply);
	return rc;
}
