// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* iommubench: what IOMMU address-space management costs, measured. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "results.h"
#include "state.h"

static const char usage[] =
"usage: iommubench [-v] VERB [options]\n"
"\n"
"verbs:\n"
"  hooks [--json]               which IOMMU hooks this kernel has, and how each attaches\n"
"  run SCENARIO [-o FILE]       drive a scenario with the probes attached, write results\n"
"  trace [-d SEC] [-- CMD...]   probes only, around any workload: figures per process and pagetable\n"
"  report RUN.json [BASE.json]  summarise a run, or compare it with a baseline (md, html, junit, json)\n"
"  restore [--dry-run]          put back a device and mounts a killed run left changed\n"
"  version                      print the version\n"
"\n"
"Each verb takes --help. Data goes to stdout, diagnostics to stderr.\n"
"\n"
"examples:\n"
"  iommubench hooks\n"
"  iommubench hooks --json > hooks.json\n"
"  iommubench run scenarios/basic.ini --device 0000:00:02.0\n"
"  lab/run x86-vtd -- iommubench run scenarios/basic.ini\n"
"  iommubench trace -- glmark2-es2-drm --off-screen\n"
"  iommubench report results/new.json results/reference/x86-vtd-6.1-aux-switch.json\n";

int main(int argc, char **argv)
{
	struct ib_global g = {0};
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			g.verbose = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("iommubench %s\n", ib_version());
			return 0;
		} else {
			fprintf(stderr, "iommubench: unknown option '%s'\n%s", argv[i], usage);
			return 2;
		}
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	ib_state_set_verb(argv[i]);
	/* every verb: unmount what it mounted, drop its state file */
	if (!strcmp(argv[i], "hooks"))
		return rc = cmd_hooks(argc - i, argv + i, &g), ib_state_cleanup(), rc;
	if (!strcmp(argv[i], "run"))
		return rc = cmd_run(argc - i, argv + i, &g), ib_state_cleanup(), rc;
	if (!strcmp(argv[i], "trace"))
		return rc = cmd_trace(argc - i, argv + i, &g), ib_state_cleanup(), rc;
	if (!strcmp(argv[i], "restore"))
		return cmd_restore(argc - i, argv + i, &g);
	if (!strcmp(argv[i], "report"))
		return cmd_report(argc - i, argv + i, &g);
	if (!strcmp(argv[i], "version")) {
		printf("iommubench %s\n", ib_version());
		return 0;
	}
	fprintf(stderr, "iommubench: unknown verb '%s'\n%s", argv[i], usage);
	return 2;
}
