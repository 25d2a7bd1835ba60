// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The options of --device vfio:BDF[,backend=type1|iommufd][,name=NAME]
 * that reach the provider (the layer keeps name= and its own policy
 * options).  The BDF is checked here, in full, because it becomes a path
 * under /sys and the name of a VFIO device: nothing but hex digits, two
 * colons and a dot gets that far.
 */
#include "providers/vfio_real/vfio_real.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* n hex digits at s, no more; their value in *v. */
static bool hex_field(const char *s, size_t n, unsigned int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return false;
		*v = *v * 16 + d;
	}
	return true;
}

/* [DDDD:]BB:SS.F, the slot below 0x20 and the function below 8. */
static bool parse_bdf(const char *s, size_t len, char out[32])
{
	unsigned int dom = 0, bus, slot, fn;
	const char *p = s;

	if (len == 12) {
		if (!hex_field(p, 4, &dom) || p[4] != ':')
			return false;
		p += 5;
	} else if (len != 7) {
		return false;
	}
	if (!hex_field(p, 2, &bus) || p[2] != ':' || !hex_field(p + 3, 2, &slot) ||
	    p[5] != '.' || !hex_field(p + 6, 1, &fn) || slot > 0x1f || fn > 7)
		return false;
	snprintf(out, 32, "%04x:%02x:%02x.%x", dom, bus, slot, fn);
	return true;
}

int real_opts_parse(const char *options, struct real_opts *out, char *err,
		    size_t errlen)
{
	const char *p = options ? options : "";
	size_t n = strcspn(p, ",");

	memset(out, 0, sizeof(*out));
	out->backend = REAL_BACKEND_AUTO;
	if (!n) {
		snprintf(err, errlen, "a PCI address is needed: vfio:0000:00:03.0");
		return -EINVAL;
	}
	if (!parse_bdf(p, n, out->bdf)) {
		snprintf(err, errlen, "'%.*s' is not a PCI address (DDDD:BB:SS.F)",
			 (int)(n > 40 ? 40 : n), p);
		return -EINVAL;
	}
	p += n;
	while (*p == ',') {
		p++;
		n = strcspn(p, ",");
		if (n == 13 && !strncmp(p, "backend=type1", 13)) {
			out->backend = REAL_BACKEND_TYPE1;
		} else if (n == 15 && !strncmp(p, "backend=iommufd", 15)) {
			out->backend = REAL_BACKEND_IOMMUFD;
		} else if (n) {
			snprintf(err, errlen,
				 "unknown option '%.*s' (known: backend=type1|iommufd)",
				 (int)(n > 40 ? 40 : n), p);
			return -EINVAL;
		}
		p += n;
	}
	return 0;
}
