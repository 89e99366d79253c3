/*
 * include/mm/trace.h — the setup trace (docs/trace.md).  mm_init opens it;
 * other subsystems may add records; kmain closes it with trace_end().
 */
#ifndef MM_TRACE_H
#define MM_TRACE_H

__attribute__((format(printf, 1, 2)))
void trace(const char *fmt, ...);

/* Records are kept unformatted from mm_init's start (cheap: a few stores
 * each) until trace_flush() formats, checksums and prints them; mm_init's
 * caller flushes once its timed region is over.  trace_end() and panics
 * flush first; after a flush, records are printed at once. */
void trace_flush(void);

/* The table counts of a record by level: a 5-level trace has an l5= field
 * before l4= (docs/trace.md), a 4-level one has not.  Returns "l5=N " or
 * "" for a "%sl4=%lu l3=..." format; buf must live until the trace() call
 * (records are copied). */
struct trace_l5_buf {
	char s[32];
};
const char *trace_l5(struct trace_l5_buf *buf, unsigned long tables);

/* The end record: record count and checksum. */
void trace_end(void);

#endif /* MM_TRACE_H */
