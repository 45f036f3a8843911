// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for userspace/scenario.c: fixtures in tests/data/scenarios,
 * plus one small file per bad value, written to a temporary directory. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"
#include "check.h"

/* run from the top of the tree, as tests/run-unit does */
#ifndef IB_TEST_DATA
#define IB_TEST_DATA "tests/data/scenarios"
#endif

static struct ib_scenario sc;
static char err[1024];

static int load(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", IB_TEST_DATA, name);
	return ib_scenario_load(path, &sc, err, sizeof(err));
}

static const char *kv(const char *section, const char *key, int *line)
{
	size_t i;

	for (i = 0; i < sc.nkv; i++)
		if (!strcmp(sc.kv[i].section, section) && !strcmp(sc.kv[i].key, key)) {
			if (line)
				*line = sc.kv[i].line;
			return sc.kv[i].value;
		}
	return NULL;
}

static void test_good_full(void)
{
	int line = 0;

	CHECK(load("good_full.ini") == 0, "%s", err);
	CHECK_STR(sc.path, IB_TEST_DATA "/good_full.ini");
	CHECK_STR(sc.name, "every-key");
	CHECK_STR(sc.description, "map 16 x 2 MiB, each unmapped at once");
	CHECK_EQ_U64(sc.backend, IB_BACKEND_VFIO);
	CHECK_STR(sc.device, "0000:00:03.0");
	CHECK_EQ_U64(sc.bind, 0);
	CHECK_EQ_U64(sc.pages, 16);
	CHECK_EQ_U64(sc.page_size, 2 << 20);
	CHECK_EQ_U64(sc.iova_base, 0x40000000);
	CHECK_EQ_U64(sc.loops, 10);
	CHECK_EQ_U64(sc.warmup, 2);
	CHECK_EQ_U64(sc.order, IB_ORDER_MAP_UNMAP_EACH);

	/* every key as written, in file order, with its line */
	CHECK_EQ_U64(sc.nkv, 10);
	CHECK_STR(sc.kv[0].section, "global");
	CHECK_STR(sc.kv[0].key, "backend");
	CHECK_EQ_U64(sc.kv[0].line, 3);
	CHECK_STR(kv("global", "bind", &line), "no");
	CHECK_EQ_U64(line, 5);
	CHECK_STR(kv("every-key", "page_size", &line), "2m");
	CHECK_EQ_U64(line, 10);
	CHECK_STR(kv("every-key", "iova", NULL), "0x40000000");
	CHECK_STR(kv("every-key", "order", &line), "map_unmap_each");
	CHECK_EQ_U64(line, 14);
	CHECK_STR(sc.kv[9].key, "order");
}

static void test_good_minimal(void)
{
	CHECK(load("good_minimal.ini") == 0, "%s", err);
	CHECK_STR(sc.name, "basic");
	CHECK_STR(sc.description, "");
	CHECK_EQ_U64(sc.backend, IB_BACKEND_VFIO);
	CHECK_STR(sc.device, "");
	CHECK_EQ_U64(sc.bind, 1);
	CHECK_EQ_U64(sc.pages, 64);
	CHECK_EQ_U64(sc.page_size, 4096);
	CHECK_EQ_U64(sc.iova_base, 0x100000);
	CHECK_EQ_U64(sc.loops, 1);
	CHECK_EQ_U64(sc.warmup, 0);
	CHECK_EQ_U64(sc.order, IB_ORDER_MAP_ALL_THEN_UNMAP_ALL);
	CHECK_EQ_U64(sc.nkv, 0);
	/* per-context keys: one context, no switches, map then unmap */
	CHECK_EQ_U64(sc.contexts, 1);
	CHECK_EQ_U64(sc.resident, 0);
	CHECK_EQ_U64(sc.memory, IB_MEM_ANON);
	CHECK_EQ_U64(sc.nmix, 2);
	CHECK_EQ_U64(sc.mix[0], IB_MIX_MAP);
	CHECK_EQ_U64(sc.mix[1], IB_MIX_UNMAP);
	CHECK_EQ_U64(sc.mix_given, 0);
	CHECK_EQ_U64(sc.invalidate, IB_INV_PAGE);
	CHECK_EQ_U64(sc.switch_pattern, IB_SWITCH_ROUND_ROBIN);
	CHECK_EQ_U64(sc.switches, 0);
	CHECK_EQ_U64(sc.burst, 1);
	CHECK_EQ_U64(sc.seed, 1);
	CHECK_EQ_U64(sc.threads, 1);
	CHECK_EQ_U64(sc.ncpus, 0);
	CHECK_EQ_U64(sc.checks, 0);
}

/* every per-context key away from its default */
static void test_good_contexts(void)
{
	int line = 0;

	CHECK(load("good_contexts.ini") == 0, "%s", err);
	CHECK_STR(sc.name, "contexts-all");
	CHECK_EQ_U64(sc.pages, 8);
	CHECK_EQ_U64(sc.resident, 32);
	CHECK_EQ_U64(sc.contexts, 4);
	CHECK_EQ_U64(sc.memory, IB_MEM_THP);
	CHECK_EQ_U64(sc.mix_given, 1);
	CHECK_EQ_U64(sc.nmix, 4);
	CHECK_EQ_U64(sc.mix[0], IB_MIX_MAP);
	CHECK_EQ_U64(sc.mix[1], IB_MIX_TOUCH);
	CHECK_EQ_U64(sc.mix[2], IB_MIX_REMAP);
	CHECK_EQ_U64(sc.mix[3], IB_MIX_UNMAP);
	CHECK_EQ_U64(sc.invalidate, IB_INV_RANGE);
	CHECK_EQ_U64(sc.switch_pattern, IB_SWITCH_RANDOM);
	CHECK_EQ_U64(sc.switches, 12);
	CHECK_EQ_U64(sc.burst, 2);
	CHECK_EQ_U64(sc.seed, 0xdeadbeef);
	CHECK_EQ_U64(sc.threads, 4);
	CHECK_EQ_U64(sc.ncpus, 3);
	CHECK_EQ_U64(sc.cpus[0], 0);
	CHECK_EQ_U64(sc.cpus[1], 2);
	CHECK_EQ_U64(sc.cpus[2], 4);
	CHECK_EQ_U64(sc.checks, 1);
	/* the value is echoed as written, blanks inside the list kept */
	CHECK_STR(kv("contexts-all", "ops", &line), "map, touch, remap ,unmap");
	CHECK_EQ_U64(line, 13);
	CHECK_STR(kv("contexts-all", "switch", &line), "random");
	CHECK_EQ_U64(line, 15);
	CHECK_EQ_U64(sc.nkv, 17);

	CHECK(load("good_ops_touch_twice.ini") == 0, "%s", err);
	CHECK_EQ_U64(sc.nmix, 7);
	CHECK_EQ_U64(sc.mix[3], IB_MIX_MAP);
	CHECK_EQ_U64(sc.mix[4], IB_MIX_REMAP);
	CHECK_EQ_U64(sc.mix[6], IB_MIX_UNMAP);
	CHECK_EQ_U64(sc.invalidate, IB_INV_CONTEXT);
	CHECK_EQ_U64(sc.memory, IB_MEM_HUGETLB);
	CHECK_EQ_U64(sc.switch_pattern, IB_SWITCH_ROUND_ROBIN);
	CHECK_EQ_U64(sc.checks, 0);
	CHECK_EQ_U64(sc.contexts, 2);
	CHECK_EQ_U64(sc.switches, 1);
}

/* BOM, CRLF, indented keys, "key : value", short PCI address */
static void test_good_styles(void)
{
	int line = 0;

	CHECK(load("good_styles.ini") == 0, "%s", err);
	CHECK_STR(sc.name, "styles_2.x");
	CHECK_STR(sc.device, "0000:3a:00.1");
	CHECK_EQ_U64(sc.bind, 1);
	CHECK_EQ_U64(sc.pages, 1048576);
	CHECK_EQ_U64(sc.page_size, 4096);
	CHECK_EQ_U64(sc.iova_base, 0);
	/* ';' starts a comment only after a blank */
	CHECK_STR(sc.description, "a;b keeps its semicolon");
	CHECK_STR(kv("global", "device", &line), "3a:00.1");
	CHECK_EQ_U64(line, 3);
	CHECK_STR(kv("styles_2.x", "iova", &line), "0");
	CHECK_EQ_U64(line, 9);
	CHECK_EQ_U64(sc.nkv, 6);
}

static void test_names(void)
{
	CHECK_STR(ib_backend_name(IB_BACKEND_VFIO), "vfio");
	CHECK_STR(ib_order_name(IB_ORDER_MAP_ALL_THEN_UNMAP_ALL), "map_all_then_unmap_all");
	CHECK_STR(ib_order_name(IB_ORDER_MAP_UNMAP_EACH), "map_unmap_each");
	CHECK_STR(ib_order_name((enum ib_order)7), "unknown");
	CHECK_STR(ib_memory_name(IB_MEM_ANON), "anon");
	CHECK_STR(ib_memory_name(IB_MEM_THP), "thp");
	CHECK_STR(ib_memory_name(IB_MEM_HUGETLB), "hugetlb");
	CHECK_STR(ib_memory_name((enum ib_memory)3), "unknown");
	CHECK_STR(ib_switch_name(IB_SWITCH_ROUND_ROBIN), "round-robin");
	CHECK_STR(ib_switch_name(IB_SWITCH_RANDOM), "random");
	CHECK_STR(ib_switch_name((enum ib_switch_pattern)2), "unknown");
	CHECK_STR(ib_invalidate_name(IB_INV_PAGE), "page");
	CHECK_STR(ib_invalidate_name(IB_INV_RANGE), "range");
	CHECK_STR(ib_invalidate_name(IB_INV_CONTEXT), "context");
	CHECK_STR(ib_invalidate_name((enum ib_invalidate)3), "unknown");
	CHECK_STR(ib_mix_name(IB_MIX_MAP), "map");
	CHECK_STR(ib_mix_name(IB_MIX_UNMAP), "unmap");
	CHECK_STR(ib_mix_name(IB_MIX_REMAP), "remap");
	CHECK_STR(ib_mix_name(IB_MIX_TOUCH), "touch");
	CHECK_STR(ib_mix_name((enum ib_mix_op)4), "unknown");
}

/* err must start "PATH:LINE: " (or "PATH: " for line 0) and contain each
 * needle, e.g. "key 'pages':". */
static void expect_error(int ret, const char *path, int line, const char *needle, ...)
{
	char prefix[800];
	va_list ap;

	if (line)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", path);
	CHECK(ret == -1, "%s loaded, expected an error", path);
	CHECK(!strncmp(err, prefix, strlen(prefix)), "\"%s\" does not start with \"%s\"",
	      err, prefix);
	va_start(ap, needle);
	for (; needle; needle = va_arg(ap, const char *))
		CHECK(strstr(err, needle) != NULL, "\"%s\" lacks \"%s\"", err, needle);
	va_end(ap);
}

#define BAD(file, line, ...) \
	expect_error(load(file), IB_TEST_DATA "/" file, line, __VA_ARGS__, (const char *)NULL)

static void test_bad_fixtures(void)
{
	BAD("bad_unknown_section.ini", 2, "section [Global]:", "unknown", "[global]");
	BAD("bad_section_name.ini", 4, "section [my job]:", "unknown");
	BAD("bad_key_outside.ini", 2, "key 'pages':", "outside any section");
	BAD("bad_unknown_key.ini", 6, "key 'pagesize':", "unknown", "page_size");
	BAD("bad_misplaced_key.ini", 5, "key 'device':", "[global]");
	BAD("bad_value.ini", 6, "key 'page_size':", "'12k'", "power of two");
	BAD("bad_duplicate_key.ini", 7, "key 'pages':", "twice", "line 5");
	BAD("bad_duplicate_section.ini", 5, "section [global]:", "twice", "line 1");
	BAD("bad_two_jobs.ini", 8, "section [second]:", "second job section", "[first]");
	BAD("bad_no_job.ini", 0, "no job section");
	/* the syntax error on line 4 comes before the bad loops on line 5 */
	BAD("bad_syntax.ini", 4, "cannot parse");
	BAD("bad_range.ini", 5, "key 'pages':", "2^48", "0xfff000000000");
	BAD("bad_long_line.ini", 2, "key 'description': line longer than");
	/* per-context keys */
	BAD("bad_ops_and_order.ini", 6, "key 'order':", "ops= is already given (line 4)",
	    "allowed: one of ops=");
	BAD("bad_order_and_ops.ini", 5, "key 'ops':", "order= is already given (line 3)",
	    "allowed: one of ops=");
	BAD("bad_switches_one_context.ini", 4, "key 'switches':", "3 switches",
	    "at least 2 contexts", "(the default)", "allowed: switches=0 with contexts=1");
	BAD("bad_contexts_one_after.ini", 4, "key 'contexts':", "switches=3 (line 3)",
	    "allowed: 2..64 with switches > 0");
	BAD("bad_ops_ends_mapped.ini", 5, "key 'ops':", "'map,unmap,map,touch'",
	    "ends with the working set mapped", "allowed:");
	BAD("bad_ops_unknown.ini", 4, "key 'ops':", "'tuoch' is not an op",
	    "map, unmap, remap, touch");
	BAD("bad_ops_unmapped_touch.ini", 3, "key 'ops':", "'touch' (entry 1)",
	    "needs the working set mapped");
	BAD("bad_contexts.ini", 2, "key 'contexts':", "'65' is out of range", "1..64");
	BAD("bad_switch.ini", 3, "key 'switch':", "'roundrobin' is not a switch pattern",
	    "round-robin, random");
	BAD("bad_invalidate.ini", 3, "key 'invalidate':", "'all'", "page, range, context");
	BAD("bad_memory.ini", 2, "key 'memory':", "'shm'", "anon, thp, hugetlb");
	BAD("bad_cpus.ini", 3, "key 'cpus':", "CPU '1024' is out of range", "0..1023");
	BAD("bad_resident_range.ini", 5, "key 'resident':", "1024 pages + 1 resident",
	    "2^48", "iova + (pages + resident) * page_size");

	expect_error(ib_scenario_load(IB_TEST_DATA "/does-not-exist.ini", &sc, err, sizeof(err)),
		     IB_TEST_DATA "/does-not-exist.ini", 0, "cannot open",
		     "No such file or directory", (const char *)NULL);
	expect_error(ib_scenario_load(IB_TEST_DATA, &sc, err, sizeof(err)), IB_TEST_DATA, 0,
		     "cannot read", "Is a directory", (const char *)NULL);

	/* a short buffer gets a truncated, terminated message */
	{
		char small[8];

		CHECK(ib_scenario_load(IB_TEST_DATA "/bad_value.ini", &sc, small,
				       sizeof(small)) == -1, "bad_value.ini loaded");
		CHECK(strlen(small) == sizeof(small) - 1, "small buffer: \"%s\"", small);
	}
}

/* One bad value per case; the offending key is always on line 4. */
static const struct {
	const char *body;	/* lines 3.. of "[global]\n<g>\n[job]\n<body>" */
	const char *global;
	const char *key, *needle;
} value_cases[] = {
	{ "pages=0", "", "pages", "'0' is out of range" },
	{ "pages=1048577", "", "pages", "1..1048576" },
	{ "pages=-1", "", "pages", "not a number" },
	{ "pages=+5", "", "pages", "not a number" },
	{ "pages=6x", "", "pages", "not a number" },
	{ "pages=99999999999999999999", "", "pages", "too large" },
	{ "pages=", "", "pages", "empty" },
	{ "page_size=4097", "", "page_size", "multiple of 4096" },
	{ "page_size=2k", "", "page_size", "multiple of 4096" },
	{ "page_size=0", "", "page_size", "multiple of 4096" },
	{ "page_size=4kb", "", "page_size", "not a size" },
	{ "page_size=0x1000k", "", "page_size", "not a size" },
	{ "page_size=99999999999999g", "", "page_size", "too large" },
	{ "iova=0x100800", "", "iova", "not 4 KiB aligned" },
	{ "iova=0x1000000000000", "", "iova", "48-bit" },
	{ "iova=0x", "", "iova", "not a number" },
	{ "iova=010000x", "", "iova", "not a number" },
	{ "loops=0", "", "loops", "out of range" },
	{ "warmup=-1", "", "warmup", "not a number" },
	{ "order=random", "", "order", "map_all_then_unmap_all, map_unmap_each" },
	{ "pages=1", "backend=dpdk", "backend", "'dpdk' is not a backend" },
	{ "pages=1", "bind=maybe", "bind", "yes/no" },
	{ "pages=1", "device=0000:00:02", "device", "not a PCI address" },
	{ "pages=1", "device=0000:00:20.0", "device", "0..0x1f" },
	{ "pages=1", "device=00:02.8", "device", "0..7" },
	{ "pages=1", "device=000:00:02.0", "device", "not a PCI address" },
	{ "pages=1", "device=", "device", "--device" },
	{ "iova=0", "loops=2", "loops", "belongs in the job section" },
	{ "contexts=0", "", "contexts", "'0' is out of range" },
	{ "contexts=65", "", "contexts", "1..64" },
	{ "contexts=two", "", "contexts", "not a number" },
	{ "resident=1048577", "", "resident", "0..1048576" },
	{ "resident=-1", "", "resident", "not a number" },
	{ "memory=THP", "", "memory", "anon, thp, hugetlb" },
	{ "memory=", "", "memory", "empty" },
	{ "ops=", "", "ops", "empty" },
	{ "ops=map,,unmap", "", "ops", "entry 2 of 'map,,unmap' is empty" },
	{ "ops=map,unmap,", "", "ops", "entry 3 of 'map,unmap,' is empty" },
	{ "ops=map,frob,unmap", "", "ops", "'frob' is not an op" },
	{ "ops=MAP,unmap", "", "ops", "'MAP' is not an op" },
	{ "ops=map", "", "ops", "ends with the working set mapped" },
	{ "ops=unmap", "", "ops", "'unmap' (entry 1) needs the working set mapped" },
	{ "ops=map,unmap,unmap", "", "ops", "'unmap' (entry 3) needs the working set mapped" },
	{ "ops=map,unmap,remap", "", "ops", "'remap' (entry 3) needs" },
	{ "ops=map,map,unmap", "", "ops", "'map' (entry 2) maps the working set while" },
	{ "ops=map,touch,touch,touch,touch,touch,touch,touch,touch,touch,touch,touch,touch,"
	  "touch,touch,touch,unmap", "", "ops", "more than 16 entries" },
	{ "invalidate=pages", "", "invalidate", "'pages' is not an invalidation pattern" },
	{ "switch=rand", "", "switch", "round-robin, random" },
	{ "switches=1000001", "", "switches", "0..1000000" },
	{ "switches=x", "", "switches", "not a number" },
	{ "burst=0", "", "burst", "1..1000000" },
	{ "burst=1000001", "", "burst", "'1000001' is out of range" },
	{ "seed=-1", "", "seed", "not a number" },
	{ "seed=18446744073709551616", "", "seed", "too large" },
	{ "threads=0", "", "threads", "1..16" },
	{ "threads=17", "", "threads", "out of range" },
	{ "cpus=1024", "", "cpus", "CPU '1024' is out of range" },
	{ "cpus=0,,1", "", "cpus", "entry 2 of '0,,1' is empty" },
	{ "cpus=0;1", "", "cpus", "not a number" },
	{ "cpus=-1", "", "cpus", "not a number" },
	{ "cpus=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", "", "cpus", "more than 16 entries" },
	{ "checks=2", "", "checks", "not a boolean" },
	{ "pages=1", "contexts=2", "contexts", "belongs in the job section" },
	{ "switch_kind=swap", "", "switch_kind", "'swap' is not a switch kind" },
	{ "switch_kind=pasid", "", "switch_kind", "pasid does not go with backend=vfio" },
	{ "pasid_slots=0", "", "pasid_slots", "1..64" },
	{ "pasid_slots=65", "", "pasid_slots", "'65' is out of range" },
	{ "dma_threads=0", "", "dma_threads", "1..1024" },
	{ "dma_threads=1025", "", "dma_threads", "out of range" },
	{ "dma_seconds=301", "", "dma_seconds", "1..300" },
	{ "granule=1025", "", "granule", "1..1024" },
	{ "dma_dir=both", "", "dma_dir", "'both' is not a DMA direction" },
	{ "dma_map=list", "", "dma_map", "single, sg" },
	{ "dma_domain=eager", "", "dma_domain", "keep, strict, lazy" },
	{ "dma_bits=65", "", "dma_bits", "12..64" },
};

static void test_bad_values(void)
{
	char dir[] = "/tmp/ib_test_scenario.XXXXXX", path[600];
	size_t i;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
	snprintf(path, sizeof(path), "%s/case.ini", dir);
	for (i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		char key[80];
		int line = value_cases[i].global[0] ? 2 : 4;
		FILE *f = fopen(path, "w");

		CHECK(f != NULL, "cannot write %s", path);
		if (!f)
			break;
		fprintf(f, "[global]\n%s\n[job]\n%s\n", value_cases[i].global, value_cases[i].body);
		fclose(f);
		snprintf(key, sizeof(key), "key '%s':", value_cases[i].key);
		expect_error(ib_scenario_load(path, &sc, err, sizeof(err)), path, line, key,
			     value_cases[i].needle, "allowed", (const char *)NULL);
	}
	unlink(path);
	rmdir(dir);
}

/* Edges that must load. */
static void test_good_values(void)
{
	static const struct {
		const char *body;
		uint64_t pages, page_size, iova;
	} cases[] = {
		{ "page_size=1G\niova=0", 64, 1ull << 30, 0 },
		{ "page_size=0x200000\npages=1", 1, 2 << 20, 0x100000 },
		{ "page_size=64K\niova=4096", 64, 65536, 4096 },
		{ "iova=0xffffffc00000\npages=1024", 1024, 4096, 0xffffffc00000ull },
		{ "iova=1048576", 64, 4096, 0x100000 },
	};
	char dir[] = "/tmp/ib_test_scenario.XXXXXX", path[600];
	size_t i;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
	snprintf(path, sizeof(path), "%s/case.ini", dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fopen(path, "w");

		if (!f)
			break;
		fprintf(f, "[job]\n%s\n", cases[i].body);
		fclose(f);
		CHECK(ib_scenario_load(path, &sc, err, sizeof(err)) == 0, "case %zu: %s", i, err);
		CHECK_EQ_U64(sc.pages, cases[i].pages);
		CHECK_EQ_U64(sc.page_size, cases[i].page_size);
		CHECK_EQ_U64(sc.iova_base, cases[i].iova);
	}
	unlink(path);
	rmdir(dir);
}

/* Per-context values that must load, and what they set. */
static void test_good_context_values(void)
{
	char dir[] = "/tmp/ib_test_scenario.XXXXXX", path[600];
	FILE *f;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
	snprintf(path, sizeof(path), "%s/case.ini", dir);

#define LOAD_BODY(body) do {						\
		f = fopen(path, "w");					\
		CHECK(f != NULL, "cannot write %s", path);		\
		if (f) {						\
			fputs("[job]\n" body "\n", f);			\
			fclose(f);					\
		}							\
		CHECK(ib_scenario_load(path, &sc, err, sizeof(err)) == 0, "%s: %s", body, err); \
	} while (0)

	LOAD_BODY("contexts=64\nswitches=1000000\nburst=1000000\nresident=1048576\nthreads=16");
	CHECK_EQ_U64(sc.contexts, 64);
	CHECK_EQ_U64(sc.switches, 1000000);
	CHECK_EQ_U64(sc.burst, 1000000);
	CHECK_EQ_U64(sc.resident, 1048576);
	CHECK_EQ_U64(sc.threads, 16);
	/* switches=0 is fine with one context, and with many */
	LOAD_BODY("contexts=1\nswitches=0");
	CHECK_EQ_U64(sc.contexts, 1);
	LOAD_BODY("contexts=5");
	CHECK_EQ_U64(sc.switches, 0);
	LOAD_BODY("seed=0");
	CHECK_EQ_U64(sc.seed, 0);
	LOAD_BODY("seed=18446744073709551615");
	CHECK_EQ_U64(sc.seed, UINT64_MAX);
	LOAD_BODY("cpus=1023");
	CHECK_EQ_U64(sc.ncpus, 1);
	CHECK_EQ_U64(sc.cpus[0], 1023);
	LOAD_BODY("cpus=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,0x0f");
	CHECK_EQ_U64(sc.ncpus, 16);
	CHECK_EQ_U64(sc.cpus[15], 15);
	LOAD_BODY("checks=TRUE");
	CHECK_EQ_U64(sc.checks, 1);
	LOAD_BODY("checks=no");
	CHECK_EQ_U64(sc.checks, 0);
	LOAD_BODY("ops=map,remap,remap,touch,unmap");
	CHECK_EQ_U64(sc.nmix, 5);
	CHECK_EQ_U64(sc.mix[2], IB_MIX_REMAP);
	/* 16 entries is the most */
	LOAD_BODY("ops=map,touch,touch,touch,touch,touch,touch,touch,touch,touch,touch,touch,"
		  "touch,touch,touch,unmap");
	CHECK_EQ_U64(sc.nmix, 16);
	/* order= alone still works with contexts */
	LOAD_BODY("contexts=3\nswitches=2\norder=map_unmap_each");
	CHECK_EQ_U64(sc.order, IB_ORDER_MAP_UNMAP_EACH);
	CHECK_EQ_U64(sc.mix_given, 0);
	/* the range check counts the resident mappings: this ends exactly at 2^48 */
	LOAD_BODY("iova=0xffffffc00000\npages=1000\nresident=24");
	CHECK_EQ_U64(sc.resident, 24);
#undef LOAD_BODY
	unlink(path);
	rmdir(dir);
}

/* Job names up to sizeof(sc.name) - 1 characters survive whole (libinih
 * itself keeps only 49); a path that does not fit sc.path is refused. */
static void test_limits(void)
{
	char dir[] = "/tmp/ib_test_scenario.XXXXXX", path[600], name[80], longpath[700];
	FILE *f;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
	snprintf(path, sizeof(path), "%s/case.ini", dir);

	memset(name, 'j', 63);
	name[63] = '\0';
	f = fopen(path, "w");
	CHECK(f != NULL, "cannot write %s", path);
	if (f) {
		fprintf(f, "[%s]\npages=2\n", name);
		fclose(f);
		CHECK(ib_scenario_load(path, &sc, err, sizeof(err)) == 0, "%s", err);
		CHECK_STR(sc.name, name);
		CHECK_STR(sc.kv[0].section, name);
	}
	strcat(name, "j");
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "[global]\n[%s]\npages=2\n", name);
		fclose(f);
		expect_error(ib_scenario_load(path, &sc, err, sizeof(err)), path, 2, "section [jjj",
			     "at most 63 characters", (const char *)NULL);
	}
	unlink(path);
	rmdir(dir);

	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	expect_error(ib_scenario_load(longpath, &sc, err, sizeof(err)), longpath, 0,
		     "path longer than 511", (const char *)NULL);
}

/* The shipped scenario must load and say what its comments say. */
static void test_basic_ini(void)
{
	CHECK(ib_scenario_load("scenarios/basic.ini", &sc, err, sizeof(err)) == 0, "%s", err);
	CHECK_STR(sc.name, "basic");
	CHECK_EQ_U64(sc.backend, IB_BACKEND_VFIO);
	CHECK_EQ_U64(sc.pages, 64);
	CHECK_EQ_U64(sc.page_size, 4096);
	CHECK_EQ_U64(sc.loops, 1);
	CHECK_EQ_U64(sc.warmup, 0);
	CHECK_EQ_U64(sc.order, IB_ORDER_MAP_ALL_THEN_UNMAP_ALL);
	CHECK_EQ_U64(sc.contexts, 1);
	CHECK_EQ_U64(sc.mix_given, 0);
}

/* The per-context scenarios load with what their comments say. */
static void test_shipped_context_scenarios(void)
{
	static const char *const inv[] = { "page", "range", "context" };
	static const char *const files[] = {
		"scenarios/invalidate-patterns.ini",
		"scenarios/invalidate-range.ini",
		"scenarios/invalidate-context.ini",
	};
	size_t i;

	CHECK(ib_scenario_load("scenarios/aux-switch.ini", &sc, err, sizeof(err)) == 0, "%s", err);
	CHECK_STR(sc.name, "aux-switch");
	CHECK_EQ_U64(sc.contexts, 8);
	CHECK_EQ_U64(sc.switch_pattern, IB_SWITCH_ROUND_ROBIN);
	CHECK_EQ_U64(sc.switches, 16);
	CHECK_EQ_U64(sc.loops, 1);
	CHECK_EQ_U64(sc.warmup, 0);
	CHECK_EQ_U64(sc.pages, 16);
	CHECK_EQ_U64(sc.page_size, 4096);
	CHECK_EQ_U64(sc.resident, 16);
	CHECK_EQ_U64(sc.mix_given, 1);
	CHECK_EQ_U64(sc.nmix, 3);
	CHECK_EQ_U64(sc.mix[0], IB_MIX_MAP);
	CHECK_EQ_U64(sc.mix[1], IB_MIX_TOUCH);
	CHECK_EQ_U64(sc.mix[2], IB_MIX_UNMAP);
	CHECK_EQ_U64(sc.invalidate, IB_INV_PAGE);
	/* checks on edu, skipped on any other device */
	CHECK_EQ_U64(sc.checks_mode, IB_CHECKS_AUTO);
	/* edu masks DMA addresses to 28 bits: the whole range must stay below */
	CHECK(sc.iova_base + (sc.pages + sc.resident) * sc.page_size <= (1ull << 28),
	      "aux-switch.ini IOVAs reach past 28 bits");

	for (i = 0; i < 3; i++) {
		CHECK(ib_scenario_load(files[i], &sc, err, sizeof(err)) == 0, "%s", err);
		CHECK_STR(ib_invalidate_name(sc.invalidate), inv[i]);
		CHECK_EQ_U64(sc.contexts, 2);
		CHECK_EQ_U64(sc.switches, 4);
		CHECK_EQ_U64(sc.pages, 32);
		CHECK_EQ_U64(sc.page_size, 4096);
		CHECK_EQ_U64(sc.resident, 0);
		CHECK_EQ_U64(sc.nmix, 2);
		CHECK_EQ_U64(sc.mix[0], IB_MIX_MAP);
		CHECK_EQ_U64(sc.mix[1], IB_MIX_UNMAP);
		CHECK_EQ_U64(sc.checks, 0);
		CHECK_EQ_U64(sc.loops, 1);
		/* the same keys, in the same order, on the same lines, in all three */
		CHECK_EQ_U64(sc.nkv, 18);
	}
}

/* The switch kinds and the dma keys: defaults, what loads, what goes with which backend. */
static void test_switch_kinds_and_dma(void)
{
	static const struct {
		const char *global, *body;
		int ok;
		enum ib_switch_kind resolved;
	} cases[] = {
		{ "", "pages=1", 1, IB_SWK_REBIND },
		{ "backend=iommufd", "pages=1", 1, IB_SWK_REPLACE },
		{ "backend=iommufd", "switch_kind=pasid\npasid_slots=4", 1, IB_SWK_PASID },
		{ "backend=vfio", "switch_kind=rebind", 1, IB_SWK_REBIND },
		{ "backend=iommufd", "switch_kind=rebind", 0, 0 },
		{ "backend=dma", "switch_kind=replace", 0, 0 },
		{ "backend=dma", "pages=1", 1, IB_SWK_AUTO },
	};
	char dir[] = "/tmp/ib_test_scenario.XXXXXX", path[600];

	CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
	snprintf(path, sizeof(path), "%s/case.ini", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fopen(path, "w");
		int r;

		if (!f)
			break;
		fprintf(f, "[global]\n%s\n[job]\n%s\n", cases[i].global, cases[i].body);
		fclose(f);
		r = ib_scenario_load(path, &sc, err, sizeof(err));
		CHECK(cases[i].ok ? r == 0 : r != 0, "case %zu: %s", i, r ? err : "loaded");
		if (r == 0)
			CHECK_EQ_U64(ib_switch_kind_of(&sc), cases[i].resolved);
		else
			CHECK(strstr(err, "key 'switch_kind'") && strstr(err, "does not go with backend"),
			      "case %zu: %s", i, err);
	}
	unlink(path);
	rmdir(dir);

	CHECK(ib_scenario_load("scenarios/dma-map.ini", &sc, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_U64(sc.backend, IB_BACKEND_DMA);
	CHECK_STR(ib_backend_name(sc.backend), "dma");
	CHECK_EQ_U64(sc.dma.threads, 1);
	CHECK_EQ_U64(sc.dma.seconds, 1);
	CHECK_EQ_U64(sc.dma.granule, 1);
	CHECK_EQ_U64(sc.dma.dir, IB_DMA_BIDIRECTIONAL);
	CHECK_EQ_U64(sc.dma.map, IB_DMA_SINGLE);
	CHECK_EQ_U64(sc.dma.domain, IB_DMA_DOMAIN_STRICT);
	CHECK_EQ_U64(sc.dma.dma_bits, 32);
	CHECK_EQ_U64(sc.loops, 3);
	CHECK(ib_scenario_load("scenarios/dma-map-lazy.ini", &sc, err, sizeof(err)) == 0, "%s", err);
	CHECK_STR(ib_dma_domain_name(sc.dma.domain), "lazy");
	CHECK_STR(sc.name, "dma-map-lazy");
	CHECK(ib_scenario_load("scenarios/pasid-switch.ini", &sc, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_U64(ib_switch_kind_of(&sc), IB_SWK_PASID);
	CHECK_STR(ib_switch_kind_name(ib_switch_kind_of(&sc)), "pasid");
	CHECK_EQ_U64(sc.pasid_slots, 2);
	CHECK_EQ_U64(sc.contexts, 8);
	/* inside the mock domain's aperture [16 MiB, 2 GiB) */
	CHECK(sc.iova_base >= (1ull << 24) &&
	      sc.iova_base + (sc.pages + sc.resident + 2) * sc.page_size <= (2ull << 30),
	      "pasid-switch.ini IOVAs leave the mock aperture");
}

/* A line cut short by a NUL byte still names its line and its key. */
static void test_nul_byte(void)
{
	char path[] = "/tmp/ib-test-nul-XXXXXX";
	static const char text[] = "[job]\npages=1\n  loops = 2\0\n";
	int fd = mkstemp(path);

	CHECK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1, "write");
	close(fd);
	expect_error(ib_scenario_load(path, &sc, err, sizeof(err)), path, 3, "key 'loops': a NUL byte",
		     (const char *)NULL);
	unlink(path);
}

int main(void)
{
	test_nul_byte();
	test_good_full();
	test_good_minimal();
	test_good_contexts();
	test_good_styles();
	test_names();
	test_bad_fixtures();
	test_bad_values();
	test_good_values();
	test_good_context_values();
	test_limits();
	test_basic_ini();
	test_shipped_context_scenarios();
	test_switch_kinds_and_dma();
	return CHECK_DONE();
}
