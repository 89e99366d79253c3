/*
 * trace.c — the setup trace (format: docs/trace.md).
 *
 * Every record is one line "trace: <kind> key=value ...".  The checksum in
 * the end record is FNV-1a over the text of every record before it (from
 * "trace: " up to and including the newline), so a truncated or altered
 * trace is detected by tools/tracecmp.
 */
#include <stdarg.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <lib/fnv.h>
#include <paravirt/ops.h>
#include <mm/check.h>
#include <mm/trace.h>
#include "internal.h"

#define TRACE_VERSION 1

static uint32_t trace_sum;
static unsigned long trace_records;

/* ------------------------------------------------------------ emitting */

/* One record's text: count, checksum, print. */
static void emit(const char *text, int len)
{
	char line[PRINTK_MAX];
	int n = snprintf(line, sizeof(line), "trace: ");

	if (len > (int)sizeof(line) - 2 - n)
		len = (int)sizeof(line) - 2 - n;
	memcpy(line + n, text, (size_t)len);
	n += len;
	line[n++] = '\n';
	line[n] = '\0';
	trace_sum = fnv1a32(trace_sum, line, (size_t)n);
	trace_records++;
	printk("%s", line);
}

static void emit_now(const char *fmt, va_list ap)
{
	char text[PRINTK_MAX];
	int n = vsnprintf(text, sizeof(text), fmt, ap);

	emit(text, n < (int)sizeof(text) ? n : (int)sizeof(text) - 1);
}

/* ------------------------------------------------------------- deferring
 *
 * From trace_begin() until trace_flush(), a record is kept as its format
 * and its arguments (strings copied) in trace_buf, a few stores per
 * argument; trace_flush() formats, checksums and prints them in order,
 * the same text as if each had been printed at once.  mm_init's caller
 * flushes after its timed region, so what `bench: mm_setup_tsc` counts is
 * the building of the tables and the recording, not the formatting and
 * the console.  A full buffer is flushed on the spot; trace_end() and a
 * panic flush first.
 *
 * A format's argument kinds are parsed once and cached by the format's
 * address (the call sites' string literals).
 */
#define TRACE_BUF_WORDS 2048            /* 16 KiB */
#define TRACE_ARGS_MAX  32
#define FMT_CACHE       32

enum arg_kind { ARG_INT, ARG_LONG, ARG_STR, ARG_LLONG };

struct fmt_info {
	const char *fmt;
	unsigned int nargs;             /* 0 .. TRACE_ARGS_MAX */
	uint64_t kinds;                 /* 2 bits per argument */
};

static bool trace_deferred;
static uint64_t trace_buf[TRACE_BUF_WORDS];
static unsigned int trace_used;         /* words */
static struct fmt_info fmt_cache[FMT_CACHE];

/* Parse fmt's conversions; false if one is beyond what deferring handles
 * ('*' width or precision, unknown conversion, too many arguments). */
static bool fmt_parse(const char *fmt, struct fmt_info *fi)
{
	const char *p = fmt;

	fi->fmt = fmt;
	fi->nargs = 0;
	fi->kinds = 0;
	while (*p) {
		unsigned int longs = 0;
		enum arg_kind k;

		if (*p++ != '%')
			continue;
		if (*p == '%') {
			p++;
			continue;
		}
		while (*p == '-' || *p == '0' || *p == '+' || *p == ' ' || *p == '#' || *p == '.' ||
		       (*p >= '1' && *p <= '9'))
			p++;
		while (*p == 'l' || *p == 'z') {
			longs++;
			p++;
		}
		switch (*p++) {
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'c':
			k = longs > 1 ? ARG_LLONG : longs ? ARG_LONG : ARG_INT;
			break;
		case 'p':
			k = ARG_LONG;
			break;
		case 's':
			k = ARG_STR;
			break;
		default:
			return false;
		}
		if (fi->nargs == TRACE_ARGS_MAX)
			return false;
		fi->kinds |= (uint64_t)k << (2 * fi->nargs++);
	}
	return true;
}

static const struct fmt_info *fmt_lookup(const char *fmt)
{
	struct fmt_info *fi = &fmt_cache[((uintptr_t)fmt >> 3) % FMT_CACHE];

	if (fi->fmt == fmt)
		return fi;
	if (!fmt_parse(fmt, fi)) {
		fi->fmt = NULL;
		return NULL;
	}
	return fi;
}

/*
 * A kept record: the format, the argument kinds, the argument count, one
 * word per argument (a string: its offset in trace_buf), then the strings,
 * padded to a word.
 */
#define REC_HDR 3

static unsigned int rec_end(const uint64_t *rec)
{
	const char *str = (const char *)(rec + REC_HDR + rec[2]);
	uint64_t kinds = rec[1];
	unsigned int a;

	for (a = 0; a < rec[2]; a++, kinds >>= 2)
		if ((kinds & 3) == ARG_STR)
			str += strlen(str) + 1;
	return (unsigned int)(((uintptr_t)str + 7 - (uintptr_t)trace_buf) / 8);
}

/* Keep a record; false if it does not fit. */
static bool defer(const struct fmt_info *fi, va_list ap)
{
	uint64_t *rec = &trace_buf[trace_used], *w = rec + REC_HDR;
	char *end = (char *)&trace_buf[TRACE_BUF_WORDS];
	char *str = (char *)(w + fi->nargs);    /* strings after the arguments */
	uint64_t kinds = fi->kinds;
	unsigned int i;

	if (str > end)
		return false;
	for (i = 0; i < fi->nargs; i++, kinds >>= 2) {
		if ((kinds & 3) == ARG_INT) {
			w[i] = (unsigned int)va_arg(ap, int);
		} else if ((kinds & 3) == ARG_LONG) {
			w[i] = va_arg(ap, unsigned long);
		} else if ((kinds & 3) == ARG_LLONG) {
			w[i] = va_arg(ap, unsigned long long);
		} else {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			w[i] = (uint64_t)(str - (char *)trace_buf);
			do {
				if (str == end)
					return false;
			} while ((*str++ = *s++));
		}
	}
	rec[0] = (uint64_t)(uintptr_t)fi->fmt;
	rec[1] = fi->kinds;
	rec[2] = fi->nargs;
	trace_used = rec_end(rec);
	return true;
}

/* Format one kept record as vsnprintf would have: the literal text, and
 * each conversion by snprintf with its own specification. */
static void replay(const uint64_t *rec)
{
	const char *p = (const char *)(uintptr_t)rec[0];
	const uint64_t *arg = rec + REC_HDR;
	uint64_t kinds = rec[1];
	char text[PRINTK_MAX], spec[32];
	int n = 0, room = (int)sizeof(text);

	while (*p && n < room - 1) {
		const char *q;
		int len, m;

		if (*p != '%' || p[1] == '%') {
			text[n++] = *p;
			p += *p == '%' ? 2 : 1;
			continue;
		}
		for (q = p + 1; !(*q >= 'a' && *q <= 'z' && *q != 'l' && *q != 'z') &&
				!(*q >= 'A' && *q <= 'Z'); q++)
			;
		len = (int)(q - p) + 1;
		if (len >= (int)sizeof(spec))
			len = (int)sizeof(spec) - 1;
		memcpy(spec, p, (size_t)len);
		spec[len] = '\0';
		p = q + 1;
		if ((kinds & 3) == ARG_STR)
			m = snprintf(text + n, (size_t)(room - n), spec,
				     (const char *)trace_buf + *arg);
		else if ((kinds & 3) == ARG_LONG)
			m = snprintf(text + n, (size_t)(room - n), spec, (unsigned long)*arg);
		else if ((kinds & 3) == ARG_LLONG)
			m = snprintf(text + n, (size_t)(room - n), spec, (unsigned long long)*arg);
		else
			m = snprintf(text + n, (size_t)(room - n), spec, (unsigned int)*arg);
		kinds >>= 2;
		arg++;
		n += m < room - n ? m : room - n - 1;
	}
	emit(text, n);
}

void trace_flush(void)
{
	unsigned int i;

	for (i = 0; i < trace_used; i = rec_end(&trace_buf[i]))
		replay(&trace_buf[i]);
	trace_used = 0;
	trace_deferred = false;
}

void trace(const char *fmt, ...)
{
	const struct fmt_info *fi;
	va_list ap;

	va_start(ap, fmt);
	if (trace_deferred && (fi = fmt_lookup(fmt))) {
		if (!defer(fi, ap)) {
			/* full: print what is kept, keep this one in the empty buffer */
			va_end(ap);
			va_start(ap, fmt);
			trace_flush();
			trace_deferred = true;
			if (defer(fi, ap)) {
				va_end(ap);
				return;
			}
			va_end(ap);
			va_start(ap, fmt);
		} else {
			va_end(ap);
			return;
		}
	}
	if (trace_used) {               /* keep the order */
		trace_flush();
		trace_deferred = true;
	}
	emit_now(fmt, ap);
	va_end(ap);
}

void trace_begin(uint64_t chunk, unsigned int growth_shift, uint64_t batch_min,
		 unsigned long hook_reserve, uint64_t start)
{
	trace_sum = FNV1A32_INIT;
	trace_records = 0;
	trace_used = 0;
	trace_deferred = true;
	panic_before_verdict(trace_flush);      /* a panic prints the kept records first */
	trace("begin v=%d maxpage=%s nx=%d brk_pages=%lu phys_limit=0x%lx tables_ro=%d chunk=0x%lx growth_shift=%u batch_min=0x%lx hook_reserve=%lu start=0x%lx levels=%u",
	      TRACE_VERSION, page_size_name(mm.cfg.max_level), mm.cfg.nx,
	      mm.image->brk_pages, (unsigned long)mm.cfg.phys_limit, mm.cfg.tables_readonly,
	      (unsigned long)chunk, growth_shift, (unsigned long)batch_min, hook_reserve,
	      (unsigned long)start, pt_levels);
}

const char *trace_l5(struct trace_l5_buf *buf, unsigned long tables)
{
	if (pt_levels < 5)
		return "";
	snprintf(buf->s, sizeof(buf->s), "l5=%lu ", tables);
	return buf->s;
}

void trace_end(void)
{
	uint32_t sum;
	unsigned long n;

	trace_flush();
	sum = trace_sum;
	n = trace_records;
	printk("trace: end records=%lu fnv1a=0x%08x\n", n, sum);
}

void trace_batch(const struct pt_batch *b)
{
	struct trace_l5_buf l5;

	trace("batch id=%u step=%s src=%s pa=[mem 0x%010lx-0x%010lx] va=[0x%016lx-0x%016lx] ram=%lu leaves_4k=%lu leaves_2m=%lu leaves_1g=%lu image_leaves=%lu tables=%lu %sl4=%lu l3=%lu l2=%lu l1=%lu links=%u budget=%lu stop=%s",
	      b->id, b->source == PT_SRC_BRK ? "1-2" : "5", b->source == PT_SRC_BRK ? "brk" : "ram",
	      (unsigned long)b->pa_lo, (unsigned long)(b->pa_hi - 1),
	      (unsigned long)(DIRECT_MAP_BASE + b->pa_lo), (unsigned long)(DIRECT_MAP_BASE + b->pa_hi - 1),
	      (unsigned long)b->ram_bytes, b->leaves_at[1], b->leaves_at[2], b->leaves_at[3],
	      b->image_leaves, b->nr_tables, trace_l5(&l5, b->tables_at[5]), b->tables_at[4],
	      b->tables_at[3], b->tables_at[2], b->tables_at[1], b->nr_links, b->budget, b->stop);
}

void trace_hook(const struct pt_batch *b)
{
	unsigned int i;

	trace("hook id=%u step=%u backend=%s action=%s result=%s ro_entries=%lu splits=%lu split_tables=%lu",
	      b->id, b->source == PT_SRC_BRK ? 3 : 6, pv_name(), b->hook_action,
	      b->hook_result, b->hook_ro_entries, b->hook_splits, b->hook_split_tables);
	for (i = 0; i < b->nr_extents; i++)
		trace("tables id=%u src=%s [mem 0x%010lx-0x%010lx] pages=%lu",
		      b->id, b->source == PT_SRC_BRK ? "brk" : "ram",
		      (unsigned long)b->extents[i].start, (unsigned long)(b->extents[i].end - 1),
		      (unsigned long)((b->extents[i].end - b->extents[i].start) / PAGE_SIZE));
}

void trace_extents(const struct pt_batch *b, char *buf, size_t size)
{
	unsigned int i;
	int n = 0;

	buf[0] = '\0';
	for (i = 0; i < b->nr_extents && n < (int)size - 40; i++)
		n += snprintf(buf + n, size - n, "%s0x%010lx-0x%010lx", i ? "," : "",
			      (unsigned long)b->extents[i].start,
			      (unsigned long)(b->extents[i].end - 1));
}

void trace_selfcheck(const struct mm_check_result *r, bool tables_ro)
{
	trace("selfcheck violations=%lu tables=%lu direct_bytes=%llu direct_leaves=%lu image_leaves=%lu fixmap_leaves=%lu ro_tables_checked=%lu tables_ro=%s",
	      r->violations, r->tables, r->direct_bytes, r->leaves_direct, r->leaves_image,
	      r->leaves_fixmap, r->ro_tables_checked, tables_ro ? "checked" : "n/a");
}
