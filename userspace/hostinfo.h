/* Host description for the results document. */
#ifndef IB_HOSTINFO_H
#define IB_HOSTINFO_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

int ib_read_line(const char *path, char *buf, size_t len);

/* host.* of the results: kernel, arch, cmdline, clocksource, thp, IOMMU
 * units and groups (with each group's domain type). groups_root NULL means
 * /sys/kernel/iommu_groups; tests pass a fake tree. */
json_t *ib_host_json(const char *groups_root);

/* "2026-11-22T10:00:00Z", or "20261122T100000Z" when compact. */
void ib_utc_now(char *buf, size_t len, bool compact);

#endif
