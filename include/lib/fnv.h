/* include/lib/fnv.h — FNV-1a 32-bit, the trace checksum (docs/trace.md).
 * kernel/fnv.c is the one implementation: the kernel, the host tests and
 * the host trace tools (tools/tracecmp) all compile it. */
#ifndef LIB_FNV_H
#define LIB_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A32_INIT  0x811c9dc5u       /* offset basis */
#define FNV1A32_PRIME 0x01000193u

/* Continue hash h (FNV1A32_INIT to start) over len bytes of data. */
uint32_t fnv1a32(uint32_t h, const void *data, size_t len);

#endif /* LIB_FNV_H */
