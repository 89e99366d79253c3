/*
 * cmdline.c — parse the command line into struct kernel_options.
 */
#include <kernel/cmdline.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <lib/string.h>
#include <paravirt/xen_pv.h>

struct kernel_options options;

/* Storage for option values (the options keep pointers into it). */
static char values[CMDLINE_VALUES_SIZE];
static size_t values_used;

struct option {
	const char *key;
	void (*set)(struct kernel_options *o, const char *value);
};

static void set_maxpage(struct kernel_options *o, const char *v)
{
	if (!strcmp(v, "4k"))
		o->maxpage = 1;
	else if (!strcmp(v, "2m"))
		o->maxpage = 2;
	else if (!strcmp(v, "1g"))
		o->maxpage = 3;
	else
		panic("pt.maxpage=%s: want 4k, 2m or 1g", v);
}

static void set_levels(struct kernel_options *o, const char *v)
{
	if (!strcmp(v, "4"))
		o->levels = 4;
	else if (!strcmp(v, "5"))
		o->levels = 5;
	else
		panic("pt.levels=%s: want 4 or 5", v);
}

static void set_selftest(struct kernel_options *o, const char *v)
{
	if (!selftest_find(v))
		panic("selftest=%s: unknown self-test (known: %s)", v,
		      selftest_names());
	o->selftest = v;
}

static void set_memmap_test(struct kernel_options *o, const char *v)
{
	o->memmap_test = v;
}

static void set_smp_test(struct kernel_options *o, const char *v)
{
	if (strcmp(v, "no-shootdown") && strcmp(v, "ap-late") && strcmp(v, "ap-dead") &&
	    strcmp(v, "pat-differs") && strcmp(v, "stale-ack"))
		panic("smp.test=%s: want no-shootdown, ap-late, ap-dead, pat-differs or stale-ack", v);
	o->smp_no_shootdown = !strcmp(v, "no-shootdown");
	o->smp_test = v;
}

static void set_user(struct kernel_options *o, const char *v)
{
	if (!strcmp(v, "on"))
		o->user_off = false;
	else if (!strcmp(v, "off"))
		o->user_off = true;
	else
		panic("user=%s: want on or off", v);
}

static void set_end(struct kernel_options *o, const char *v)
{
	if (!strcmp(v, "stop"))
		o->end_wait = false;
	else if (!strcmp(v, "wait"))
		o->end_wait = true;
	else
		panic("end=%s: want stop or wait", v);
	panic_end_wait(o->end_wait);    /* the run's end lives in panic.c */
}

static void set_walk_plant(struct kernel_options *o, const char *v)
{
	if (strcmp(v, "wx") && strcmp(v, "lowtable"))
		panic("walk.plant=%s: want wx or lowtable", v);
	o->walk_plant = v;
}

static void set_xenpv_plant(struct kernel_options *o, const char *v)
{
	(void)o;
	if (strcmp(v, "skip-pin") && strcmp(v, "writable-table"))
		panic("xenpv.plant=%s: want skip-pin or writable-table", v);
	xen_pv_plant(v);                /* the hook lives in paravirt/xen/pin_pv.c */
}

static const struct option opts[] = {
	{ "pt.maxpage", set_maxpage },          /* largest page in the direct map */
	{ "pt.levels", set_levels },            /* paging depth: 4, or 5 where the CPU has
						 * LA57 (head.asm acts on it, before paging) */
	{ "selftest", set_selftest },           /* provoke a fault after setup */
	{ "memmap.test", set_memmap_test },     /* test only: replace the memory map */
	{ "smp.test", set_smp_test },           /* test only: no-shootdown (skip the
						 * TLB shootdown IPI; its test must FAIL),
						 * ap-late, ap-dead, pat-differs (smp.c) */
	{ "user", set_user },                   /* on|off: the ring-3 run after setup */
	{ "end", set_end },                     /* stop|wait: after the result line */
	{ "walk.plant", set_walk_plant },       /* test only: wx|lowtable, a bug for
						 * the outside walker (kernel/plant.c) */
	{ "xenpv.plant", set_xenpv_plant },     /* test only: skip-pin (the Xen PV hook
						 * never pins: Xen's view must show it),
						 * writable-table (one table left writable:
						 * Xen refuses its pin, the PANIC names it) */
};

static const char *keep(const char *s, size_t n)
{
	char *p = values + values_used;

	if (values_used + n + 1 > sizeof(values))
		panic("option values exceed %zu bytes", sizeof(values));
	memcpy(p, s, n);
	p[n] = '\0';
	values_used += n + 1;
	return p;
}

#define NR_OPTS (sizeof(opts) / sizeof(opts[0]))

void cmdline_parse(const char *cmdline, struct kernel_options *o)
{
	const char *given[NR_OPTS] = { NULL };  /* the value each option was given */
	const char *p = cmdline;

	while (*p) {
		const char *word, *eq = NULL, *key, *value;
		size_t i, n;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		word = p;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '=' && !eq)
				eq = p;
			p++;
		}
		n = (size_t)(p - word);
		if (!eq || eq == word)
			panic("malformed option '%.*s' (want key=value)", (int)n, word);
		key = keep(word, (size_t)(eq - word));
		value = keep(eq + 1, (size_t)(p - eq - 1));
		if (!*value)
			panic("option '%s' has an empty value", key);
		for (i = 0; i < NR_OPTS; i++)
			if (!strcmp(opts[i].key, key))
				break;
		if (i == NR_OPTS)
			panic("unknown option '%s' (known: pt.maxpage pt.levels selftest memmap.test smp.test user end walk.plant xenpv.plant)",
			      key);
		if (given[i])
			panic("option '%s' given twice (%s=%s, then %s=%s)",
			      key, key, given[i], key, value);
		given[i] = value;
		opts[i].set(o, value);
		printk("cmdline: %s=%s\n", key, value);
	}
}
