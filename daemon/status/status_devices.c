// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "devices" member of the status document: one object per served
 * device (--device), in order.  Never waits on a busy device: its
 * binding's figures are then left out and "busy" says so.
 */
#include "status/status_devices.h"

#include "core/iommufd_private.h"
#include "vfio/device.h"

void status_render_devices(struct iommufd_daemon *d, struct json_writer *w)
{
	json_key(w, "devices");
	json_array_begin(w);
	for (unsigned int i = 0; i < d->nr_served; i++) {
		struct served_device_status st;

		served_device_status_get(d->served[i], &st);
		json_object_begin(w);
		json_key(w, "node");
		json_string(w, st.path);
		json_key(w, "kind");
		json_string(w, st.kind);
		if (st.real) {
			/* The real device and what its IOMMU maps now. */
			json_key(w, "address");
			json_string(w, st.hw.address);
			json_key(w, "backend");
			json_string(w, st.hw.backend);
			json_key(w, "hw_attached");
			json_bool(w, st.hw.attached);
			json_key(w, "hw_mapped_ranges");
			json_u64(w, st.hw.mapped_ranges);
			json_key(w, "hw_mapped_bytes");
			json_u64(w, st.hw.mapped_bytes);
		}
		json_key(w, "busy");
		json_bool(w, st.stale);
		json_key(w, "open_files");
		json_u64(w, st.open_files);
		json_key(w, "bound");
		json_bool(w, st.bound);
		if (st.bound) {
			json_key(w, "pid");
			json_i64(w, st.bind_pid);
			json_key(w, "uid");
			json_u64(w, st.bind_uid);
			json_key(w, "devid");
			json_u64(w, st.devid);
			json_key(w, "attached");
			json_bool(w, st.attached);
			if (st.attached) {
				json_key(w, "pt_id");
				json_u64(w, st.pt_id);
			}
			json_key(w, "pinned_bytes");
			json_u64(w, st.ctx_pinned_bytes);
		}
		json_object_end(w);
	}
	json_array_end(w);
}
