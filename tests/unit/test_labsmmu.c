// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lab.smmu: the parser of the lab MMU-500 model's counters file (untrusted
 * input) on good and hostile files, the reader, and the differences. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "labsmmu.h"

static char err[512];

/* s followed by pad NULs, as the model writes it */
static int parse_padded(const char *s, size_t pad, struct ib_smmu_counters *c)
{
	size_t n = strlen(s);
	char *b = calloc(1, n + pad + 1);
	int e;

	memcpy(b, s, n);
	e = ib_smmu_parse(b, n + pad, c, err, sizeof(err));
	free(b);
	return e;
}

static int parse(const char *s, struct ib_smmu_counters *c)
{
	return parse_padded(s, 0, c);
}

#define GOOD "format 1\ncontext_banks 8\ntlbival 64\ncb2.tlbival 64\nasid2.tlbival 64\ntlbsync 0\n"

static void refused(const char *s, const char *why)
{
	struct ib_smmu_counters c = {0};

	CHECK(parse_padded(s, 100, &c) == -EINVAL, "accepted: %s", s);
	CHECK(c.n == 0 && c.c == NULL, "counters kept after a refusal");
	CHECK(strstr(err, why) != NULL, "message '%s' lacks '%s'", err, why);
	ib_smmu_free(&c);
}

static void test_good(void)
{
	struct ib_smmu_counters c = {0};
	const uint64_t *v;

	CHECK(parse_padded(GOOD, 32768 - strlen(GOOD), &c) == 0, "%s", err);
	CHECK_EQ_U64(c.n, 6);
	v = ib_smmu_get(&c, "cb2.tlbival");
	CHECK(v && *v == 64, "cb2.tlbival");
	CHECK(ib_smmu_get(&c, "cb3.tlbival") == NULL, "no cb3.tlbival");
	/* no NUL at all is fine when the text ends with a newline */
	CHECK(parse(GOOD, &c) == 0, "%s", err);
	CHECK_EQ_U64(c.n, 6);
	/* the largest u64 */
	CHECK(parse("format 1\nx 18446744073709551615\n", &c) == 0, "%s", err);
	v = ib_smmu_get(&c, "x");
	CHECK(v && *v == UINT64_MAX, "u64 max");
	/* a name of the longest length */
	{
		char s[200];

		snprintf(s, sizeof(s), "format 1\n%.*s 5\n", IB_SMMU_NAME_MAX,
			 "abcdefghijklmnopqrstuvwxyz0123456789_.abcdefghijklmnopqrstuvwxyz");
		CHECK(parse(s, &c) == 0, "%s", err);
	}
	ib_smmu_free(&c);
	ib_smmu_free(&c); /* twice is harmless */
}

static void test_hostile(void)
{
	char *big;
	size_t n;

	refused("", "empty");
	refused("\n", "no name");
	refused("format 2\ntlbival 1\n", "first line");
	refused("tlbival 1\nformat 1\n", "first line");
	refused("format 1\ntlbival 1", "no newline");
	refused("format 1\ntlbival\n", "no value");
	refused("format 1\ntlbival \n", "no value");
	refused("format 1\n 5\n", "no name");
	refused("format 1\n\n", "no name");
	refused("format 1\ntlbival  5\n", "not a decimal");
	refused("format 1\ntlbival 5 \n", "not a decimal");
	refused("format 1\ntlbival -5\n", "not a decimal");
	refused("format 1\ntlbival +5\n", "not a decimal");
	refused("format 1\ntlbival 0x10\n", "not a decimal");
	refused("format 1\ntlbival 5\r\n", "not a decimal");
	refused("format 1\nTLBIVAL 5\n", "only a-z");
	refused("format 1\ntlb-ival 5\n", "only a-z");
	refused("format 1\ntlb\x1b[2Jival 5\n", "byte 0x1b");
	refused("format 1\ntlb\xc3\xa9 5\n", "only a-z");
	refused("format 1\ntlbival 5\ntlbival 6\n", "listed twice");
	/* one more than u64 max, and very many digits */
	refused("format 1\nx 18446744073709551616\n", "64 bits");
	refused("format 1\nx 99999999999999999999999999999999999999\n", "64 bits");
	/* a name one longer than the limit, and a huge one */
	{
		char s[200];

		snprintf(s, sizeof(s), "format 1\n%.*s 5\n", IB_SMMU_NAME_MAX + 1,
			 "abcdefghijklmnopqrstuvwxyz0123456789_.abcdefghijklmnopqrstuvwxyz");
		refused(s, "longer than");
	}
	big = malloc(IB_SMMU_MAX_BYTES + 100);
	memset(big, 'a', IB_SMMU_MAX_BYTES);
	memcpy(big, "format 1\n", 9);
	strcpy(big + 40000, " 1\n");
	refused(big, "longer than");
	/* text after the padding, a NUL inside a line */
	{
		struct ib_smmu_counters c = {0};
		static const char s1[] = "format 1\ntlbival 5\n\0\0\0x 1\n";
		static const char s2[] = "format 1\ntlb\0ival 5\n";

		CHECK(ib_smmu_parse(s1, sizeof(s1) - 1, &c, err, sizeof(err)) == -EINVAL, "text after padding");
		CHECK(strstr(err, "other than NUL"), "%s", err);
		CHECK(ib_smmu_parse(s2, sizeof(s2) - 1, &c, err, sizeof(err)) == -EINVAL, "NUL in a line");
		CHECK(ib_smmu_parse(big, IB_SMMU_MAX_BYTES + 1, &c, err, sizeof(err)) == -EINVAL, "too big");
		CHECK(strstr(err, "more than"), "%s", err);
	}
	/* too many lines */
	n = 9;
	for (int i = 0; n + 16 < IB_SMMU_MAX_BYTES && i <= IB_SMMU_MAX_LINES; i++)
		n += (size_t)sprintf(big + n, "c%d 1\n", i);
	big[n] = 0;
	refused(big, "lines");
	free(big);
}

static void test_diff(void)
{
	struct ib_smmu_counters a = {0}, b = {0};
	json_t *o, *cnt;

	CHECK(parse(GOOD, &a) == 0, "%s", err);
	CHECK(parse("format 1\ncontext_banks 8\ntlbival 128\ncb2.tlbival 128\nasid2.tlbival 128\ntlbsync 65\n"
		    "asid3.tlbiasid 1\n", &b) == 0, "%s", err);
	o = ib_smmu_diff_json(&a, &b, err, sizeof(err));
	CHECK(o != NULL, "%s", err);
	cnt = json_object_get(o, "counters");
	CHECK_EQ_U64(json_integer_value(json_object_get(cnt, "tlbival")), 64);
	CHECK_EQ_U64(json_integer_value(json_object_get(cnt, "cb2.tlbival")), 64);
	CHECK_EQ_U64(json_integer_value(json_object_get(cnt, "tlbsync")), 65);
	/* a counter the model began to list during the run counts from 0 */
	CHECK_EQ_U64(json_integer_value(json_object_get(cnt, "asid3.tlbiasid")), 1);
	/* unchanged counters and the model's configuration are left out */
	CHECK_EQ_U64(json_object_size(cnt), 5);
	CHECK(json_object_get(cnt, "format") == NULL && json_object_get(cnt, "context_banks") == NULL, "config");
	CHECK_EQ_U64(json_integer_value(json_object_get(o, "format")), 1);
	CHECK_EQ_U64(json_integer_value(json_object_get(o, "context_banks")), 8);
	CHECK(strstr(json_string_value(json_object_get(o, "note")), "not by the kernel") != NULL, "note");
	json_decref(o);

	/* the same reading twice: nothing changed */
	o = ib_smmu_diff_json(&a, &a, err, sizeof(err));
	CHECK(o && json_object_size(json_object_get(o, "counters")) == 0, "no change");
	json_decref(o);

	/* backwards, vanished, other context banks, truncated, too large */
	CHECK(ib_smmu_diff_json(&b, &a, err, sizeof(err)) == NULL, "went back");
	CHECK(strstr(err, "went back") || strstr(err, "not after"), "%s", err);
	CHECK(parse("format 1\ncontext_banks 8\ntlbival 64\ncb2.tlbival 64\ntlbsync 0\n", &b) == 0, "%s", err);
	CHECK(ib_smmu_diff_json(&a, &b, err, sizeof(err)) == NULL, "vanished");
	CHECK(strstr(err, "asid2.tlbival was there before"), "%s", err);
	CHECK(parse("format 1\ncontext_banks 16\ntlbival 64\ncb2.tlbival 64\nasid2.tlbival 64\ntlbsync 0\n", &b) == 0,
	      "%s", err);
	CHECK(ib_smmu_diff_json(&a, &b, err, sizeof(err)) == NULL, "other banks");
	CHECK(strstr(err, "context_banks"), "%s", err);
	CHECK(parse("format 1\ntlbival 64\n", &b) == 0, "%s", err);
	CHECK(ib_smmu_diff_json(&b, &b, err, sizeof(err)) == NULL, "no context_banks");
	CHECK(parse(GOOD "truncated 1\n", &b) == 0, "%s", err);
	CHECK(ib_smmu_diff_json(&a, &b, err, sizeof(err)) == NULL, "truncated");
	CHECK(strstr(err, "truncated"), "%s", err);
	CHECK(parse("format 1\ncontext_banks 8\nx 0\n", &a) == 0, "%s", err);
	CHECK(parse("format 1\ncontext_banks 8\nx 9223372036854775808\n", &b) == 0, "%s", err);
	CHECK(ib_smmu_diff_json(&a, &b, err, sizeof(err)) == NULL, "above INT64_MAX");
	CHECK(strstr(err, "2^63"), "%s", err);
	CHECK(parse("format 1\ncontext_banks 8\nx 9223372036854775807\n", &b) == 0, "%s", err);
	o = ib_smmu_diff_json(&a, &b, err, sizeof(err));
	CHECK(o && json_integer_value(json_object_get(json_object_get(o, "counters"), "x")) == INT64_MAX, "INT64_MAX");
	json_decref(o);
	ib_smmu_free(&a);
	ib_smmu_free(&b);
}

static void test_read(void)
{
	struct ib_smmu_counters c = {0};
	char path[] = "/tmp/ib-labsmmu-XXXXXX";
	int fd = mkstemp(path);
	char pad[32768] = {0};

	CHECK(fd >= 0, "mkstemp");
	CHECK(ib_smmu_read("/nonexistent/ib-smmu", &c, err, sizeof(err)) == -ENOENT, "no file");
	memcpy(pad, GOOD, strlen(GOOD));
	CHECK(write(fd, pad, sizeof(pad)) == (ssize_t)sizeof(pad), "write");
	CHECK(ib_smmu_read(path, &c, err, sizeof(err)) == 0, "%s", err);
	CHECK_EQ_U64(c.n, 6);
	/* a hostile file: refused, the path named in the message */
	CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, "format 1\nx\x1b 1\n", 14, 0) == 14, "rewrite");
	CHECK(ib_smmu_read(path, &c, err, sizeof(err)) == -EINVAL, "hostile file");
	CHECK(strncmp(err, path, strlen(path)) == 0 && strstr(err, "byte 0x1b"), "%s", err);
	CHECK(c.n == 0, "nothing kept");
	/* larger than any counters file */
	{
		char *big = calloc(1, IB_SMMU_MAX_BYTES + 10);

		memcpy(big, GOOD, strlen(GOOD));
		CHECK(pwrite(fd, big, IB_SMMU_MAX_BYTES + 10, 0) == IB_SMMU_MAX_BYTES + 10, "big");
		CHECK(ib_smmu_read(path, &c, err, sizeof(err)) == -EFBIG, "too big: %s", err);
		free(big);
	}
	close(fd);
	unlink(path);
	ib_smmu_free(&c);
}

int main(void)
{
	test_good();
	test_hostile();
	test_diff();
	test_read();
	return CHECK_DONE();
}
