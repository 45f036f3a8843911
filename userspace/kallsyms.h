/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* /proc/kallsyms, one line at a time, without sscanf. */
#ifndef IB_KALLSYMS_H
#define IB_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ib_ksym {
	unsigned long long addr;
	char type;          /* 't', 'T', 'd' ... */
	const char *name;   /* points into the line, which is cut after it */
	size_t namelen;
	const char *mod;    /* "[mod]" tag's content, or NULL for the kernel proper */
	size_t modlen;
};

/*
 * Reads the next well-formed line of f into line (len bytes) and fills s,
 * whose pointers point into line. Lines that are not "ADDR TYPE NAME
 * [\t[MODULE]]" are skipped, as are names longer than 255 bytes (a line
 * longer than the buffer is skipped whole). Returns false at the end.
 */
bool ib_kallsyms_next(FILE *f, char *line, size_t len, struct ib_ksym *s);

static inline bool ib_ksym_is_text(const struct ib_ksym *s)
{
	return s->type == 't' || s->type == 'T';
}

#endif
