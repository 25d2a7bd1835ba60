/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Event queues: the fault queue (IOMMUFD_OBJ_FAULT) that HWPTs allocated
 * with IOMMU_HWPT_FAULT_ID_VALID report I/O page faults to, and the vEVENTQ
 * (IOMMUFD_OBJ_VEVENTQ) a vIOMMU reports events to.  Mirrors the kernel's
 * drivers/iommu/iommufd/eventq.c; see eventq.c for how the queue's fd is
 * made here.
 *
 * Users counts: the caller's open fd holds one on its queue (dropped when
 * the daemon notices the close), each HWPT with a fault queue holds one on
 * it, a vEVENTQ holds one on its vIOMMU.
 */
#ifndef UIOMMUFD_EVENTQ_H
#define UIOMMUFD_EVENTQ_H

#include "core/fd_handle.h"
#include "core/iommufd_private.h"
#include "uiommufd/abi.h"

struct iommufd_device;
struct iommufd_hw_pagetable;
struct iommufd_viommu;

/* The kernel's struct iommufd_eventq: what both queues share. */
struct iommufd_eventq {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	/* The daemon's end of the caller's fd; peer is -1 without one. */
	struct iommufd_fd_handle handle;
	/* The caller's end is open (and holds a users count on obj). */
	bool fd_open;
};

/*
 * A resource a client controls: fault groups delivered and not yet
 * answered, per queue.  A fault over it is answered to the device with a
 * failure, as the kernel's iopf core does when it cannot queue a group.
 */
#define IOMMUFD_FAULT_MAX_GROUPS 4096u

/* A delivered fault group waiting for its page response (by cookie). */
struct iommufd_fault_group {
	bool used;
	/* The attach handle it came through: device, PASID, HWPT. */
	struct iommufd_device *idev;
	uint32_t pasid;
	struct iommufd_hw_pagetable *hwpt;
};

struct iommufd_fault {
	struct iommufd_eventq common;
	/* The kernel's response xarray: groups[cookie - 1]. */
	struct iommufd_fault_group *groups;
	unsigned int nr_groups, cap_groups;
	/* A page response the caller's write() split across reads. */
	uint8_t partial[sizeof(struct iommu_hwpt_page_response)];
	unsigned int partial_len;
};

/* A record written into a vEVENTQ's socket and not yet read whole. */
struct iommufd_vevent_rec {
	uint32_t truesize; /* the socket memory it holds, see eventq.c */
	bool lost;	   /* a lost-events header */
};

/*
 * A resource a client controls: the payload of one vEVENT, which only
 * the daemon's own drivers produce (the mock's is 4 bytes).
 */
#define IOMMUFD_VEVENT_MAX_DATA 256u

struct iommufd_veventq {
	struct iommufd_eventq common;
	struct iommufd_viommu *viommu;
	struct iommufd_veventq *next; /* on viommu->veventqs */
	uint32_t type;
	uint32_t depth;
	/* Events queued and not read yet; the lost-events header is not one. */
	uint32_t num_events;
	uint32_t sequence;
	/* The socket's send buffer: an event must leave room for a header. */
	uint64_t sndbuf;
	/* What the socket holds, oldest first (a ring). */
	struct iommufd_vevent_rec *recs;
	unsigned int rec_head, nr_recs, cap_recs;
	uint64_t recs_truesize;
};

int iommufd_fault_alloc(struct iommufd_ucmd *ucmd);
int iommufd_veventq_alloc(struct iommufd_ucmd *ucmd);
void iommufd_fault_destroy(struct iommufd_object *obj);
void iommufd_veventq_destroy(struct iommufd_object *obj);

/*
 * iommu_report_device_fault() for one fault that ends its group (what the
 * self-test's TRIGGER_IOPF makes): finds the attachment whose HWPT takes
 * it and queues it.  fault carries flags, pasid, grpid, perm and addr; the
 * rest is filled in.  -EINVAL when no fault-capable HWPT is attached there
 * (the device is answered "invalid"), else 0.
 */
int iommu_report_device_fault(struct iommufd_device *idev,
			      const struct iommu_hwpt_pgfault *fault);
/* iommufd_auto_response_faults(): the attachment went; answer its groups. */
void iommufd_auto_response_faults(struct iommufd_hw_pagetable *hwpt,
				  struct iommufd_device *idev, uint32_t pasid);

/* iommufd_viommu_find_veventq(): the vIOMMU's queue of that type, or NULL. */
struct iommufd_veventq *
iommufd_viommu_find_veventq(struct iommufd_viommu *viommu, uint32_t type);
/*
 * iommufd_viommu_report_event(): -EOPNOTSUPP without a queue of that type,
 * -ENOMEM when the event could not be queued (then reported as lost), 0
 * otherwise, including when veventq_depth made it a lost event.
 */
int iommufd_viommu_report_event(struct iommufd_viommu *viommu, uint32_t type,
				const void *data, size_t data_len);

#endif
