// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for userspace/bdf.c: the one PCI address parser, and the
 * scenario's device= accepting and refusing exactly what it does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bdf.h"
#include "scenario.h"
#include "check.h"

static const struct {
	const char *in;
	const char *canon;	/* NULL: refused */
	const char *why;	/* refused: part of the reason */
} cases[] = {
	{ "0000:00:02.0", "0000:00:02.0", NULL },
	{ "00:02.0", "0000:00:02.0", NULL },		/* lspci's short form: domain 0 */
	{ "abcd:ff:1f.7", "abcd:ff:1f.7", NULL },
	{ "ABCD:FF:1F.7", "abcd:ff:1f.7", NULL },	/* sysfs names are lower case */
	{ "10000:e1:00.0", "10000:e1:00.0", NULL },	/* VMD: domains from 0x10000 */
	{ "7fffffff:00:00.0", "7fffffff:00:00.0", NULL },	/* the largest int */
	{ "00000:00:02.0", "0000:00:02.0", NULL },	/* the name sysfs gives that domain */
	{ "0000:00:1f.7", "0000:00:1f.7", NULL },
	{ "80000000:00:00.0", NULL, "0..0x7fffffff" },	/* past an int */
	{ "123456789:00:00.0", NULL, "not a PCI address" },	/* 9 digits */
	{ "000:00:02.0", NULL, "not a PCI address" },	/* sysfs pads to 4 */
	{ "0000:00:20.0", NULL, "0..0x1f" },
	{ "0000:00:02.8", NULL, "0..7" },
	{ "0000:0:02.0", NULL, "not a PCI address" },
	{ "0000:000:02.0", NULL, "not a PCI address" },
	{ "0000:00:02", NULL, "not a PCI address" },
	{ "0000:00:02.0x", NULL, "not a PCI address" },
	{ "0000:00:02.00", NULL, "not a PCI address" },
	{ "0000-00-02.0", NULL, "not a PCI address" },
	{ "0x0:00:02.0", NULL, "not a PCI address" },
	{ "mock", NULL, "not a PCI address" },
	{ ":00:02.0", NULL, "not a PCI address" },
	{ "0000:00:02.0 ", NULL, "not a PCI address" },
	{ "", NULL, "not a PCI address" },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void test_parse(void)
{
	char out[IB_BDF_LEN + 1], why[256];

	for (size_t i = 0; i < NCASES; i++) {
		int e;

		strcpy(out, "untouched");
		why[0] = '\0';
		e = ib_bdf_parse(cases[i].in, out, sizeof(out), why, sizeof(why));
		if (cases[i].canon) {
			CHECK(e == 0, "'%s' refused: %s", cases[i].in, why);
			CHECK_STR(out, cases[i].canon);
			/* the canonical form is what sysfs names, and parses to itself */
			CHECK(ib_pci_valid_bdf(cases[i].canon), "'%s' not valid", cases[i].canon);
			CHECK(ib_pci_valid_bdf(cases[i].in) == !strcmp(cases[i].in, cases[i].canon),
			      "'%s': valid only in sysfs form", cases[i].in);
		} else {
			CHECK(e == -EINVAL, "'%s' accepted as %s", cases[i].in, out);
			CHECK(strstr(why, cases[i].why) != NULL, "'%s': why = %s", cases[i].in, why);
			CHECK_STR(out, "untouched");
			CHECK(!ib_pci_valid_bdf(cases[i].in), "'%s' valid", cases[i].in);
		}
	}
	CHECK(ib_bdf_parse(NULL, out, sizeof(out), why, sizeof(why)) == -EINVAL, "NULL accepted");
	CHECK(ib_bdf_parse("0000:00:02.0", NULL, 0, NULL, 0) == 0, "no out buffer");
	CHECK(!ib_pci_valid_bdf(NULL), "NULL valid");
}

/* device= in a scenario takes and refuses exactly what the parser does, and
 * keeps the same sysfs form (--device goes through ib_bdf_parse() itself) */
static void test_scenario_agrees(void)
{
	char dir[] = "/tmp/ib-test-bdf-XXXXXX", path[600], err[1024];
	static struct ib_scenario sc;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/dev.ini", dir);
	for (size_t i = 0; i < NCASES; i++) {
		FILE *f;
		int e;

		/* inih trims blanks around values: not a parser difference */
		if (!cases[i].in[0] || strchr(cases[i].in, ' '))
			continue;
		f = fopen(path, "w");
		CHECK(f != NULL, "cannot write %s", path);
		if (!f)
			break;
		fprintf(f, "[global]\ndevice=%s\n[job]\npages=1\n", cases[i].in);
		fclose(f);
		e = ib_scenario_load(path, &sc, err, sizeof(err));
		if (cases[i].canon) {
			CHECK(e == 0, "device=%s refused: %s", cases[i].in, err);
			CHECK_STR(sc.device, cases[i].canon);
		} else {
			CHECK(e != 0, "device=%s accepted as %s", cases[i].in, sc.device);
			/* file, line and key, and the parser's own reason */
			CHECK(strstr(err, ":2: key 'device': ") && strstr(err, cases[i].why),
			      "device=%s: %s", cases[i].in, err);
		}
	}
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_parse();
	test_scenario_agrees();
	return CHECK_DONE();
}
