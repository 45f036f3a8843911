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
	BAD("bad_long_line.ini", 2, "longer than");

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
	{ "pages=1", "backend=iommufd", "backend", "'iommufd' is not a backend" },
	{ "pages=1", "bind=maybe", "bind", "yes/no" },
	{ "pages=1", "device=0000:00:02", "device", "not a PCI address" },
	{ "pages=1", "device=0000:00:20.0", "device", "0..0x1f" },
	{ "pages=1", "device=00:02.8", "device", "0..7" },
	{ "pages=1", "device=000:00:02.0", "device", "not a PCI address" },
	{ "pages=1", "device=", "device", "--device" },
	{ "iova=0", "loops=2", "loops", "belongs in the job section" },
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
}

int main(void)
{
	test_good_full();
	test_good_minimal();
	test_good_styles();
	test_names();
	test_bad_fixtures();
	test_bad_values();
	test_good_values();
	test_limits();
	test_basic_ini();
	return CHECK_DONE();
}
