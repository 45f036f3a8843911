// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `iommubench hooks`: the catalog against the running kernel. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "escape.h"
#include "cli.h"
#include "hooks.h"
#include "probes.h"
#include "report.h"
#include "results.h"

static const char hooks_usage[] =
"usage: iommubench hooks [--json] [--no-attach] [--attach MODE] [-v]\n"
"\n"
"List every hook of the catalog with its role, whether this kernel has it, the\n"
"attach mode chosen (fentry, kprobe, tracepoint) or why none. By default the\n"
"probes are really loaded and attached, then detached, so 'attached' is a fact,\n"
"not a guess (needs root); --no-attach only reports the selection.\n"
"--attach kprobe (or tracepoint) makes that the best mode used, e.g. to\n"
"compare probe overhead or to test the fallbacks.\n"
"Functions two built-in drivers both define are listed once per driver\n"
"(name@driver) and attach by address; module functions use the module's BTF.\n"
"\n"
"examples:\n"
"  iommubench hooks\n"
"  iommubench hooks --json | jq '.hooks[] | select(.attached)'\n"
"  iommubench hooks --attach kprobe\n";

int cmd_hooks(int argc, char **argv, const struct ib_global *g)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-attach", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "attach", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool json = false, attach = true, verbose = g->verbose;
	int best = IB_MODE_NONE;
	struct ib_kernel_env env;
	struct ib_hook *hooks;
	struct ib_probes probes = {0};
	char err[512];
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jnvhA:", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'n': attach = false; break;
		case 'v': verbose = true; break;
		case 'A':
			if ((best = ib_attach_arg(optarg)) < 0)
				return 2;
			break;
		case 'h': fputs(hooks_usage, stdout); return 0;
		default: fputs(hooks_usage, stderr); return 2;
		}
	}
	if (ib_env_probe(&env, err, sizeof(err))) {
		fprintf(stderr, "iommubench: %s\n", ib_term(err));
		return 1;
	}
	env.best = best;
	hooks = calloc(ib_catalog_len, sizeof(*hooks));
	if (!hooks || ib_hooks_select(&env, hooks)) {
		fprintf(stderr, "iommubench: selecting hooks: out of memory\n");
		return 1;
	}
	if (attach) {
		ib_probes_set_verbose(verbose);
		if (ib_probes_start(&probes, hooks, (uint32_t)getpid(), NULL, err, sizeof(err))) {
			fprintf(stderr, "iommubench: %s\n", ib_term(err));
			rc = 1;
		}
		ib_probes_stop(&probes);
	}
	if (json) {
		json_t *doc = json_object();

		json_object_set_new(doc, "schema", json_string(IB_SCHEMA));
		json_object_set_new(doc, "kernel", json_string(env.release));
		json_object_set_new(doc, "arch", json_string(env.arch));
		json_object_set_new(doc, "btf", json_boolean(env.btf != NULL));
		json_object_set_new(doc, "tracefs", env.tracefs ? json_string(env.tracefs) : json_null());
		json_object_set_new(doc, "fentry", json_boolean(env.fentry_ok));
		json_object_set_new(doc, "fentry_error", env.fentry_ok ? json_null() :
				    json_string(strerror(env.fentry_err)));
		json_object_set_new(doc, "fentry_max_args", json_integer(ib_fentry_max_args(&env)));
		json_object_set_new(doc, "kprobes", json_boolean(env.kprobe_ok));
		json_object_set_new(doc, "attach_tried", json_boolean(attach));
		json_object_set_new(doc, "attach_best", json_string(best ? ib_mode_name(best) : "fentry"));
		json_object_set_new(doc, "hooks", ib_hooks_json(hooks, NULL));
		ib_report_json(stdout, doc);	/* kernel strings: ASCII, DEL escaped */
		json_decref(doc);
	} else {
		printf("kernel %s (%s): BTF %s, fentry %s, kprobes %s, tracefs %s\n",
		       ib_term(env.release), ib_term(env.arch), env.btf ? "yes" : "no",
		       env.fentry_ok ? "yes" : strerror(env.fentry_err),
		       env.kprobe_ok ? "yes" : "no", env.tracefs ? ib_term(env.tracefs) : "none");
		printf("%-34s %-9s %-11s %-8s %s\n", "HOOK", "ROLE", "MODE", "ATTACHED", "WHY");
		for (size_t i = 0; i < ib_catalog_len; i++) {
			const struct ib_hook *h = &hooks[i];
			char id[160];

			printf("%-34s %-9s %-11s %-8s %s\n", ib_hook_id(h->def, id, sizeof(id)),
			       ib_role_name(h->def->role),
			       ib_mode_name(h->mode), attach ? (h->attached ? "yes" : "no") : "-",
			       ib_term(h->reason)); /* may quote BTF or kallsyms names */
		}
	}
	ib_env_free(&env);
	free(hooks);
	return rc;
}
