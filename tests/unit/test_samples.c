/* The timing stores (userspace/workload.c): every sample kept in order
 * across each growth, the store in a mapping of its own once it is large
 * (moved by mremap, not copied in the heap: the lab soak's memory bound
 * depends on it), and freed stores empty. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "workload.h"

/* the [start, end) of the mapping of /proc/self/maps that holds p, or 0 */
static int mapping_of(const void *p, uintptr_t *start, uintptr_t *end)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		if (sscanf(line, "%lx-%lx", &a, &b) == 2 && (uintptr_t)p >= a && (uintptr_t)p < b) {
			*start = a;
			*end = b;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int main(void)
{
	struct ib_samples v = { 0 };
	size_t n = 300000, bad = 0;
	uintptr_t a = 0, b = 0;

	for (size_t i = 0; i < n; i++)
		if (ib_samples_add(&v, 3 * i + 1, (int)(i % 64), (int)(i % 7), i & 1)) {
			CHECK(0, "ib_samples_add failed at %zu", i);
			break;
		}
	CHECK_EQ_U64(v.n, n);
	CHECK(v.cap >= n && v.cap < 2 * n, "cap %zu for %zu samples: grown by doubling", v.cap, n);
	for (size_t i = 0; i < v.n; i++) {
		const struct ib_sample *s = &v.s[i];

		bad += s->ns != 3 * i + 1 || s->ctx != i % 64 || s->phase != i % 7 || s->measured != (i & 1);
	}
	CHECK_EQ_U64(bad, 0);
	/* a large store starts its own mapping, sized to its capacity */
	CHECK(mapping_of(v.s, &a, &b), "no mapping holds the store at %p", (void *)v.s);
	CHECK(a == (uintptr_t)v.s, "store at %p, inside a mapping from %#lx: in the heap, not its own mapping",
	      (void *)v.s, (unsigned long)a);
	CHECK(b - a >= v.cap * sizeof(*v.s), "mapping of %lu bytes for %zu bytes of store",
	      (unsigned long)(b - a), v.cap * sizeof(*v.s));
	ib_samples_free(&v);
	CHECK(v.s == NULL && v.n == 0 && v.cap == 0, "freed store not empty");

	/* small stores (a lane's, one per plan op) stay in the heap and come
	 * and go; one crossing into a mapping and freed also comes back empty */
	for (int round = 0; round < 100; round++) {
		size_t m = round == 99 ? 5000 : 10;

		for (size_t i = 0; i < m; i++)
			ib_samples_add(&v, i, 0, 0, false);
		CHECK(v.n == m && v.s[m - 1].ns == m - 1, "round %d: %zu samples", round, v.n);
		ib_samples_free(&v);
	}
	CHECK(v.s == NULL && v.n == 0, "freed store not empty");
	return CHECK_DONE();
}
