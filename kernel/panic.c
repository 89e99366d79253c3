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

/*
 * end=wait: instead of stopping, the guest stays alive after its result
 * line (interrupts off, this CPU halted; the other CPUs stay in their idle
 * loops on their own roots) until it is destroyed, so that its memory and
 * registers can be inspected from outside (tests/walk/).  Announced before
 * the result line, which stays the last line of the run.
 */
static bool end_wait;

void panic_end_wait(bool wait)
{
	end_wait = wait;
}

static void end_announce(void)
{
	if (end_wait)
		printk("topdown: end=wait: the guest stays alive after the result line until it is destroyed\n");
}

__attribute__((noreturn))
static void end_run(enum stop_code code)
{
	if (end_wait)
		platform_wait();        /* natively cli; hlt (Xen PV: a masked poll) */
	platform_stop(code);
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
	end_announce();
	printk("topdown: result: PANIC: %s: %s\n", func, reason);
	end_run(STOP_PANIC);
}

void finish_pass(void)
{
	ending++;
	end_announce();
	printk("topdown: result: PASS\n");
	end_run(STOP_PASS);
}

void finish_fail(const char *fmt, ...)
{
	char reason[PRINTK_MAX - 64];
	va_list ap;

	ending++;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	end_announce();
	printk("topdown: result: FAIL: %s\n", reason);
	end_run(STOP_FAIL);
}
