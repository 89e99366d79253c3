/* kernel/fnv.c — FNV-1a 32-bit (<lib/fnv.h>). */
#include <lib/fnv.h>

uint32_t fnv1a32(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--) {
		h ^= *p++;
		h *= FNV1A32_PRIME;
	}
	return h;
}
