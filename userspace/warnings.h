/*
 * Warnings about a results document: every drops.* counter that is not zero,
 * named, with what it costs the figures. The run summary and every report
 * format show them, each in a block of its own.
 */
#ifndef IB_WARNINGS_H
#define IB_WARNINGS_H
#include <stdio.h>
#include <jansson.h>

/* What drops.<name> means for the figures, or NULL for a name this version
 * does not write. */
const char *ib_drop_meaning(const char *name);

/*
 * Append to arr one object per non-zero drops.* counter of doc:
 * {"run": run, "counter": "drops.<name>", "value": N, "meaning": text}.
 * run may be NULL (a single run). Returns how many were appended.
 */
size_t ib_drop_warnings(json_t *arr, json_t *doc, const char *run);

enum ib_warn_style { IB_WARN_TEXT, IB_WARN_MD, IB_WARN_HTML, IB_WARN_JUNIT };

/* The warnings of arr as a block in the given style; nothing when arr is
 * empty. Counter names come from the document: only [A-Za-z0-9_.-] of
 * them is printed, so no style needs escaping. */
void ib_warnings_print(FILE *f, json_t *arr, enum ib_warn_style style);

/* the same for one results document's own warnings */
void ib_doc_warnings_print(FILE *f, json_t *doc, enum ib_warn_style style);

#endif
