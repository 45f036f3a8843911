// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lab.smmu: the lab MMU-500 model's counters, parsed strictly (labsmmu.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "labsmmu.h"

/* lines that describe the model, not counts */
static bool is_config(const char *name)
{
	return !strcmp(name, "format") || !strcmp(name, "context_banks") || !strcmp(name, "truncated");
}

static int cmp_counter(const void *a, const void *b)
{
	return strcmp(((const struct ib_smmu_counter *)a)->name, ((const struct ib_smmu_counter *)b)->name);
}

void ib_smmu_free(struct ib_smmu_counters *c)
{
	free(c->c);
	c->c = NULL;
	c->n = 0;
}

const uint64_t *ib_smmu_get(const struct ib_smmu_counters *c, const char *name)
{
	struct ib_smmu_counter key, *hit;

	if (!c->n || strlen(name) > IB_SMMU_NAME_MAX)
		return NULL;
	snprintf(key.name, sizeof(key.name), "%s", name);
	hit = bsearch(&key, c->c, c->n, sizeof(*c->c), cmp_counter);
	return hit ? &hit->value : NULL;
}

int ib_smmu_parse(const char *buf, size_t len, struct ib_smmu_counters *out, char *err, size_t errlen)
{
	size_t text = 0, cap = 0, line = 0, i = 0;
	struct ib_smmu_counter *c = NULL;

	ib_smmu_free(out);
	if (len > IB_SMMU_MAX_BYTES) {
		snprintf(err, errlen, "more than %d bytes", IB_SMMU_MAX_BYTES);
		return -EINVAL;
	}
	/* the text, then nothing but NUL padding */
	while (text < len && buf[text])
		text++;
	for (size_t j = text; j < len; j++)
		if (buf[j]) {
			snprintf(err, errlen, "a byte other than NUL at offset %zu, after the text ended at %zu", j, text);
			return -EINVAL;
		}
	if (!text) {
		snprintf(err, errlen, "empty: no counters");
		return -EINVAL;
	}
	if (buf[text - 1] != '\n') {
		snprintf(err, errlen, "the last line has no newline (cut off?)");
		return -EINVAL;
	}
	while (i < text) {
		struct ib_smmu_counter e = { 0 };
		size_t n = 0, digits = 0;
		uint64_t v = 0;

		line++;
		if (line > IB_SMMU_MAX_LINES) {
			snprintf(err, errlen, "more than %d lines", IB_SMMU_MAX_LINES);
			goto bad;
		}
		for (; i < text && buf[i] != ' ' && buf[i] != '\n'; i++, n++) {
			char ch = buf[i];

			if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.')) {
				snprintf(err, errlen, "line %zu: a name may hold only a-z, 0-9, '_' and '.' "
					 "(byte 0x%02x)", line, (unsigned char)ch);
				goto bad;
			}
			if (n >= IB_SMMU_NAME_MAX) {
				snprintf(err, errlen, "line %zu: a name longer than %d characters", line, IB_SMMU_NAME_MAX);
				goto bad;
			}
			e.name[n] = ch;
		}
		if (!n) {
			snprintf(err, errlen, "line %zu: no name", line);
			goto bad;
		}
		if (buf[i] != ' ') {
			snprintf(err, errlen, "line %zu (%s): no value", line, e.name);
			goto bad;
		}
		for (i++; i < text && buf[i] != '\n'; i++, digits++) {
			unsigned d = (unsigned char)buf[i] - '0';

			if (d > 9) {
				snprintf(err, errlen, "line %zu (%s): the value is not a decimal number (byte 0x%02x)",
					 line, e.name, (unsigned char)buf[i]);
				goto bad;
			}
			if (v > (UINT64_MAX - d) / 10) {
				snprintf(err, errlen, "line %zu (%s): the value does not fit in 64 bits", line, e.name);
				goto bad;
			}
			v = v * 10 + d;
		}
		if (!digits) {
			snprintf(err, errlen, "line %zu (%s): no value", line, e.name);
			goto bad;
		}
		i++; /* the newline */
		e.value = v;
		if (line == 1 && (strcmp(e.name, "format") || v != IB_SMMU_FORMAT)) {
			snprintf(err, errlen, "the first line is not 'format %d'", IB_SMMU_FORMAT);
			goto bad;
		}
		if (out->n == cap) {
			struct ib_smmu_counter *nc;

			cap = cap ? cap * 2 : 128;
			if (!(nc = realloc(c, cap * sizeof(*c)))) {
				snprintf(err, errlen, "out of memory");
				free(c);
				out->n = 0;
				return -ENOMEM;
			}
			c = nc;
		}
		c[out->n++] = e;
	}
	qsort(c, out->n, sizeof(*c), cmp_counter);
	for (size_t j = 1; j < out->n; j++)
		if (!strcmp(c[j - 1].name, c[j].name)) {
			snprintf(err, errlen, "%s is listed twice", c[j].name);
			goto bad;
		}
	out->c = c;
	return 0;
bad:
	free(c);
	out->n = 0;
	return -EINVAL;
}

/* the whole file, up to IB_SMMU_MAX_BYTES + 1 bytes, in buf; its length */
static ssize_t slurp(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	while (len < cap) {
		ssize_t r = read(fd, buf + len, cap - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		len += (size_t)r;
	}
	return (ssize_t)len;
}

int ib_smmu_read(const char *path, struct ib_smmu_counters *out, char *err, size_t errlen)
{
	size_t cap = IB_SMMU_MAX_BYTES + 1;
	char *a = malloc(cap), *b = malloc(cap);
	ssize_t la = -1, lb = -1;
	int fd, e = 0, tries = 0;

	ib_smmu_free(out);
	if (!path)
		path = IB_SMMU_COUNTERS_PATH;
	if (!a || !b) {
		free(a);
		free(b);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = -errno;
		if (e != -ENOENT)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* each read() of the fw_cfg file selects it again, and the model then
	 * writes the file anew: read it whole until two readings agree */
	la = slurp(fd, a, cap);
	do {
		char *t;

		if (la < 0)
			break;
		lb = slurp(fd, b, cap);
		if (lb < 0 || (la == lb && !memcmp(a, b, (size_t)la)))
			break;
		t = a, a = b, b = t;
		la = lb;
	} while (++tries < 4);
	close(fd);
	if (la < 0 || lb < 0) {
		e = la < 0 ? (int)la : (int)lb;
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
	} else if (la != lb || memcmp(a, b, (size_t)la)) {
		e = -EAGAIN;
		snprintf(err, errlen, "%s: changed between every two of %d readings", path, tries + 1);
	} else if (la > IB_SMMU_MAX_BYTES) {
		e = -EFBIG;
		snprintf(err, errlen, "%s: more than %d bytes", path, IB_SMMU_MAX_BYTES);
	} else {
		char why[256];

		if ((e = ib_smmu_parse(a, (size_t)la, out, why, sizeof(why))))
			snprintf(err, errlen, "%s: %s", path, why);
	}
out:
	free(a);
	free(b);
	return e;
}

json_t *ib_smmu_diff_json(const struct ib_smmu_counters *before, const struct ib_smmu_counters *after,
			  char *err, size_t errlen)
{
	const uint64_t *cb0 = ib_smmu_get(before, "context_banks"), *cb1 = ib_smmu_get(after, "context_banks");
	json_t *o, *cnt;

	if (ib_smmu_get(before, "truncated") || ib_smmu_get(after, "truncated")) {
		snprintf(err, errlen, "the model cut its counters file (\"truncated\"): some counters are missing");
		return NULL;
	}
	if (!cb0 || !cb1 || *cb0 != *cb1) {
		snprintf(err, errlen, "context_banks missing or not the same before and after the run");
		return NULL;
	}
	/* every counter of before is still there, and none went back */
	for (size_t i = 0; i < before->n; i++) {
		const uint64_t *v = ib_smmu_get(after, before->c[i].name);

		if (!v) {
			snprintf(err, errlen, "%s was there before the run, not after it", before->c[i].name);
			return NULL;
		}
		if (*v < before->c[i].value) {
			snprintf(err, errlen, "%s went back during the run (%llu -> %llu)", before->c[i].name,
				 (unsigned long long)before->c[i].value, (unsigned long long)*v);
			return NULL;
		}
	}
	cnt = json_object();
	for (size_t i = 0; i < after->n; i++) {
		const struct ib_smmu_counter *a = &after->c[i];
		const uint64_t *b = ib_smmu_get(before, a->name);
		uint64_t d = a->value - (b ? *b : 0);

		if (is_config(a->name) || !d)
			continue;
		if (d > (uint64_t)INT64_MAX) {
			snprintf(err, errlen, "%s grew by more than 2^63 - 1", a->name);
			json_decref(cnt);
			return NULL;
		}
		json_object_set_new(cnt, a->name, json_integer((json_int_t)d));
	}
	o = json_object();
	json_object_set_new(o, "format", json_integer(IB_SMMU_FORMAT));
	json_object_set_new(o, "note", json_string(
		"counted by the lab's QEMU MMU-500 model (lab/qemu), not by the kernel: what the emulated "
		"hardware saw from just before the probes attached to after the teardown (the fw_cfg file "
		"opt/iommubench/smmu-counters read before and after, subtracted). NAME is the total, cbN.NAME "
		"context bank N's, asidN.NAME ASID N's; counters that did not change are left out (0)"));
	json_object_set_new(o, "context_banks", json_integer((json_int_t)(*cb1 > INT64_MAX ? INT64_MAX : *cb1)));
	json_object_set_new(o, "counters", cnt);
	return o;
}
