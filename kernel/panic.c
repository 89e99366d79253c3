/*
 * panic.c — the result line and the stop.
 */
#include <stdarg.h>
#include <paravirt/ops.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <arch/cpu.h>

static int ending;      /* a panic while ending must not recurse */
static void (*before_verdict[4])(void);        /* panic_before_verdict() */

void panic_before_verdict(void (*fn)(void))
{
	unsigned int i;

	for (i = 0; i < sizeof(before_verdict) / sizeof(before_verdict[0]); i++) {
		if (before_verdict[i] == fn)
			return;
		if (!before_verdict[i]) {
			before_verdict[i] = fn;
			return;
		}
	}
	printk("panic_before_verdict: no room for another (max %zu): ignored\n",
	       sizeof(before_verdict) / sizeof(before_verdict[0]));
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
	for (unsigned int i = 0; i < sizeof(before_verdict) / sizeof(before_verdict[0]); i++)
		if (before_verdict[i])
			before_verdict[i]();    /* the screen, the trace's kept records */
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
