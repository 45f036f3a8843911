/* Results document: ops/hooks built from a synthetic readout, written,
 * read back; never overwritten. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "hooks.h"
#include "probes.h"
#include "results.h"
#include "keep_doc.h"

/* room for the whole catalog (checked in main) */
static struct ib_hook hooks[256];

static void set_hook(size_t i, enum ib_mode mode, int slot)
{
	hooks[i].def = &ib_catalog[i];
	hooks[i].mode = mode;
	hooks[i].slot = slot;
	hooks[i].exists = mode != IB_MODE_NONE;
	hooks[i].attached = mode != IB_MODE_NONE;
	hooks[i].nargs = -1;
	snprintf(hooks[i].reason, sizeof(hooks[i].reason), "test");
}

static size_t idx(const char *name)
{
	for (size_t i = 0; i < ib_catalog_len; i++)
		if (!strcmp(ib_catalog[i].name, name))
			return i;
	fprintf(stderr, "no hook %s\n", name);
	exit(1);
}

static void fill(struct ib_stats *s, uint64_t n, uint64_t base)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = base + i;

		s->count++;
		s->entries++;
		s->sum_ns += v;
		s->min_ns = s->count == 1 || v < s->min_ns ? v : s->min_ns;
		s->max_ns = v > s->max_ns ? v : s->max_ns;
		s->bytes += 4096;
		s->hist[ib_bucket(v)]++;
	}
}

static long long jget(json_t *root, const char *path)
{
	json_t *cur = root;
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, tok);
	return json_is_integer(cur) ? (long long)json_integer_value(cur) : -12345;
}

/* The schema contract on every committed reference run: the fields the
 * README ("What a result holds") and docs/results.schema.json require are there, of the right type. A rename in
 * results.c breaks this test. */
static void check_reference(const char *path)
{
	static const char *const roles[] = { "map", "unmap", "attach" };
	static const char *const fields[] = { "count", "sum_ns", "min_ns", "p50_ns", "p99_ns", "max_ns" };
	char err[512];
	json_t *d = ib_results_load(path, err, sizeof(err)), *host, *ops, *h;
	size_t i;

	CHECK(d != NULL, "%s: %s", path, err);
	if (!d)
		return;
	/* the whole contract report checks (docs/results.schema.json) */
	CHECK(ib_results_validate(d, path, err, sizeof(err)) == 0, "%s", err);
	host = json_object_get(d, "host");
	CHECK(json_is_string(json_object_get(host, "kernel")), "%s: host.kernel", path);
	CHECK(json_is_string(json_object_get(host, "arch")), "%s: host.arch", path);
	CHECK(json_is_string(json_object_get(host, "cmdline")), "%s: host.cmdline", path);
	CHECK(json_object_get(host, "clocksource") != NULL, "%s: host.clocksource", path);
	json_array_foreach(json_object_get(host, "iommu_groups"), i, h)
		CHECK(json_object_get(h, "type") != NULL, "%s: host.iommu_groups[%zu].type", path, i);
	CHECK(json_object_get(d, "lab") != NULL, "%s: lab", path);
	CHECK(json_is_object(json_object_get(d, "scenario")), "%s: scenario", path);
	CHECK(json_array_size(json_object_get(d, "hooks")) > 0, "%s: hooks[]", path);
	json_array_foreach(json_object_get(d, "hooks"), i, h) {
		CHECK(json_is_string(json_object_get(h, "name")) && json_is_string(json_object_get(h, "role")) &&
		      json_is_string(json_object_get(h, "mode")) && json_is_boolean(json_object_get(h, "attached")),
		      "%s: hooks[%zu] name/role/mode/attached", path, i);
	}
	ops = json_object_get(d, "ops");
	for (size_t r = 0; r < 3; r++) {
		json_t *o = json_object_get(ops, roles[r]);

		for (size_t f = 0; f < 6; f++)
			CHECK(json_is_integer(json_object_get(o, fields[f])), "%s: ops.%s.%s", path, roles[r], fields[f]);
		CHECK(json_is_object(json_object_get(o, "hist_ns")), "%s: ops.%s.hist_ns", path, roles[r]);
		CHECK(json_object_size(json_object_get(o, "hooks")) > 0, "%s: ops.%s.hooks", path, roles[r]);
	}
	CHECK(json_is_object(json_object_get(json_object_get(d, "harness"), "timer")), "%s: harness.timer", path);
	json_decref(d);
}

/* A whole run document as run writes it (the same builders), through the
 * writer: it meets the contract report checks (and, kept, the JSON Schema:
 * tests/test-schema.sh); a failed run's too; a broken one is refused with
 * the JSON path; a document over the size limit is refused unread. */
static void test_whole_document(const char *dir)
{
	static struct ib_readout r;
	struct ib_err_stats drops = { .irq_unknown = 2 };
	char path[256], err[512];
	json_t *doc, *back;

	fill(&r.role[IB_ROLE_MAP], 10, 1000);
	fill(&r.hook[0], 10, 1000);
	doc = ib_doc_new("2026-12-01T00:00:00Z", "2026-12-01T00:00:01Z");
	json_object_set_new(doc, "scenario", json_pack("{s:s, s:s, s:i}", "name", "basic", "backend", "vfio",
						       "loops", 1));
	json_object_set_new(doc, "backend", json_string("vfio"));
	json_object_set_new(doc, "probes", json_true());
	json_object_set_new(doc, "hooks", ib_hooks_json(hooks, &r));
	json_object_set_new(doc, "ops", ib_ops_json(hooks, &r));
	json_object_set_new(doc, "contexts", json_array());
	json_object_set_new(doc, "repetitions", json_null());
	json_object_set_new(doc, "drops", ib_drops_json(&drops));
	json_object_set_new(doc, "error", json_null());
	json_object_set_new(doc, "interrupted", json_false());
	snprintf(path, sizeof(path), "%s/whole.json", dir);
	CHECK(ib_results_write(doc, path, err, sizeof(err)) == 0, "write: %s", err);
	back = ib_results_load(path, err, sizeof(err));
	CHECK(back && ib_results_validate(back, path, err, sizeof(err)) == 0, "whole document valid: %s", err);
	CHECK(back && !ib_results_incomplete(back), "complete");
	keep_doc(doc, "results-run.json");
	json_decref(back);

	/* too big for a limit of 100 bytes: refused before it is parsed */
	back = ib_results_load_max(path, 100, err, sizeof(err));
	CHECK(!back && strstr(err, "is over the limit of") && strstr(err, "IOMMUBENCH_REPORT_MAX_MIB"),
	      "size limit: %s", err);
	json_decref(back);

	json_object_set_new(doc, "error", json_string("VFIO_IOMMU_MAP_DMA: Cannot allocate memory"));
	CHECK(ib_results_validate(doc, "failed.json", err, sizeof(err)) == 0, "failed run valid: %s", err);
	CHECK_STR(ib_results_incomplete(doc), "failed");
	keep_doc(doc, "results-run-failed.json");
	json_object_set_new(doc, "error", json_null());
	json_object_set_new(doc, "interrupted", json_string("Interrupt"));
	CHECK_STR(ib_results_incomplete(doc), "interrupted");
	keep_doc(doc, "results-run-interrupted.json");

	/* broken: the path of the first wrong part is named */
	json_object_set_new(json_object_get(json_object_get(doc, "ops"), "map"), "count", json_string("10"));
	CHECK(ib_results_validate(doc, "x.json", err, sizeof(err)) == -1, "wrong type refused");
	CHECK_STR(err, "x.json: .ops.map.count: expected an integer >= 0, got string");
	json_object_del(json_object_get(json_object_get(doc, "ops"), "map"), "count");
	CHECK(ib_results_validate(doc, "x.json", err, sizeof(err)) == -1, "missing count refused");
	CHECK_STR(err, "x.json: .ops.map.count: missing (required: an integer >= 0)");
	json_object_set_new(json_object_get(json_object_get(doc, "ops"), "map"), "count", json_integer(10));
	json_array_append_new(json_object_get(doc, "hooks"), json_pack("{s:s}", "name", "x\n\"y"));
	CHECK(ib_results_validate(doc, "x.json", err, sizeof(err)) == -1, "incomplete hook refused");
	CHECK(strstr(err, ".role: missing (required: a string)") != NULL, "hook without role: %s", err);
	json_decref(doc);
	doc = json_integer(3);
	CHECK(ib_results_validate(doc, "x.json", err, sizeof(err)) == -1, "not an object");
	CHECK_STR(err, "x.json: .: expected an object, got integer");
	json_decref(doc);
}

int main(void)
{
	static struct ib_readout r;
	char dir[] = "/tmp/ib-test-results-XXXXXX", path[256], err[512], cmd[300];
	json_t *doc, *back, *ops, *v;
	size_t i_map = idx("iommu_map"), i_fast = idx("iommu_unmap_fast"), i_unmap = idx("iommu_unmap");
	size_t i_group = idx("iommu_attach_group"), i_tpmap = idx("iommu:map");
	struct stat st;
	int e;

	if (ib_catalog_len > sizeof(hooks) / sizeof(hooks[0])) {
		fprintf(stderr, "catalog of %zu hooks does not fit the test's array\n", ib_catalog_len);
		return 1;
	}

	if (!mkdtemp(dir))
		return 1;
	for (size_t i = 0; i < ib_catalog_len; i++)
		set_hook(i, IB_MODE_NONE, -1);
	set_hook(i_map, IB_MODE_FENTRY, 0);
	set_hook(i_fast, IB_MODE_KPROBE, 1);
	set_hook(i_group, IB_MODE_FENTRY, 2);
	set_hook(i_unmap, IB_MODE_TRACEPOINT, -1);
	set_hook(i_tpmap, IB_MODE_TRACEPOINT, -1);
	fill(&r.hook[0], 65, 1000);      /* iommu_map: 1000..1064 ns */
	fill(&r.hook[1], 64, 2000);
	fill(&r.hook[2], 1, 50000);
	fill(&r.role[IB_ROLE_MAP], 65, 1000);
	fill(&r.role[IB_ROLE_UNMAP], 64, 2000);
	fill(&r.role[IB_ROLE_ATTACH], 1, 50000);
	r.tp[IB_TP_MAP].count = 65;
	r.tp[IB_TP_UNMAP].count = 2;
	r.misses[0] = 3;

	doc = json_object();
	json_object_set_new(doc, "schema", json_string(IB_SCHEMA));
	json_object_set_new(doc, "tool", ib_tool_json());
	json_object_set_new(doc, "hooks", ib_hooks_json(hooks, &r));
	json_object_set_new(doc, "ops", ib_ops_json(hooks, &r));

	snprintf(path, sizeof(path), "%s/run.json", dir);
	e = ib_results_write(doc, path, err, sizeof(err));
	CHECK(e == 0, "write: %s", err);
	back = ib_results_load(path, err, sizeof(err));
	CHECK(back != NULL, "load: %s", err);
	if (!back)
		return CHECK_DONE();
	CHECK(json_equal(doc, back), "what was written reads back equal");

	ops = json_object_get(back, "ops");
	CHECK_EQ_U64(jget(ops, "map.count"), 65);
	CHECK_EQ_U64(jget(ops, "map.min_ns"), 1000);
	CHECK_EQ_U64(jget(ops, "map.max_ns"), 1064);
	CHECK_EQ_U64(jget(ops, "map.sum_ns"), 65 * 1000 + 64 * 65 / 2);
	/* exact p50 is 1032; the bucket [1024,1088) midpoint is 1056 */
	CHECK(jget(ops, "map.p50_ns") >= 1024 && jget(ops, "map.p50_ns") < 1088,
	      "p50 %lld in the bucket of 1032", jget(ops, "map.p50_ns"));
	CHECK_EQ_U64(jget(ops, "map.hooks.iommu_map.count"), 65);
	CHECK_EQ_U64(jget(ops, "map.hooks.iommu:map.count"), 65);
	CHECK(json_is_false(json_object_get(json_object_get(json_object_get(
		json_object_get(ops, "map"), "hooks"), "iommu:map"), "timed")), "tracepoint is untimed");
	CHECK_EQ_U64(jget(ops, "unmap.count"), 64);
	CHECK_EQ_U64(jget(ops, "unmap.hooks.iommu_unmap_fast.count"), 64);
	/* a function hook counted through its tracepoint says so */
	CHECK_EQ_U64(jget(ops, "unmap.hooks.iommu_unmap.count"), 2);
	v = json_object_get(json_object_get(json_object_get(json_object_get(ops, "unmap"), "hooks"),
					    "iommu_unmap"), "via");
	CHECK(json_is_string(v) && !strcmp(json_string_value(v), "iommu:unmap"), "via");
	CHECK_EQ_U64(jget(ops, "attach.count"), 1);
	CHECK_EQ_U64(jget(ops, "attach.hooks.iommu_attach_group.p50_ns"), 50000);
	/* histogram: bounds and counts line up, counts add up */
	v = json_object_get(json_object_get(json_object_get(ops, "map"), "hist_ns"), "counts");
	{
		long long sum = 0;
		json_t *c;
		size_t k;

		json_array_foreach(v, k, c)
			sum += json_integer_value(c);
		CHECK_EQ_U64(sum, 65);
	}
	/* roles with nothing attached are absent, except map/unmap/attach */
	CHECK(json_object_get(ops, "tlb_inv") == NULL, "tlb_inv absent");
	/* hooks[] carries misses for attached function hooks */
	v = json_array_get(json_object_get(back, "hooks"), i_map);
	CHECK_STR(json_string_value(json_object_get(v, "name")), "iommu_map");
	CHECK_STR(json_string_value(json_object_get(v, "mode")), "fentry");
	CHECK_EQ_U64(json_integer_value(json_object_get(v, "misses")), 3);

	/* never overwrite: the second write fails with EEXIST and the first
	 * file is intact; the data of the failed write is kept aside */
	json_object_set_new(doc, "schema", json_string("iommubench/1"));
	json_object_set_new(doc, "marker", json_integer(2));
	e = ib_results_write(doc, path, err, sizeof(err));
	CHECK(e == -EEXIST, "second write: %d %s", e, err);
	CHECK(strstr(err, "choose another") != NULL, "message: %s", err);
	{
		/* the refused data is kept in the named temporary file */
		char *t = strstr(err, "kept in "), kept[256];

		t = t ? t + 8 : NULL;

		CHECK(t && strstr(t, ".tmp.") && sscanf(t, "%255[^)]", kept) == 1 &&
		      stat(kept, &st) == 0, "kept file named and present: %s", err);
	}
	json_decref(back);
	back = ib_results_load(path, err, sizeof(err));
	CHECK(back && !json_object_get(back, "marker"), "first result intact");
	json_decref(back);

	/* a document of another schema is refused on load */
	snprintf(cmd, sizeof(cmd), "%s/other.json", dir);
	{
		FILE *f = fopen(cmd, "w");

		fputs("{\"schema\": \"other/9\"}\n", f);
		fclose(f);
	}
	back = ib_results_load(cmd, err, sizeof(err));
	CHECK(back == NULL && strstr(err, "expected 'iommubench/1'"), "schema check: %s", err);
	snprintf(cmd, sizeof(cmd), "%s/broken.json", dir);
	{
		FILE *f = fopen(cmd, "w");

		fputs("{\"schema\": \n", f);
		fclose(f);
	}
	back = ib_results_load(cmd, err, sizeof(err));
	CHECK(back == NULL && strstr(err, "broken.json:"), "parse error names the file: %s", err);
	CHECK(stat(path, &st) == 0, "result still there");

	json_decref(doc);

	{
		glob_t g;

		CHECK(glob("results/reference/*.json", 0, NULL, &g) == 0 && g.gl_pathc > 0,
		      "reference runs found (run from the repository root)");
		for (size_t k = 0; k < g.gl_pathc; k++)
			check_reference(g.gl_pathv[k]);
		globfree(&g);
	}
	test_whole_document(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return CHECK_DONE();
}
