/* What `run` checks before its first side effect; each check only reads. */
#ifndef IB_PREFLIGHT_H
#define IB_PREFLIGHT_H
#include <stdbool.h>
#include <stddef.h>

/* out can be written when the run ends: it does not exist, and its folder
 * exists and is writable (default_dir: out is under results/, which may be
 * created, so the folder above it must be writable). 0 or -errno. */
int ib_preflight_output(const char *out, bool default_dir, char *err, size_t errlen);

/* This process may load the BPF probes (CAP_SYS_ADMIN, or CAP_BPF and
 * CAP_PERFMON). 0 or -EPERM. */
int ib_preflight_probes(char *err, size_t errlen);

/* The PCI device bdf (sysfs form) exists. 0 or -errno. */
int ib_preflight_device(const char *bdf, char *err, size_t errlen);

/* bdf is on driver already (and unbind_anyway is false: the group's type
 * need not change), or bind allows moving it, this process may
 * (driver_override writable) and driver is loaded. 0 or -errno. */
int ib_preflight_bind(const char *bdf, const char *driver, bool bind, bool unbind_anyway,
		      char *err, size_t errlen);

/* The device node (or sysfs path) node exists: the kernel has what (an
 * interface, e.g. "VFIO"); todo says how to get it. 0 or -ENODEV. */
int ib_preflight_node(const char *node, const char *what, const char *todo, char *err, size_t errlen);

#endif
