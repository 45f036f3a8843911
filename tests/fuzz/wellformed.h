/*
 * Well-formedness checks of the report renderers' output, for the fuzz
 * targets (tests/fuzz/README.md says what each one proves). Each returns
 * NULL when the text passes, else a static description of the first
 * violation; *at is set to its byte offset.
 */
#ifndef IB_FUZZ_WELLFORMED_H
#define IB_FUZZ_WELLFORMED_H
#include <stddef.h>

/* no byte below 0x20 but '\n' (and '\t' when tab), no 0x7f */
const char *wf_no_control(const char *s, size_t n, int tab, size_t *at);
/* every '<' starts one of the tags the HTML renderer emits, every '&' an entity */
const char *wf_html(const char *s, size_t n, size_t *at);
/* XML 1.0 well-formed: prolog, one root element, matched tags, quoted attributes, entities */
const char *wf_xml(const char *s, size_t n, size_t *at);
/* every table row has the header's number of unescaped '|' and starts and ends with one */
const char *wf_markdown(const char *s, size_t n, size_t *at);
/*
 * a gnuplot script as the HTML renderer writes it: outside '...' strings
 * only the words the renderer uses, no '"' or '`' anywhere; a string never
 * spans a line; data blocks ($X << EOD ... EOD) hold numbers only
 */
const char *wf_gnuplot(const char *s, size_t n, size_t *at);

#endif
