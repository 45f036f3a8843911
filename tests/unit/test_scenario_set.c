// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for --set KEY=VALUE (ib_scenario_load_set) and checks=auto
 * (ib_checks_resolve) in userspace/scenario.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "scenario.h"
#include "check.h"

static struct ib_scenario sc;
static char err[1024];
static char dir[] = "/tmp/ib_test_scenario_set.XXXXXX", path[600];

/* a scenario file with these lines after "[job]" */
static void write_file(const char *body)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL, "cannot write %s", path);
	if (!f)
		return;
	fprintf(f, "[global]\nbackend=vfio\n[job]\n%s\n", body);
	fclose(f);
}

#define SETS(...) ((const char *const[]){ __VA_ARGS__ }), \
	(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static int load(const char *body, const char *const *sets, size_t n)
{
	write_file(body);
	memset(err, 0, sizeof(err));
	return ib_scenario_load_set(path, sets, n, &sc, err, sizeof(err));
}

/* the error must start with prefix and hold each needle */
static void expect(int ret, const char *prefix, ...)
{
	const char *needle;
	va_list ap;

	CHECK(ret == -1, "loaded, expected an error starting \"%s\"", prefix);
	CHECK(!strncmp(err, prefix, strlen(prefix)), "\"%s\" does not start with \"%s\"", err, prefix);
	va_start(ap, prefix);
	while ((needle = va_arg(ap, const char *)))
		CHECK(strstr(err, needle) != NULL, "\"%s\" lacks \"%s\"", err, needle);
	va_end(ap);
}
#define EXPECT(ret, ...) expect(ret, __VA_ARGS__, (const char *)NULL)

static const char *override(const char *key)
{
	for (size_t i = 0; i < sc.nset; i++)
		if (!strcmp(sc.set[i].key, key))
			return sc.set[i].value;
	return NULL;
}

/* overrides replace the file's values and leave the file's record alone */
static void test_applied(void)
{
	char where[320];

	CHECK(load("pages=4\ncontexts=2\nswitches=2\nchecks=1", SETS("pages=8", " contexts = 16 ", "checks=0")) == 0,
	      "%s", err);
	CHECK_EQ_U64(sc.pages, 8);
	CHECK_EQ_U64(sc.contexts, 16);
	CHECK_EQ_U64(sc.switches, 2);
	CHECK_EQ_U64(sc.checks_mode, IB_CHECKS_OFF);
	CHECK_EQ_U64(sc.checks, 0);
	CHECK_EQ_U64(sc.nset, 3);
	/* blanks around key and value dropped, as in the file */
	CHECK_STR(override("contexts"), "16");
	CHECK_STR(override("pages"), "8");
	CHECK_STR(override("checks"), "0");
	CHECK(override("switches") == NULL, "switches was not overridden");
	/* the file's lines are still what the file said */
	CHECK_EQ_U64(sc.nkv, 5);
	CHECK_STR(sc.kv[1].key, "pages");
	CHECK_STR(sc.kv[1].value, "4");
	/* where each value came from */
	ib_scenario_key_where(&sc, "pages", where, sizeof(where));
	CHECK_STR(where, "--set pages=8");
	ib_scenario_key_where(&sc, "switches", where, sizeof(where));
	CHECK(strstr(where, "case.ini:6") != NULL, "switches comes from \"%s\"", where);
	ib_scenario_key_where(&sc, "seed", where, sizeof(where));
	CHECK_STR(where, path);
	CHECK(ib_scenario_key_pos(&sc, "contexts") > ib_scenario_key_pos(&sc, "pages"),
	      "a later --set is later");
	CHECK(ib_scenario_key_pos(&sc, "pages") > ib_scenario_key_pos(&sc, "switches"),
	      "a --set comes after every line of the file");

	/* a global key too, and one the file does not give */
	CHECK(load("pages=4", SETS("bind=0", "seed=0x10", "description=a b;c")) == 0, "%s", err);
	CHECK_EQ_U64(sc.bind, 0);
	CHECK_EQ_U64(sc.seed, 16);
	CHECK_STR(sc.description, "a b;c");
	/* no overrides: the file alone */
	CHECK(load("pages=4", NULL, 0) == 0, "%s", err);
	CHECK_EQ_U64(sc.nset, 0);
	CHECK_EQ_U64(sc.pages, 4);
}

/* each refusal: "--set ARG: " first, then what the file's parser says */
static void test_refused(void)
{
	EXPECT(load("pages=4", SETS("pagez=1")), "--set pagez=1: key 'pagez': unknown; allowed: backend, device,",
	       "checks", "dma_bits");
	EXPECT(load("pages=4", SETS("pages=0")), "--set pages=0: key 'pages': '0' is out of range; allowed: 1..1048576");
	EXPECT(load("pages=4", SETS("page_size=12k")), "--set page_size=12k: key 'page_size':", "not a power of two");
	EXPECT(load("pages=4", SETS("checks=maybe")), "--set checks=maybe: key 'checks': 'maybe' is not a boolean",
	       "allowed: auto, 0/1");
	EXPECT(load("pages=4", SETS("pages=8", "pages=9")),
	       "--set pages=9: key 'pages': given twice on the command line (first --set pages=8); give it once");
	/* the same key spelled with blanks is the same key */
	EXPECT(load("pages=4", SETS("pages=8", " pages =9")), "--set  pages =9: key 'pages': given twice");
	EXPECT(load("pages=4", SETS("pages=")), "--set pages=: key 'pages': empty value; allowed: 1..1048576");
	EXPECT(load("pages=4", SETS("")), "--set : no '=' in it; allowed: KEY=VALUE");
	EXPECT(load("pages=4", SETS("pages")), "--set pages: no '=' in it; allowed: KEY=VALUE", "--set checks=0");
	EXPECT(load("pages=4", SETS("=4")), "--set =4: no key before '='");
	EXPECT(load("pages=4", SETS("  =4")), "--set   =4: no key before '='");
	EXPECT(load("pages=4", SETS("device=")), "--set device=: key 'device': empty");
	/* cross-key checks see the overrides, and blame them when they come last */
	EXPECT(load("contexts=2\nswitches=4", SETS("contexts=1")),
	       "--set contexts=1: key 'contexts': 1 context leaves nowhere to switch to, and switches=4 (line 5)");
	EXPECT(load("pages=4", SETS("switches=3")),
	       "--set switches=3: key 'switches': 3 switches need at least 2 contexts, and contexts=1 (the default)");
	EXPECT(load("contexts=2", SETS("switches=3", "contexts=1")),
	       "--set contexts=1: key 'contexts':", "switches=3 (--set switches=3)");
	EXPECT(load("order=map_unmap_each", SETS("ops=map,unmap")),
	       "--set ops=map,unmap: key 'ops': order= is already given (line 4)");
	EXPECT(load("pages=4", SETS("ops=map,unmap", "order=map_unmap_each")),
	       "--set order=map_unmap_each: key 'order': ops= is already given (--set ops=map,unmap)");
	EXPECT(load("pages=4", SETS("switch_kind=pasid")), "--set switch_kind=pasid: key 'switch_kind': pasid does not go with backend=vfio");
	EXPECT(load("pages=4", SETS("iova=0xfffffffff000", "pages=2")),
	       "--set pages=2: key 'pages': iova 0xfffffffff000 + 2 pages", "ends past 2^48");
	/* as long as a scenario line may be, no longer */
	{
		char arg[260];

		memset(arg, 'x', sizeof(arg) - 1);
		arg[sizeof(arg) - 1] = '\0';
		memcpy(arg, "description=", 12);
		EXPECT(load("pages=4", SETS(arg)), "--set description=xxx", "...: longer than 199 characters");
		arg[199] = '\0';
		CHECK(load("pages=4", SETS(arg)) == 0, "199 characters: %s", err);
		CHECK_EQ_U64(strlen(sc.description), 199 - 12);
	}
	/* a file error comes first, and names the file */
	EXPECT(load("pages=x", SETS("pages=4")), path, ":4: key 'pages'");
	/* the first bad override is the one reported */
	EXPECT(load("pages=4", SETS("pages=2", "loops=0", "pagez=1")), "--set loops=0: key 'loops'");
}

/* control bytes in a --set reach the terminal escaped, as a file's do */
static void test_control_bytes(void)
{
	const char *shown;

	EXPECT(load("pages=4", SETS("pa\033]0;x\007ges=1")), "--set pa\033]0;x\007ges=1: key 'pa\033]0;x\007ges': unknown");
	shown = ib_term(err);
	CHECK(strstr(shown, "pa\\x1b]0;x\\x07ges") != NULL, "escaped: %s", shown);
	for (const char *c = shown; *c; c++)
		CHECK((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f, "a raw byte 0x%02x in \"%s\"",
		      (unsigned char)*c, shown);
	EXPECT(load("pages=4", SETS("pages=1\r\033[2J")), "--set pages=1\r\033[2J: key 'pages':", "is not a number");
	shown = ib_term(err);
	CHECK(strstr(shown, "pages=1\\r\\x1b[2J") != NULL, "escaped: %s", shown);
}

/* checks=auto is the default; where the checks run is the device's question */
static void test_checks_resolve(void)
{
	char why[512];

	CHECK(load("pages=4", NULL, 0) == 0, "%s", err);
	CHECK_EQ_U64(sc.checks_mode, IB_CHECKS_AUTO);
	CHECK_EQ_U64(sc.checks, 0);
	CHECK_STR(ib_checks_mode_name(sc.checks_mode), "auto");
	/* auto: on edu, and on the iommufd mock device, they run */
	CHECK_EQ_U64(ib_checks_resolve(&sc, false, "0000:00:02.0", 0x1234, 0x11e8, why, sizeof(why)), 1);
	CHECK_STR(why, "");
	CHECK_EQ_U64(ib_checks_resolve(&sc, true, "mock", 0, 0, why, sizeof(why)), 1);
	/* elsewhere skipped, with the reason */
	CHECK_EQ_U64(ib_checks_resolve(&sc, false, "0000:00:05.0", 0x1b36, 0x0010, why, sizeof(why)), 0);
	CHECK_STR(why, "no DMA engine iommubench can drive on 0000:00:05.0 (1b36:0010)");
	/* the vendor alone is not edu */
	CHECK_EQ_U64(ib_checks_resolve(&sc, false, "0000:00:05.0", 0x1234, 0x1111, why, sizeof(why)), 0);
	CHECK_STR(why, "no DMA engine iommubench can drive on 0000:00:05.0 (1234:1111)");

	/* 1 insists: refused, naming where checks=1 came from */
	CHECK(load("checks=yes", NULL, 0) == 0, "%s", err);
	CHECK_EQ_U64(sc.checks_mode, IB_CHECKS_ON);
	CHECK_EQ_U64(sc.checks, 1);
	CHECK_EQ_U64((unsigned)(ib_checks_resolve(&sc, false, "0000:00:05.0", 0x1b36, 0x0010, why, sizeof(why)) + 1), 0);
	CHECK(strstr(why, "case.ini:4: key 'checks': checks=1 needs the QEMU edu device (1234:11e8)") != NULL, "%s", why);
	CHECK(strstr(why, "0000:00:05.0 is 1b36:0010") != NULL, "%s", why);
	CHECK_EQ_U64(ib_checks_resolve(&sc, false, "0000:00:02.0", 0x1234, 0x11e8, why, sizeof(why)), 1);
	CHECK(load("checks=0", SETS("checks=1")) == 0, "%s", err);
	CHECK_EQ_U64((unsigned)(ib_checks_resolve(&sc, false, "0000:00:05.0", 0x1b36, 0x0010, why, sizeof(why)) + 1), 0);
	CHECK(!strncmp(why, "--set checks=1: key 'checks': checks=1 needs", 44), "%s", why);

	/* 0 never runs them, edu or not, and gives no reason */
	CHECK(load("checks=1", SETS("checks=false")) == 0, "%s", err);
	CHECK_EQ_U64(sc.checks_mode, IB_CHECKS_OFF);
	CHECK_EQ_U64(ib_checks_resolve(&sc, false, "0000:00:02.0", 0x1234, 0x11e8, why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK_EQ_U64(ib_checks_resolve(&sc, true, "mock", 0, 0, why, sizeof(why)), 0);
	/* auto given explicitly, and overriding the file's 1 */
	CHECK(load("checks=1", SETS("checks=auto")) == 0, "%s", err);
	CHECK_EQ_U64(sc.checks_mode, IB_CHECKS_AUTO);
	CHECK_EQ_U64(sc.checks, 0);
	CHECK(load("checks=AUTO", NULL, 0) == -1, "checks=AUTO loaded (auto is lower case, as every word value)");
}

/* every shipped scenario runs on a device that is not edu: only a checks=1
 * would stop it, and none but the mock-device one has it */
static void test_shipped_run_anywhere(void)
{
	static const char *const files[] = {
		"scenarios/basic.ini", "scenarios/aux-switch.ini", "scenarios/invalidate-patterns.ini",
		"scenarios/invalidate-range.ini", "scenarios/invalidate-context.ini", "scenarios/dma-map.ini",
		"scenarios/dma-map-lazy.ini",
	};
	char why[512];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		CHECK(ib_scenario_load(files[i], &sc, err, sizeof(err)) == 0, "%s: %s", files[i], err);
		CHECK(ib_checks_resolve(&sc, false, "0000:00:05.0", 0x1b36, 0x0010, why, sizeof(why)) >= 0,
		      "%s refuses a device that is not edu: %s", files[i], why);
	}
	/* aux-switch still checks on edu */
	CHECK(ib_scenario_load("scenarios/aux-switch.ini", &sc, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_U64(ib_checks_resolve(&sc, false, "0000:00:02.0", 0x1234, 0x11e8, why, sizeof(why)), 1);
}

int main(void)
{
	CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
	snprintf(path, sizeof(path), "%s/case.ini", dir);
	test_applied();
	test_refused();
	test_control_bytes();
	test_checks_resolve();
	test_shipped_run_anywhere();
	unlink(path);
	rmdir(dir);
	return CHECK_DONE();
}
