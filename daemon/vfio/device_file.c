// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Served devices, their open files, and the ioctl dispatch of a VFIO
 * device cdev (the kernel's vfio_device_fops_unl_ioctl() with vfio-pci's
 * vfio_pci_core_ioctl() behind it).  See device.h.
 */
#include "vfio/device_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/iommufd_private.h"
#include "log.h"
#include "uiommufd/vfio_abi.h"

void *sdev_priv(struct served_device *sd)
{
	return sd->priv;
}

void sdev_set_priv(struct served_device *sd, void *priv)
{
	sd->priv = priv;
}

const struct sdev_ops *sdev_get_ops(struct served_device *sd)
{
	return sd->ops;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	/* A node name under /dev or a file name: no climbing out of it. */
	if (!n || n >= sizeof(((struct served_device *)0)->name) ||
	    strstr(name, "..") || name[0] == '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] == ',' || name[i] < 0x21 || name[i] > 0x7e)
			return false;
	return true;
}

int served_device_create_ops(struct iommufd_daemon *d,
			     const struct sdev_ops *ops, const char *name,
			     const char *options, struct served_device **out)
{
	struct served_device *sd;
	int rc;

	if (!name_ok(name))
		return log_error_errno(-EINVAL, "--device: bad name '%s'", name);
	sd = calloc(1, sizeof(*sd));
	if (!sd)
		return -ENOMEM;
	pthread_mutex_init(&sd->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&sd->unbound, &ca);
		pthread_condattr_destroy(&ca);
	}
	sd->daemon = d;
	sd->ops = ops;
	snprintf(sd->name, sizeof(sd->name), "%s", name);
	snprintf(sd->path, sizeof(sd->path), "%s", name);
	sdev_irqs_init(sd);
	rc = ops->create ? ops->create(sd, options ? options : "") : 0;
	if (rc) {
		pthread_cond_destroy(&sd->unbound);
		pthread_mutex_destroy(&sd->lock);
		free(sd);
		return rc;
	}
	*out = sd;
	return 0;
}

/* The providers by kind. */
static const struct sdev_ops *sdev_kind_ops(const char *kind, size_t len)
{
	static const struct sdev_ops *const all[] = { &edu_sdev_ops,
						      &vfio_real_sdev_ops };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strlen(all[i]->kind) == len && !strncmp(all[i]->kind, kind, len))
			return all[i];
	return NULL;
}

int served_device_create(struct iommufd_daemon *d, const char *arg,
			 unsigned int index, bool cuse,
			 struct served_device **out)
{
	/* "vfio:BDF,...": what follows the colon is the provider's first option. */
	size_t kind_len = strcspn(arg, ",:");
	const struct sdev_ops *ops = sdev_kind_ops(arg, kind_len);
	char name[200], *opts, *p;
	int rc;

	if (!ops)
		return log_error_errno(-EINVAL, "--device %s: unknown kind (known: edu, vfio:BDF)",
				       arg);
	snprintf(name, sizeof(name), cuse ? "vfio/devices/uvfio%u" : "uvfio%u",
		 index);
	/* Everything but name= goes to the provider, in order. */
	opts = calloc(1, strlen(arg) + 1);
	if (!opts)
		return -ENOMEM;
	p = arg[kind_len] ? (char *)arg + kind_len + 1 : NULL;
	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (!strncmp(p, "name=", 5) && n > 5) {
			if (n - 5 >= sizeof(name)) {
				free(opts);
				return log_error_errno(-EINVAL, "--device %s: name too long", arg);
			}
			memcpy(name, p + 5, n - 5);
			name[n - 5] = 0;
		} else {
			if (*opts)
				strcat(opts, ",");
			strncat(opts, p, n);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	/* The kernel's own nodes are vfio/devices/vfioN: never take one. */
	if (!strncmp(name, "vfio/devices/vfio", 17) ||
	    (!cuse && strchr(name, '/'))) {
		free(opts);
		return log_error_errno(-EINVAL, "--device %s: name '%s' is not allowed%s",
				       arg, name, cuse ? " (the kernel's own vfioN names)" : " (FUSE: a plain file name)");
	}
	rc = served_device_create_ops(d, ops, name, opts, out);
	free(opts);
	return rc;
}

void served_device_destroy(struct served_device *sd)
{
	if (!sd)
		return;
	pthread_mutex_lock(&sd->lock);
	sdev_unbind(sd);
	if (sd->ops->destroy)
		sd->ops->destroy(sd);
	pthread_mutex_unlock(&sd->lock);
	pthread_cond_destroy(&sd->unbound);
	pthread_mutex_destroy(&sd->lock);
	free(sd);
}

const char *served_device_name(const struct served_device *sd)
{
	return sd->name;
}

void served_device_set_path(struct served_device *sd, const char *path)
{
	pthread_mutex_lock(&sd->lock);
	snprintf(sd->path, sizeof(sd->path), "%s", path);
	pthread_mutex_unlock(&sd->lock);
}

const char *served_device_path(const struct served_device *sd)
{
	return sd->path;
}

const char *served_device_kind(const struct served_device *sd)
{
	return sd->ops->kind;
}

int vfio_device_file_open(struct served_device *sd, pid_t pid, uid_t uid,
			  struct vfio_device_file **out)
{
	struct vfio_device_file *df;

	pthread_mutex_lock(&sd->lock);
	if (sd->open_files >= SDEV_MAX_OPEN_FILES) {
		pthread_mutex_unlock(&sd->lock);
		return -ENOMEM;
	}
	df = calloc(1, sizeof(*df));
	if (!df) {
		pthread_mutex_unlock(&sd->lock);
		return -ENOMEM;
	}
	df->sd = sd;
	df->opener_pid = pid;
	df->opener_uid = uid;
	sd->open_files++;
	pthread_mutex_unlock(&sd->lock);
	*out = df;
	return 0;
}

void vfio_device_file_release(struct vfio_device_file *df)
{
	struct served_device *sd;

	if (!df)
		return;
	sd = df->sd;
	pthread_mutex_lock(&sd->lock);
	/* vfio_df_unbind_iommufd(): only the file that bound. */
	if (df->access_granted && sd->bound == df)
		sdev_unbind(sd);
	sd->open_files--;
	pthread_mutex_unlock(&sd->lock);
	free(df);
}

static long sdev_ioctl_reset(struct served_device *sd)
{
	long rc;

	if (!(sdev_device_flags(sd) & VFIO_DEVICE_FLAGS_RESET) || !sd->ops->reset)
		return -EINVAL;
	pthread_mutex_lock(&sd->lock);
	rc = sd->ops->reset(sd);
	pthread_mutex_unlock(&sd->lock);
	return rc;
}

/*
 * vfio_ioctl_device_feature()'s checks, then its ENOTTY: no feature exists
 * here (no migration or dirty logging, no low power, no VF token, no
 * dma-buf).
 */
static long sdev_ioctl_feature(struct iommufd_ucmd *ucmd)
{
	const size_t minsz = offsetofend(struct vfio_device_feature, flags);
	struct vfio_device_feature f;
	int rc;

	rc = ucmd_copy_from_user(ucmd, &f, ucmd->ubuffer, minsz);
	if (rc)
		return rc;
	if (f.argsz < minsz)
		return -EINVAL;
	if (f.flags & ~(VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_SET |
			VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_PROBE))
		return -EINVAL;
	if (!(f.flags & VFIO_DEVICE_FEATURE_PROBE) &&
	    (f.flags & VFIO_DEVICE_FEATURE_SET) &&
	    (f.flags & VFIO_DEVICE_FEATURE_GET))
		return -EINVAL;
	return -ENOTTY;
}

/*
 * vfio-pci's bus/slot reset of a device that has neither (QEMU's edu on the
 * root bus, as the software devices are presented): its argsz and flags
 * checks, then ENODEV.  QEMU asks at every system reset; with ENOTTY it
 * behaved the same but the answer was not the kernel's.  A cdev-opened
 * device must name no group fds (count 0), or EINVAL before that.
 */
static long sdev_ioctl_hot_reset(struct iommufd_ucmd *ucmd, bool do_reset)
{
	const size_t minsz = offsetofend(struct vfio_pci_hot_reset, count);
	struct vfio_pci_hot_reset hdr;
	int rc;

	_Static_assert(offsetofend(struct vfio_pci_hot_reset_info, count) ==
		      offsetofend(struct vfio_pci_hot_reset, count),
		      "one header for both");
	rc = ucmd_copy_from_user(ucmd, &hdr, ucmd->ubuffer, minsz);
	if (rc)
		return rc;
	if (hdr.argsz < minsz)
		return -EINVAL;
	if (do_reset && (hdr.flags || hdr.count))
		return -EINVAL;
	return -ENODEV;
}

/*
 * Every handler reads the caller's struct before it takes sd->lock and
 * writes the answer after it let go: caller memory may never answer (a
 * page of the client's own FUSE file), and a worker stuck there must not
 * hold the device the next client will use.
 */
long vfio_device_file_ioctl(struct vfio_device_file *df,
			    struct iommufd_ucmd *ucmd, unsigned int cmd)
{
	struct served_device *sd = df->sd;
	bool granted;

	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return sdev_ioctl_bind(df, ucmd);
	/*
	 * Before BIND (or on a file that did not bind): EINVAL for all.  Once
	 * granted it stays so until release, which no ioctl of the file can
	 * overlap.
	 */
	pthread_mutex_lock(&sd->lock);
	granted = df->access_granted;
	pthread_mutex_unlock(&sd->lock);
	if (!granted)
		return -EINVAL;
	switch (cmd) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		return sdev_ioctl_attach(sd, ucmd);
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return sdev_ioctl_detach(sd, ucmd);
	case VFIO_DEVICE_GET_REGION_INFO:
		return sdev_ioctl_get_region_info(sd, ucmd);
	case VFIO_DEVICE_GET_INFO:
		return sdev_ioctl_get_info(sd, ucmd);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return sdev_ioctl_get_irq_info(sd, ucmd);
	case VFIO_DEVICE_SET_IRQS:
		return sdev_ioctl_set_irqs(sd, ucmd);
	case VFIO_DEVICE_RESET:
		return sdev_ioctl_reset(sd);
	case VFIO_DEVICE_FEATURE:
		return sdev_ioctl_feature(ucmd);
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return sdev_ioctl_hot_reset(ucmd, false);
	case VFIO_DEVICE_PCI_HOT_RESET:
		return sdev_ioctl_hot_reset(ucmd, true);
	default:
		return -ENOTTY;
	}
}

ssize_t vfio_device_file_rw(struct vfio_device_file *df, uint64_t off,
			    void *buf, size_t len, bool write)
{
	struct served_device *sd = df->sd;
	ssize_t rc;

	pthread_mutex_lock(&sd->lock);
	if (!df->access_granted)
		rc = -EINVAL;
	else if (!len)
		rc = 0;
	else
		rc = sdev_region_rw(sd, off, buf, len, write);
	pthread_mutex_unlock(&sd->lock);
	return rc;
}

const char *vfio_device_cmd_name(unsigned int cmd)
{
	static __thread char unknown[16];

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO: return "VFIO_DEVICE_GET_INFO";
	case VFIO_DEVICE_GET_REGION_INFO: return "VFIO_DEVICE_GET_REGION_INFO";
	case VFIO_DEVICE_GET_IRQ_INFO: return "VFIO_DEVICE_GET_IRQ_INFO";
	case VFIO_DEVICE_SET_IRQS: return "VFIO_DEVICE_SET_IRQS";
	case VFIO_DEVICE_RESET: return "VFIO_DEVICE_RESET";
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: return "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO";
	case VFIO_DEVICE_PCI_HOT_RESET: return "VFIO_DEVICE_PCI_HOT_RESET";
	case VFIO_DEVICE_FEATURE: return "VFIO_DEVICE_FEATURE";
	case VFIO_DEVICE_BIND_IOMMUFD: return "VFIO_DEVICE_BIND_IOMMUFD";
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT: return "VFIO_DEVICE_ATTACH_IOMMUFD_PT";
	case VFIO_DEVICE_DETACH_IOMMUFD_PT: return "VFIO_DEVICE_DETACH_IOMMUFD_PT";
	}
	snprintf(unknown, sizeof(unknown), "0x%x", cmd);
	return unknown;
}
