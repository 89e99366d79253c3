/*
 * tests/fuzz/fuzz_common.c — see fuzz_common.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

unsigned int fuzz_decode(const uint8_t *data, size_t size, struct memmap_entry *e,
			 unsigned int max)
{
	unsigned int n = 0;

	while (size >= FUZZ_ENTRY_BYTES && n < max) {
		unsigned int ss = data[0] % 64, zs = data[1] % 64;

		e[n].start = (uint64_t)le32(data + 3) << ss;
		e[n].size = (uint64_t)le32(data + 7) << zs;
		e[n].type = data[2] >= 250 ? data[2] : data[2] % 10;
		n++;
		data += FUZZ_ENTRY_BYTES;
		size -= FUZZ_ENTRY_BYTES;
	}
	return n;
}

bool fuzz_memmap_panic(const struct memmap_entry *e, unsigned int n, uint64_t limit,
		       char *want, size_t len)
{
	unsigned int i, nonzero = 0;

	if (!n) {
		snprintf(want, len, "memory map is empty");
		return true;
	}
	for (i = 0; i < n; i++) {
		if (!e[i].size)
			continue;
		nonzero++;
		if (e[i].start + e[i].size < e[i].start) {
			snprintf(want, len, "entry %u [mem 0x%010lx+0x%lx] type %u wraps around", i,
				 (unsigned long)e[i].start, (unsigned long)e[i].size, e[i].type);
			return true;
		}
		if (e[i].start + e[i].size > limit) {
			snprintf(want, len, "entry %u [mem 0x%010lx-0x%010lx] type %u ends above the physical address limit",
				 i, (unsigned long)e[i].start,
				 (unsigned long)(e[i].start + e[i].size - 1), e[i].type);
			return true;
		}
	}
	if (!nonzero) {
		snprintf(want, len, "all of zero length");
		return true;
	}
	want[0] = '\0';
	return false;
}

#define CATEGORIES_MAX 64

const char *fuzz_suffix = "";

const char *fuzz_suffix_for(const struct memmap_entry *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (e[i].size && e[i].type == 0)
			return "-type0";
	return "";
}

void fuzz_finding(const char *cat, const uint8_t *data, size_t size, const char *fmt, ...)
{
	static char seen[CATEGORIES_MAX][64];
	static unsigned int nseen;
	char category[64];
	va_list ap;
	unsigned int i;

	snprintf(category, sizeof(category), "%s%s", cat, fuzz_suffix);
	for (i = 0; i < nseen; i++)
		if (!strcmp(seen[i], category))
			return;
	if (nseen < CATEGORIES_MAX)
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", category);
	fprintf(stderr, "FINDING [%s]: ", category);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (getenv("FUZZ_CONTINUE")) {
		const char *dir = getenv("FUZZ_FINDINGS_DIR");
		char path[512];
		FILE *f;

		fprintf(stderr, "FINDING [%s]: input of %zu bytes:", category, size);
		for (i = 0; i < size && i < 512; i++)
			fprintf(stderr, "%s%02x", i % FUZZ_ENTRY_BYTES ? "" : " ", data[i]);
		fprintf(stderr, "\n");
		if (dir) {
			snprintf(path, sizeof(path), "%s/finding-%s", dir, category);
			f = fopen(path, "wb");
			if (f) {
				fwrite(data, 1, size, f);
				fclose(f);
			}
		}
		return;
	}
	abort();
}
