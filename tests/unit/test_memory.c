/* Memory backing: anonymous 4 KiB pages, THP, hugetlb; what was obtained
 * is reported, freeing is idempotent. Reads the host's THP and hugetlb
 * settings to know what to expect and never changes them. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "check.h"
#include "hostinfo.h"
#include "memory.h"

#define SZ_2M (2ul << 20)

static char err[512];

static long read_long(const char *path)
{
	char buf[64], *end;
	long v;

	if (ib_read_line(path, buf, sizeof(buf)) || !buf[0])
		return -1;
	v = strtol(buf, &end, 10);
	return end == buf ? -1 : v;
}

/* "always", "madvise", "never" or "" (no THP) */
static const char *thp_mode(void)
{
	static char mode[16];
	char buf[128], *a, *b;
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	mode[0] = '\0';
	if (!f)
		return mode;
	if (fgets(buf, sizeof(buf), f) && (a = strchr(buf, '[')) && (b = strchr(a, ']')) &&
	    (size_t)(b - a - 1) < sizeof(mode)) {
		memcpy(mode, a + 1, (size_t)(b - a - 1));
		mode[b - a - 1] = '\0';
	}
	fclose(f);
	return mode;
}

/* the VmFlags line of the VMA containing addr */
static int vma_flags(const void *addr, char *out, size_t len)
{
	uintptr_t p = (uintptr_t)addr;
	char line[512];
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;

		if (sscanf(line, "%llx-%llx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = s <= p && p < e;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(out, len, "%s", line + 8);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static bool resident(void *addr, size_t len)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE), n = (len + psz - 1) / psz;
	unsigned char *vec = calloc(n, 1);
	bool all = vec && !mincore(addr, len, vec);

	for (size_t i = 0; all && i < n; i++)
		all = vec[i] & 1;
	free(vec);
	return all;
}

static bool write_read(void *addr, size_t len)
{
	unsigned char *p = addr;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 7 + 3))
			return false;
	return true;
}

static void test_anon(void)
{
	struct ib_mem m;
	char flags[512];
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	int r;

	r = ib_mem_alloc(&m, IB_MEM_ANON, 3 * psz + 100, err, sizeof(err));
	CHECK(r == 0, "anon alloc: %d %s", r, err);
	if (r)
		return;
	CHECK(m.kind == IB_MEM_ANON, "kind %d", m.kind);
	CHECK_EQ_U64(m.len, 4 * psz);
	CHECK(m.addr && ((uintptr_t)m.addr % psz) == 0, "page aligned %p", m.addr);
	CHECK(m.map_addr == m.addr && m.map_len >= m.len, "map %p+%zu", m.map_addr, m.map_len);
	CHECK(resident(m.addr, m.len), "every page populated");
	CHECK_EQ_U64(m.huge_bytes, 0);
	CHECK(vma_flags(m.addr, flags, sizeof(flags)) == 0 && strstr(flags, " nh"),
	      "MADV_NOHUGEPAGE on the range (VmFlags:%s)", flags);
	CHECK(write_read(m.addr, m.len), "writable");
	ib_mem_free(&m);
	CHECK(m.addr == NULL && m.map_addr == NULL && m.len == 0, "freed");
	ib_mem_free(&m);
	CHECK(m.addr == NULL && m.map_addr == NULL, "freed twice");

	/* exact page multiple, larger than a huge page: still 4 KiB pages */
	r = ib_mem_alloc(&m, IB_MEM_ANON, 4 * SZ_2M, err, sizeof(err));
	CHECK(r == 0, "anon 8 MiB: %d %s", r, err);
	if (!r) {
		CHECK_EQ_U64(m.len, 4 * SZ_2M);
		CHECK_EQ_U64(m.huge_bytes, 0);
		CHECK(resident(m.addr, m.len), "8 MiB populated");
		ib_mem_free(&m);
	}

	r = ib_mem_alloc(&m, IB_MEM_ANON, 0, err, sizeof(err));
	CHECK(r == -EINVAL && strstr(err, "0 bytes"), "len 0: %d %s", r, err);
	ib_mem_free(&m);
}

static void test_thp(void)
{
	const char *mode = thp_mode();
	bool expect_huge = !strcmp(mode, "always") || !strcmp(mode, "madvise");
	struct ib_mem m;
	int r;

	r = ib_mem_alloc(&m, IB_MEM_THP, 4 * (1ul << 20), err, sizeof(err));
	CHECK(r == 0, "thp alloc: %d %s", r, err);
	if (r)
		return;
	CHECK(m.kind == IB_MEM_THP, "kind %d", m.kind);
	CHECK_EQ_U64(m.len, 2 * SZ_2M);
	CHECK(((uintptr_t)m.addr % SZ_2M) == 0, "2 MiB aligned: %p", m.addr);
	CHECK((char *)m.map_addr <= (char *)m.addr &&
	      (char *)m.addr + m.len <= (char *)m.map_addr + m.map_len,
	      "range inside the mapping");
	CHECK(m.huge_bytes % SZ_2M == 0 && m.huge_bytes <= m.len, "huge_bytes %llu",
	      (unsigned long long)m.huge_bytes);
	if (expect_huge)
		CHECK(m.huge_bytes > 0, "THP is [%s] but no huge page was obtained", mode);
	else
		printf("test_memory: THP is '%s': huge_bytes %llu not asserted\n", mode,
		       (unsigned long long)m.huge_bytes);
	CHECK(resident(m.addr, m.len), "thp range populated");
	CHECK(write_read(m.addr, m.len), "thp writable");
	ib_mem_free(&m);
	ib_mem_free(&m);
	CHECK(m.addr == NULL && m.map_addr == NULL, "thp freed twice");

	/* a length that is not a 2 MiB multiple is rounded up */
	r = ib_mem_alloc(&m, IB_MEM_THP, 3 * (1ul << 20), err, sizeof(err));
	CHECK(r == 0, "thp 3 MiB: %d %s", r, err);
	if (!r) {
		CHECK_EQ_U64(m.len, 2 * SZ_2M);
		CHECK(((uintptr_t)m.addr % SZ_2M) == 0, "aligned %p", m.addr);
		CHECK(m.huge_bytes % SZ_2M == 0 && m.huge_bytes <= m.len, "huge_bytes %llu",
		      (unsigned long long)m.huge_bytes);
		ib_mem_free(&m);
	}
}

static void test_hugetlb(void)
{
	long nr = read_long("/proc/sys/vm/nr_hugepages");
	long over = read_long("/proc/sys/vm/nr_overcommit_hugepages");
	struct ib_mem m;
	int r;

	r = ib_mem_alloc(&m, IB_MEM_HUGETLB, 1, err, sizeof(err));
	if (nr == 0 && over <= 0) {
		CHECK(r == -ENOMEM, "hugetlb with nr_hugepages 0: %d %s", r, err);
		CHECK(strstr(err, "nr_hugepages") != NULL, "error names nr_hugepages: %s", err);
		CHECK(strstr(err, "echo 1 >") != NULL, "error says how many: %s", err);
		CHECK(m.addr == NULL && m.map_addr == NULL, "nothing mapped on failure");
	} else if (r == 0) {
		CHECK_EQ_U64(m.len, SZ_2M);
		CHECK_EQ_U64(m.huge_bytes, SZ_2M);
		CHECK(((uintptr_t)m.addr % SZ_2M) == 0, "aligned %p", m.addr);
		CHECK(write_read(m.addr, m.len), "hugetlb writable");
	} else {
		CHECK(strstr(err, "nr_hugepages") != NULL || strstr(err, "hugetlb") != NULL,
		      "hugetlb error explains itself: %s", err);
	}
	ib_mem_free(&m);
	ib_mem_free(&m);
	CHECK(m.addr == NULL && m.map_addr == NULL, "hugetlb freed twice");
}

int main(void)
{
	test_anon();
	test_thp();
	test_hugetlb();
	return CHECK_DONE();
}
