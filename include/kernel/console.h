/*
 * include/kernel/console.h — where printk's output goes.
 *
 * Every byte is kept in a log buffer (so that a console that comes up late,
 * like Xen's PV ring or the screen, can replay what was printed before it)
 * and handed to the current paravirt console backend (serial, Xen's ring)
 * and then to every registered console (the screen).
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#define LOGBUF_SIZE (64 * 1024)

void console_write(const char *s, size_t n);

/* Replay the whole log (or its newest LOGBUF_SIZE bytes) through fn. */
void console_replay(void (*fn)(const char *s, size_t n));

/* A console besides the paravirt one.  write() gets every byte after the
 * paravirt console had it, in order; it must not call printk. */
struct console {
	const char *name;
	void (*write)(const char *s, size_t n);
	uint64_t tsc;                   /* TSC ticks spent in write (guest
					 * instructions under -icount) */
	struct console *next;
};

/* Add c and replay the log through it, so it shows the run from the start. */
void console_register(struct console *c);

#endif /* KERNEL_CONSOLE_H */
