/*
 * console.c — the log buffer and the console multiplexer.
 *
 * Output goes first to the paravirt console (serial natively, the PV ring
 * on Xen), which the tests read, then to the registered consoles (the
 * screen); a slow screen can delay serial output by its own time only.
 * The TSC spent in each registered console is counted so that its cost can
 * be reported (with -icount the TSC counts guest instructions).
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <kernel/console.h>
#include <paravirt/ops.h>

static char logbuf[LOGBUF_SIZE];
static uint64_t logbuf_total;   /* bytes ever written */
static struct console *consoles;

static void to_consoles(const char *s, size_t n)
{
	struct console *c;

	for (c = consoles; c; c = c->next) {
		uint64_t t0 = rdtsc();

		c->write(s, n);
		c->tsc += rdtsc() - t0;
	}
}

void console_write(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		logbuf[(logbuf_total + i) % LOGBUF_SIZE] = s[i];
	logbuf_total += n;
	pv_console_write(s, n);
	to_consoles(s, n);
}

void console_replay(void (*fn)(const char *s, size_t n))
{
	uint64_t start = logbuf_total > LOGBUF_SIZE ? logbuf_total - LOGBUF_SIZE : 0;
	uint64_t pos;

	for (pos = start; pos < logbuf_total;) {
		size_t off = pos % LOGBUF_SIZE;
		size_t n = LOGBUF_SIZE - off;

		if (n > logbuf_total - pos)
			n = logbuf_total - pos;
		fn(logbuf + off, n);
		pos += n;
	}
}

void console_register(struct console *c)
{
	uint64_t t0 = rdtsc();

	console_replay(c->write);
	c->tsc += rdtsc() - t0;
	c->next = consoles;
	consoles = c;
}
