// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The results document (schema iommubench/1): building, writing, reading. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "hostinfo.h"
#include "results.h"
#include "tmpfiles.h"
#include "stats.h"

#ifndef IB_VERSION
#define IB_VERSION "0.1"
#endif
#ifndef IB_GIT
#define IB_GIT "unknown"
#endif

const char *ib_version(void)
{
	return IB_VERSION " (" IB_GIT ")";
}

json_t *ib_tool_json(void)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string("iommubench"));
	json_object_set_new(o, "version", json_string(IB_VERSION));
	json_object_set_new(o, "git", json_string(IB_GIT));
	return o;
}

json_t *ib_hist_json(const __u64 *hist)
{
	json_t *h = json_object(), *bounds = json_array(), *counts = json_array();

	for (uint32_t i = 0; i < IB_HIST_BUCKETS; i++) {
		json_t *b;

		if (!hist[i])
			continue;
		b = json_array();
		json_array_append_new(b, json_integer((json_int_t)ib_bucket_lower(i)));
		json_array_append_new(b, json_integer(i == IB_HIST_BUCKETS - 1 ? -1 :
						       (json_int_t)ib_bucket_upper(i)));
		json_array_append_new(bounds, b);
		json_array_append_new(counts, json_integer((json_int_t)hist[i]));
	}
	json_object_set_new(h, "unit", json_string("ns"));
	json_object_set_new(h, "scheme", json_string("log-linear, 16 sub-buckets per power of two"));
	json_object_set_new(h, "bounds", bounds);
	json_object_set_new(h, "counts", counts);
	return h;
}

static void put_summary(json_t *o, const struct ib_summary *s)
{
	json_object_set_new(o, "count", json_integer((json_int_t)s->count));
	json_object_set_new(o, "sum_ns", json_integer((json_int_t)s->sum));
	json_object_set_new(o, "min_ns", json_integer((json_int_t)s->min));
	json_object_set_new(o, "p50_ns", json_integer((json_int_t)s->p50));
	json_object_set_new(o, "p90_ns", json_integer((json_int_t)s->p90));
	json_object_set_new(o, "p99_ns", json_integer((json_int_t)s->p99));
	json_object_set_new(o, "max_ns", json_integer((json_int_t)s->max));
}

json_t *ib_stats_json(const struct ib_stats *st)
{
	json_t *o = json_object();
	struct ib_summary s;

	ib_summarize_hist(st->hist, IB_HIST_BUCKETS, st->count, st->sum_ns,
			  st->min_ns, st->max_ns, &s);
	put_summary(o, &s);
	json_object_set_new(o, "bytes", json_integer((json_int_t)st->bytes));
	json_object_set_new(o, "entries", json_integer((json_int_t)st->entries));
	json_object_set_new(o, "timed", json_true());
	json_object_set_new(o, "hist_ns", ib_hist_json(st->hist));
	return o;
}

/* A tracepoint's figures: counts only, with the latency fields present but
 * null so readers never mistake "not measured" for zero. */
static json_t *tp_json(const struct ib_tp_stats *t, const char *via)
{
	json_t *o = json_object();

	json_object_set_new(o, "count", json_integer((json_int_t)t->count));
	json_object_set_new(o, "bytes", json_integer((json_int_t)t->bytes));
	json_object_set_new(o, "timed", json_false());
	if (via)
		json_object_set_new(o, "via", json_string(via));
	json_object_set_new(o, "sum_ns", json_null());
	json_object_set_new(o, "min_ns", json_null());
	json_object_set_new(o, "p50_ns", json_null());
	json_object_set_new(o, "p90_ns", json_null());
	json_object_set_new(o, "p99_ns", json_null());
	json_object_set_new(o, "max_ns", json_null());
	json_object_set_new(o, "hist_ns", json_null());
	return o;
}

json_t *ib_samples_json(const uint64_t *samples, size_t n)
{
	json_t *o = json_object();
	struct ib_summary s;
	__u64 *hist = calloc(IB_HIST_BUCKETS, sizeof(*hist));

	ib_summarize_samples(samples, n, &s);
	put_summary(o, &s);
	if (hist) {
		for (size_t i = 0; i < n; i++)
			hist[ib_bucket(samples[i])]++;
		json_object_set_new(o, "hist_ns", ib_hist_json(hist));
		free(hist);
	}
	return o;
}

const char *ib_lab_target(void)
{
	const char *lab = getenv("IOMMUBENCH_LAB_TARGET");

	return lab && lab[0] ? lab : NULL;
}

json_t *ib_lab_json(void)
{
	const char *lab = ib_lab_target();
	json_t *lj;

	if (!lab)
		return json_null();
	lj = json_object();
	json_object_set_new(lj, "target", json_string(lab));
	json_object_set_new(lj, "timings", json_string(
		"emulated: QEMU TCG; invalidations complete inside the register write. "
		"Counts are exact, times are not hardware figures"));
	return lj;
}

json_t *ib_doc_new(const char *started, const char *finished)
{
	json_t *doc = json_object(), *lab = ib_lab_json();

	json_object_set_new(doc, "schema", json_string(IB_SCHEMA));
	json_object_set_new(doc, "tool", ib_tool_json());
	json_object_set_new(doc, "started", json_string(started));
	json_object_set_new(doc, "finished", json_string(finished));
	json_object_set_new(doc, "host", ib_host_json(NULL));
	json_object_set_new(doc, "timings_emulated", json_boolean(!json_is_null(lab)));
	json_object_set_new(doc, "lab", lab);
	return doc;
}

json_t *ib_drops_json(const struct ib_err_stats *e)
{
	json_t *d = json_object();

	json_object_set_new(d, "irq_unknown", json_integer((json_int_t)e->irq_unknown));
	json_object_set_new(d, "domain_events", json_integer((json_int_t)e->domain_drops));
	json_object_set_new(d, "stack_overflow", json_integer((json_int_t)e->stack_overflow));
	json_object_set_new(d, "unmatched_exit", json_integer((json_int_t)e->unmatched_exit));
	json_object_set_new(d, "task_map_full", json_integer((json_int_t)e->task_map_full));
	json_object_set_new(d, "proc_map_full", json_integer((json_int_t)e->proc_map_full));
	return d;
}

json_t *ib_hooks_json(const struct ib_hook *hooks, const struct ib_readout *r)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < ib_catalog_len; i++) {
		const struct ib_hook *h = &hooks[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(h->def->name));
		json_object_set_new(o, "role", json_string(ib_role_name(h->def->role)));
		json_object_set_new(o, "layer", json_string(h->def->layer));
		json_object_set_new(o, "type", json_string(h->def->type == IB_HOOK_FUNC ? "function" : "tracepoint"));
		json_object_set_new(o, "exists", json_boolean(h->exists));
		json_object_set_new(o, "mode", json_string(ib_mode_name(h->mode)));
		json_object_set_new(o, "attached", json_boolean(h->attached));
		json_object_set_new(o, "reason", json_string(h->reason));
		if (h->sym[0])
			json_object_set_new(o, "symbol", json_string(h->sym));
		if (h->def->per_driver) {
			char id[160], a[24];

			json_object_set_new(o, "id", json_string(ib_hook_id(h->def, id, sizeof(id))));
			json_object_set_new(o, "driver", h->driver[0] ? json_string(h->driver) : json_null());
			snprintf(a, sizeof(a), "0x%llx", h->addr);
			json_object_set_new(o, "address", h->addr ? json_string(a) : json_null());
			json_object_set_new(o, "functions_named_so", json_integer(h->nsyms));
		}
		if (h->module[0])
			json_object_set_new(o, "module", json_string(h->module));
		if (h->mod_btf)
			json_object_set_new(o, "btf", json_string("module"));
		if (h->def->role == IB_ROLE_TLB_INV)
			json_object_set_new(o, "kind", json_string(ib_inv_kind_name(h->def->kind)));
		if (h->def->type == IB_HOOK_FUNC) {
			json_object_set_new(o, "nargs", h->nargs >= 0 ? json_integer(h->nargs) : json_null());
			json_object_set_new(o, "size_arg", h->size_arg ? json_integer(h->size_arg) : json_null());
			if (r && h->slot >= 0 && h->attached)
				json_object_set_new(o, "misses", json_integer((json_int_t)r->misses[h->slot]));
		} else if (r && h->attached) {
			json_object_set_new(o, "misses", json_integer((json_int_t)r->tp_misses[h->def->tp]));
		}
		json_object_set_new(o, "note", json_string(h->def->note));
		json_array_append_new(arr, o);
	}
	return arr;
}

static bool timed_mode(enum ib_mode m)
{
	return m == IB_MODE_FENTRY || m == IB_MODE_KPROBE;
}

json_t *ib_ops_json(const struct ib_hook *hooks, const struct ib_readout *r)
{
	static const enum ib_role always[] = { IB_ROLE_MAP, IB_ROLE_UNMAP, IB_ROLE_ATTACH };
	json_t *ops = json_object();

	for (int role = 0; role < IB_NR_ROLES; role++) {
		json_t *o = NULL, *per = json_object();
		bool timed = false, any = false, listed = false;
		int fallback_tp = -1;

		for (size_t k = 0; k < sizeof(always) / sizeof(always[0]); k++)
			listed |= always[k] == (enum ib_role)role;
		for (size_t i = 0; i < ib_catalog_len; i++) {
			const struct ib_hook *h = &hooks[i];

			if (h->def->role != (enum ib_role)role || !h->attached)
				continue;
			any = true;
			if (h->def->type == IB_HOOK_FUNC && timed_mode(h->mode)) {
				char id[160];

				timed = true;
				json_object_set_new(per, ib_hook_id(h->def, id, sizeof(id)),
						    ib_stats_json(&r->hook[h->slot]));
			} else if (h->def->type == IB_HOOK_FUNC) {
				/* counted through its tracepoint */
				json_object_set_new(per, h->def->name,
						    tp_json(&r->tp[h->def->tp], ib_tp_name(h->def->tp)));
				if (fallback_tp < 0)
					fallback_tp = h->def->tp;
			} else {
				json_object_set_new(per, h->def->name, tp_json(&r->tp[h->def->tp], NULL));
			}
		}
		if (!any && !listed) {
			json_decref(per);
			continue;
		}
		if (timed) {
			o = ib_stats_json(&r->role[role]);
			json_object_set_new(o, "source", json_string("outermost function hook per call"));
		} else if (fallback_tp >= 0) {
			o = tp_json(&r->tp[fallback_tp], ib_tp_name(fallback_tp));
			json_object_set_new(o, "source", json_string("tracepoint (no function hook could attach)"));
		} else {
			/* only tracepoints of its own (fault, group): their sum */
			struct ib_tp_stats sum = {0};

			for (size_t i = 0; i < ib_catalog_len; i++) {
				const struct ib_hook *h = &hooks[i];

				if (h->def->role == (enum ib_role)role && h->attached &&
				    h->def->type == IB_HOOK_TP) {
					sum.count += r->tp[h->def->tp].count;
					sum.bytes += r->tp[h->def->tp].bytes;
				}
			}
			o = tp_json(&sum, NULL);
			json_object_set_new(o, "source", json_string(any ? "tracepoints" : "no hook attached"));
		}
		json_object_set_new(o, "hooks", per);
		json_object_set_new(ops, ib_role_name(role), o);
	}
	return ops;
}

/* The whole text in few large writes: json_dumpfd writes every token on
 * its own, a round trip each on a 9p share (the lab's results folder). */
static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int ib_write_atomic(const char *path, const char *text, size_t len, bool keep, char *err, size_t errlen)
{
	char tmp[4096];
	int fd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	ib_tmp_add(tmp); /* removed if a signal ends the process meanwhile */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = -errno;
		ib_tmp_del(tmp);
		snprintf(err, errlen, "creating %s: %s", tmp, strerror(-e));
		return e;
	}
	errno = 0;
	e = write_all(fd, text, len) || fsync(fd);
	if (e) {
		e = errno ? -errno : -EIO;
		snprintf(err, errlen, "writing %s: %s", tmp, strerror(-e));
		close(fd);
		unlink(tmp);
		ib_tmp_del(tmp);
		return e;
	}
	close(fd);
	/* link() refuses to replace: an existing file is never overwritten */
	if (link(tmp, path)) {
		e = -errno;
		snprintf(err, errlen, "%s: %s%s%s%s%s", path, strerror(-e),
			 e == -EEXIST ? "; choose another -o" : "", keep ? " (the data is kept in " : "",
			 keep ? tmp : "", keep ? ")" : "");
		if (!keep)
			unlink(tmp);
		ib_tmp_del(tmp);
		return e;
	}
	unlink(tmp);
	ib_tmp_del(tmp);
	return 0;
}

int ib_results_write(json_t *doc, const char *path, char *err, size_t errlen)
{
	char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS), *nl;
	size_t len;
	int e;

	if (!text || !(nl = realloc(text, (len = strlen(text)) + 2))) {
		free(text);
		snprintf(err, errlen, "%s: turning the results into JSON failed (out of memory?)", path);
		return -ENOMEM;
	}
	nl[len] = '\n';
	e = ib_write_atomic(path, nl, len + 1, true, err, errlen);
	free(nl);
	return e;
}

struct capped {
	int fd;
	size_t left;	/* bytes still allowed */
	bool over;
	int err;
};

/* jansson's reader: refuses to go past the limit, so a file that grows
 * after fstat (or a pipe) cannot take more memory than allowed either */
static size_t capped_read(void *buf, size_t len, void *arg)
{
	struct capped *c = arg;
	ssize_t n;

	if (c->left == 0) {
		char probe;

		do
			n = read(c->fd, &probe, 1);
		while (n < 0 && errno == EINTR);
		c->over = n > 0;
		c->err = n < 0 ? errno : 0;
		return n == 0 ? 0 : (size_t)-1;
	}
	if (len > c->left)
		len = c->left;
	do
		n = read(c->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		c->err = errno;
		return (size_t)-1;
	}
	c->left -= (size_t)n;
	return (size_t)n;
}

json_t *ib_results_load_max(const char *path, size_t max_bytes, char *err, size_t errlen)
{
	struct capped c = { .left = max_bytes };
	json_error_t je;
	struct stat st;
	json_t *doc;
	const char *schema;

	c.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c.fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(c.fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_bytes) {
		snprintf(err, errlen, "%s: %.1f MiB is over the limit of %g MiB for a results document "
			 "(report holds a whole document in memory, about 7 times its size): raise it with "
			 "--max-size MIB or IOMMUBENCH_REPORT_MAX_MIB", path, (double)st.st_size / (1 << 20),
			 (double)max_bytes / (1 << 20));
		close(c.fd);
		return NULL;
	}
	doc = json_load_callback(capped_read, &c, 0, &je);
	close(c.fd);
	if (!doc) {
		if (c.over)
			snprintf(err, errlen, "%s: more than the limit of %g MiB for a results document: raise it "
				 "with --max-size MIB or IOMMUBENCH_REPORT_MAX_MIB", path,
				 (double)max_bytes / (1 << 20));
		else if (c.err)
			snprintf(err, errlen, "%s: reading: %s", path, strerror(c.err));
		else
			snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return NULL;
	}
	schema = json_string_value(json_object_get(doc, "schema"));
	if (!schema || strcmp(schema, IB_SCHEMA)) {
		snprintf(err, errlen, "%s: schema is '%s', expected '%s'", path,
			 schema ? schema : "(missing)", IB_SCHEMA);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

json_t *ib_results_load(const char *path, char *err, size_t errlen)
{
	return ib_results_load_max(path, (size_t)IB_RESULTS_MAX_MIB << 20, err, errlen);
}
