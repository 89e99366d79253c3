/*
 * memtest.c — the memmap.test= override (see <kernel/memtest.h>).
 */
#include <stdint.h>
#include <kernel/boot_info.h>
#include <kernel/memtest.h>
#include <kernel/panic.h>
#include <kernel/printk.h>

static const char *parse_u64(const char *s, uint64_t *out, const char *spec)
{
	uint64_t v = 0;
	unsigned int base = 10, digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++, digits++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			panic("number too large in memmap.test=%s", spec);
		v = v * base + d;
	}
	if (!digits)
		panic("malformed memmap.test=%s (want START:SIZE:TYPE,...)", spec);
	*out = v;
	return s;
}

void memtest_override(struct boot_info *bi, const char *spec)
{
	const char *p = spec;

	bi->map.nr = 0;
	while (*p) {
		uint64_t start, size, type;

		p = parse_u64(p, &start, spec);
		if (*p++ != ':')
			panic("malformed memmap.test=%s (want START:SIZE:TYPE,...)", spec);
		p = parse_u64(p, &size, spec);
		if (*p++ != ':')
			panic("malformed memmap.test=%s (want START:SIZE:TYPE,...)", spec);
		p = parse_u64(p, &type, spec);
		if (type > UINT32_MAX)
			panic("type %lu out of range in memmap.test=%s",
			      (unsigned long)type, spec);
		memmap_add(&bi->map, start, size, (uint32_t)type);
		if (*p == ',' || *p == '+')
			p++;
		else if (*p)
			panic("malformed memmap.test=%s (want START:SIZE:TYPE,...)", spec);
	}
	bi->map_source = "memmap.test";
	printk("memmap: replaced by memmap.test (%u entries): test only\n", bi->map.nr);
}
