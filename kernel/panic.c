/*
 * panic.c — the result line and the stop.
 */
#include <stdarg.h>
#include <paravirt/ops.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/screen.h>
#include <arch/cpu.h>

static int ending;      /* a panic while ending must not recurse */
static void (*flush_first)(void);       /* panic_set_flush() */

void panic_set_flush(void (*flush)(void))
{
	flush_first = flush;
}

void panic_at(const char *func, const char *fmt, ...)
{
	char reason[PRINTK_MAX - 64];
	va_list ap;

	irq_disable();
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (ending++) {
		printk("PANIC: %s: %s (while ending the run)\n", func, reason);
		halt_forever();
	}
	screen_emergency();     /* the screen shows the panic, however early */
	if (flush_first)
		flush_first();  /* e.g. the trace records kept so far, before the verdict */
	printk("PANIC: %s: %s\n", func, reason);
	printk("topdown: result: PANIC: %s: %s\n", func, reason);
	platform_stop(STOP_PANIC);
}

void finish_pass(void)
{
	ending++;
	printk("topdown: result: PASS\n");
	platform_stop(STOP_PASS);
}

void finish_fail(const char *fmt, ...)
{
	char reason[PRINTK_MAX - 64];
	va_list ap;

	ending++;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	printk("topdown: result: FAIL: %s\n", reason);
	platform_stop(STOP_FAIL);
}
