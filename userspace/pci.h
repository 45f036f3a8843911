/* Moving a PCI device to another driver for a run, and giving it back:
 * driver_override, unbind, drivers_probe, and the IOMMU group's default
 * domain type (strict or lazy DMA) on the way. */
#ifndef IB_PCI_H
#define IB_PCI_H
#include <stdbool.h>
#include <stddef.h>
#include "bdf.h" /* ib_pci_valid_bdf() */

#define IB_PCI_DEVS "/sys/bus/pci/devices"

struct ib_pci_bind {
	char bdf[32];
	char driver[64];          /* the driver asked for */
	bool bound_by_us;         /* we moved the device: give it back */
	char orig_driver[64];     /* its driver before, "" if none */
	char orig_override[64];   /* its driver_override before, "" if none */
	bool type_changed;        /* we wrote the group's type: restore it */
	char orig_type[32];       /* the group's default domain type before */
	int group_id;             /* -1 until known */
};

/* Make sure bdf is bound to driver. When it is not and bind is true, move
 * it there (driver_override, unbind, drivers_probe); group_type, when not
 * NULL, is written to the group's type file while no driver holds the
 * device ("DMA" strict, "DMA-FQ" lazy). Fills b->group_id. err says what
 * failed, the errno, and what to do; nothing is left changed on error. */
int ib_pci_bind(struct ib_pci_bind *b, const char *bdf, const char *driver, bool bind,
		const char *group_type, const char *hint, char *err, size_t errlen);

/* Give the device back: unbind from our driver, restore the group type and
 * driver_override, and let its old driver probe it. Safe to call twice. */
void ib_pci_release(struct ib_pci_bind *b);

/* The driver bound to bdf now ("" when none). */
void ib_pci_current_driver(const char *bdf, char *out, size_t len);

/* Write s to a sysfs attribute: 0 or -errno. */
int ib_sysfs_write(const char *path, const char *s);

#endif
