#include <lib/fnv.h>

uint32_t fnv1a32(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--) {
		h ^= *p++;
		h *= 0x01000193u;
	}
	return h;
}
