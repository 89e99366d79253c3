/* include/lib/fnv.h — FNV-1a 32-bit, the trace checksum (also used by the
 * host trace tools, which compile lib/fnv.c). */
#ifndef LIB_FNV_H
#define LIB_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A32_INIT 0x811c9dc5u

uint32_t fnv1a32(uint32_t h, const void *data, size_t len);

#endif /* LIB_FNV_H */
