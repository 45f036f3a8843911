// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One parser for PCI addresses: the scenario's device=, run's --device and
 * $IOMMUBENCH_DEVICE all go through ib_bdf_parse() (bdf.h says the form). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "bdf.h"

/* min..max hex digits at *s, not followed by another; *s moves past them */
static int hex_field(const char **s, int min, int max, unsigned long *out)
{
	int i;

	*out = 0;
	for (i = 0; i < max && isxdigit((unsigned char)(*s)[i]); i++) {
		char c = (char)tolower((unsigned char)(*s)[i]);

		*out = *out * 16 + (unsigned long)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	*s += i;
	return i >= min && !isxdigit((unsigned char)**s) ? 0 : -1;
}

int ib_bdf_parse(const char *s, char *out, size_t outlen, char *why, size_t whylen)
{
	unsigned long dom = 0, bus, dev, fn;
	const char *p = s;
	char buf[IB_BDF_LEN + 1];

	if (!s || !*s) {
		if (why && whylen)
			snprintf(why, whylen, "'' is not a PCI address");
		return -EINVAL;
	}
	/* two colons: the domain is given */
	if (strchr(s, ':') != strrchr(s, ':') && (hex_field(&p, 4, 8, &dom) || *p++ != ':'))
		goto bad;
	if (hex_field(&p, 2, 2, &bus) || *p++ != ':' || hex_field(&p, 2, 2, &dev) ||
	    *p++ != '.' || hex_field(&p, 1, 1, &fn) || *p)
		goto bad;
	if (dom > 0x7fffffff || dev > 0x1f || fn > 7) {
		if (why && whylen)
			snprintf(why, whylen, "'%s' has domain %#lx, device %#lx, function %lu; PCI "
				 "allows domains 0..0x7fffffff, devices 0..0x1f, functions 0..7",
				 s, dom, dev, fn);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%04lx:%02lx:%02lx.%lx", dom, bus, dev, fn);
	if (out && outlen)
		snprintf(out, outlen, "%s", buf);
	return 0;
bad:
	if (why && whylen)
		snprintf(why, whylen, "'%s' is not a PCI address", s);
	return -EINVAL;
}

bool ib_pci_valid_bdf(const char *s)
{
	char canon[IB_BDF_LEN + 1];

	return ib_bdf_parse(s, canon, sizeof(canon), NULL, 0) == 0 && !strcmp(canon, s);
}
