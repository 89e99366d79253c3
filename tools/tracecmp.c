/*
 * tracecmp — compare the setup traces of two topdown runs (docs/trace.md).
 *
 *   tracecmp [--svg OUT.svg] [-q] [--xen-split N] A.log [B.log [C.log]]
 *   tracecmp --reseal IN.log OUT.log      (test fixtures: fix the end record)
 *
 * With three logs (native, Xen PVH, Xen PV: make demo) every pair is
 * compared as below and the SVG shows the three side by side.
 *
 * Reads two console logs (typically native QEMU and Xen PVH), checks that
 * each holds one complete trace (end record, record count, checksum,
 * version), checks each against mm_init replayed on its own input
 * (trace-replay.c), and prints both side by side: boot protocol,
 * hypervisor and backend, memory map, every batch (window, leaves, tables
 * and where they came from, the hook), totals.  Every difference is
 * classified:
 *
 *   EXPECTED    the environments differ: hypervisor, backend and what its
 *               hook did, console, loader, memory map — and what follows
 *               from a different input, when both runs did what mm_init
 *               does with their own input (the replay);
 *   UNEXPECTED  the builder decided differently for the same input, a run
 *               differs from its replay, the replay breaks a rule (the
 *               unit tests' oracle), a self-check found violations, or a
 *               run did not PASS.
 *
 * Exit: 0 no unexpected difference, 1 unexpected differences, 2 input
 * errors (unreadable, no trace, truncated, bad checksum, wrong version).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"

#define COLW 48

struct ctx {
	struct run *a, *b;              /* b is NULL with one log */
	struct plan *pa, *pb;
	struct findings self;           /* each run against its replay */
	struct findings diff;           /* A against B */
	bool quiet;
	/* what differs in the builder's input */
	bool same_usable, same_res, same_maxpage, same_ro, same_image, same_policy, same_levels,
	     same_input;
	char input_diff[200];
};

/* Rotating buffers for formatted values. */
__attribute__((format(printf, 1, 2)))
static const char *sf(const char *fmt, ...)
{
	static char pool[64][512];
	static int next;
	char *b = pool[next++ % 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(pool[0]), fmt, ap);
	va_end(ap);
	return b;
}

static const char *mem(uint64_t lo, uint64_t end)
{
	char m[64];

	return sf("%s", fmt_mem(m, sizeof(m), lo, end));
}

static const char *size(uint64_t b)
{
	char m[32];

	return sf("%s", fmt_size(m, sizeof(m), b));
}

static void row(const struct ctx *c, char mark, const char *label, const char *a, const char *b)
{
	if (c->quiet)
		return;
	if (!c->b)
		printf("  %-16s %s\n", label, a);
	else
		printf("%c %-16s %-*s %s\n", mark, label, COLW, a, b);
}

static void heading(const struct ctx *c, const char *t)
{
	if (!c->quiet)
		printf("%s\n", t);
}

/* ------------------------------------------------------ classification */

/* Does run r deviate from the plan in batch k (k < 0: in any batch)? */
static bool batch_deviates(const struct ctx *c, const struct run *r, int k)
{
	const struct plan *p = r == c->a ? c->pa : c->pb;

	if (!p->ok)
		return true;
	if (k >= 0)
		return k < T_BATCH_MAX && p->deviates[k];
	for (int i = 0; i < T_BATCH_MAX; i++)
		if (p->deviates[i])
			return true;
	return false;
}

/* An environment fact: any difference is expected. */
static char env(struct ctx *c, const char *what, const char *a, const char *b, const char *why)
{
	if (!c->b || !strcmp(a, b))
		return ' ';
	finding_add(&c->diff, F_EXPECTED, what, "A %s | B %s -- %s", a, b, why);
	return '~';
}

/* A decision of the builder (or a count that follows from one) in batch k
 * (k < 0: a total): equal for the same input; otherwise expected only if
 * both runs follow the plan. */
static char decision(struct ctx *c, int k, const char *what, const char *a, const char *b)
{
	bool dev;

	if (!c->b || !strcmp(a, b))
		return ' ';
	if (c->same_input) {
		finding_add(&c->diff, F_UNEXPECTED, what,
			    "A %s | B %s -- same input (usable RAM, reservations, maxpage, paging depth, image, tables_ro, policy), different decision",
			    a, b);
		return '!';
	}
	dev = batch_deviates(c, c->a, k) || batch_deviates(c, c->b, k);
	if (dev) {
		finding_add(&c->diff, F_UNEXPECTED, what,
			    "A %s | B %s -- %s differs from its replay here (see the self-check)", a, b,
			    batch_deviates(c, c->a, k) ? c->a->label : c->b->label);
		return '!';
	}
	finding_add(&c->diff, F_EXPECTED, what,
		    "A %s | B %s -- follows from the different %s; both runs follow the plan",
		    a, b, c->input_diff);
	return '~';
}

static bool same_ranges(const struct t_range *x, int nx, const struct t_range *y, int ny)
{
	return nx == ny && !memcmp(x, y, nx * sizeof(*x));
}

static void classify_inputs(struct ctx *c)
{
	const struct run *a = c->a, *b = c->b;
	size_t n = 0;

	c->same_usable = same_ranges(a->usable, a->nusable, b->usable, b->nusable);
	c->same_maxpage = a->maxlevel == b->maxlevel;
	c->same_levels = a->levels == b->levels;
	c->same_ro = a->tables_ro == b->tables_ro;
	c->same_res = a->nres == b->nres;
	for (int i = 0; c->same_res && i < a->nres; i++)
		c->same_res = a->res[i].lo == b->res[i].lo && a->res[i].end == b->res[i].end;
	c->same_image = a->ns1 == b->ns1 && a->brk_pages == b->brk_pages && a->brk_pa == b->brk_pa;
	for (int i = 0; c->same_image && i < a->ns1; i++)
		c->same_image = a->s1[i].va == b->s1[i].va && a->s1[i].va_end == b->s1[i].va_end &&
				a->s1[i].pa == b->s1[i].pa;
	/* hook_reserve counts only with tables_ro (a trace states 0 without);
	 * a different tables_ro is a difference of its own */
	c->same_policy = a->growth_shift == b->growth_shift && a->batch_min == b->batch_min &&
			 (a->hook_reserve == b->hook_reserve || !a->tables_ro || !b->tables_ro);
	c->same_input = c->same_usable && c->same_maxpage && c->same_ro && c->same_res &&
			c->same_image && c->same_policy && c->same_levels;
	c->input_diff[0] = '\0';
#define ADD(cond, s) if (!(cond)) n += snprintf(c->input_diff + n, sizeof(c->input_diff) - n, "%s%s", n ? ", " : "", s)
	ADD(c->same_usable, "usable RAM");
	ADD(c->same_res, "reservations");
	ADD(c->same_maxpage, "maxpage");
	ADD(c->same_levels, "paging depth");
	ADD(c->same_ro, "tables_ro");
	ADD(c->same_image, "kernel image");
	ADD(c->same_policy, "policy (growth_shift, batch_min, hook_reserve)");
#undef ADD
}

/* --------------------------------------------------------------- report */

static const char *trace_state(const struct run *r)
{
	if (r->error)
		return sf("%s", run_error_name(r->error));
	return sf("v%d, %lu records, fnv1a=0x%08x: complete", r->version, r->records, r->fnv);
}

static const char *protocol(const struct run *r)
{
	if (!r->protocol[0])
		return "?";
	return sf("%s (%s%s%s)", r->protocol, r->loader, r->start_info[0] ? ", start_info v" : "",
		  r->start_info);
}

static const char *hypervisor(const struct run *r)
{
	if (!r->hypervisor[0])
		return "?";
	return sf("%s%s%s", r->hypervisor, r->xen_version[0] ? " " : "", r->xen_version);
}

static const char *cpu_facts(const struct run *r)
{
	const char *p = strstr(r->cpu, "maxphyaddr=");

	return p ? sf("%s", p) : sf("%s", r->cpu[0] ? r->cpu : "?");
}

static const char *usable_summary(const struct run *r)
{
	return sf("%s in %d range%s, top 0x%llx", size(r->usable_bytes), r->nusable,
		  r->nusable == 1 ? "" : "s", (unsigned long long)r->ram_top);
}

/* Where step 2 starts (begin's start=; older traces: the top of RAM). */
static const char *start_summary(const struct run *r)
{
	if (r->start >= r->ram_top)
		return sf("0x%llx, the top of RAM", (unsigned long long)r->start);
	return sf("0x%llx, below the top 0x%llx: %s above it mapped last",
		  (unsigned long long)r->start, (unsigned long long)r->ram_top,
		  size(usable_in(r, r->start, r->ram_top)));
}

static const char *usable_list(const struct run *r)
{
	char buf[256] = "";
	size_t n = 0;

	for (int i = 0; i < r->nusable && n < sizeof(buf) - 40; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "",
			      mem(r->usable[i].lo, r->usable[i].end));
	return sf("%s", buf);
}

static const char *reserve_list(const struct run *r)
{
	char buf[480] = "";
	size_t n = 0;

	for (int i = 0; i < r->nres && n < sizeof(buf) - 48; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s 0x%llx-0x%llx", i ? ", " : "",
			      r->res[i].why, (unsigned long long)r->res[i].lo,
			      (unsigned long long)(r->res[i].end - 1));
	return sf("%s", buf);
}

/* The Xen PV backend's own account (its `xenpv summary` record), or "-". */
static const char *xenpv_account(const struct run *r)
{
	for (int i = 0; i < r->nrecs; i++) {
		const char *t = r->recs[i].text;

		if (strcmp(r->recs[i].kind, "xenpv") || !t || !strstr(t, " summary "))
			continue;
		t = strstr(t, " summary ") + 9;
		return sf("%.*s", (int)strcspn(t, "\n"), t);
	}
	return "-";
}

static bool is_xenpv(const struct run *r)
{
	return !strcmp(r->backend, "xen-pv");
}

static long acct(const char *s, const char *key)
{
	char k[32];
	const char *p;

	snprintf(k, sizeof(k), "%s=", key);
	for (p = s; (p = strstr(p, k)); p++)
		if (p == s || p[-1] == ' ')
			return strtol(p + strlen(k), NULL, 0);
	return -1;
}

/* A Xen PV run must say that every table was pinned and flipped once and
 * its self-check found nothing: else UNEXPECTED. */
static void xenpv_judge(struct findings *self, const struct run *r)
{
	const char *s = xenpv_account(r);
	long t = acct(s, "tables"), p = acct(s, "pins"), f = acct(s, "flips"), v = acct(s, "violations");

	if (!is_xenpv(r))
		return;
	if (t < 0 || p < 0 || f < 0 || v < 0)
		finding_add(self, F_UNEXPECTED, r->label, "Xen PV run without a complete 'xenpv summary' record");
	else if (p != t || f != t || v || (unsigned long)t != r->sum_tables)
		finding_add(self, F_UNEXPECTED, r->label,
			    "Xen PV: %ld table pages (summary %lu), %ld pins, %ld flips, %ld violations: want one pin and one flip per table page",
			    t, r->sum_tables, p, f, v);
}

/* What the hardware tables hold: the trace speaks (pseudo-)physical
 * addresses in both cases; only a PV guest's entries hold machine frames. */
static const char *frames(const struct run *r)
{
	return is_xenpv(r) ? "entries hold machine frames (p2m); trace: pseudo-physical"
			   : "entries hold the physical frames the trace names";
}

static const char *depth(const struct run *r)
{
	return r->levels == 5 ? "5 (root: L5, CR4.LA57)" : "4 (root: L4)";
}

/*
 * Totals of two runs whose only input difference is the paging depth: the
 * tables below the root are the minimum for the same VAs at either depth, so
 * the counts of L4..L1 tables must be equal and the 5-level run has one L5
 * more.  Returns the marker.
 */
static char depth_totals(struct ctx *c, const char *what, const char *ta, const char *tb)
{
	const struct run *a = c->a, *b = c->b, *deep = a->levels == 5 ? a : b;
	bool ok = a->sum_ram == b->sum_ram && deep->sum_tl[5] == 1 &&
		  a->sum_tables - a->sum_tl[5] == b->sum_tables - b->sum_tl[5];

	for (int l = 1; l <= 4; l++)
		ok = ok && a->sum_tl[l] == b->sum_tl[l];
	if (!ok) {
		finding_add(&c->diff, F_UNEXPECTED, what,
			    "A %s | B %s -- only the paging depth differs: the L4..L1 tables should be the same and the 5-level run one L5 more",
			    ta, tb);
		return '!';
	}
	if (!strcmp(ta, tb))
		return ' ';
	finding_add(&c->diff, F_EXPECTED, what,
		    "A %s | B %s -- the same RAM and the same L4..L1 tables (the minimum does not depend on the depth); the 5-level run adds its L5 root",
		    ta, tb);
	return '~';
}

static const char *bstr(const struct run *r, int k, const char *what)
{
	const struct t_batch *b = &r->b[k];

	if (k >= r->nb || !b->seen)
		return "-";
	if (!strcmp(what, "step"))
		return sf("step %s from %s", b->step, b->src);
	if (!strcmp(what, "window"))
		return sf("%s %s", mem(b->pa_lo, b->pa_end), size(b->ram));
	if (!strcmp(what, "leaves"))
		return sf("4k=%lu 2m=%lu 1g=%lu", b->leaves[1], b->leaves[2], b->leaves[3]);
	if (!strcmp(what, "tables"))
		return sf("%lu (%sl4=%lu l3=%lu l2=%lu l1=%lu)", b->tables,
			  r->levels == 5 ? sf("l5=%lu ", b->tl[5]) : "", b->tl[4], b->tl[3],
			  b->tl[2], b->tl[1]);
	if (!strcmp(what, "links"))
		return sf("%lu", b->links);
	if (!strcmp(what, "hook"))
		return b->hook_seen ? sf("%s %s -> %s", b->backend, b->action, b->result) : "-";
	if (!strcmp(what, "hookcounts"))
		return b->hook_seen ? sf("ro_entries=%lu splits=%lu split_tables=%lu", b->ro_entries,
					 b->splits, b->split_tables) : "-";
	return "?";
}

static const char *extent(const struct run *r, int k, int i)
{
	const struct t_batch *b = &r->b[k];

	if (k >= r->nb || i >= b->next)
		return "";
	return sf("%s %s %lu", b->ext[i].src, mem(b->ext[i].lo, b->ext[i].end), b->ext[i].pages);
}

/* The replay's batch k against the run's. */
static const char *replay_verdict(const struct ctx *c, const struct run *r, const struct plan *p,
				  int k)
{
	const struct t_batch *pb = &p->run.b[k];

	if (!p->ok || k >= r->nb)
		return "-";
	if (k >= p->run.nb || !pb->seen)
		return "DIFFERS: the replay has no such batch";
	if (batch_deviates(c, r, k))
		return sf("DIFFERS: replay %s stop=%s", mem(pb->pa_lo, pb->pa_end), pb->stop);
	return sf("agrees (window ends: %s)", pb->stop[0] ? pb->stop : "?");
}

/* The fewest table pages for the run's input (the unit tests' oracle). */
static const char *minimum(const struct plan *p)
{
	return p->ok ? sf("%lu tables (the oracle's minimum for this input)", p->min_tables) : "-";
}

/* A batch that maps RAM above step 2's start (mapped last). */
static bool above_start(const struct run *r, int k)
{
	return k > 0 && k < r->nb && r->start < r->ram_top && r->b[k].pa_lo >= r->start;
}

static void report_batch(struct ctx *c, int k)
{
	struct run *a = c->a, *b = c->b;
	static const char *const rows[][2] = {
		{ "window", "window" }, { "leaves", "leaves" }, { "tables", "tables" },
		{ "links", "links" },
	};
	char where[48];
	int next;

	heading(c, sf("batch %d", k));
	{
		const char *sa = bstr(a, k, "step"), *sb = b ? bstr(b, k, "step") : "";

		if (above_start(a, k))
			sa = sf("%s, above start", sa);
		if (b && above_start(b, k))
			sb = sf("%s, above start", sb);
		row(c, ' ', "  step", sa, sb);
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *va = bstr(a, k, rows[i][1]), *vb = b ? bstr(b, k, rows[i][1]) : "";

		snprintf(where, sizeof(where), "batch %d %s", k, rows[i][0]);
		row(c, decision(c, k, where, va, vb), sf("  %s", rows[i][0]), va, vb);
	}
	next = k < a->nb ? a->b[k].next : 0;
	if (b && k < b->nb && b->b[k].next > next)
		next = b->b[k].next;
	{
		char ea[400] = "", eb[400] = "";

		for (int i = 0; i < next; i++) {
			const char *sep = i ? ", " : "";

			snprintf(ea + strlen(ea), sizeof(ea) - strlen(ea), "%s%s",
				 *extent(a, k, i) ? sep : "", extent(a, k, i));
			if (b)
				snprintf(eb + strlen(eb), sizeof(eb) - strlen(eb), "%s%s",
					 *extent(b, k, i) ? sep : "", extent(b, k, i));
		}
		snprintf(where, sizeof(where), "batch %d table pages", k);
		for (int i = 0; i < next; i++) {
			char m = ' ';

			if (i == 0)
				m = decision(c, k, where, ea, b ? eb : "");
			row(c, m, i ? "" : "  table pages", extent(a, k, i), b ? extent(b, k, i) : "");
		}
	}
	{
		const char *ha = bstr(a, k, "hook"), *hb = b ? bstr(b, k, "hook") : "";
		const char *ca = bstr(a, k, "hookcounts"), *cb = b ? bstr(b, k, "hookcounts") : "";
		bool backends_differ = b && k < a->nb && k < b->nb &&
				       strcmp(a->b[k].backend, b->b[k].backend);
		char m;

		bool failed = (k < a->nb && a->b[k].hook_seen && strcmp(a->b[k].result, "ok")) ||
			      (b && k < b->nb && b->b[k].hook_seen && strcmp(b->b[k].result, "ok"));
		bool missing = b && (k >= a->nb || k >= b->nb);

		snprintf(where, sizeof(where), "batch %d hook", k);
		if (b && failed) {
			finding_add(&c->diff, F_UNEXPECTED, where, "A %s | B %s -- a hook failed", ha, hb);
			m = '!';
		} else if (missing) {
			m = decision(c, k, where, ha, hb);
		} else {
			m = env(c, where, ha, hb, "different paravirt backend");
		}
		row(c, m, "  hook", ha, hb);
		snprintf(where, sizeof(where), "batch %d hook counts", k);
		if (backends_differ)
			m = env(c, where, ca, cb, "what the backend's hook does (native: nothing; Xen PVH: tables read-only, splits; Xen PV: read-only everywhere, then pinned: Xen validates each table)");
		else
			m = decision(c, k, where, ca, cb);
		row(c, m, "", ca, cb);
	}
	row(c, ' ', "  replay", replay_verdict(c, a, c->pa, k), b ? replay_verdict(c, b, c->pb, k) : "");
}

static void report(struct ctx *c)
{
	struct run *a = c->a, *b = c->b;
	const char *e = "";
	int nmem, nres, nb, ngiven;
	char where[48];

#define B(expr) (b ? (expr) : e)
	if (b)
		classify_inputs(c);
	if (!c->quiet) {
		printf("tracecmp: A = %s%s\n", a->path,
		       a->runs_in_file > 1 ? sf(" (run %d of %d)", a->run_used, a->runs_in_file) : "");
		if (b)
			printf("          B = %s%s\n", b->path,
			       b->runs_in_file > 1 ? sf(" (run %d of %d)", b->run_used, b->runs_in_file) : "");
		if (b)
			printf("%c %-16s %-*s %s\n", ' ', "", COLW, "A", "B");
	}
	row(c, ' ', "trace", trace_state(a), B(trace_state(b)));
	if (a->joined_lines || (b && b->joined_lines))
		row(c, ' ', "joined lines", sf("%d", a->joined_lines), B(sf("%d", b->joined_lines)));
	heading(c, "environment");
	row(c, env(c, "boot protocol", protocol(a), B(protocol(b)), "different loader / boot protocol"),
	    "  protocol", protocol(a), B(protocol(b)));
	row(c, env(c, "cmdline", sf("\"%s\"", a->cmdline), B(sf("\"%s\"", b->cmdline)), "different command line"), "  cmdline",
	    sf("\"%s\"", a->cmdline), B(sf("\"%s\"", b->cmdline)));
	row(c, env(c, "hypervisor", hypervisor(a), B(hypervisor(b)), "hypervisor fact"),
	    "  hypervisor", hypervisor(a), B(hypervisor(b)));
	row(c, env(c, "backend", a->backend, B(b->backend), "paravirt backend follows the hypervisor"),
	    "  backend", a->backend, B(b->backend));
	row(c, env(c, "cpu", cpu_facts(a), B(cpu_facts(b)), "CPU facts of the machine"), "  cpu",
	    cpu_facts(a), B(cpu_facts(b)));
	{
		const char *pa = a->have_pin ? sf("%s gfn=0x%llx rc=%ld", a->pin_op,
						  (unsigned long long)a->pin_gfn, a->pin_rc) : "-";
		const char *pb = b && b->have_pin ? sf("%s gfn=0x%llx rc=%ld", b->pin_op,
						       (unsigned long long)b->pin_gfn, b->pin_rc) : "-";

		if (a->have_pin || (b && b->have_pin))
			row(c, env(c, "xen pin_attempt", pa, B(pb),
				   "Xen's answer to pinning a PVH guest's own root (refused: the guest protects its tables itself)"),
			    "  pin attempt", pa, B(pb));
	}
	if (is_xenpv(a) || (b && is_xenpv(b))) {
		row(c, env(c, "frames", frames(a), B(frames(b)),
			   "frames vs machine frames: mm builds with pseudo-physical addresses everywhere; make_pte turns them into machine frames on PV"),
		    "  frames", frames(a), B(frames(b)));
		row(c, env(c, "xen-pv validation", xenpv_account(a), B(xenpv_account(b)),
			   "flips and pins: only a PV guest's tables are validated by Xen (each table page pinned and flipped once)"),
		    "  xen-pv", xenpv_account(a), B(xenpv_account(b)));
	}
	heading(c, "builder input");
	row(c, env(c, "memmap source", a->memmap_source, B(b->memmap_source), "where the map came from"),
	    "  map source", a->memmap_source, B(b->memmap_source));
	ngiven = a->ngiven > (b ? b->ngiven : 0) ? a->ngiven : b->ngiven;
	(void)ngiven;
	nmem = a->nmem > (b ? b->nmem : 0) ? a->nmem : (b ? b->nmem : 0);
	for (int i = 0; i < nmem; i++) {
		const char *ma = i < a->nmem ? sf("%s %s", mem(a->mem[i].lo, a->mem[i].end), a->mem[i].type) : "";
		const char *mb = b && i < b->nmem ? sf("%s %s", mem(b->mem[i].lo, b->mem[i].end), b->mem[i].type) : "";

		row(c, b && strcmp(ma, mb) ? '~' : ' ', i ? "" : "  memory map", ma, mb);
	}
	row(c, env(c, "usable RAM", usable_list(a), B(usable_list(b)),
		   "the environments give different memory maps"),
	    "  usable", usable_summary(a), B(usable_summary(b)));
	row(c, decision(c, 0, "start (step 2)", start_summary(a), B(start_summary(b))),
	    "  start", start_summary(a), B(start_summary(b)));
	nres = a->nres > (b ? b->nres : 0) ? a->nres : (b ? b->nres : 0);
	for (int i = 0; i < nres; i++) {
		const char *xa = i < a->nres ? sf("%s %s", mem(a->res[i].lo, a->res[i].end), a->res[i].why) : "";
		const char *xb = b && i < b->nres ? sf("%s %s", mem(b->res[i].lo, b->res[i].end), b->res[i].why) : "";

		row(c, b && strcmp(xa, xb) ? '~' : ' ', i ? "" : "  reserved", xa, xb);
	}
	if (b)
		env(c, "reservations", reserve_list(a), reserve_list(b),
		    is_xenpv(a) || is_xenpv(b) ?
		    "the loader put its boot data elsewhere; on Xen PV the domain builder's bootstrap region (p2m, start_info, xenstore, console, bootstrap tables, stack, padding to 4 MiB)" :
		    "the loader put its boot data elsewhere");
	{
		const char *ia = sf("maxpage=%s nx=%d brk=%lu@0x%llx tables_ro=%d", a->maxpage, a->nx,
				    a->brk_pages, (unsigned long long)a->brk_pa, a->tables_ro);
		const char *ib = B(sf("maxpage=%s nx=%d brk=%lu@0x%llx tables_ro=%d", b->maxpage, b->nx,
				      b->brk_pages, (unsigned long long)b->brk_pa, b->tables_ro));

		row(c, env(c, "config", ia, ib,
			   b && (is_xenpv(a) || is_xenpv(b)) && strcmp(a->maxpage, b->maxpage) ?
			   "Xen PV has no superpages (maxpage falls back to 4k) and keeps tables read-only" :
			   b && !c->same_ro ? "the Xen backend keeps tables read-only: brk mapped with 4k read-only pages, 8 pages kept for the hook's splits" :
			   "different options or CPU"), "  config", ia, ib);
	}
	row(c, env(c, "paging depth", depth(a), B(depth(b)),
		   "pt.levels= (or a CPU without LA57): the 5-level root is an L5 whose slot 511 holds the L4 of the kernel half, so every VA, range and leaf is the same and the root path has one more table; that table comes from brk in batch 0, so step 2 has a page less to spend and its window, and the batches after it, may end elsewhere; each run is judged against its own replay, and the totals by level must differ by the L5 alone"),
	    "  levels", depth(a), B(depth(b)));
	for (int i = 0; i < a->ns1 || (b && i < b->ns1); i++) {
		const char *sa = i < a->ns1 ? sf("%-6s %s +%lu", a->s1[i].what,
						  a->s1[i].has_pa ? mem(a->s1[i].pa, a->s1[i].pa_end) :
						  sf("va 0x%llx", (unsigned long long)a->s1[i].va),
						  a->s1[i].tables_new) : "";
		const char *sb = b && i < b->ns1 ? sf("%-6s %s +%lu", b->s1[i].what,
						       b->s1[i].has_pa ? mem(b->s1[i].pa, b->s1[i].pa_end) :
						       sf("va 0x%llx", (unsigned long long)b->s1[i].va),
						       b->s1[i].tables_new) : "";

		snprintf(where, sizeof(where), "step1 %s", i < a->ns1 ? a->s1[i].what : "");
		row(c, decision(c, 0, where, sa, B(sb)), i ? "" : "  image (step 1)", sa, sb);
	}

	nb = a->nb > (b ? b->nb : 0) ? a->nb : (b ? b->nb : 0);
	for (int k = 0; k < nb; k++) {
		report_batch(c, k);
		if (k == 0) {
			const char *ca = a->have_cr3 ? sf("root=0x%llx", (unsigned long long)a->cr3_root) : "-";
			const char *cb = B(b->have_cr3 ? sf("root=0x%llx", (unsigned long long)b->cr3_root) : "-");

			row(c, decision(c, 0, "cr3 (step 4)", ca, cb), "cr3 (step 4)", ca, cb);
		}
	}
	if (b && a->nb != b->nb)
		decision(c, -1, "batches", sf("%d batches", a->nb), sf("%d batches", b->nb));

	heading(c, "totals");
	{
		const char *ta = sf("%s, %lu tables (%sl4=%lu l3=%lu l2=%lu l1=%lu)", size(a->sum_ram),
				    a->sum_tables, a->levels == 5 ? sf("l5=%lu ", a->sum_tl[5]) : "",
				    a->sum_tl[4], a->sum_tl[3], a->sum_tl[2], a->sum_tl[1]);
		const char *tb = B(sf("%s, %lu tables (%sl4=%lu l3=%lu l2=%lu l1=%lu)", size(b->sum_ram),
				      b->sum_tables, b->levels == 5 ? sf("l5=%lu ", b->sum_tl[5]) : "",
				      b->sum_tl[4], b->sum_tl[3], b->sum_tl[2], b->sum_tl[1]));
		const char *ua = sf("brk %lu/%lu, %lu batches, %lu hook calls, %lu links", a->sum_brk_used,
				    a->sum_brk_reserved, a->sum_batches, a->sum_hook_calls, a->sum_links);
		const char *ub = B(sf("brk %lu/%lu, %lu batches, %lu hook calls, %lu links", b->sum_brk_used,
				      b->sum_brk_reserved, b->sum_batches, b->sum_hook_calls, b->sum_links));
		const char *la = sf("leaves 4k=%lu 2m=%lu 1g=%lu", a->sum_leaves[1], a->sum_leaves[2],
				    a->sum_leaves[3]);
		const char *lb = B(sf("leaves 4k=%lu 2m=%lu 1g=%lu", b->sum_leaves[1], b->sum_leaves[2],
				      b->sum_leaves[3]));
		const char *sa = sf("splits=%lu split_tables=%lu", a->sum_splits, a->sum_split_tables);
		const char *sb = B(sf("splits=%lu split_tables=%lu", b->sum_splits, b->sum_split_tables));

		bool depth_only = b && !c->same_levels && c->same_usable && c->same_maxpage &&
				  c->same_ro && c->same_res && c->same_image && c->same_policy;

		row(c, depth_only ? depth_totals(c, "totals: mapped, tables", ta, tb) :
		    decision(c, -1, "totals: mapped, tables", ta, tb), "  mapped", ta, tb);
		row(c, ' ', "  minimum", minimum(c->pa), B(minimum(c->pb)));
		row(c, decision(c, -1, "totals: brk, batches", ua, ub), "  used", ua, ub);
		row(c, decision(c, -1, "totals: leaves", la, lb), "  leaves", la, lb);
		row(c, c->same_ro ? decision(c, -1, "totals: splits", sa, sb) :
		    env(c, "totals: splits", sa, sb, "the Xen hook splits large pages holding tables"),
		    "  hook", sa, sb);
	}
	{
		const char *sa = sf("violations=%lu tables=%lu tables_ro=%s", a->sc_violations,
				    a->sc_tables, a->sc_tables_ro);
		const char *sb = B(sf("violations=%lu tables=%lu tables_ro=%s", b->sc_violations,
				      b->sc_tables, b->sc_tables_ro));
		char m = ' ';

		if (b && strcmp(sa, sb))
			m = (a->sc_violations || b->sc_violations) ? '!' :
			    decision(c, -1, "selfcheck", sa, sb);
		row(c, m, "selfcheck", sa, sb);
		row(c, b && strcmp(a->result, b->result) ? '!' : ' ', "result",
		    a->result[0] ? a->result : "(none)", B(b->result[0] ? b->result : "(none)"));
	}
#undef B
}

static void print_findings(const struct findings *fs, const char *title, bool with_info)
{
	static const char *const cls[] = { "INFO", "EXPECTED", "UNEXPECTED" };
	int shown = 0;

	for (int i = 0; i < fs->n; i++) {
		if (fs->f[i].cls == F_INFO && !with_info)
			continue;
		if (!shown++)
			printf("%s\n", title);
		printf("  %-10s %s: %s\n", cls[fs->f[i].cls], fs->f[i].where, fs->f[i].text);
	}
}

static int usage(void)
{
	fprintf(stderr,
		"usage: tracecmp [--svg OUT.svg] [-q] [--xen-split N] A.log [B.log [C.log]]\n"
		"       tracecmp --reseal IN.log OUT.log\n"
		"exit: 0 no unexpected difference, 1 unexpected differences, 2 input errors\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct run ra, rb, rc3;
	static struct plan pa, pb, pc3;
	struct ctx c = { .a = &ra, .pa = &pa, .pb = &pb };
	const char *svg = NULL, *files[3];
	int nfiles = 0, xen_split = 199, bad = 0, expected, unexpected;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reseal")) {
			if (i + 2 >= argc)
				return usage();
			return run_reseal(argv[i + 1], argv[i + 2]);
		} else if (!strcmp(argv[i], "--svg") && i + 1 < argc) {
			svg = argv[++i];
		} else if (!strcmp(argv[i], "--xen-split") && i + 1 < argc) {
			xen_split = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			c.quiet = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage();
		} else if (nfiles < 3) {
			files[nfiles++] = argv[i];
		} else {
			return usage();
		}
	}
	if (!nfiles)
		return usage();
	if (run_read(&ra, files[0], "A", xen_split)) {
		fprintf(stderr, "tracecmp: A: %s: %s\n", files[0], ra.errmsg);
		bad = 1;
	}
	if (nfiles >= 2) {
		c.b = &rb;
		if (run_read(&rb, files[1], "B", xen_split)) {
			fprintf(stderr, "tracecmp: B: %s: %s\n", files[1], rb.errmsg);
			bad = 1;
		}
	}
	if (nfiles == 3 && run_read(&rc3, files[2], "C", xen_split)) {
		fprintf(stderr, "tracecmp: C: %s: %s\n", files[2], rc3.errmsg);
		bad = 1;
	}
	if (bad)
		return 2;

	plan_check(&ra, &pa, &c.self);
	xenpv_judge(&c.self, &ra);
	if (c.b) {
		plan_check(&rb, &pb, &c.self);
		xenpv_judge(&c.self, &rb);
	}
	if (nfiles == 3) {
		plan_check(&rc3, &pc3, &c.self);
		xenpv_judge(&c.self, &rc3);
	}
	if (svg) {
		struct run *runs[3] = { &ra, &rb, &rc3 };
		const struct plan *plans[3] = { &pa, &pb, &pc3 };

		if (svg_write(svg, runs, plans, nfiles))
			return 2;
	}

	if (nfiles < 3) {
		report(&c);
		printf("\n");
		if (c.b)
			print_findings(&c.diff, "differences (A vs B):", true);
		expected = findings_count(&c.diff, F_EXPECTED);
		unexpected = findings_count(&c.diff, F_UNEXPECTED);
	} else {
		/* Three runs (say native, Xen PVH, Xen PV): every pair, each
		 * difference classified as for two; "A"/"B" in a pair's report
		 * are its first and second run. */
		static const int pairs[3][2] = { { 0, 1 }, { 0, 2 }, { 1, 2 } };
		struct run *rs[3] = { &ra, &rb, &rc3 };
		struct plan *ps[3] = { &pa, &pb, &pc3 };

		expected = unexpected = 0;
		for (int k = 0; k < 3; k++) {
			struct ctx p = { .a = rs[pairs[k][0]], .b = rs[pairs[k][1]],
					 .pa = ps[pairs[k][0]], .pb = ps[pairs[k][1]], .quiet = c.quiet };

			printf("%s=== pair %s vs %s: %s vs %s\n", k ? "\n" : "", p.a->label, p.b->label,
			       files[pairs[k][0]], files[pairs[k][1]]);
			report(&p);
			print_findings(&p.diff, sf("differences (%s vs %s, shown as A vs B):", p.a->label,
						   p.b->label), true);
			expected += findings_count(&p.diff, F_EXPECTED);
			unexpected += findings_count(&p.diff, F_UNEXPECTED);
			free(p.diff.f);
		}
		printf("\n");
	}
	print_findings(&c.self, "self-check (each run against mm_init replayed on its input):", true);
	if (!findings_count(&c.self, F_UNEXPECTED))
		printf("self-check: %s the plan in every batch (the replay of mm_init, within the rules)\n",
		       nfiles == 3 ? "all three runs follow" : c.b ? "both runs follow" : "the run follows");
	unexpected += findings_count(&c.self, F_UNEXPECTED);
	printf("verdict: %d expected, %d unexpected difference%s%s\n", expected, unexpected,
	       unexpected == 1 ? "" : "s", unexpected ? "" : " -> OK");
	return unexpected ? 1 : 0;
}
