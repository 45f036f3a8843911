/* Results document: the README's "What a result holds" and docs/results.schema.json. */
#ifndef IB_RESULTS_H
#define IB_RESULTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "hooks.h"
#include "probes.h"

#define IB_SCHEMA "iommubench/1"

/* tool.* of the results: name, version, git describe at build time. */
json_t *ib_tool_json(void);
/* "0.1 (git describe)" */
const char *ib_version(void);

/* lab.* when run in the VM lab (IOMMUBENCH_LAB_TARGET set): the target and
 * the warning that its timings are emulated; JSON null elsewhere. */
json_t *ib_lab_json(void);
/* IOMMUBENCH_LAB_TARGET (set by lab/run in its guests), or NULL */
const char *ib_lab_target(void);

/* A new results document with what every verb writes first: schema, tool,
 * started, finished, host, lab and timings_emulated. */
json_t *ib_doc_new(const char *started, const char *finished);
/* drops.* of the results: what the probes' bookkeeping could not keep. */
json_t *ib_drops_json(const struct ib_err_stats *e);

json_t *ib_hist_json(const __u64 *hist);
json_t *ib_stats_json(const struct ib_stats *s);
json_t *ib_samples_json(const uint64_t *samples, size_t n);
json_t *ib_hooks_json(const struct ib_hook *hooks, const struct ib_readout *r);
/* ops.<role> (map, unmap, attach always; other roles when a hook of theirs
 * attached), each with .hooks.<hook name>. */
json_t *ib_ops_json(const struct ib_hook *hooks, const struct ib_readout *r);

/*
 * Every file iommubench writes: len bytes of text to PATH.tmp.PID, fsync,
 * then link to PATH, so that PATH is either absent or whole (ENOSPC, EFBIG
 * or a kill never leave a truncated PATH). Fails with -EEXIST rather than
 * overwrite. A failed write removes the temporary file; a failed link
 * keeps it (named in err) when keep, so that no measurement is lost.
 */
int ib_write_atomic(const char *path, const char *text, size_t len, bool keep, char *err, size_t errlen);
/* the document as JSON, through ib_write_atomic (keep) */
int ib_results_write(json_t *doc, const char *path, char *err, size_t errlen);
json_t *ib_results_load(const char *path, char *err, size_t errlen);

/* The largest document ib_results_load_max() takes by default: jansson
 * keeps a whole document in memory, about 7 times its size. */
#define IB_RESULTS_MAX_MIB 64
/* As ib_results_load(), refusing a file of more than max_bytes (checked
 * with fstat before reading, and while reading for files that grow). */
json_t *ib_results_load_max(const char *path, size_t max_bytes, char *err, size_t errlen);
/* Checks the whole document against the contract of schema iommubench/1
 * (every part `report` reads: required keys and their types; the same
 * contract as docs/results.schema.json). 0, or -1 with err "PATH: .json.path:
 * expected X, got Y" or "PATH: .json.path: missing (required: X)". */
int ib_results_validate(json_t *doc, const char *path, char *err, size_t errlen);
/* "failed" (error is a string), "interrupted" (interrupted is a string:
 * the signal), or NULL for a complete run. */
const char *ib_results_incomplete(json_t *doc);

#endif
