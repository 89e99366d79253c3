/* lib/string.c — freestanding string functions (gcc may also emit calls to
 * memset/memcpy/memmove/memcmp for struct copies). */
#include <stdint.h>
#include <lib/string.h>

/*
 * memset and memcpy are on mm's hot path (zeroing every table page), so
 * they move 8 bytes per store: "rep stosq" / "rep movsq" for the aligned
 * bulk (one instruction per quadword even under QEMU's instruction
 * counting), bytes for the ragged ends.
 */
void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;
	uint64_t v = 0x0101010101010101ULL * (unsigned char)c;
	size_t q;

	while (n && ((uintptr_t)p & 7)) {
		*p++ = (unsigned char)c;
		n--;
	}
	q = n >> 3;
	if (q)
		__asm__ volatile("rep stosq" : "+D"(p), "+c"(q) : "a"(v) : "memory");
	for (n &= 7; n; n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	size_t q = n >> 3;

	if (q)
		__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
	for (n &= 7; n; n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
