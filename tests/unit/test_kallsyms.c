/* The kallsyms line reader: the kernel's format, module tags, and lines it
 * must skip rather than misread. */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "kallsyms.h"

static FILE *text(const char *s)
{
	return fmemopen((void *)s, strlen(s), "r");
}

static void test_lines(void)
{
	char line[512];
	struct ib_ksym k;
	FILE *f = text("ffffffff81000000 T _text\n"
		       "ffffffffc0a01230 t intel_iommu_map_pages.cold\t[intel_iommu]\n"
		       "0000000000000000 D jiffies\n"
		       "garbage line\n"
		       "ffffffff8100 tx bad_type\n"
		       "ffffffff81000010 T last_without_newline");

	CHECK(ib_kallsyms_next(f, line, sizeof(line), &k), "first line read");
	CHECK_EQ_U64(k.addr, 0xffffffff81000000ull);
	CHECK(k.type == 'T' && ib_ksym_is_text(&k), "type %c", k.type);
	CHECK_STR(k.name, "_text");
	CHECK_EQ_U64(k.namelen, 5);
	CHECK(k.mod == NULL, "built in: no module");

	CHECK(ib_kallsyms_next(f, line, sizeof(line), &k), "module line read");
	CHECK_EQ_U64(k.addr, 0xffffffffc0a01230ull);
	CHECK_STR(k.name, "intel_iommu_map_pages.cold");
	CHECK(k.mod && k.modlen == 11 && !strncmp(k.mod, "intel_iommu", 11), "module tag");

	CHECK(ib_kallsyms_next(f, line, sizeof(line), &k), "data symbol read");
	CHECK(!ib_ksym_is_text(&k) && k.addr == 0, "hidden address, type %c", k.type);
	CHECK_STR(k.name, "jiffies");

	/* "garbage line" and the two-letter type are skipped */
	CHECK(ib_kallsyms_next(f, line, sizeof(line), &k), "last line read");
	CHECK_STR(k.name, "last_without_newline");
	CHECK_EQ_U64(k.addr, 0xffffffff81000010ull);
	CHECK(!ib_kallsyms_next(f, line, sizeof(line), &k), "end");
	fclose(f);
}

static void test_long(void)
{
	static char buf[2048];
	char line[64];
	struct ib_ksym k;
	FILE *f;
	int n;

	/* a line longer than the buffer is skipped whole, not read as two */
	n = snprintf(buf, sizeof(buf), "ffffffff81000000 t ");
	memset(buf + n, 'x', 300);
	n += 300;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, " ffffffff81000020 T fake\nffffffff81000040 T short\n");
	f = text(buf);
	CHECK(ib_kallsyms_next(f, line, sizeof(line), &k), "line after the long one read");
	CHECK_STR(k.name, "short");
	CHECK(!ib_kallsyms_next(f, line, sizeof(line), &k), "end");
	fclose(f);

	/* a name of more than 255 bytes (Rust symbols) is skipped */
	n = snprintf(buf, sizeof(buf), "ffffffff81000000 t ");
	memset(buf + n, 'y', 256);
	n += 256;
	snprintf(buf + n, sizeof(buf) - (size_t)n, "\nffffffff81000040 T ok\n");
	f = text(buf);
	CHECK(ib_kallsyms_next(f, (char[512]){ 0 }, 512, &k), "line after the long name read");
	CHECK_STR(k.name, "ok");
	fclose(f);
}

int main(void)
{
	test_lines();
	test_long();
	return CHECK_DONE();
}
