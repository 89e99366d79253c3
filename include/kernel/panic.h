/*
 * include/kernel/panic.h — how a run ends.
 *
 * Exactly one result line ends every run:
 *   topdown: result: PASS
 *   topdown: result: FAIL: <reason>
 *   topdown: result: PANIC: <function>: <reason>
 *
 * panic("reason %x", v) prints "PANIC: <function>: reason ...", then the
 * result line, and stops with the failure code (QEMU debug-exit / Xen
 * SCHEDOP_shutdown(crash)).  Host builds of mm/ provide their own panic_at.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <stdbool.h>

#define panic(...) panic_at(__func__, __VA_ARGS__)

__attribute__((noreturn, format(printf, 2, 3)))
void panic_at(const char *func, const char *fmt, ...);

/*
 * What must happen before a PANIC's lines: bring up a screen that is not up
 * yet (screen_emergency), print output held back (the trace keeps mm_init's
 * records unformatted until trace_flush).  Each registers here; panic_at()
 * calls them once, in the order registered.  Registered as data, so the
 * panic path never depends on its users.  Registering twice is once.
 */
void panic_before_verdict(void (*fn)(void));

/*
 * end=wait (kernel/cmdline.c): after the result line the guest stays alive
 * (interrupts off, halted) instead of stopping, until it is destroyed.
 */
void panic_end_wait(bool wait);

__attribute__((noreturn))
void finish_pass(void);

__attribute__((noreturn, format(printf, 1, 2)))
void finish_fail(const char *fmt, ...);

#endif /* KERNEL_PANIC_H */
