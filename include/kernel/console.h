/*
 * include/kernel/console.h — where printk's output goes.
 *
 * Every byte is kept in a log buffer (so that a console that comes up late,
 * like Xen's PV ring, can replay what was printed before it) and handed to
 * the current paravirt console backend.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

#define LOGBUF_SIZE (64 * 1024)

void console_write(const char *s, size_t n);

/* Replay the whole log (or its newest LOGBUF_SIZE bytes) through fn. */
void console_replay(void (*fn)(const char *s, size_t n));

#endif /* KERNEL_CONSOLE_H */
