// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /proc/kallsyms has about 100 000 lines, and iommubench reads it for every
 * run: sscanf made that seconds of CPU in a TCG guest. A hand parser of the
 * one format the kernel writes ("%px %c %s\t[%s]", kernel/kallsyms.c).
 */
#include <string.h>
#include "kallsyms.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse(char *line, struct ib_ksym *s)
{
	unsigned long long a = 0;
	char *p = line, *n;
	int v, digits = 0;

	while ((v = hexval(*p)) >= 0) {
		if (++digits > 16)
			return false;
		a = a << 4 | (unsigned)v;
		p++;
	}
	if (!digits || *p != ' ' || !p[1] || p[1] == ' ' || p[1] == '\n' || p[2] != ' ')
		return false;
	s->addr = a;
	s->type = p[1];
	n = p + 3;
	p = n + strcspn(n, " \t\n");
	if (p == n || p - n > 255)
		return false;
	s->name = n;
	s->namelen = (size_t)(p - n);
	s->mod = NULL;
	s->modlen = 0;
	if (*p == '\t' && p[1] == '[') {
		const char *m = p + 2, *e = strchr(m, ']');

		if (e) {
			s->mod = m;
			s->modlen = (size_t)(e - m);
		}
	}
	*p = '\0';
	return true;
}

bool ib_kallsyms_next(FILE *f, char *line, size_t len, struct ib_ksym *s)
{
	while (fgets(line, (int)len, f)) {
		size_t l = strlen(line);

		if (l && line[l - 1] != '\n' && !feof(f)) {
			/* longer than the buffer: skip the rest of it */
			int c;

			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (parse(line, s))
			return true;
	}
	return false;
}
