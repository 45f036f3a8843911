/* Minimal assertion helpers for the unit tests: each test binary counts its
 * checks and exits non-zero when one failed; tests/run-unit adds them up. */
#ifndef IB_CHECK_H
#define IB_CHECK_H
#include <stdio.h>
#include <string.h>

static int ib_checks_passed, ib_checks_failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		ib_checks_passed++;					\
	} else {							\
		ib_checks_failed++;					\
		fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define CHECK_EQ_U64(a, b) do {						\
	unsigned long long _a = (a), _b = (b);				\
	CHECK(_a == _b, "%s = %llu, expected %llu", #a, _a, _b);	\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *_a = (a), *_b = (b);				\
	CHECK(_a && _b && strcmp(_a, _b) == 0, "%s = \"%s\", expected \"%s\"", \
	      #a, _a ? _a : "(null)", _b ? _b : "(null)");		\
} while (0)

/* Printed as the binary's last line; tests/run-unit parses it. */
#define CHECK_DONE() ({							\
	printf("%s: %d passed, %d failed\n", __FILE__, ib_checks_passed, \
	       ib_checks_failed);					\
	ib_checks_failed ? 1 : 0;					\
})

#endif
