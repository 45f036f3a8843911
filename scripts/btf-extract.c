// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * btf-extract IMAGE OUT
 *
 * Finds the kernel's BTF blob (the content of the .BTF section) inside an
 * uncompressed kernel image (arm64 Image, vmlinux, ...) and writes it to OUT,
 * where `bpftool btf dump file OUT format c` can read it.
 *
 * A candidate starts with the little-endian BTF header: magic 0xeB9F,
 * version 1, flags 0, hdr_len 24, then type_off, type_len, str_off, str_len.
 * It is accepted only when its type section walks cleanly: every type record
 * is of a known kind, the records end exactly at type_len, and every name
 * offset points inside the string section. Of the accepted candidates the
 * largest is written (the vmlinux BTF runs to megabytes).
 *
 * Built on the fly by scripts/gen-vmlinux-h with the host compiler.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BTF_HDR_LEN 24u

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bytes that follow the 12-byte struct btf_type for a kind, or -1. */
static long kind_extra(unsigned kind, unsigned vlen)
{
	switch (kind) {
	case 1:  return 4;		/* INT */
	case 2:  return 0;		/* PTR */
	case 3:  return 12;		/* ARRAY */
	case 4:				/* STRUCT */
	case 5:  return 12L * vlen;	/* UNION */
	case 6:  return 8L * vlen;	/* ENUM */
	case 7:				/* FWD */
	case 8:				/* TYPEDEF */
	case 9:				/* VOLATILE */
	case 10:			/* CONST */
	case 11:			/* RESTRICT */
	case 12: return 0;		/* FUNC */
	case 13: return 8L * vlen;	/* FUNC_PROTO */
	case 14: return 4;		/* VAR */
	case 15: return 12L * vlen;	/* DATASEC */
	case 16: return 0;		/* FLOAT */
	case 17: return 4;		/* DECL_TAG */
	case 18: return 0;		/* TYPE_TAG */
	case 19: return 12L * vlen;	/* ENUM64 */
	default: return -1;
	}
}

/* Length of a valid BTF blob at p (at most avail bytes), else 0. */
static size_t check_blob(const unsigned char *p, size_t avail, unsigned long *ntypes)
{
	uint32_t type_off, type_len, str_off, str_len;
	const unsigned char *types, *strs;
	size_t total, off = 0;
	unsigned long n = 0;

	if (avail < BTF_HDR_LEN || p[0] != 0x9f || p[1] != 0xeb || p[2] != 1 ||
	    p[3] != 0 || le32(p + 4) != BTF_HDR_LEN)
		return 0;
	type_off = le32(p + 8);
	type_len = le32(p + 12);
	str_off = le32(p + 16);
	str_len = le32(p + 20);
	if (type_off % 4 || (uint64_t)type_off + type_len > str_off || str_len == 0)
		return 0;
	total = (size_t)BTF_HDR_LEN + str_off + str_len;
	if ((uint64_t)BTF_HDR_LEN + str_off + str_len > avail)
		return 0;
	types = p + BTF_HDR_LEN + type_off;
	strs = p + BTF_HDR_LEN + str_off;
	if (strs[0] != '\0' || strs[str_len - 1] != '\0')
		return 0;
	while (off < type_len) {
		uint32_t name_off, info;
		long extra;

		if (type_len - off < 12)
			return 0;
		name_off = le32(types + off);
		info = le32(types + off + 4);
		extra = kind_extra((info >> 24) & 0x1f, info & 0xffff);
		if (extra < 0 || name_off >= str_len || (uint64_t)type_len - off - 12 < (uint64_t)extra)
			return 0;
		off += 12 + (size_t)extra;
		n++;
	}
	*ntypes = n;
	return total;
}

int main(int argc, char **argv)
{
	unsigned char *buf = NULL;
	size_t size = 0, cap = 0, best_off = 0, best_len = 0, n;
	unsigned long best_types = 0, found = 0;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: %s IMAGE OUT\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	for (;;) {
		if (size == cap) {
			cap = cap ? cap * 2 : 1 << 24;
			buf = realloc(buf, cap);
			if (!buf) {
				fprintf(stderr, "btf-extract: out of memory\n");
				return 1;
			}
		}
		n = fread(buf + size, 1, cap - size, f);
		if (n == 0)
			break;
		size += n;
	}
	if (ferror(f)) {
		perror(argv[1]);
		return 1;
	}
	fclose(f);

	for (size_t i = 0; i + BTF_HDR_LEN <= size; i++) {
		unsigned long ntypes;
		size_t len;

		if (buf[i] != 0x9f || buf[i + 1] != 0xeb)
			continue;
		len = check_blob(buf + i, size - i, &ntypes);
		if (!len)
			continue;
		found++;
		if (len > best_len) {
			best_off = i;
			best_len = len;
			best_types = ntypes;
		}
	}
	if (!best_len) {
		fprintf(stderr, "btf-extract: no BTF blob in %s (is it an uncompressed kernel image?)\n",
			argv[1]);
		return 1;
	}
	f = fopen(argv[2], "wb");
	if (!f || fwrite(buf + best_off, 1, best_len, f) != best_len || fclose(f)) {
		perror(argv[2]);
		return 1;
	}
	fprintf(stderr, "btf-extract: %zu bytes of BTF (%lu types) at offset 0x%zx (%lu candidate%s)\n",
		best_len, best_types, best_off, found, found == 1 ? "" : "s");
	free(buf);
	return 0;
}
