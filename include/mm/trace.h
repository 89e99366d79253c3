/*
 * include/mm/trace.h — the setup trace (docs/trace.md).  mm_init opens it;
 * other subsystems may add records; kmain closes it with trace_end().
 */
#ifndef MM_TRACE_H
#define MM_TRACE_H

__attribute__((format(printf, 1, 2)))
void trace(const char *fmt, ...);

/* The end record: record count and checksum. */
void trace_end(void);

#endif /* MM_TRACE_H */
