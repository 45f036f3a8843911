// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one escaper of untrusted text (escape.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "report.h"

/*
 * The code point at s (strict UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF) and its length in *len; -1 with *len = 1 for a
 * byte that does not start a valid sequence.
 */
static int32_t utf8_next(const unsigned char *s, int *len)
{
	static const int32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	int32_t cp;
	int n, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return -1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = n;
	return cp;
}

/* shown as an escape in every format */
static bool dangerous(int32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0xfffe || cp == 0xffff;
}

static void put_visible(FILE *f, int32_t cp)
{
	switch (cp) {
	case '\n': fputs("\\n", f); break;
	case '\t': fputs("\\t", f); break;
	case '\r': fputs("\\r", f); break;
	default:
		fprintf(f, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
	}
}

static bool alnum_at(const unsigned char *p)
{
	return *p < 0x80 && isalnum(*p);
}

void ib_esc_put(FILE *f, const char *str, enum ib_esc kind)
{
	const unsigned char *s = (const unsigned char *)str, *start = s;
	int len;

	for (; s && *s; s += len) {
		int32_t cp = utf8_next(s, &len);

		if (cp < 0) {
			fprintf(f, "\\x%02x", *s);
			continue;
		}
		if (kind == IB_ESC_HTML && (cp == '\n' || cp == '\t')) {
			fputc(cp, f);
			continue;
		}
		if (dangerous(cp)) {
			put_visible(f, cp);
			continue;
		}
		if (kind == IB_ESC_HTML || kind == IB_ESC_MD) {
			const char *ent = cp == '<' ? "&lt;" : cp == '>' ? "&gt;" : cp == '&' ? "&amp;" :
					  kind == IB_ESC_MD ? NULL : cp == '"' ? "&quot;" : cp == '\'' ? "&#39;" : NULL;

			if (ent) {
				fputs(ent, f);
				continue;
			}
		}
		/*
		 * Markdown: what could open a code span, emphasis, a link, a
		 * strikethrough, a heading or end a table cell. An underscore
		 * between two letters or digits cannot (CommonMark's flanking
		 * rules), so intel_iommu_map stays readable.
		 */
		if (kind == IB_ESC_MD && cp < 0x80 && strchr("\\`*[]|~#", (int)cp))
			fputc('\\', f);
		else if (kind == IB_ESC_MD && cp == '_' && !(s > start && alnum_at(s - 1) && alnum_at(s + 1)))
			fputc('\\', f);
		else if (kind == IB_ESC_TERM && cp == '\\')
			fputc('\\', f);
		fwrite(s, 1, (size_t)len, f);
	}
}

const char *ib_esc(const char *s, enum ib_esc kind)
{
	static char *ring[IB_ESC_RING];
	static unsigned next;
	char **slot = &ring[next++ % IB_ESC_RING];
	size_t n;
	FILE *m;

	free(*slot);
	*slot = NULL;
	m = open_memstream(slot, &n);
	if (!m)
		return "";
	ib_esc_put(m, s, kind);
	if (fclose(m)) {
		free(*slot);
		*slot = NULL;
	}
	return *slot ? *slot : "";
}

void ib_report_xml_escape(FILE *f, const char *s)
{
	ib_esc_put(f, s, IB_ESC_HTML);
}
