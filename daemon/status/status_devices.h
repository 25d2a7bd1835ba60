/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef UIOMMUFD_STATUS_DEVICES_H
#define UIOMMUFD_STATUS_DEVICES_H

#include "status/json.h"

struct iommufd_daemon;

/* "devices": [ {node, kind, busy, open_files, bound, pid, uid, devid,
 * attached, pt_id, pinned_bytes}, ... ] (binding members only while bound). */
void status_render_devices(struct iommufd_daemon *d, struct json_writer *w);

#endif
