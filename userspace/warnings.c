// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Warnings about a results document: non-zero drop counters. */
#include <stdbool.h>
#include <string.h>
#include "escape.h"
#include "warnings.h"

static const struct {
	const char *name;
	const char *meaning;
} drop_meanings[] = {
	{ "irq_unknown", "probe events whose interrupt level could not be read (the kernel keeps "
	  "preempt_count where the probes do not look): interrupt and softirq work may be charged to "
	  "the task it interrupted, and layering across interrupt levels may be wrong" },
	{ "domain_events", "attach/detach events the ring buffer had no room for: the per-context "
	  "domain table (domains) is incomplete" },
	{ "events", "sampled events the ring buffer had no room for: the event stream is incomplete" },
	{ "stack_overflow", "calls nested deeper than the probes track: those calls were not timed "
	  "and their role counts may be off" },
	{ "unmatched_exit", "exits seen without their entry (a lost kretprobe, or a call in flight "
	  "at attach): those calls were not timed" },
	{ "task_map_full", "calls not timed because the in-flight table was full: counts and times "
	  "miss them" },
	{ "proc_map_full", "processes or pagetables the trace tables had no room for: per-process "
	  "and per-pagetable figures miss them" },
};

const char *ib_drop_meaning(const char *name)
{
	for (size_t i = 0; i < sizeof(drop_meanings) / sizeof(drop_meanings[0]); i++)
		if (!strcmp(drop_meanings[i].name, name))
			return drop_meanings[i].meaning;
	return NULL;
}

size_t ib_drop_warnings(json_t *arr, json_t *doc, const char *run)
{
	json_t *v;
	const char *k;
	size_t n = 0;

	json_object_foreach(json_object_get(doc, "drops"), k, v) {
		const char *m = ib_drop_meaning(k);
		char counter[96];
		json_t *w;

		/* a count that is not a number is for the reader's validation */
		if (!json_is_integer(v) || json_integer_value(v) == 0)
			continue;
		/* a key from the document: escaped where it is printed */
		snprintf(counter, sizeof(counter), "drops.%s", k);
		w = json_pack("{s:s, s:I, s:s}", "counter", counter, "value", json_integer_value(v),
			      "meaning", m ? m : "a drop counter this version of iommubench does not know: "
			      "something the probes could not record");
		if (run)
			json_object_set_new(w, "run", json_string(run));
		if (w && !json_array_append_new(arr, w))
			n++;
	}
	return n;
}

void ib_warnings_print(FILE *f, json_t *arr, enum ib_warn_style style)
{
	static const char *const pre[] = {
		[IB_WARN_TEXT] = "\nWARNINGS\n",
		[IB_WARN_MD] = "\n## Warnings\n\n",
		[IB_WARN_HTML] = "<h2>Warnings</h2>\n",
		[IB_WARN_JUNIT] = "  <system-err>\n",
	};
	static const char *const item[] = {
		[IB_WARN_TEXT] = "  warning: ", [IB_WARN_MD] = "- **warning**: ",
		[IB_WARN_HTML] = "<p class=\"warn\">warning: ", [IB_WARN_JUNIT] = "warning: ",
	};
	static const char *const post[] = {
		[IB_WARN_TEXT] = "", [IB_WARN_MD] = "", [IB_WARN_HTML] = "",
		[IB_WARN_JUNIT] = "  </system-err>\n",
	};
	static const enum ib_esc esc[] = {
		[IB_WARN_TEXT] = IB_ESC_TERM, [IB_WARN_MD] = IB_ESC_MD,
		[IB_WARN_HTML] = IB_ESC_HTML, [IB_WARN_JUNIT] = IB_ESC_HTML,
	};
	json_t *w;
	size_t i;

	if (!json_array_size(arr))
		return;
	fputs(pre[style], f);
	json_array_foreach(arr, i, w) {
		fputs(item[style], f);
		if (json_is_string(json_object_get(w, "run"))) {
			ib_esc_put(f, json_string_value(json_object_get(w, "run")), esc[style]);
			fputs(": ", f);
		}
		ib_esc_put(f, json_string_value(json_object_get(w, "counter")), esc[style]);
		fprintf(f, " = %lld: ", (long long)json_integer_value(json_object_get(w, "value")));
		ib_esc_put(f, json_string_value(json_object_get(w, "meaning")), esc[style]);
		fputs(style == IB_WARN_HTML ? "</p>\n" : "\n", f);
	}
	fputs(post[style], f);
}

void ib_doc_warnings_print(FILE *f, json_t *doc, enum ib_warn_style style)
{
	json_t *arr = json_array();

	ib_drop_warnings(arr, doc, NULL);
	ib_warnings_print(f, arr, style);
	json_decref(arr);
}
