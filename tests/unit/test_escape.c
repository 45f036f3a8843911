// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The escaper of untrusted text (escape.h), the run summary and the trace
 * table printed from hostile documents, and the atomic file writer. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "escape.h"
#include "results.h"
#include "summary.h"
#include "trace.h"

/* the first C0/C1 control, DEL or bidi control in s (raw), or NULL */
static const char *raw_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			return (const char *)p;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return (const char *)p;
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
			return (const char *)p;
	}
	return NULL;
}

static void test_kinds(void)
{
	/* terminal: controls shown, backslash doubled, UTF-8 kept */
	CHECK_STR(ib_term("a\x1b[2Jb\n\t\r\x7f\\"), "a\\x1b[2Jb\\n\\t\\r\\x7f\\\\");
	CHECK_STR(ib_term("\xc2\x9b" "31m \xe2\x80\xae" "x \xc3\xa9"), "\\u009b31m \\u202ex \xc3\xa9");
	/* bytes that are not UTF-8: an overlong '/', a lone continuation byte, a cut sequence, a surrogate */
	CHECK_STR(ib_term("\xc0\xaf|\x80|\xe2\x80|\xed\xa0\x80"), "\\xc0\\xaf|\\x80|\\xe2\\x80|\\xed\\xa0\\x80");
	/* HTML: the five specials; newline and tab kept; XML's forbidden characters shown */
	CHECK_STR(ib_esc("<a href=\"x\">'&'</a>\n\t\x01\xef\xbf\xbe", IB_ESC_HTML),
		  "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\n\t\\x01\\ufffe");
	/* Markdown: cell separators, code, emphasis, links, headings, HTML */
	CHECK_STR(ib_md("a|b\n`c` *d* [e](f) # <g> ~h~ \\"),
		  "a\\|b\\n\\`c\\` \\*d\\* \\[e\\](f) \\# &lt;g&gt; \\~h\\~ \\\\");
	/* an underscore inside a word cannot make emphasis: left alone */
	CHECK_STR(ib_md("intel_iommu_map _x_ a_"), "intel_iommu_map \\_x\\_ a\\_");
	CHECK_STR(ib_term(NULL), "");
	/* the ring keeps IB_ESC_RING results valid at once */
	{
		const char *first = ib_term("first");

		for (int i = 1; i < IB_ESC_RING; i++)
			ib_term("other");
		CHECK_STR(first, "first");
	}
}

static char *render(void (*fn)(FILE *, json_t *), const char *path)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	CHECK(doc != NULL, "%s: %s", path, je.text);
	if (doc && f)
		fn(f, doc);
	if (f)
		fclose(f);
	json_decref(doc);
	return buf;
}

/* the summary `run` prints and the table `trace` prints */
static void test_printed(void)
{
	char *s = render(ib_print_summary, "tests/data/report/hostile-a.json");
	const char *c = s ? raw_control(s) : "";

	CHECK(s && !c, "summary: raw control at offset %td", s ? c - s : 0);
	CHECK(s && strstr(s, "scenario scen</title>") && strstr(s, "\\x1b[2J\\x1b]0;pwned\\x07\\u009b31m"),
	      "summary: the scenario's name, its controls shown as text");
	/* every line that names a hook is one line: no newline from a name */
	CHECK(s && !strstr(s, "\n| c | d"), "summary: a newline in a name stays on its line");
	free(s);
	s = render(ib_trace_print, "tests/data/report/hostile-trace.json");
	c = s ? raw_control(s) : "";
	CHECK(s && !c, "trace table: raw control at offset %td", s ? c - s : 0);
	CHECK(s && !strstr(s, "\n```"), "trace table: no line starts a Markdown fence");
	free(s);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static void test_atomic(void)
{
	char dir[] = "/tmp/ib-test-escape-XXXXXX", path[64], err[512], buf[16] = "";
	FILE *f;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/out", dir);
	CHECK(ib_write_atomic(path, "new", 3, false, err, sizeof(err)) == 0, "%s", err);
	CHECK(ib_write_atomic(path, "other", 5, false, err, sizeof(err)) == -EEXIST, "refused: %s", err);
	CHECK(strstr(err, "choose another -o") && !strstr(err, "kept in"), "%s", err);
	f = fopen(path, "r");
	CHECK(f && fread(buf, 1, sizeof(buf) - 1, f) == 3 && !strcmp(buf, "new"), "kept: '%s'", buf);
	if (f)
		fclose(f);
	CHECK(count_entries(dir) == 1, "no temporary file left: %d entries", count_entries(dir));
	/* keep: the data stays in the temporary file, named in the message */
	CHECK(ib_write_atomic(path, "data", 4, true, err, sizeof(err)) == -EEXIST, "%s", err);
	CHECK(strstr(err, "the data is kept in") != NULL, "%s", err);
	CHECK(count_entries(dir) == 2, "temporary file kept: %d entries", count_entries(dir));
	/* a directory that does not exist: named, nothing written */
	snprintf(path, sizeof(path), "%s/no/out", dir);
	CHECK(ib_write_atomic(path, "x", 1, false, err, sizeof(err)) == -ENOENT, "%s", err);
	CHECK(strstr(err, "No such file or directory") != NULL, "%s", err);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0, "cleanup");
}

int main(void)
{
	test_kinds();
	test_printed();
	test_atomic();
	return CHECK_DONE();
}
