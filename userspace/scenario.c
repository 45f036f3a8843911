// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Scenario files: fio-style INI, one [global] section and exactly one job
 * section. libinih splits key=value lines; this file tracks line numbers
 * and sections itself, because Debian's libinih is built without
 * INI_HANDLER_LINENO (the handler gets no line number) and without
 * INI_CALL_HANDLER_ON_NEW_SECTION (a section holding no keys is never
 * seen), and it cuts section names to 49 characters.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bdf.h"
#include "edu.h"
#include "scenario.h"

#define PAGES_MAX (1ull << 20)
#define RESIDENT_MAX (1ull << 20)
#define SWITCHES_MAX 1000000ull
#define BURST_MAX 1000000ull
#define CPU_MAX 1023ull
#define PAGE_MIN 4096ull
/* VT-d 4-level paging translates 48 bits of IOVA */
#define IOVA_LIMIT (1ull << 48)
/* positions of --set overrides: after every line of the file, in order */
#define SET_POS (1 << 30)
/* a --set KEY=VALUE is held to a scenario line's length */
#define SET_MAX 199

enum sec_kind { SEC_NONE, SEC_GLOBAL, SEC_JOB };

struct parse {
	const char *path;
	FILE *f;
	struct ib_scenario *sc;
	char *err;
	size_t errlen;
	int lineno;		/* line last handed to inih, 1-based */
	bool failed;
	int err_line;		/* line of the error; 0 for file-level ones */
	enum sec_kind sec;	/* section the current line belongs to */
	int global_line, job_line;
	/* the latest of iova/pages/page_size/resident, blamed if their range overflows */
	const char *range_key;
	int range_line;
	const char *const *sets;	/* --set arguments as given */
	size_t nsets;
};

static void fail(struct parse *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	p->failed = true;
	p->err_line = line;
	if (!p->err || !p->errlen)
		return;
	if (line >= SET_POS && (size_t)(line - SET_POS) < p->nsets)
		n = snprintf(p->err, p->errlen, "--set %.*s%s: ", SET_MAX + 1, p->sets[line - SET_POS],
			     strlen(p->sets[line - SET_POS]) > SET_MAX + 1 ? "..." : "");
	else if (line > 0)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->path, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->path);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
}

/* ---- values ---- */

/* Decimal, or hex after 0x. No sign, no blanks, no octal surprise for "010". */
static int parse_num(const char *v, uint64_t *out, char **end, char *why, size_t n)
{
	int base = 10;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)v[2]))
			goto nan;
	} else if (!isdigit((unsigned char)v[0])) {
		goto nan;
	}
	errno = 0;
	*out = strtoull(v, end, base);
	if (errno == ERANGE) {
		snprintf(why, n, "'%s' is too large", v);
		return -1;
	}
	return 0;
nan:
	snprintf(why, n, "'%s' is not a number", v);
	return -1;
}

static int parse_plain(const char *v, uint64_t *out, char *why, size_t n)
{
	char *end;

	if (parse_num(v, out, &end, why, n))
		return -1;
	if (*end) {
		snprintf(why, n, "'%s' is not a number", v);
		return -1;
	}
	return 0;
}

int ib_backend_parse(const char *s)
{
	if (!strcmp(s, "vfio"))
		return IB_BACKEND_VFIO;
	if (!strcmp(s, "iommufd"))
		return IB_BACKEND_IOMMUFD;
	if (!strcmp(s, "dma"))
		return IB_BACKEND_DMA;
	return -1;
}

static int set_backend(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	int b = ib_backend_parse(v);

	if (b < 0) {
		snprintf(why, n, "'%s' is not a backend", v);
		return -1;
	}
	sc->backend = (enum ib_backend_kind)b;
	return 0;
}

/* A PCI address in any form ib_bdf_parse() takes, kept in sysfs form:
 * the one parser --device goes through too. */
static int set_device(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	if (!*v) {
		snprintf(why, n, "empty (leave the key out to take --device)");
		return -1;
	}
	return ib_bdf_parse(v, sc->device, sizeof(sc->device), why, n) ? -1 : 0;
}

static int parse_bool(const char *v, bool *out, char *why, size_t n)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true"))
		*out = true;
	else if (!strcmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "false"))
		*out = false;
	else {
		snprintf(why, n, "'%s' is not a boolean", v);
		return -1;
	}
	return 0;
}

static int set_bind(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	return parse_bool(v, &sc->bind, why, n);
}

static int set_description(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	if (strlen(v) >= sizeof(sc->description)) {
		snprintf(why, n, "%zu characters is too long", strlen(v));
		return -1;
	}
	strcpy(sc->description, v);
	return 0;
}

static int set_pages(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	uint64_t x;

	if (parse_plain(v, &x, why, n))
		return -1;
	if (x < 1 || x > PAGES_MAX) {
		snprintf(why, n, "'%s' is out of range", v);
		return -1;
	}
	sc->pages = x;
	return 0;
}

static int set_page_size(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	uint64_t x;
	unsigned int shift = 0;
	char *end;

	if (parse_num(v, &x, &end, why, n))
		return -1;
	if (*end && !(v[1] == 'x' || v[1] == 'X') && !end[1]) {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		}
		if (shift)
			end++;
	}
	if (*end) {
		snprintf(why, n, "'%s' is not a size", v);
		return -1;
	}
	if (x > UINT64_MAX >> shift) {
		snprintf(why, n, "'%s' is too large", v);
		return -1;
	}
	x <<= shift;
	if (x < PAGE_MIN || x % PAGE_MIN) {
		snprintf(why, n, "'%s' (%llu bytes) is not a multiple of 4096", v,
			 (unsigned long long)x);
		return -1;
	}
	if (x & (x - 1)) {
		snprintf(why, n, "'%s' (%llu bytes) is not a power of two", v,
			 (unsigned long long)x);
		return -1;
	}
	sc->page_size = x;
	return 0;
}

static int set_iova(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	uint64_t x;

	if (parse_plain(v, &x, why, n))
		return -1;
	if (x % PAGE_MIN) {
		snprintf(why, n, "'%s' is not 4 KiB aligned", v);
		return -1;
	}
	if (x >= IOVA_LIMIT) {
		snprintf(why, n, "'%s' is beyond the 48-bit IOVA space", v);
		return -1;
	}
	sc->iova_base = x;
	return 0;
}

static int set_loops(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	uint64_t x;

	if (parse_plain(v, &x, why, n))
		return -1;
	if (x < 1) {
		snprintf(why, n, "'%s' is out of range", v);
		return -1;
	}
	sc->loops = x;
	return 0;
}

static int set_warmup(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	return parse_plain(v, &sc->warmup, why, n);
}

static const char *const order_names[] = {
	[IB_ORDER_MAP_ALL_THEN_UNMAP_ALL] = "map_all_then_unmap_all",
	[IB_ORDER_MAP_UNMAP_EACH] = "map_unmap_each",
};

static int set_order(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(order_names) / sizeof(order_names[0]); i++) {
		if (!strcmp(v, order_names[i])) {
			sc->order = (enum ib_order)i;
			return 0;
		}
	}
	snprintf(why, n, "'%s' is not an order", v);
	return -1;
}

/* An unsigned number in [min, max]. */
static int parse_range(const char *v, uint64_t min, uint64_t max, uint64_t *out,
		       char *why, size_t n)
{
	uint64_t x;

	if (parse_plain(v, &x, why, n))
		return -1;
	if (x < min || x > max) {
		snprintf(why, n, "'%s' is out of range", v);
		return -1;
	}
	*out = x;
	return 0;
}

/* One of names[0..count-1]; what says what the word should have been. */
static int parse_word(const char *v, const char *const *names, size_t count, int *out,
		      const char *what, char *why, size_t n)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (names[i] && !strcmp(v, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	snprintf(why, n, "'%s' is not %s", v, what);
	return -1;
}

#define NAMES(a) (a), (sizeof(a) / sizeof((a)[0]))

/*
 * Split a comma-separated list into at most max entries, blanks around each
 * dropped, into buf (one NUL-terminated word each). Returns the number of
 * entries, or -1 with why filled (an empty entry, too many).
 */
static int split_list(const char *v, char *buf, size_t buflen, char **words, size_t max,
		      char *why, size_t n)
{
	size_t count = 0;
	char *s, *comma;

	if (strlen(v) >= buflen) {
		snprintf(why, n, "%zu characters is too long", strlen(v));
		return -1;
	}
	strcpy(buf, v);
	for (s = buf;; s = comma + 1) {
		char *end;

		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		while (isspace((unsigned char)*s))
			s++;
		end = s + strlen(s);
		while (end > s && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*s) {
			snprintf(why, n, "entry %zu of '%s' is empty", count + 1, v);
			return -1;
		}
		if (count == max) {
			snprintf(why, n, "'%s' has more than %zu entries", v, max);
			return -1;
		}
		words[count++] = s;
		if (!comma)
			return (int)count;
	}
}

static int set_contexts(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	uint64_t x;

	if (parse_range(v, 1, IB_SC_MAX_CONTEXTS, &x, why, n))
		return -1;
	sc->contexts = (uint32_t)x;
	return 0;
}

static int set_resident(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	return parse_range(v, 0, RESIDENT_MAX, &sc->resident, why, n);
}

static const char *const memory_names[] = {
	[IB_MEM_ANON] = "anon",
	[IB_MEM_THP] = "thp",
	[IB_MEM_HUGETLB] = "hugetlb",
};

static int set_memory(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	int x;

	if (parse_word(v, NAMES(memory_names), &x, "a memory backing", why, n))
		return -1;
	sc->memory = (enum ib_memory)x;
	return 0;
}

static const char *const mix_names[] = {
	[IB_MIX_MAP] = "map",
	[IB_MIX_UNMAP] = "unmap",
	[IB_MIX_REMAP] = "remap",
	[IB_MIX_TOUCH] = "touch",
};

/*
 * ops=map,touch,unmap: the op mix of one visit. Each entry needs the
 * working set in the state the previous ones left it in: unmap, remap and
 * touch need it mapped, map needs it unmapped (VFIO refuses a second
 * mapping of the same IOVA), and the mix must end with it unmapped so a
 * visit leaves its context as it found it.
 */
static int set_ops(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	char buf[256], *words[IB_SC_MAX_MIX];
	bool mapped = false;
	int count, i, x;

	count = split_list(v, buf, sizeof(buf), words, IB_SC_MAX_MIX, why, n);
	if (count < 0)
		return -1;
	for (i = 0; i < count; i++) {
		if (parse_word(words[i], NAMES(mix_names), &x, "an op", why, n))
			return -1;
		sc->mix[i] = (enum ib_mix_op)x;
		if (x == IB_MIX_MAP && mapped) {
			snprintf(why, n, "'map' (entry %d) maps the working set while it is "
				 "still mapped; put an 'unmap' before it", i + 1);
			return -1;
		}
		if (x != IB_MIX_MAP && !mapped) {
			snprintf(why, n, "'%s' (entry %d) needs the working set mapped; put a "
				 "'map' before it", words[i], i + 1);
			return -1;
		}
		if (x == IB_MIX_MAP)
			mapped = true;
		else if (x == IB_MIX_UNMAP)
			mapped = false;
	}
	if (mapped) {
		snprintf(why, n, "'%s' ends with the working set mapped; end the visit with "
			 "an 'unmap' after the last 'map', so it leaves its context clean", v);
		return -1;
	}
	sc->nmix = (size_t)count;
	sc->mix_given = true;
	return 0;
}

static const char *const invalidate_names[] = {
	[IB_INV_PAGE] = "page",
	[IB_INV_RANGE] = "range",
	[IB_INV_CONTEXT] = "context",
};

static int set_invalidate(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	int x;

	if (parse_word(v, NAMES(invalidate_names), &x, "an invalidation pattern", why, n))
		return -1;
	sc->invalidate = (enum ib_invalidate)x;
	return 0;
}

static const char *const switch_names[] = {
	[IB_SWITCH_ROUND_ROBIN] = "round-robin",
	[IB_SWITCH_RANDOM] = "random",
};

static int set_switch(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	int x;

	if (parse_word(v, NAMES(switch_names), &x, "a switch pattern", why, n))
		return -1;
	sc->switch_pattern = (enum ib_switch_pattern)x;
	return 0;
}

static int set_switches(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	return parse_range(v, 0, SWITCHES_MAX, &sc->switches, why, n);
}

static int set_burst(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	return parse_range(v, 1, BURST_MAX, &sc->burst, why, n);
}

static int set_seed(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	return parse_plain(v, &sc->seed, why, n);
}

static int set_threads(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	uint64_t x;

	if (parse_range(v, 1, IB_SC_MAX_THREADS, &x, why, n))
		return -1;
	sc->threads = (uint32_t)x;
	return 0;
}

static int set_cpus(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	char buf[256], *words[IB_SC_MAX_THREADS];
	int count, i;

	count = split_list(v, buf, sizeof(buf), words, IB_SC_MAX_THREADS, why, n);
	if (count < 0)
		return -1;
	for (i = 0; i < count; i++) {
		uint64_t x;

		if (parse_plain(words[i], &x, why, n))
			return -1;
		if (x > CPU_MAX) {
			snprintf(why, n, "CPU '%s' is out of range", words[i]);
			return -1;
		}
		sc->cpus[i] = (int)x;
	}
	sc->ncpus = (uint32_t)count;
	return 0;
}

static int set_checks(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	bool on;

	if (!strcmp(v, "auto")) {
		sc->checks_mode = IB_CHECKS_AUTO;
		sc->checks = false;
		return 0;
	}
	if (parse_bool(v, &on, why, n))
		return -1;
	sc->checks_mode = on ? IB_CHECKS_ON : IB_CHECKS_OFF;
	sc->checks = on;
	return 0;
}

static const char *const switch_kind_names[] = {
	[IB_SWK_AUTO] = "auto", [IB_SWK_REBIND] = "rebind",
	[IB_SWK_REPLACE] = "replace", [IB_SWK_PASID] = "pasid",
};

static int set_switch_kind(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	int k;

	if (parse_word(v, NAMES(switch_kind_names), &k, "a switch kind", why, n))
		return -1;
	sc->switch_kind = (enum ib_switch_kind)k;
	return 0;
}

static int set_pasid_slots(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	uint64_t x;

	if (parse_range(v, 1, IB_SC_MAX_CONTEXTS, &x, why, n))
		return -1;
	sc->pasid_slots = (uint32_t)x;
	return 0;
}

/* the limits of dma_map_benchmark's ioctl (threads, seconds, granule) */
static int set_u32_range(const char *v, uint64_t min, uint64_t max, uint32_t *out, char *why, size_t n)
{
	uint64_t x;

	if (parse_range(v, min, max, &x, why, n))
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int set_dma_threads(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	return set_u32_range(v, 1, 1024, &sc->dma.threads, why, n);
}

static int set_dma_seconds(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	return set_u32_range(v, 1, 300, &sc->dma.seconds, why, n);
}

static int set_granule(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	return set_u32_range(v, 1, 1024, &sc->dma.granule, why, n);
}

static int set_dma_bits(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	return set_u32_range(v, 12, 64, &sc->dma.dma_bits, why, n);
}

static const char *const dma_dir_names[] = {
	[IB_DMA_BIDIRECTIONAL] = "bidirectional", [IB_DMA_TO_DEVICE] = "to_device",
	[IB_DMA_FROM_DEVICE] = "from_device",
};
static const char *const dma_map_names[] = { [IB_DMA_SINGLE] = "single", [IB_DMA_SG] = "sg" };
static const char *const dma_domain_names[] = {
	[IB_DMA_DOMAIN_KEEP] = "keep", [IB_DMA_DOMAIN_STRICT] = "strict", [IB_DMA_DOMAIN_LAZY] = "lazy",
};

static int set_dma_dir(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	int k;

	if (parse_word(v, NAMES(dma_dir_names), &k, "a DMA direction", why, n))
		return -1;
	sc->dma.dir = (enum ib_dma_dir)k;
	return 0;
}

static int set_dma_map(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	int k;

	if (parse_word(v, NAMES(dma_map_names), &k, "a DMA map mode", why, n))
		return -1;
	sc->dma.map = (enum ib_dma_map)k;
	return 0;
}

static int set_dma_domain(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	int k;

	if (parse_word(v, NAMES(dma_domain_names), &k, "a DMA domain type", why, n))
		return -1;
	sc->dma.domain = (enum ib_dma_domain)k;
	return 0;
}

static const struct key {
	const char *name;
	enum sec_kind sec;
	int (*set)(struct ib_scenario *sc, const char *v, char *why, size_t n);
	const char *allowed;
} keys[] = {
	{ "backend", SEC_GLOBAL, set_backend, "vfio, iommufd, dma" },
	{ "device", SEC_GLOBAL, set_device,
	  IB_BDF_FORMS },
	{ "bind", SEC_GLOBAL, set_bind, "0/1, yes/no, true/false" },
	{ "description", SEC_JOB, set_description, "text up to 255 characters" },
	{ "pages", SEC_JOB, set_pages, "1..1048576" },
	{ "page_size", SEC_JOB, set_page_size,
	  "a power of two, multiple of 4096, in bytes or with a k/m/g suffix (x1024), e.g. 4k, 2m" },
	{ "iova", SEC_JOB, set_iova,
	  "a 4 KiB aligned address below 2^48, decimal or 0x hex, e.g. 0x100000" },
	{ "loops", SEC_JOB, set_loops, "1 or more" },
	{ "warmup", SEC_JOB, set_warmup, "0 or more" },
	{ "order", SEC_JOB, set_order, "map_all_then_unmap_all, map_unmap_each" },
	{ "contexts", SEC_JOB, set_contexts, "1..64" },
	{ "resident", SEC_JOB, set_resident, "0..1048576" },
	{ "memory", SEC_JOB, set_memory, "anon, thp, hugetlb" },
	{ "ops", SEC_JOB, set_ops,
	  "1..16 of map, unmap, remap, touch, comma-separated, each unmap/remap/touch "
	  "after a map, ending unmapped, e.g. map,touch,unmap" },
	{ "invalidate", SEC_JOB, set_invalidate, "page, range, context" },
	{ "switch", SEC_JOB, set_switch, "round-robin, random" },
	{ "switches", SEC_JOB, set_switches, "0..1000000, and 0 when contexts=1" },
	{ "burst", SEC_JOB, set_burst, "1..1000000" },
	{ "seed", SEC_JOB, set_seed, "0..2^64-1, decimal or 0x hex" },
	{ "threads", SEC_JOB, set_threads, "1..16" },
	{ "cpus", SEC_JOB, set_cpus,
	  "1..16 CPU numbers 0..1023, comma-separated, e.g. 0,2" },
	{ "checks", SEC_JOB, set_checks, "auto, 0/1, yes/no, true/false" },
	{ "switch_kind", SEC_JOB, set_switch_kind,
	  "auto, rebind (backend vfio), replace or pasid (backend iommufd)" },
	{ "pasid_slots", SEC_JOB, set_pasid_slots, "1..64" },
	{ "dma_threads", SEC_JOB, set_dma_threads, "1..1024" },
	{ "dma_seconds", SEC_JOB, set_dma_seconds, "1..300" },
	{ "granule", SEC_JOB, set_granule, "1..1024" },
	{ "dma_dir", SEC_JOB, set_dma_dir, "bidirectional, to_device, from_device" },
	{ "dma_map", SEC_JOB, set_dma_map, "single, sg" },
	{ "dma_domain", SEC_JOB, set_dma_domain, "keep, strict, lazy" },
	{ "dma_bits", SEC_JOB, set_dma_bits, "12..64" },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* the keys of sec (SEC_NONE: every key) */
static void keys_of(enum sec_kind sec, char *buf, size_t n)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < NKEYS && len < n; i++)
		if (keys[i].sec == sec || sec == SEC_NONE)
			len += snprintf(buf + len, n - len, "%s%s", len ? ", " : "", keys[i].name);
}

static int key_pos(const struct ib_scenario *sc, const char *key)
{
	return ib_scenario_key_pos(sc, key);
}

int ib_scenario_key_pos(const struct ib_scenario *sc, const char *key)
{
	size_t i;

	for (i = 0; i < sc->nset; i++)
		if (!strcmp(sc->set[i].key, key))
			return SET_POS + (int)i;
	return ib_scenario_key_line(sc, key);
}

/* "line 5", or "--set KEY=VALUE" for an override */
static void pos_text(const struct ib_scenario *sc, int pos, char *buf, size_t n)
{
	if (pos >= SET_POS && (size_t)(pos - SET_POS) < sc->nset)
		snprintf(buf, n, "--set %s=%s", sc->set[pos - SET_POS].key, sc->set[pos - SET_POS].value);
	else
		snprintf(buf, n, "line %d", pos);
}

void ib_scenario_key_where(const struct ib_scenario *sc, const char *key, char *buf, size_t n)
{
	int pos = key_pos(sc, key);

	if (pos >= SET_POS)
		pos_text(sc, pos, buf, n);
	else if (pos > 0)
		snprintf(buf, n, "%s:%d", sc->path, pos);
	else
		snprintf(buf, n, "%s", sc->path);
}

static const struct key *find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* What a key=value does once its section is known to be right, the same for
 * a line of the file and a --set: 0, or -1 with the error set at pos. */
static int set_key(struct parse *p, const struct key *k, int pos, const char *name, const char *value)
{
	struct ib_scenario *sc = p->sc;
	char why[512], where[300];

	/* ops= and order= both say how a visit interleaves its work */
	if (k->set == set_ops || k->set == set_order) {
		const char *other = k->set == set_ops ? "order" : "ops";
		int at = key_pos(sc, other);

		if (at) {
			pos_text(sc, at, where, sizeof(where));
			fail(p, pos, "key '%s': %s= is already given (%s), and "
			     "order= does not apply with ops=; allowed: one of ops= "
			     "(the op mix) or order= (the map/unmap interleave)",
			     name, other, where);
			return -1;
		}
	}
	if (!*value && k->set != set_description && k->set != set_device) {
		fail(p, pos, "key '%s': empty value; allowed: %s", name, k->allowed);
		return -1;
	}
	if (k->set(sc, value, why, sizeof(why))) {
		fail(p, pos, "key '%s': %s; allowed: %s", name, why, k->allowed);
		return -1;
	}
	if (k->set == set_iova || k->set == set_pages || k->set == set_page_size ||
	    k->set == set_resident) {
		p->range_key = k->name;
		p->range_line = pos;
	}
	return 0;
}

/* ---- inih callbacks ---- */

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	struct ib_scenario *sc = p->sc;
	const struct key *k;
	char list[512];
	size_t i;

	/* read_line() tracks the section: it also sees sections without keys */
	(void)section;
	if (p->failed)
		return 0;
	if (p->sec == SEC_NONE) {
		fail(p, p->lineno, "key '%s': outside any section; put it under [global] "
		     "or the job section", name);
		return 0;
	}
	k = find_key(name);
	if (!k) {
		keys_of(p->sec, list, sizeof(list));
		if (p->sec == SEC_GLOBAL)
			fail(p, p->lineno, "key '%s': unknown in [global]; allowed there: %s",
			     name, list);
		else
			fail(p, p->lineno, "key '%s': unknown in job section [%s]; allowed there: %s",
			     name, sc->name, list);
		return 0;
	}
	if (k->sec != p->sec) {
		keys_of(p->sec, list, sizeof(list));
		if (k->sec == SEC_GLOBAL)
			fail(p, p->lineno, "key '%s': belongs in [global], not in job section "
			     "[%s]; allowed there: %s", name, sc->name, list);
		else
			fail(p, p->lineno, "key '%s': belongs in the job section, not in "
			     "[global]; allowed there: %s", name, list);
		return 0;
	}
	for (i = 0; i < sc->nkv; i++) {
		if (!strcmp(sc->kv[i].key, name)) {
			fail(p, p->lineno, "key '%s': given twice (first at line %d); give it once",
			     name, sc->kv[i].line);
			return 0;
		}
	}
	if (set_key(p, k, p->lineno, name, value))
		return 0;
	if (sc->nkv >= IB_SC_MAX_KV || strlen(value) >= sizeof(sc->kv[0].value)) {
		/* not reachable: lines are under 200 characters and each key comes once */
		fail(p, p->lineno, "key '%s': too much to keep for the results", name);
		return 0;
	}
	snprintf(sc->kv[sc->nkv].section, sizeof(sc->kv[0].section), "%s",
		 p->sec == SEC_GLOBAL ? "global" : sc->name);
	snprintf(sc->kv[sc->nkv].key, sizeof(sc->kv[0].key), "%s", name);
	snprintf(sc->kv[sc->nkv].value, sizeof(sc->kv[0].value), "%s", value);
	sc->kv[sc->nkv].line = p->lineno;
	sc->nkv++;
	return 1;
}

/* One --set KEY=VALUE (the pos-th), after the file: split at the first '=',
 * blanks around key and value dropped as in the file. */
static int on_set(struct parse *p, int pos, const char *arg)
{
	struct ib_scenario *sc = p->sc;
	const char *eq = strchr(arg, '='), *v;
	const struct key *k;
	char name[64], list[512], where[300];
	size_t len;
	int at;

	if (strlen(arg) > SET_MAX) {
		fail(p, pos, "longer than %d characters; allowed: %d at most, as a scenario line",
		     SET_MAX, SET_MAX);
		return -1;
	}
	if (!eq) {
		fail(p, pos, "no '=' in it; allowed: KEY=VALUE with a scenario key, e.g. --set checks=0");
		return -1;
	}
	while (isspace((unsigned char)*arg))
		arg++;
	len = (size_t)(eq - arg);
	while (len && isspace((unsigned char)arg[len - 1]))
		len--;
	if (!len) {
		fail(p, pos, "no key before '='; allowed: KEY=VALUE with a scenario key, e.g. --set checks=0");
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) - 1 ? len : sizeof(name) - 1), arg);
	for (v = eq + 1; isspace((unsigned char)*v); v++)
		;
	len = strlen(v);
	while (len && isspace((unsigned char)v[len - 1]))
		len--;
	k = find_key(name);
	if (!k) {
		keys_of(SEC_NONE, list, sizeof(list));
		fail(p, pos, "key '%s': unknown; allowed: %s", name, list);
		return -1;
	}
	at = key_pos(sc, k->name);
	if (at >= SET_POS) {
		pos_text(sc, at, where, sizeof(where));
		fail(p, pos, "key '%s': given twice on the command line (first %s); give it once",
		     k->name, where);
		return -1;
	}
	/* the value without its trailing blanks, for the parser and the record */
	snprintf(sc->set[sc->nset].value, sizeof(sc->set[0].value), "%.*s", (int)len, v);
	snprintf(sc->set[sc->nset].key, sizeof(sc->set[0].key), "%s", k->name);
	if (set_key(p, k, pos, k->name, sc->set[sc->nset].value))
		return -1;
	sc->nset++;
	return 0;
}

static bool valid_name(const char *s, size_t len, size_t max)
{
	size_t i;

	if (!len || len > max)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return false;
	return true;
}

/* A "[name]" line (buf has no leading blanks). Malformed headers with no
 * ']' are left to inih, which reports them as syntax errors. */
static void section_line(struct parse *p, char *buf)
{
	struct ib_scenario *sc = p->sc;
	char *close = strchr(buf, ']'), *rest, *name = buf + 1;
	size_t len;

	if (!close)
		return;
	for (rest = close + 1; isspace((unsigned char)*rest); rest++)
		;
	len = (size_t)(close - name);
	if (*rest && *rest != ';' && *rest != '#') {
		fail(p, p->lineno, "section [%.*s]: text after ']'; allowed: a comment "
		     "starting with ';' or '#'", (int)len, name);
	} else if (len == 6 && !memcmp(name, "global", 6)) {
		if (p->global_line)
			fail(p, p->lineno, "section [global]: given twice (first at line %d); "
			     "give it once", p->global_line);
		p->global_line = p->lineno;
		p->sec = SEC_GLOBAL;
	} else if (len == 6 && !strncasecmp(name, "global", 6)) {
		fail(p, p->lineno, "section [%.*s]: unknown; section names are "
		     "case-sensitive, did you mean [global]?", (int)len, name);
	} else if (!valid_name(name, len, sizeof(sc->name) - 1)) {
		fail(p, p->lineno, "section [%.*s]: unknown, and not a valid job name; "
		     "allowed: [global], or a job name of letters, digits, '_', '-', '.' "
		     "(at most %zu characters)", (int)len, name, sizeof(sc->name) - 1);
	} else if (p->job_line && len == strlen(sc->name) && !memcmp(name, sc->name, len)) {
		fail(p, p->lineno, "section [%s]: given twice (first at line %d); give it once",
		     sc->name, p->job_line);
	} else if (p->job_line) {
		fail(p, p->lineno, "section [%.*s]: a second job section (the job is [%s], "
		     "line %d); allowed: exactly one job section besides [global]",
		     (int)len, name, sc->name, p->job_line);
	} else {
		memcpy(sc->name, name, len);
		sc->name[len] = '\0';
		p->job_line = p->lineno;
		p->sec = SEC_JOB;
	}
}

/*
 * fgets() for inih, one physical line per call, so inih's line count and
 * ours agree. Leading blanks are dropped: inih would take an indented line
 * as the continuation of the previous value (INI_ALLOW_MULTILINE).
 */
static char *read_line(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	bool any = false, lead = true;
	int c, len = 0;

	if (p->failed)
		return NULL;
	while ((c = getc(p->f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (lead && isspace(c))
			continue;
		lead = false;
		if (c == '\0' || len >= size - 1) {
			char key[64] = "";
			/* the key the line was giving, when it got that far */
			char *eq = memchr(buf, '=', (size_t)len);

			if (eq && buf[0] != ';' && buf[0] != '#' && buf[0] != '[') {
				int n = (int)(eq - buf);

				while (n > 0 && isspace((unsigned char)buf[n - 1]))
					n--;
				snprintf(key, sizeof(key), "key '%.*s': ", n < 40 ? n : 40, buf);
			}
			if (c == '\0')
				fail(p, p->lineno + 1, "%sa NUL byte; scenario files are text", key);
			else
				fail(p, p->lineno + 1, "%sline longer than %d characters; allowed: "
				     "%d at most", key, size - 1, size - 1);
			return NULL;
		}
		buf[len++] = (char)c;
	}
	if (ferror(p->f)) {
		fail(p, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (!any)
		return NULL;
	buf[len] = '\0';
	p->lineno++;
	if (buf[0] == '[')
		section_line(p, buf);
	return p->failed ? NULL : buf;
}

/* ---- entry points ---- */

static void defaults(struct ib_scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->backend = IB_BACKEND_VFIO;
	sc->bind = true;
	sc->pages = 64;
	sc->page_size = 4096;
	sc->iova_base = 0x100000;
	sc->loops = 1;
	sc->warmup = 0;
	sc->order = IB_ORDER_MAP_ALL_THEN_UNMAP_ALL;
	sc->contexts = 1;
	sc->resident = 0;
	sc->memory = IB_MEM_ANON;
	sc->nmix = 2;
	sc->mix[0] = IB_MIX_MAP;
	sc->mix[1] = IB_MIX_UNMAP;
	sc->mix_given = false;
	sc->invalidate = IB_INV_PAGE;
	sc->switch_pattern = IB_SWITCH_ROUND_ROBIN;
	sc->switches = 0;
	sc->burst = 1;
	sc->seed = 1;
	sc->threads = 1;
	sc->ncpus = 0;
	sc->checks_mode = IB_CHECKS_AUTO;
	sc->checks = false;
	sc->switch_kind = IB_SWK_AUTO;
	sc->pasid_slots = 1;
	sc->dma.threads = 1;
	sc->dma.seconds = 1;
	sc->dma.granule = 1;
	sc->dma.dir = IB_DMA_BIDIRECTIONAL;
	sc->dma.map = IB_DMA_SINGLE;
	sc->dma.domain = IB_DMA_DOMAIN_KEEP;
	sc->dma.dma_bits = 32;
}

int ib_scenario_key_line(const struct ib_scenario *sc, const char *key)
{
	size_t i;

	for (i = 0; i < sc->nkv; i++)
		if (!strcmp(sc->kv[i].key, key))
			return sc->kv[i].line;
	return 0;
}

/* iova + (pages + resident) * page_size, each valid on its own, must stay
 * in the 48-bit space (resident mapping j sits right after the working set,
 * at iova + (pages + j) * page_size); blame the key that came last. */
static void check_range(struct parse *p)
{
	struct ib_scenario *sc = p->sc;
	uint64_t len, end;

	if (!__builtin_mul_overflow(sc->pages + sc->resident, sc->page_size, &len) &&
	    !__builtin_add_overflow(sc->iova_base, len, &end) && end <= IOVA_LIMIT)
		return;
	if (sc->resident)
		fail(p, p->range_line, "key '%s': iova %#llx + (%llu pages + %llu resident) x "
		     "%llu bytes ends past 2^48 (%#llx), the IOVA space of VT-d 4-level "
		     "paging; allowed: iova + (pages + resident) * page_size <= 2^48",
		     p->range_key ? p->range_key : "iova", (unsigned long long)sc->iova_base,
		     (unsigned long long)sc->pages, (unsigned long long)sc->resident,
		     (unsigned long long)sc->page_size, IOVA_LIMIT);
	else
		fail(p, p->range_line, "key '%s': iova %#llx + %llu pages x %llu bytes ends "
		     "past 2^48 (%#llx), the IOVA space of VT-d 4-level paging; allowed: "
		     "iova + pages * page_size <= 2^48", p->range_key ? p->range_key : "iova",
		     (unsigned long long)sc->iova_base, (unsigned long long)sc->pages,
		     (unsigned long long)sc->page_size, IOVA_LIMIT);
}

/* Switches need somewhere to switch to; blame whichever of switches= and
 * contexts= comes last (switches= when contexts= is left at 1). */
static void check_switches(struct parse *p)
{
	struct ib_scenario *sc = p->sc;
	int sw = key_pos(sc, "switches"), ctx = key_pos(sc, "contexts");
	char swat[300];

	if (sc->switches == 0 || sc->contexts > 1)
		return;
	pos_text(sc, sw, swat, sizeof(swat));
	if (ctx > sw)
		fail(p, ctx, "key 'contexts': 1 context leaves nowhere to switch to, and "
		     "switches=%llu (%s) asks for switches; allowed: 2..64 with "
		     "switches > 0, or switches=0", (unsigned long long)sc->switches, swat);
	else
		fail(p, sw, "key 'switches': %llu switches need at least 2 contexts, and "
		     "contexts=1%s; allowed: switches=0 with contexts=1, or contexts=2..64",
		     (unsigned long long)sc->switches, ctx ? "" : " (the default)");
}

/* The switch kind must be one the backend can do; blame switch_kind=. */
static void check_switch_kind(struct parse *p)
{
	struct ib_scenario *sc = p->sc;
	enum ib_switch_kind k = sc->switch_kind;
	int line = key_pos(sc, "switch_kind");

	if (k == IB_SWK_AUTO || (k == IB_SWK_REBIND && sc->backend == IB_BACKEND_VFIO) ||
	    ((k == IB_SWK_REPLACE || k == IB_SWK_PASID) && sc->backend == IB_BACKEND_IOMMUFD))
		return;
	fail(p, line, "key 'switch_kind': %s does not go with backend=%s; allowed: rebind with "
	     "backend=vfio, replace or pasid with backend=iommufd, or auto",
	     switch_kind_names[k], ib_backend_name(sc->backend));
}

int ib_scenario_load(const char *path, struct ib_scenario *sc, char *err, size_t errlen)
{
	return ib_scenario_load_set(path, NULL, 0, sc, err, errlen);
}

int ib_scenario_load_set(const char *path, const char *const *sets, size_t nsets,
			 struct ib_scenario *sc, char *err, size_t errlen)
{
	struct parse p = { .path = path, .sc = sc, .err = err, .errlen = errlen,
			   .sets = sets, .nsets = nsets };
	int ret;

	if (err && errlen)
		err[0] = '\0';
	defaults(sc);
	if (strlen(path) >= sizeof(sc->path)) {
		fail(&p, 0, "path longer than %zu characters", sizeof(sc->path) - 1);
		return -1;
	}
	strcpy(sc->path, path);
	p.f = fopen(path, "r");
	if (!p.f) {
		fail(&p, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	/* a UTF-8 byte order mark: skipped here so read_line() sees '[' first */
	ret = getc(p.f);
	if (ret == EOF && ferror(p.f)) {
		fail(&p, 0, "cannot read: %s", strerror(errno));
		fclose(p.f);
		return -1;
	}
	if (ret == 0xef && (getc(p.f) != 0xbb || getc(p.f) != 0xbf)) {
		fclose(p.f);
		fail(&p, 1, "not a text file: a stray byte 0xef where a UTF-8 byte order "
		     "mark would be");
		return -1;
	}
	if (ret != 0xef && ret != EOF)
		ungetc(ret, p.f);
	ret = ini_parse_stream(read_line, &p, on_key, &p);
	fclose(p.f);
	/* inih reports the first line it could not split (its line count is
	 * ours: one read_line() call per line); an earlier one wins */
	if (ret > 0 && !(p.failed && (p.err_line == 0 || p.err_line <= ret)))
		fail(&p, ret, "cannot parse this line; allowed: [section], key=value, "
		     "or a comment starting with ';' or '#'");
	else if (ret < 0 && !p.failed)
		fail(&p, 0, "cannot parse: out of memory");
	if (!p.failed && !p.job_line)
		fail(&p, 0, "no job section; allowed: [global] and exactly one job "
		     "section, e.g. [basic]");
	if (!p.failed && nsets > IB_SC_MAX_SET)
		fail(&p, 0, "%zu --set options; allowed: %d at most", nsets, IB_SC_MAX_SET);
	for (size_t i = 0; !p.failed && i < nsets; i++)
		on_set(&p, SET_POS + (int)i, sets[i]);
	if (!p.failed)
		check_range(&p);
	if (!p.failed)
		check_switches(&p);
	if (!p.failed)
		check_switch_kind(&p);
	return p.failed ? -1 : 0;
}

const char *ib_backend_name(enum ib_backend_kind b)
{
	return b == IB_BACKEND_VFIO ? "vfio" : b == IB_BACKEND_IOMMUFD ? "iommufd" :
	       b == IB_BACKEND_DMA ? "dma" : "unknown";
}

enum ib_switch_kind ib_switch_kind_of(const struct ib_scenario *sc)
{
	if (sc->switch_kind != IB_SWK_AUTO)
		return sc->switch_kind;
	return sc->backend == IB_BACKEND_IOMMUFD ? IB_SWK_REPLACE :
	       sc->backend == IB_BACKEND_VFIO ? IB_SWK_REBIND : IB_SWK_AUTO;
}

const char *ib_switch_kind_name(enum ib_switch_kind k)
{
	return k == IB_SWK_AUTO ? "none" : switch_kind_names[k];
}

const char *ib_dma_dir_name(enum ib_dma_dir d) { return dma_dir_names[d]; }
const char *ib_dma_map_name(enum ib_dma_map m) { return dma_map_names[m]; }
const char *ib_dma_domain_name(enum ib_dma_domain d) { return dma_domain_names[d]; }

const char *ib_order_name(enum ib_order o)
{
	if ((size_t)o < sizeof(order_names) / sizeof(order_names[0]))
		return order_names[o];
	return "unknown";
}

const char *ib_memory_name(enum ib_memory m)
{
	if ((size_t)m < sizeof(memory_names) / sizeof(memory_names[0]))
		return memory_names[m];
	return "unknown";
}

const char *ib_switch_name(enum ib_switch_pattern sw)
{
	if ((size_t)sw < sizeof(switch_names) / sizeof(switch_names[0]))
		return switch_names[sw];
	return "unknown";
}

const char *ib_invalidate_name(enum ib_invalidate i)
{
	if ((size_t)i < sizeof(invalidate_names) / sizeof(invalidate_names[0]))
		return invalidate_names[i];
	return "unknown";
}

const char *ib_mix_name(enum ib_mix_op m)
{
	if ((size_t)m < sizeof(mix_names) / sizeof(mix_names[0]))
		return mix_names[m];
	return "unknown";
}

const char *ib_checks_mode_name(enum ib_checks_mode m)
{
	return m == IB_CHECKS_ON ? "1" : m == IB_CHECKS_OFF ? "0" : "auto";
}


int ib_checks_resolve(const struct ib_scenario *sc, bool mock, const char *bdf, unsigned vendor,
		      unsigned device, char *why, size_t n)
{
	char where[300];

	if (n)
		why[0] = '\0';
	if (sc->checks_mode == IB_CHECKS_OFF)
		return 0;
	if (mock || (vendor == IB_EDU_VENDOR && device == IB_EDU_DEVICE))
		return 1;
	if (sc->checks_mode == IB_CHECKS_AUTO) {
		snprintf(why, n, "no DMA engine iommubench can drive on %s (%04x:%04x)", bdf, vendor, device);
		return 0;
	}
	ib_scenario_key_where(sc, "checks", where, sizeof(where));
	snprintf(why, n, "%s: key 'checks': checks=1 needs the QEMU edu device (1234:11e8) as its DMA "
		 "engine; %s is %04x:%04x; allowed: checks=auto (the default: skipped where there is no "
		 "DMA engine) or checks=0, e.g. --set checks=auto", where, bdf, vendor, device);
	return -1;
}
