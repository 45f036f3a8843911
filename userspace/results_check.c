// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The contract of a results document (schema iommubench/1) as tables:
 * every part `report` reads, with its required keys and their types. The
 * same contract, written as a JSON Schema, is docs/results.schema.json;
 * tests/test-schema.sh checks that both accept the good fixtures and the
 * reference runs and refuse the bad fixtures. Keys not named here are
 * allowed (fields are added, never renamed).
 */
#include <stdio.h>
#include <string.h>
#include "results.h"

enum {
	T_OBJ = 1 << 0,
	T_ARR = 1 << 1,
	T_STR = 1 << 2,
	T_INT = 1 << 3,		/* any integer */
	T_UINT = 1 << 4,	/* integer >= 0 */
	T_NUM = 1 << 5,		/* integer or real */
	T_BOOL = 1 << 6,
	T_NULL = 1 << 7,
	T_FALSE = 1 << 8,	/* false, not true */
	T_CHECKS = 1 << 9,	/* a string, checks= as given: auto, 0 or 1 */
};

struct shape;

struct field {
	const char *key;		/* NULL ends a table */
	unsigned types;
	bool required;
	const struct shape *sub;	/* for an object or an array */
};

struct shape {
	const struct field *fields;	/* named members of an object */
	unsigned each;			/* type of every other member, or of every element; 0: anything */
	const struct shape *each_sub;
};

#define NS (T_UINT | T_NULL)
/* a latency summary: counted (and, when timed, with times in ns) */
#define SUMMARY_FIELDS { "count", T_UINT, true, NULL }, SUMMARY_REST
#define SUMMARY_REST							\
	{ "sum_ns", NS, false, NULL }, { "min_ns", NS, false, NULL },	\
	{ "p50_ns", NS, false, NULL }, { "p90_ns", NS, false, NULL },	\
	{ "p99_ns", NS, false, NULL }, { "max_ns", NS, false, NULL },	\
	{ "bytes", T_UINT, false, NULL }, { "entries", T_UINT, false, NULL }, \
	{ "timed", T_BOOL, false, NULL }, { "via", T_STR, false, NULL }, \
	{ "source", T_STR, false, NULL },				\
	{ "hist_ns", T_OBJ | T_NULL, false, &hist }

static const struct shape int_array = { NULL, T_INT, NULL };
static const struct shape uint_array = { NULL, T_UINT, NULL };
/* a repetition without such operations has null */
static const struct shape num_array = { NULL, T_NUM | T_NULL, NULL };
static const struct shape uint_map = { NULL, T_UINT, NULL };

static const struct field hist_f[] = {
	{ "unit", T_STR, false, NULL },
	{ "scheme", T_STR, false, NULL },
	{ "bounds", T_ARR, true, &(const struct shape){ NULL, T_ARR, &int_array } },
	{ "counts", T_ARR, true, &uint_array },
	{ 0 },
};
static const struct shape hist = { hist_f, 0, NULL };

static const struct field summary_f[] = { SUMMARY_FIELDS, { 0 } };
static const struct shape summary = { summary_f, 0, NULL };
static const struct shape summary_map = { NULL, T_OBJ, &summary };

/* ops.<role> */
static const struct field role_f[] = {
	SUMMARY_FIELDS,
	{ "hooks", T_OBJ, false, &summary_map },
	{ "kinds", T_OBJ, false, &summary_map },
	{ 0 },
};
static const struct shape role = { role_f, 0, NULL };

/* ops.switch.<kind>.steps.<step> */
static const struct field count_f[] = { { "count", T_UINT, true, NULL }, { 0 } };
static const struct shape counted = { count_f, 0, NULL };
static const struct field step_kernel_f[] = {
	{ "roles", T_OBJ, false, &(const struct shape){ NULL, T_OBJ, &counted } },
	{ 0 },
};
static const struct field step_f[] = {
	{ "harness", T_OBJ, false, &summary },
	{ "kernel", T_OBJ, false, &(const struct shape){ step_kernel_f, 0, NULL } },
	{ 0 },
};
static const struct shape step = { step_f, 0, NULL };
static const struct field switch_kind_f[] = {
	SUMMARY_FIELDS,
	{ "kind", T_STR, false, NULL },
	{ "steps", T_OBJ, false, &(const struct shape){ NULL, T_OBJ, &step } },
	{ 0 },
};
static const struct shape switch_kind = { switch_kind_f, 0, NULL };
/* ops.switch: the kernel's switch role (when a replace hook attached) and,
 * beside its fields, one member per switch kind of the harness; */
/* count is not required here: a run without probes has only the kinds */
static const struct field switch_role_f[] = {
	{ "count", T_UINT, false, NULL },
	SUMMARY_REST,
	{ "hooks", T_OBJ, false, &summary_map },
	{ "kinds", T_OBJ, false, &summary_map },
	{ 0 },
};
static const struct shape switch_role = { switch_role_f, T_OBJ, &switch_kind };

static const struct field ops_f[] = {
	{ "switch", T_OBJ, false, &switch_role },
	{ 0 },
};
static const struct shape ops = { ops_f, T_OBJ, &role };

static const struct field hook_f[] = {
	{ "name", T_STR, true, NULL },
	{ "role", T_STR, true, NULL },
	{ "layer", T_STR, false, NULL },
	{ "mode", T_STR, true, NULL },
	{ "attached", T_BOOL, true, NULL },
	{ "exists", T_BOOL, false, NULL },
	{ "reason", T_STR, false, NULL },
	{ "id", T_STR, false, NULL },
	{ "kind", T_STR, false, NULL },
	{ "symbol", T_STR, false, NULL },
	{ "misses", T_UINT, false, NULL },
	{ 0 },
};
static const struct shape hooks = { NULL, T_OBJ, &(const struct shape){ hook_f, 0, NULL } };

static const struct shape str_map = { NULL, T_STR, NULL };
/* checks= as given: auto, 0 or 1 */
static const char *const checks_modes[] = { "auto", "0", "1", NULL };

static const struct field scenario_f[] = {
	{ "name", T_STR, false, NULL },
	{ "backend", T_STR, false, NULL },
	{ "checks", T_BOOL, false, NULL },
	{ "checks_mode", T_CHECKS, false, NULL },
	{ "overrides", T_OBJ, false, &str_map },
	{ 0 },
};

static const struct field context_f[] = {
	{ "id", T_INT, true, NULL },
	{ "harness", T_OBJ, false, &(const struct shape){ (const struct field[]){
		{ "map_calls", T_UINT, false, NULL }, { "unmap_calls", T_UINT, false, NULL }, { 0 } }, 0, NULL } },
	{ "kernel", T_OBJ, false, &(const struct shape){ (const struct field[]){
		{ "tlb_inv_count", T_UINT, false, NULL }, { "tlb_inv_descriptors", T_UINT, false, NULL },
		{ 0 } }, 0, NULL } },
	{ "switches_in", T_OBJ, false, &uint_map },
	{ 0 },
};

static const struct field repetitions_f[] = {
	{ "count", T_UINT, true, NULL },
	{ "unit", T_STR, false, NULL },
	{ "figures", T_OBJ, true, &(const struct shape){ NULL, T_OBJ,
		&(const struct shape){ NULL, T_ARR, &num_array } } },
	{ 0 },
};

static const struct field derived_f[] = {
	{ "value", T_NUM | T_NULL, true, NULL },
	{ "numerator", T_NUM, false, NULL },
	{ "denominator", T_NUM, false, NULL },
	{ "numerator_is", T_STR, false, NULL },
	{ "denominator_is", T_STR, false, NULL },
	{ 0 },
};

static const struct field isolation_f[] = {
	{ "enabled", T_BOOL, false, NULL },
	{ "mode", T_CHECKS, false, NULL },
	{ "skipped", T_STR | T_NULL, false, NULL },
	{ "run", T_UINT, false, NULL }, { "failed", T_UINT, false, NULL },
	{ "positive_run", T_UINT, false, NULL }, { "positive_failed", T_UINT, false, NULL },
	{ 0 },
};

static const struct field pagetable_f[] = {
	{ "id", T_INT, false, NULL },
	{ "type", T_STR, false, NULL },
	{ "first_hook", T_STR | T_NULL, false, NULL },
	{ "ops", T_OBJ, false, &(const struct shape){ NULL, T_OBJ, &counted } },
	{ "tlb_inv_kinds", T_OBJ, false, &(const struct shape){ NULL, T_OBJ, &counted } },
	{ "descriptors", T_UINT, false, NULL },
	{ 0 },
};
static const struct field process_f[] = {
	{ "pid", T_INT | T_NULL, false, NULL },
	{ "name", T_STR, true, NULL },
	{ "from_command", T_BOOL, false, NULL },
	{ "ops", T_OBJ, false, &(const struct shape){ NULL, T_OBJ, &counted } },
	{ "tlb_inv_kinds", T_OBJ, false, &(const struct shape){ NULL, T_OBJ, &counted } },
	{ "descriptors", T_UINT, false, NULL },
	{ "pagetables", T_ARR, false, &(const struct shape){ NULL, T_OBJ, &(const struct shape){ pagetable_f, 0, NULL } } },
	{ 0 },
};
static const struct field trace_f[] = {
	{ "seconds", T_NUM, false, NULL },
	{ "hooks_attached", T_UINT, false, NULL },
	{ "pid", T_INT | T_NULL, false, NULL },
	{ "exit_status", T_INT | T_NULL, false, NULL },
	{ "exit_signal", T_STR | T_NULL, false, NULL },
	{ "filter_pid", T_INT | T_NULL, false, NULL },
	{ 0 },
};

static const struct field doc_f[] = {
	{ "schema", T_STR, true, NULL },
	{ "tool", T_OBJ, true, &(const struct shape){ (const struct field[]){
		{ "name", T_STR, false, NULL }, { "version", T_STR, false, NULL }, { "git", T_STR, false, NULL },
		{ 0 } }, 0, NULL } },
	{ "started", T_STR, true, NULL },
	{ "finished", T_STR, false, NULL },
	{ "host", T_OBJ, true, &(const struct shape){ (const struct field[]){
		{ "kernel", T_STR, true, NULL }, { "arch", T_STR, true, NULL }, { 0 } }, 0, NULL } },
	{ "lab", T_OBJ | T_NULL, false, &(const struct shape){ (const struct field[]){
		{ "target", T_STR, true, NULL },
		/* the lab MMU-500 model's counters (labsmmu.h) */
		{ "smmu", T_OBJ, false, &(const struct shape){ (const struct field[]){
			{ "format", T_INT, true, NULL }, { "note", T_STR, true, NULL },
			{ "context_banks", T_UINT, false, NULL }, { "counters", T_OBJ, true, &uint_map },
			{ 0 } }, 0, NULL } },
		{ 0 } }, 0, NULL } },
	{ "timings_emulated", T_BOOL, false, NULL },
	{ "scenario", T_OBJ | T_NULL, true, &(const struct shape){ scenario_f, 0, NULL } },
	{ "backend", T_STR, false, NULL },
	{ "switch_kind", T_STR, false, NULL },
	{ "probes", T_BOOL, false, NULL },
	{ "hooks", T_ARR, true, &hooks },
	{ "ops", T_OBJ, true, &ops },
	{ "contexts", T_ARR, false, &(const struct shape){ NULL, T_OBJ, &(const struct shape){ context_f, 0, NULL } } },
	{ "deferred", T_OBJ | T_NULL, false, &(const struct shape){ (const struct field[]){
		{ "tlb_inv_count", T_UINT, false, NULL }, { "tlb_inv_descriptors", T_UINT, false, NULL },
		{ 0 } }, 0, NULL } },
	{ "derived", T_OBJ | T_NULL, false, &(const struct shape){ NULL, T_OBJ, &(const struct shape){ derived_f, 0, NULL } } },
	{ "checks", T_OBJ | T_NULL, false, &(const struct shape){ (const struct field[]){
		{ "isolation", T_OBJ, false, &(const struct shape){ isolation_f, 0, NULL } }, { 0 } }, 0, NULL } },
	{ "repetitions", T_OBJ | T_NULL, false, &(const struct shape){ repetitions_f, 0, NULL } },
	{ "drops", T_OBJ, true, &uint_map },
	{ "trace", T_OBJ, false, &(const struct shape){ trace_f, 0, NULL } },
	{ "processes", T_ARR, false, &(const struct shape){ NULL, T_OBJ, &(const struct shape){ process_f, 0, NULL } } },
	{ "error", T_STR | T_NULL, true, NULL },
	{ "interrupted", T_STR | T_FALSE, true, NULL },
	{ 0 },
};
static const struct shape document = { doc_f, 0, NULL };

static const char *type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "real";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	default: return "null";
	}
}

static bool type_ok(json_t *v, unsigned t)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return t & T_OBJ;
	case JSON_ARRAY: return t & T_ARR;
	case JSON_STRING: return t & (T_STR | T_CHECKS);
	case JSON_INTEGER:
		return (t & (T_INT | T_NUM)) || ((t & T_UINT) && json_integer_value(v) >= 0);
	case JSON_REAL: return t & T_NUM;
	case JSON_TRUE: return t & T_BOOL;
	case JSON_FALSE: return t & (T_BOOL | T_FALSE);
	default: return t & T_NULL;
	}
}

/* "an integer >= 0", "an object or null", ... */
static void expected(unsigned t, char *buf, size_t len)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ T_OBJ, "an object" }, { T_ARR, "an array" }, { T_STR, "a string" },
		{ T_INT, "an integer" }, { T_UINT, "an integer >= 0" }, { T_NUM, "a number" },
		{ T_BOOL, "a boolean" }, { T_FALSE, "false" }, { T_NULL, "null" },
		{ T_CHECKS, "\"auto\", \"0\" or \"1\"" },
	};
	size_t used = 0, n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(t & names[i].bit) || used >= len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", n++ ? " or " : "", names[i].name);
	}
}

struct walk {
	char path[512];
	size_t len;
	char *err;
	size_t errlen;
	const char *file;
};

/* appends .key (control characters and quotes shown as ?) or [i] */
static size_t push(struct walk *w, const char *key, size_t idx)
{
	size_t old = w->len;

	if (key) {
		if (w->len + 1 < sizeof(w->path))
			w->path[w->len++] = '.';
		for (const unsigned char *k = (const unsigned char *)key; *k && w->len + 1 < sizeof(w->path); k++)
			w->path[w->len++] = *k < 0x20 || *k == 0x7f ? '?' : (char)*k;
		w->path[w->len] = '\0';
	} else {
		int n = snprintf(w->path + w->len, sizeof(w->path) - w->len, "[%zu]", idx);

		if (n > 0)
			w->len = w->len + (size_t)n < sizeof(w->path) ? w->len + (size_t)n : sizeof(w->path) - 1;
	}
	return old;
}

static void pop(struct walk *w, size_t old)
{
	w->len = old;
	w->path[old] = '\0';
}

static int check(struct walk *w, json_t *v, unsigned t, const struct shape *s);

static const struct field *named(const struct field *f, const char *key)
{
	for (; f && f->key; f++)
		if (!strcmp(f->key, key))
			return f;
	return NULL;
}

/* a string from a fixed set; the value itself is not quoted (it may be anything) */
static int check_oneof(struct walk *w, json_t *m, const char *const *oneof)
{
	size_t len = 0;
	char want[128];

	for (const char *const *o = oneof; *o; o++)
		if (!strcmp(json_string_value(m), *o))
			return 0;
	want[0] = '\0';
	for (const char *const *o = oneof; *o && len < sizeof(want); o++)
		len += (size_t)snprintf(want + len, sizeof(want) - len, "%s\"%s\"", len ? ", " : "", *o);
	snprintf(w->err, w->errlen, "%s: %s: expected one of %s, got another string", w->file, w->path, want);
	return -1;
}

static int check_members(struct walk *w, json_t *v, const struct shape *s)
{
	const struct field *f;
	const char *key;
	json_t *m;
	size_t i, old;
	int e = 0;

	if (json_is_object(v)) {
		for (f = s->fields; f && f->key && !e; f++) {
			m = json_object_get(v, f->key);
			old = push(w, f->key, 0);
			if (!m && f->required) {
				char want[128];

				expected(f->types, want, sizeof(want));
				snprintf(w->err, w->errlen, "%s: %s: missing (required: %s)", w->file,
					 w->path, want);
				e = -1;
			} else if (m) {
				e = check(w, m, f->types, f->sub);
				if (!e && (f->types & T_CHECKS) && json_is_string(m))
					e = check_oneof(w, m, checks_modes);
			}
			pop(w, old);
		}
		if (!s->each)
			return e;
		json_object_foreach(v, key, m) {
			if (e)
				break;
			if (named(s->fields, key))
				continue;
			old = push(w, key, 0);
			e = check(w, m, s->each, s->each_sub);
			pop(w, old);
		}
	} else if (json_is_array(v) && s->each) {
		json_array_foreach(v, i, m) {
			old = push(w, NULL, i);
			e = check(w, m, s->each, s->each_sub);
			pop(w, old);
			if (e)
				break;
		}
	}
	return e;
}

static int check(struct walk *w, json_t *v, unsigned t, const struct shape *s)
{
	if (!type_ok(v, t)) {
		char want[128], got[64];

		expected(t, want, sizeof(want));
		if (json_is_integer(v) && (t & T_UINT))
			snprintf(got, sizeof(got), "%lld", (long long)json_integer_value(v));
		else
			snprintf(got, sizeof(got), "%s", type_name(v));
		snprintf(w->err, w->errlen, "%s: %s: expected %s, got %s", w->file, w->path, want, got);
		return -1;
	}
	return s ? check_members(w, v, s) : 0;
}

int ib_results_validate(json_t *doc, const char *path, char *err, size_t errlen)
{
	struct walk w = { .err = err, .errlen = errlen, .file = path };

	/* the root is "." in a message, its members .key */
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "%s: .: expected an object, got %s", path, type_name(doc));
		return -1;
	}
	return check(&w, doc, T_OBJ, &document);
}

const char *ib_results_incomplete(json_t *doc)
{
	json_t *e = json_object_get(doc, "error"), *i = json_object_get(doc, "interrupted");

	if (json_is_string(e))
		return "failed";
	if (json_is_string(i))
		return "interrupted";
	return NULL;
}
