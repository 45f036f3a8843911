// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Well-formedness checks of rendered reports: see wellformed.h. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include "wellformed.h"

#define FAIL(pos, why) do { *at = (pos); return (why); } while (0)

const char *wf_no_control(const char *s, size_t n, int tab, size_t *at)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && !(tab && c == '\t')) || c == 0x7f)
			FAIL(i, "raw control character");
	}
	return NULL;
}

static bool starts(const char *s, size_t n, size_t i, const char *w)
{
	size_t l = strlen(w);

	return i + l <= n && !memcmp(s + i, w, l);
}

/* &lt; &gt; &amp; &quot; &apos; &#NNN; &#xHH; at s[i] == '&': its length, or 0 */
static size_t entity(const char *s, size_t n, size_t i)
{
	static const char *const named[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&apos;" };
	size_t j;

	for (j = 0; j < sizeof(named) / sizeof(named[0]); j++)
		if (starts(s, n, i, named[j]))
			return strlen(named[j]);
	if (!starts(s, n, i, "&#"))
		return 0;
	j = i + 2;
	if (j < n && s[j] == 'x') {
		for (j++; j < n && isxdigit((unsigned char)s[j]); j++)
			;
	} else {
		for (; j < n && isdigit((unsigned char)s[j]); j++)
			;
	}
	return j < n && s[j] == ';' && j > i + 3 ? j + 1 - i : 0;
}

static size_t name_len(const char *s, size_t n, size_t i)
{
	size_t j = i;

	if (j < n && (isalpha((unsigned char)s[j]) || s[j] == '_'))
		for (j++; j < n && (isalnum((unsigned char)s[j]) || strchr("_.-", s[j])); j++)
			;
	return j - i;
}

static bool in_set(const char *const *set, const char *s, size_t len)
{
	for (; *set; set++)
		if (strlen(*set) == len && !memcmp(*set, s, len))
			return true;
	return false;
}

/*
 * One start or end tag at s[*i] == '<': name, then attributes name="value"
 * (value without '<' or '"', '&' only as an entity), then '>' or '/>'.
 * names/attrs NULL: any. Sets *name, *nlen, *end (1: end tag, 2: empty).
 */
static const char *tag(const char *s, size_t n, size_t *i, const char *const *names,
		       const char *const *attrs, size_t *name, size_t *nlen, int *end, size_t *at)
{
	size_t j = *i + 1, l;

	*end = 0;
	if (j < n && s[j] == '/')
		*end = 1, j++;
	l = name_len(s, n, j);
	if (!l || (names && !in_set(names, s + j, l)))
		FAIL(*i, "'<' that starts no known tag");
	*name = j, *nlen = l;
	j += l;
	for (;;) {
		size_t k = j;

		while (j < n && (s[j] == ' ' || s[j] == '\n'))
			j++;
		if (j < n && s[j] == '>')
			break;
		if (j + 1 < n && s[j] == '/' && s[j + 1] == '>' && !*end) {
			*end = 2, j++;
			break;
		}
		if (*end || j == k)
			FAIL(j, "tag not closed by '>' where expected");
		l = name_len(s, n, j);
		if (!l || (attrs && !in_set(attrs, s + j, l)))
			FAIL(j, "unknown attribute in a tag");
		j += l;
		if (j + 1 >= n || s[j] != '=' || s[j + 1] != '"')
			FAIL(j, "attribute without =\"value\"");
		for (j += 2; j < n && s[j] != '"'; j++) {
			if (s[j] == '<')
				FAIL(j, "'<' inside an attribute value");
			if (s[j] == '&' && !entity(s, n, j))
				FAIL(j, "'&' that starts no entity, inside an attribute value");
		}
		if (j >= n)
			FAIL(*i, "attribute value not closed");
		j++;
	}
	*i = j + 1;
	return NULL;
}

const char *wf_html(const char *s, size_t n, size_t *at)
{
	static const char *const names[] = { "html", "head", "meta", "title", "style", "body", "h1", "h2",
					     "p", "table", "tr", "td", "th", "pre", "code", "figure",
					     "figcaption", NULL };
	static const char *const attrs[] = { "lang", "charset", "class", NULL };
	size_t i = 0, name, nlen;
	int end;
	const char *why;

	if ((why = wf_no_control(s, n, 0, at)))
		return why;
	while (i < n) {
		if (s[i] == '&') {
			size_t l = entity(s, n, i);

			if (!l)
				FAIL(i, "'&' that starts no entity");
			i += l;
		} else if (s[i] == '>') {
			FAIL(i, "'>' outside a tag");
		} else if (s[i] != '<') {
			i++;
		} else if (starts(s, n, i, "<!DOCTYPE html>")) {
			i += strlen("<!DOCTYPE html>");
		} else if ((why = tag(s, n, &i, names, attrs, &name, &nlen, &end, at))) {
			return why;
		}
	}
	return NULL;
}

const char *wf_xml(const char *s, size_t n, size_t *at)
{
	size_t stack[64][2], depth = 0, i = 0, name, nlen;
	bool root = false;
	const char *why;
	int end;

	if ((why = wf_no_control(s, n, 1, at)))
		return why;
	if (starts(s, n, 0, "<?xml")) {
		const char *e = memmem(s, n, "?>", 2);

		if (!e || memchr(s + 1, '<', (size_t)(e - s) - 1))
			FAIL(0, "XML declaration not closed by '?>'");
		i = (size_t)(e - s) + 2;
	}
	while (i < n) {
		if (s[i] == '&') {
			size_t l = entity(s, n, i);

			if (!l)
				FAIL(i, "'&' that starts no entity");
			if (!depth)
				FAIL(i, "text outside the root element");
			i += l;
		} else if (s[i] == '>') {
			FAIL(i, "'>' outside a tag");
		} else if (s[i] != '<') {
			if (!depth && !isspace((unsigned char)s[i]))
				FAIL(i, "text outside the root element");
			i++;
		} else if (starts(s, n, i, "<!--")) {
			const char *e = memmem(s + i + 4, n - i - 4, "--", 2);

			if (!e || (size_t)(e - s) + 2 >= n || e[2] != '>')
				FAIL(i, "comment not closed by '-->' (or '--' inside)");
			i = (size_t)(e - s) + 3;
		} else {
			size_t start = i;

			if ((why = tag(s, n, &i, NULL, NULL, &name, &nlen, &end, at)))
				return why;
			if (end == 1) {
				if (!depth || stack[depth - 1][1] != nlen ||
				    memcmp(s + stack[depth - 1][0], s + name, nlen))
					FAIL(start, "end tag that matches no open element");
				depth--;
				continue;
			}
			if (!depth && root)
				FAIL(start, "a second root element");
			root = true;
			if (end == 2)
				continue;
			if (depth == sizeof(stack) / sizeof(stack[0]))
				FAIL(start, "elements nested deeper than the check follows");
			stack[depth][0] = name, stack[depth][1] = nlen;
			depth++;
		}
	}
	if (depth)
		FAIL(n, "element not closed at the end");
	if (!root)
		FAIL(0, "no root element");
	return NULL;
}

/* unescaped '|' in s[i, e) */
static size_t pipes(const char *s, size_t i, size_t e)
{
	size_t c = 0;

	for (size_t j = i; j < e; j++)
		c += s[j] == '|' && (j == i || s[j - 1] != '\\');
	return c;
}

const char *wf_markdown(const char *s, size_t n, size_t *at)
{
	size_t i = 0, header = 0;
	bool fence = false;
	const char *why;

	if ((why = wf_no_control(s, n, 0, at)))
		return why;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - s) : n;

		if (starts(s, e, i, "```")) {
			fence = !fence;
			header = 0;
		} else if (!fence && e > i && s[i] == '|') {
			size_t c = pipes(s, i, e);

			if (e - i < 2 || s[e - 1] != '|' || s[e - 2] == '\\')
				FAIL(i, "table row that does not end with '|'");
			if (!header)
				header = c;
			else if (c != header)
				FAIL(i, "table row with another number of cells than its header");
		} else {
			header = 0;
		}
		i = e + 1;
	}
	if (fence)
		FAIL(n, "code block not closed");
	return NULL;
}

const char *wf_gnuplot(const char *s, size_t n, size_t *at)
{
	static const char *const words[] = {
		"set", "terminal", "svg", "size", "dynamic", "font", "background", "key", "top", "left",
		"grid", "logscale", "x", "xlabel", "ylabel", "style", "fill", "transparent", "solid",
		"plot", "using", "with", "boxes", "title", "steps", "lw", "yrange", "data", "histograms",
		"histogram", "clustered", "xtic", "linespoints", "pt", NULL,
	};
	size_t i = 0;
	bool data = false;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - s) : n, j;

		if (data) {
			if (e - i == 3 && starts(s, n, i, "EOD")) {
				data = false;
			} else {
				for (j = i; j < e; j++)
					if (!strchr("0123456789.eE+- nainf", s[j]))
						FAIL(j, "not a number in a data block");
			}
			i = e + 1;
			continue;
		}
		if (e - i == 9 && s[i] == '$' && isupper((unsigned char)s[i + 1]) &&
		    starts(s, n, i + 2, " << EOD")) {
			data = true;
			i = e + 1;
			continue;
		}
		for (j = i; j < e;) {
			if (s[j] == '\'') {
				/* '' inside a single-quoted string is a quote */
				for (j++; j < e && !(s[j] == '\'' && (j + 1 >= e || s[j + 1] != '\'')); j++)
					j += s[j] == '\'';
				if (j >= e)
					FAIL(j, "string not closed on its line");
				j++;
			} else if (s[j] == '"' || s[j] == '`') {
				FAIL(j, "'\"' or '`' in the script (the renderer uses neither)");
			} else if (s[j] == '$') {
				/* $A: a data block; $1: a column */
				if (j + 1 >= e || !(isupper((unsigned char)s[j + 1]) || isdigit((unsigned char)s[j + 1])))
					FAIL(j, "'$' that names no data block or column");
				j += 2;
			} else if (isalpha((unsigned char)s[j]) || s[j] == '_') {
				size_t k = j;

				while (k < e && (isalnum((unsigned char)s[k]) || s[k] == '_'))
					k++;
				if (!in_set(words, s + j, k - j))
					FAIL(j, "a word outside a string the renderer does not write");
				j = k;
			} else if (strchr("0123456789 ,:()[]*.-+", s[j])) {
				j++;
			} else {
				FAIL(j, "a character outside a string the renderer does not write");
			}
		}
		i = e + 1;
	}
	if (data)
		FAIL(n, "data block not closed by EOD");
	return NULL;
}
