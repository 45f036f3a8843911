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

#include "scenario.h"

#define PAGES_MAX (1ull << 20)
#define PAGE_MIN 4096ull
/* VT-d 4-level paging translates 48 bits of IOVA */
#define IOVA_LIMIT (1ull << 48)

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
	/* the latest of iova/pages/page_size, blamed if their range overflows */
	const char *range_key;
	int range_line;
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
	if (line > 0)
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

static int set_backend(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	if (strcmp(v, "vfio")) {
		snprintf(why, n, "'%s' is not a backend", v);
		return -1;
	}
	sc->backend = IB_BACKEND_VFIO;
	return 0;
}

/* n hex digits exactly, or min..max of them */
static int hex_field(const char **s, int min, int max, unsigned int *out)
{
	int i;

	*out = 0;
	for (i = 0; i < max && isxdigit((unsigned char)(*s)[i]); i++) {
		char c = (char)tolower((unsigned char)(*s)[i]);

		*out = *out * 16 + (unsigned int)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	*s += i;
	return i >= min && !isxdigit((unsigned char)**s) ? 0 : -1;
}

/* DDDD:BB:DD.F as sysfs names devices (domain may be longer, as on VMD),
 * or lspci's short BB:DD.F for domain 0; stored in sysfs form. */
static int set_device(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	unsigned int dom = 0, bus, dev, fn;
	const char *s = v;

	if (strchr(v, ':') != strrchr(v, ':')) {
		if (hex_field(&s, 4, 8, &dom) || *s++ != ':')
			goto bad;
	}
	if (hex_field(&s, 2, 2, &bus) || *s++ != ':' || hex_field(&s, 2, 2, &dev) ||
	    *s++ != '.' || hex_field(&s, 1, 1, &fn) || *s)
		goto bad;
	if (dev > 0x1f || fn > 7) {
		snprintf(why, n, "'%s' has device %#x function %u; PCI allows 0..0x1f and 0..7",
			 v, dev, fn);
		return -1;
	}
	snprintf(sc->device, sizeof(sc->device), "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
bad:
	if (!*v)
		snprintf(why, n, "empty (leave the key out to take --device)");
	else
		snprintf(why, n, "'%s' is not a PCI address", v);
	return -1;
}

static int set_bind(struct ib_scenario *sc, const char *v, char *why, size_t n)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true"))
		sc->bind = true;
	else if (!strcmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "false"))
		sc->bind = false;
	else {
		snprintf(why, n, "'%s' is not a boolean", v);
		return -1;
	}
	return 0;
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

static const struct key {
	const char *name;
	enum sec_kind sec;
	int (*set)(struct ib_scenario *sc, const char *v, char *why, size_t n);
	const char *allowed;
} keys[] = {
	{ "backend", SEC_GLOBAL, set_backend, "vfio" },
	{ "device", SEC_GLOBAL, set_device,
	  "a PCI address DDDD:BB:DD.F or BB:DD.F, e.g. 0000:00:02.0" },
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
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void keys_of(enum sec_kind sec, char *buf, size_t n)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < NKEYS && len < n; i++)
		if (keys[i].sec == sec)
			len += snprintf(buf + len, n - len, "%s%s", len ? ", " : "", keys[i].name);
}

/* ---- inih callbacks ---- */

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	struct ib_scenario *sc = p->sc;
	const struct key *k = NULL;
	char why[512], list[128];
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
	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			k = &keys[i];
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
	if (!*value && k->set != set_description && k->set != set_device) {
		fail(p, p->lineno, "key '%s': empty value; allowed: %s", name, k->allowed);
		return 0;
	}
	if (k->set(sc, value, why, sizeof(why))) {
		fail(p, p->lineno, "key '%s': %s; allowed: %s", name, why, k->allowed);
		return 0;
	}
	if (sc->nkv >= IB_SC_MAX_KV || strlen(value) >= sizeof(sc->kv[0].value)) {
		/* not reachable with lines under 200 characters and ten keys */
		fail(p, p->lineno, "key '%s': too much to keep for the results", name);
		return 0;
	}
	snprintf(sc->kv[sc->nkv].section, sizeof(sc->kv[0].section), "%s",
		 p->sec == SEC_GLOBAL ? "global" : sc->name);
	snprintf(sc->kv[sc->nkv].key, sizeof(sc->kv[0].key), "%s", name);
	snprintf(sc->kv[sc->nkv].value, sizeof(sc->kv[0].value), "%s", value);
	sc->kv[sc->nkv].line = p->lineno;
	sc->nkv++;
	if (k->set == set_iova || k->set == set_pages || k->set == set_page_size) {
		p->range_key = k->name;
		p->range_line = p->lineno;
	}
	return 1;
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
		if (c == '\0') {
			fail(p, p->lineno + 1, "a NUL byte; scenario files are text");
			return NULL;
		}
		if (len >= size - 1) {
			fail(p, p->lineno + 1, "line longer than %d characters", size - 1);
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
}

/* iova + pages * page_size, all three valid on their own, must stay in
 * the 48-bit space; blame the key that came last. */
static void check_range(struct parse *p)
{
	struct ib_scenario *sc = p->sc;
	uint64_t len, end;

	if (!__builtin_mul_overflow(sc->pages, sc->page_size, &len) &&
	    !__builtin_add_overflow(sc->iova_base, len, &end) && end <= IOVA_LIMIT)
		return;
	fail(p, p->range_line, "key '%s': iova %#llx + %llu pages x %llu bytes ends past "
	     "2^48 (%#llx), the IOVA space of VT-d 4-level paging; allowed: "
	     "iova + pages * page_size <= 2^48", p->range_key ? p->range_key : "iova",
	     (unsigned long long)sc->iova_base, (unsigned long long)sc->pages,
	     (unsigned long long)sc->page_size, IOVA_LIMIT);
}

int ib_scenario_load(const char *path, struct ib_scenario *sc, char *err, size_t errlen)
{
	struct parse p = { .path = path, .sc = sc, .err = err, .errlen = errlen };
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
	if (!p.failed)
		check_range(&p);
	return p.failed ? -1 : 0;
}

const char *ib_backend_name(enum ib_backend_kind b)
{
	return b == IB_BACKEND_VFIO ? "vfio" : "unknown";
}

const char *ib_order_name(enum ib_order o)
{
	if ((size_t)o < sizeof(order_names) / sizeof(order_names[0]))
		return order_names[o];
	return "unknown";
}
