/*
 * lab.smmu: the counters of the lab's QEMU MMU-500 model (lab/qemu, target
 * arm64-smmuv2), read in the guest from the fw_cfg file the model makes
 * (lab/qemu/README.md, "Counters") before and after a run, and written
 * into the results document as their differences. The file comes from
 * outside iommubench and is parsed strictly: text lines "NAME VALUE\n",
 * NAME of 1..IB_SMMU_NAME_MAX characters [a-z0-9_.], VALUE a decimal u64
 * (no sign, at most 20 digits, no overflow), at most IB_SMMU_MAX_LINES
 * lines, the first one "format 1", no name twice, then only NUL padding.
 * Anything else is refused with a message; the run then has no lab.smmu.
 */
#ifndef IB_LABSMMU_H
#define IB_LABSMMU_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define IB_SMMU_COUNTERS_PATH "/sys/firmware/qemu_fw_cfg/by_name/opt/iommubench/smmu-counters/raw"
#define IB_SMMU_NAME_MAX 48
#define IB_SMMU_MAX_LINES 4096
#define IB_SMMU_MAX_BYTES (64 * 1024)	/* the model's file is 32 KiB */
#define IB_SMMU_FORMAT 1

struct ib_smmu_counter {
	char name[IB_SMMU_NAME_MAX + 1];
	uint64_t value;
};

struct ib_smmu_counters {
	size_t n;
	struct ib_smmu_counter *c;	/* sorted by name */
};

/* Parses len bytes of buf (need not be NUL-terminated) into out (freed
 * first with ib_smmu_free). 0, or -EINVAL with a message in err. */
int ib_smmu_parse(const char *buf, size_t len, struct ib_smmu_counters *out, char *err, size_t errlen);

/* Reads and parses the file at path (NULL: IB_SMMU_COUNTERS_PATH); the
 * model makes the file anew at each read(), so it is read until two reads
 * agree. 0; -ENOENT when there is no such file (not the lab's MMU-500);
 * another -errno with a message in err. */
int ib_smmu_read(const char *path, struct ib_smmu_counters *out, char *err, size_t errlen);

/* The value of name, or NULL */
const uint64_t *ib_smmu_get(const struct ib_smmu_counters *c, const char *name);

/*
 * (run reads them just before the probes attach and after the teardown;
 * backend=dma: before its reference run without probes that follows.)
 * lab.smmu from two readings: {"format": 1, "note": ..., "context_banks":
 * N, "counters": {NAME: after - before, ...}} with only the counters that
 * changed (a name missing from before counts from 0: the model lists an
 * ASID's counters once one is non-zero). NULL with a message in err when
 * the two do not fit together: a counter that went back or vanished, a
 * different number of context banks, a file the model cut ("truncated"),
 * a difference above INT64_MAX.
 */
json_t *ib_smmu_diff_json(const struct ib_smmu_counters *before, const struct ib_smmu_counters *after,
			  char *err, size_t errlen);

void ib_smmu_free(struct ib_smmu_counters *c);

#endif
