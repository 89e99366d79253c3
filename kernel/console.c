/*
 * console.c — the log buffer and the console multiplexer.
 */
#include <stdint.h>
#include <kernel/console.h>
#include <paravirt/ops.h>

static char logbuf[LOGBUF_SIZE];
static uint64_t logbuf_total;   /* bytes ever written */

void console_write(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		logbuf[(logbuf_total + i) % LOGBUF_SIZE] = s[i];
	logbuf_total += n;
	pv_console_write(s, n);
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
