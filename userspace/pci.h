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
	bool locked;              /* lock_fd holds /run/iommubench/BDF.lock */
	int lock_fd;
};

/* --force: take the device even when it looks in use (a mounted disk, the
 * boot display, an interface that is up). */
void ib_pci_set_force(bool force);

/* Make sure bdf is bound to driver. When it is not and bind is true, move
 * it there (driver_override, unbind, drivers_probe) after checking, before
 * any write, that it can be taken (ib_pci_check) and recording how to put
 * it back (state.h); the device is locked until ib_pci_release. group_type, when not
 * NULL, is written to the group's type file while no driver holds the
 * device ("DMA" strict, "DMA-FQ" lazy). Fills b->group_id. err says what
 * failed, the errno, and what to do; nothing is left changed on error. */
int ib_pci_bind(struct ib_pci_bind *b, const char *bdf, const char *driver, bool bind,
		const char *group_type, const char *hint, char *err, size_t errlen);

/* Everything checked before the first write: bdf exists; it has an IOMMU
 * group (or, with no driver bound, the host has IOMMU groups: on arm64 the
 * group appears only when a driver binds); every other member of its group
 * can go along (no driver, driver itself, pci-stub, pcieport or a bridge;
 * with a type change: no driver at all); unless forced, it is not in use
 * (a block device below it mounted, used as swap or held by dm/md, the boot
 * display, a network interface that is up). cur is its driver now. */
int ib_pci_check(const char *bdf, const char *driver, const char *cur, bool type_change, bool force,
		 char *err, size_t errlen);

/* Give the device back: unbind from our driver, restore the group type and
 * driver_override, and let its old driver probe it, then unlock it. Safe to
 * call twice. Returns 0, or -errno after printing why (the state file is
 * then kept for `iommubench restore`). */
int ib_pci_release(struct ib_pci_bind *b);

/* The driver bound to bdf now ("" when none). */
void ib_pci_current_driver(const char *bdf, char *out, size_t len);

/* Write s to a sysfs attribute: 0 or -errno. */
int ib_sysfs_write(const char *path, const char *s);

#endif
