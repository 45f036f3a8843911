/* PCI device addresses, as the scenario's device= and --device give them. */
#ifndef IB_BDF_H
#define IB_BDF_H
#include <stdbool.h>
#include <stddef.h>

/* What ib_bdf_parse() takes, for "allowed: ..." in messages. */
#define IB_BDF_FORMS "a PCI address DDDD:BB:DD.F as /sys/bus/pci/devices names it (4 to 8 " \
	"domain digits: 0000:00:02.0, or 10000:e1:00.0 behind VMD) or BB:DD.F for domain 0000"

/* The longest sysfs name: an 8-digit domain, "ffffffff:ff:1f.7". */
#define IB_BDF_LEN 17

/*
 * Parse a PCI address the way the kernel names devices in
 * /sys/bus/pci/devices: "%04x:%02x:%02x.%d" of domain, bus, device and
 * function (drivers/pci/probe.c, pci_setup_device()). The domain has at
 * least 4 hex digits and more when its number needs them: VMD puts its
 * devices in domains from 0x10000 (drivers/pci/controller/vmd.c), so
 * "10000:e1:00.0" is a real name; a domain is an int, so at most 8 digits
 * and 0x7fffffff. lspci's short "BB:DD.F" means domain 0. Hex digits in
 * either case; device 0..1f, function 0..7.
 *
 * On success out (IB_BDF_LEN + 1 bytes or more) holds the sysfs name
 * (lower case, the domain with 4 digits or as many as it needs) and 0 is
 * returned; otherwise -EINVAL and why says what is wrong with s.
 * out and why may be NULL.
 */
int ib_bdf_parse(const char *s, char *out, size_t outlen, char *why, size_t whylen);

/* s is a PCI address in its sysfs form exactly (what ib_bdf_parse() writes). */
bool ib_pci_valid_bdf(const char *s);

#endif
