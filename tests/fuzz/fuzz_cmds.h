/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fuzzer's command table and its input encoding, shared by the libFuzzer
 * target (fuzz_dispatch.c) and the seed writer (gen_seeds.c).
 *
 * An input is a header and a sequence of records, one per ioctl:
 *
 *   header  byte 0: bit 0 test interface OFF, bit 1 --vfio-compat-default,
 *                   bits 2-3 extra contexts (0..3),
 *                   bits 4-7 context N is a VFIO-node context (bit 4 + N)
 *           byte 1: bits 2N, 2N+1 for context N: bit 2N the caller is
 *                   unreachable (pid 0: nothing pins), bit 2N+1 reserved
 *   record  byte 0: command, an index into fuzz_cmds[] (modulo its length)
 *           byte 1: bits 0-1 context (a device command, FC_DEVICE, or a
 *                   device action: which of the edu device's open files); bits 2-3 where the argument is
 *                   (FUZZ_ARG_*); bits 4-5 the size word (FUZZ_SIZE_*);
 *                   bit 6 the caller can receive fds (uiommufd-exec);
 *                   bit 7 a non-zero byte in a tail past the struct
 *           byte 2: the size parameter
 *           (a harness action, FC_PSEUDO, has only its size bytes now)
 *           one byte per field of the command (struct fuzz_field), saying
 *           how its value is chosen (fuzz_dispatch.c, fix_field())
 *           the struct's bytes (size bytes; missing ones are zero)
 *
 * Output fields are not in the record: their values are harvested into the
 * input's pools of IDs, IOVAs and fds after a call that succeeded, so later
 * records can name what earlier ones created.
 */
#ifndef UIOMMUFD_FUZZ_CMDS_H
#define UIOMMUFD_FUZZ_CMDS_H

#include <stdint.h>

enum fuzz_kind {
	FK_NONE,
	FK_ID,     /* u32: an object ID (pool or raw) */
	FK_OUT_ID, /* u32: an ID the call returns */
	FK_PTR,    /* u64: caller memory (a harness buffer, or a bad address) */
	FK_FD,     /* s32: a caller fd (a harness file, the pool, or raw) */
	FK_OUT_FD, /* u32: an fd the call returns */
	FK_IOVA,   /* u64: an IOVA (pool, aperture, raw) */
	FK_LEN,    /* u64: a length of IOVA or of a file */
	FK_ULEN,   /* u64: a length of caller VA, kept inside the harness's reservation */
	FK_IOMMUFD, /* s32: the fd of one of the input's contexts, or another */
	FK_EVENTFD, /* s32: one of the harness's eventfds, or another fd */
};

#define FUZZ_MAX_FIELDS 8

struct fuzz_field {
	uint16_t off;
	uint8_t kind;
};

enum {
	FC_ARG_INT = 1 << 0,   /* the ioctl's argument is an integer, not a pointer */
	FC_RET_FD = 1 << 1,    /* a result >= 0 is an fd the caller now holds */
	FC_TEST_OP = 1 << 2,   /* IOMMU_TEST_CMD: op forced to test_op */
	FC_RAW_CMD = 1 << 3,   /* the command number is the struct's first word */
	FC_PSEUDO = 1 << 4,    /* not an ioctl: an action of the harness */
	FC_VFIO_ARGSZ = 1 << 5, /* the size word is VFIO's argsz */
	FC_DEVICE = 1 << 6,	/* sent to a device file (record byte 1's context
				 * bits pick which), not an iommufd context */
};

/* The harness's own actions (FC_PSEUDO). */
enum fuzz_pseudo {
	FP_REOPEN = 1,	/* release the record's context and open a new one */
	FP_REMAP_PRIVATE, /* new pages under the private buffer (same VA) */
	FP_TRUNCATE_MEMFD, /* shrink the memfd behind the MAP_FILE buffer */
	FP_FILL,	   /* write the record's bytes into a caller buffer */
	FP_DEV_OPEN,	   /* open the device again (param: which slot) */
	FP_DEV_CLOSE,	   /* release one open device file (unbinds) */
	FP_DEV_RW,	   /* pread/pwrite of a region: struct fuzz_dev_rw */
};

/*
 * FP_DEV_RW's bytes.  param bit 7: off as given, else off & 0xff (the
 * registers); bit 6: len as given (capped), else 1 << (len % 4); bit 5:
 * the value is a pooled IOVA plus its low byte (edu's DMA addresses).
 */
struct fuzz_dev_rw {
	uint8_t region;
	uint8_t write;
	uint16_t len;
	uint32_t pad;
	uint64_t off;
	uint64_t value;
};

struct fuzz_cmd {
	const char *name;
	unsigned int cmd;
	uint16_t size;	 /* the struct the command takes */
	uint16_t flags;	 /* FC_* */
	uint32_t test_op; /* FC_TEST_OP: the op; FC_PSEUDO: enum fuzz_pseudo */
	struct fuzz_field f[FUZZ_MAX_FIELDS];
};

extern const struct fuzz_cmd fuzz_cmds[];
extern const unsigned int fuzz_nr_cmds;
/* The index of name in fuzz_cmds[], or -1. */
int fuzz_cmd_index(const char *name);
unsigned int fuzz_nr_fields(const struct fuzz_cmd *c);

/* Record byte 1. */
#define FUZZ_CTX_MASK 0x3
#define FUZZ_ARG_SHIFT 2
enum {
	FUZZ_ARG_OK,	/* the struct, all of it reachable */
	FUZZ_ARG_OK2,	/* the same (valid arguments are the common case) */
	FUZZ_ARG_SHORT, /* reachable for (size param) bytes only */
	FUZZ_ARG_BAD,	/* an unreachable address */
};
#define FUZZ_SIZE_SHIFT 4
enum {
	FUZZ_SIZE_EXACT,  /* the struct's size */
	FUZZ_SIZE_SHORT,  /* size - 1 - (param % size) */
	FUZZ_SIZE_LONG,	  /* size + 1 + param */
	FUZZ_SIZE_RAW,	  /* the struct's own first word, as the input has it */
};
#define FUZZ_REC_INSTALL_FD 0x40
#define FUZZ_REC_TAIL_BYTE 0x80

/* Field mode bytes (fix_field()): see fuzz_dispatch.c. */
#define FUZZ_MAX_OPS 48

#endif
