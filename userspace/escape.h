/*
 * Strings from a results document (or a scenario, or the kernel) are
 * untrusted: every one of them goes through this escaper on its way into
 * an output format, so that none can inject markup, break a table or a
 * file's syntax, or reach the terminal as a control sequence.
 *
 * In every format, bytes that are not valid UTF-8 and characters that
 * control a terminal or a text's direction (C0 and C1 controls, DEL,
 * U+2028/2029, the bidi overrides and isolates) and U+FFFE/U+FFFF (not XML)
 * are shown as text: \x1b, \u009b, \u202e (TERM and MD also \n, \t, \r).
 */
#ifndef IB_ESCAPE_H
#define IB_ESCAPE_H
#include <stdio.h>

enum ib_esc {
	IB_ESC_TERM,	/* terminal, plain text, code blocks: one line, \ doubled */
	IB_ESC_MD,	/* Markdown text and GFM table cells: one line, markup escaped */
	IB_ESC_HTML,	/* HTML/XML text and attribute values; keeps \n and \t */
};

/* s (NULL: nothing) written to f escaped for kind */
void ib_esc_put(FILE *f, const char *s, enum ib_esc kind);

/*
 * s escaped for kind, as a string that stays valid for the next
 * IB_ESC_RING calls (enough for the arguments of one printf); "" when out
 * of memory.
 */
#define IB_ESC_RING 32
const char *ib_esc(const char *s, enum ib_esc kind);

static inline const char *ib_term(const char *s) { return ib_esc(s, IB_ESC_TERM); }
static inline const char *ib_md(const char *s) { return ib_esc(s, IB_ESC_MD); }

#endif
