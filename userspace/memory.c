// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Backing memory for IOMMU mappings: 4 KiB anonymous pages, transparent
 * huge pages, or hugetlb 2 MiB pages. VFIO maps physically contiguous
 * runs with the largest IOMMU page that fits, so what we really obtained
 * (huge_bytes) decides the IOMMU page size a scenario exercises. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/mman.h>
#include "memory.h"

#define IB_SZ_2M (2ull << 20)
#define IB_HUGE_SYSFS "/sys/kernel/mm/hugepages/hugepages-2048kB"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static void touch(void *addr, size_t len)
{
	long psz = sysconf(_SC_PAGESIZE);

	for (size_t off = 0; off < len; off += (size_t)psz)
		((volatile char *)addr)[off] = 0;
}

/* AnonHugePages (PMD-mapped THP) of the VMAs overlapping [addr, addr+len)
 * from /proc/self/smaps. A VMA that sticks out of the range contributes at
 * most the 2 MiB-aligned part of the overlap. */
static uint64_t anon_huge_bytes(const void *addr, size_t len)
{
	uintptr_t lo = (uintptr_t)addr, hi = lo + len;
	uint64_t total = 0, vs = 0, ve = 0;
	bool in = false;
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e, kb;

		if (sscanf(line, "%llx-%llx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			vs = s;
			ve = e;
			in = vs < hi && ve > lo;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %llu kB", &kb) == 1) {
			uint64_t bytes = kb * 1024, os = vs > lo ? vs : lo, oe = ve < hi ? ve : hi;

			if (vs < lo || ve > hi) {
				uint64_t a = round_up(os, IB_SZ_2M), cap = oe > a ? (oe - a) / IB_SZ_2M * IB_SZ_2M : 0;

				bytes = bytes < cap ? bytes : cap;
			}
			total += bytes;
		}
	}
	fclose(f);
	return total < len ? total : len;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int alloc_anon(struct ib_mem *m, size_t len, char *err, size_t errlen)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE), mlen = round_up(len, psz);
	void *p = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		int e = -errno;

		snprintf(err, errlen, "mmap of %zu bytes of anonymous memory: %s", mlen, strerror(-e));
		return e;
	}
	/* before the first touch, or "always" THP would give huge pages;
	 * EINVAL means a kernel without THP: 4 KiB pages anyway */
	if (madvise(p, mlen, MADV_NOHUGEPAGE) && errno != EINVAL) {
		int e = -errno;

		munmap(p, mlen);
		snprintf(err, errlen, "madvise(MADV_NOHUGEPAGE) on %zu bytes: %s", mlen, strerror(-e));
		return e;
	}
	touch(p, mlen);
	m->addr = m->map_addr = p;
	m->len = m->map_len = mlen;
	m->huge_bytes = anon_huge_bytes(p, mlen);
	return 0;
}

static int alloc_thp(struct ib_mem *m, size_t len, char *err, size_t errlen)
{
	size_t hlen = round_up(len, IB_SZ_2M), mlen = hlen + IB_SZ_2M;
	void *p = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (p == MAP_FAILED) {
		int e = -errno;

		snprintf(err, errlen, "mmap of %zu bytes of anonymous memory for THP: %s", mlen, strerror(-e));
		return e;
	}
	a = (char *)round_up((uintptr_t)p, IB_SZ_2M);
	/* EINVAL: no THP in this kernel; THP 'never' accepts the advice and
	 * gives 4 KiB pages. Either way huge_bytes says what we got. */
	if (madvise(a, hlen, MADV_HUGEPAGE) && errno != EINVAL) {
		int e = -errno;

		munmap(p, mlen);
		snprintf(err, errlen, "madvise(MADV_HUGEPAGE) on %zu bytes: %s", hlen, strerror(-e));
		return e;
	}
	touch(a, hlen);
	m->addr = a;
	m->len = hlen;
	m->map_addr = p;
	m->map_len = mlen;
	m->huge_bytes = anon_huge_bytes(a, hlen);
	return 0;
}

static int alloc_hugetlb(struct ib_mem *m, size_t len, char *err, size_t errlen)
{
	size_t hlen = round_up(len, IB_SZ_2M);
	void *p = mmap(NULL, hlen, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);

	if (p == MAP_FAILED) {
		int e = -errno;
		long total = read_long(IB_HUGE_SYSFS "/nr_hugepages");
		long freep = read_long(IB_HUGE_SYSFS "/free_hugepages");
		long resv = read_long(IB_HUGE_SYSFS "/resv_hugepages");
		long need = (long)(hlen / IB_SZ_2M), avail, k;
		long dflt_kb = 0;
		char line[128];
		FILE *f;

		if (total < 0) {
			snprintf(err, errlen, "mmap of %zu bytes with MAP_HUGETLB (2 MiB): %s (this kernel has no 2 MiB hugetlb pages: no %s)",
				 hlen, strerror(-e), IB_HUGE_SYSFS);
			return e;
		}
		if (e != -ENOMEM) {
			snprintf(err, errlen, "mmap of %zu bytes with MAP_HUGETLB (2 MiB): %s", hlen, strerror(-e));
			return e;
		}
		avail = freep - resv;
		if (avail < 0)
			avail = 0;
		k = total + (need > avail ? need - avail : need);
		if ((f = fopen("/proc/meminfo", "re"))) {
			while (fgets(line, sizeof(line), f))
				if (sscanf(line, "Hugepagesize: %ld kB", &dflt_kb) == 1)
					break;
			fclose(f);
		}
		if (dflt_kb == 2048 || dflt_kb == 0)
			snprintf(err, errlen, "no free 2 MiB huge pages for %zu bytes (%ld needed, %ld of %ld free and unreserved): echo %ld > /proc/sys/vm/nr_hugepages (as root)",
				 hlen, need, avail, total, k);
		else
			snprintf(err, errlen, "no free 2 MiB huge pages for %zu bytes (%ld needed, %ld of %ld free and unreserved): echo %ld > %s/nr_hugepages (as root; /proc/sys/vm/nr_hugepages is for the default %ld kB size)",
				 hlen, need, avail, total, k, IB_HUGE_SYSFS, dflt_kb);
		return e;
	}
	/* private hugetlb mappings reserve their pages at mmap: touching
	 * cannot fault for lack of pages */
	touch(p, hlen);
	m->addr = m->map_addr = p;
	m->len = m->map_len = hlen;
	m->huge_bytes = hlen;
	return 0;
}

int ib_mem_alloc(struct ib_mem *m, enum ib_memory kind, size_t len, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	if (len == 0) {
		snprintf(err, errlen, "memory allocation of 0 bytes");
		return -EINVAL;
	}
	if (len > SIZE_MAX - 2 * IB_SZ_2M) {
		snprintf(err, errlen, "memory allocation of %zu bytes is too large", len);
		return -EINVAL;
	}
	switch (kind) {
	case IB_MEM_ANON:
		return alloc_anon(m, len, err, errlen);
	case IB_MEM_THP:
		return alloc_thp(m, len, err, errlen);
	case IB_MEM_HUGETLB:
		return alloc_hugetlb(m, len, err, errlen);
	}
	snprintf(err, errlen, "unknown memory kind %d", (int)kind);
	return -EINVAL;
}

void ib_mem_free(struct ib_mem *m)
{
	if (m->map_addr)
		munmap(m->map_addr, m->map_len);
	m->map_addr = m->addr = NULL;
	m->map_len = m->len = 0;
	m->huge_bytes = 0;
}
