/*
 * trace-parse.c — a console log into a struct run (docs/trace.md): the
 * trace records, checked for completeness (end record, count, checksum,
 * version), and the console lines around them (boot:, paravirt:,
 * memmap:, layout:, selfcheck:, topdown: result:).  The lines come from
 * trace-log.c, prefixes and Xen's cut lines already dealt with.
 *
 * A log may hold several runs (xenconsoled appends): they are cut at
 * "topdown: booting", and the last run that has a trace is the one read.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lib/fnv.h>
#include "trace.h"

/* ------------------------------------------------------------ helpers */

const char *run_error_name(enum run_error e)
{
	static const char *const names[] = {
		[RUN_OK] = "ok",
		[RUN_UNREADABLE] = "unreadable file",
		[RUN_NO_TRACE] = "no trace",
		[RUN_TRUNCATED] = "truncated trace",
		[RUN_BAD_COUNT] = "record count mismatch",
		[RUN_BAD_CHECKSUM] = "bad checksum",
		[RUN_VERSION] = "version mismatch",
		[RUN_MALFORMED] = "malformed record",
	};
	return names[e];
}

__attribute__((format(printf, 3, 4)))
static int fail(struct run *r, enum run_error e, const char *fmt, ...)
{
	va_list ap;

	if (r->error)
		return -1;      /* the first error is the one to report */
	r->error = e;
	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
	return -1;
}

/* -------------------------------------------------------------- tokens */

/* "kind key=value [mem a-b] key="quoted" ..." */
void rec_tokenize(const char *s, struct rec *rc)
{
	const char *p = s;
	size_t k = 0;

	memset(rc, 0, sizeof(*rc));
	while (*p && *p != ' ' && k + 1 < sizeof(rc->kind))
		rc->kind[k++] = *p++;
	while (*p && rc->n < TOK_MAX) {
		const char *start, *eq = NULL;
		char tok[T_STR + 40];
		size_t t = 0;
		int depth = 0;
		bool quote = false;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && (depth || quote || *p != ' ')) {
			if (*p == '"')
				quote = !quote;
			else if (!quote && *p == '[')
				depth++;
			else if (!quote && *p == ']' && depth)
				depth--;
			if (*p == '=' && !eq && !depth && !quote)
				eq = p;
			if (t + 1 < sizeof(tok))
				tok[t++] = *p;
			p++;
		}
		tok[t] = '\0';
		if (eq && eq > start && tok[0] != '[') {
			size_t kl = (size_t)(eq - start);

			snprintf(rc->key[rc->n], sizeof(rc->key[0]), "%.*s", (int)kl, tok);
			scopy(rc->val[rc->n], sizeof(rc->val[0]), tok + kl + 1);
		} else {
			rc->key[rc->n][0] = '\0';
			scopy(rc->val[rc->n], sizeof(rc->val[0]), tok);
		}
		rc->n++;
	}
}

static const char *get(const struct rec *rc, const char *key)
{
	for (int i = 0; i < rc->n; i++)
		if (!strcmp(rc->key[i], key))
			return rc->val[i];
	return NULL;
}

/* The positional tokens from index `from` on, joined by spaces. */
static void rest(const struct rec *rc, int from, char *out, size_t n)
{
	out[0] = '\0';
	for (int i = from; i < rc->n; i++) {
		if (rc->key[i][0])
			continue;
		if (out[0])
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, rc->val[i], n - strlen(out) - 1);
	}
}

static int first_positional(const struct rec *rc)
{
	for (int i = 0; i < rc->n; i++)
		if (!rc->key[i][0])
			return i;
	return -1;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *e;

	if (!s || !*s)
		return false;
	errno = 0;
	*v = strtoull(s, &e, 0);
	return !errno && *e == '\0';
}

/* "[mem 0xA-0xB]" or "[0xA-0xB]" -> [A, B+1) */
static bool parse_range(const char *s, uint64_t *lo, uint64_t *end)
{
	unsigned long long a, b;
	int n = 0;

	if (!s)
		return false;
	if (sscanf(s, "[mem 0x%llx-0x%llx]%n", &a, &b, &n) == 2 && n && !s[n]) {
		*lo = a;
		*end = b + 1;
		return true;
	}
	if (sscanf(s, "[0x%llx-0x%llx]%n", &a, &b, &n) == 2 && n && !s[n]) {
		*lo = a;
		*end = b + 1;
		return true;
	}
	return false;
}

/* Required fields: a missing or garbled one makes the trace malformed. */
#define NEED_U64(r, rc, key, dst) do { \
	uint64_t v_; \
	if (!parse_u64(get(rc, key), &v_)) \
		return fail(r, RUN_MALFORMED, "line %d: '%s' record without a valid %s=", \
			    (rc)->line, (rc)->kind, key); \
	(dst) = v_; \
} while (0)

#define NEED_STR(r, rc, key, dst) do { \
	const char *s_ = get(rc, key); \
	if (!s_) \
		return fail(r, RUN_MALFORMED, "line %d: '%s' record without %s=", \
			    (rc)->line, (rc)->kind, key); \
	scopy(dst, sizeof(dst), s_); \
} while (0)

#define NEED_RANGE(r, rc, str, lo, end) do { \
	if (!parse_range(str, &(lo), &(end))) \
		return fail(r, RUN_MALFORMED, "line %d: '%s' record with a bad range '%s'", \
			    (rc)->line, (rc)->kind, (str) ? (str) : ""); \
} while (0)

static struct t_batch *batch_of(struct run *r, const struct rec *rc)
{
	uint64_t id;

	if (!parse_u64(get(rc, "id"), &id)) {
		fail(r, RUN_MALFORMED, "line %d: '%s' record without a valid id=", rc->line,
		     rc->kind);
		return NULL;
	}
	if (id >= T_BATCH_MAX) {
		fail(r, RUN_MALFORMED, "line %d: batch id=%llu: tracecmp handles %d batches",
		     rc->line, (unsigned long long)id, T_BATCH_MAX);
		return NULL;
	}
	if ((int)id >= r->nb)
		r->nb = (int)id + 1;
	return &r->b[id];
}

static void unquote(const char *s, char *out, size_t n)
{
	size_t l = strlen(s);

	if (l >= 2 && s[0] == '"' && s[l - 1] == '"')
		snprintf(out, n, "%.*s", (int)(l - 2), s + 1);
	else
		scopy(out, n, s);
}

/* ------------------------------------------------------------ records */

static int rec_begin(struct run *r, const struct rec *rc)
{
	uint64_t v;

	NEED_U64(r, rc, "v", v);
	r->version = (int)v;
	if (r->version != TRACE_VERSION_KNOWN)
		return fail(r, RUN_VERSION,
			    "line %d: trace format v=%d, this tracecmp reads v=%d only",
			    rc->line, r->version, TRACE_VERSION_KNOWN);
	NEED_STR(r, rc, "maxpage", r->maxpage);
	r->maxlevel = !strcmp(r->maxpage, "1g") ? 3 : !strcmp(r->maxpage, "2m") ? 2 :
		      !strcmp(r->maxpage, "4k") ? 1 : 0;
	if (!r->maxlevel)
		return fail(r, RUN_MALFORMED, "line %d: maxpage=%s is not 4k, 2m or 1g",
			    rc->line, r->maxpage);
	NEED_U64(r, rc, "nx", v);
	r->nx = (int)v;
	NEED_U64(r, rc, "brk_pages", r->brk_pages);
	NEED_U64(r, rc, "phys_limit", r->phys_limit);
	NEED_U64(r, rc, "tables_ro", v);
	r->tables_ro = (int)v;
	/* the builder's policy, if the kernel states it (older traces do not) */
	if (get(rc, "growth_shift")) {
		NEED_U64(r, rc, "growth_shift", v);
		r->growth_shift = (unsigned)v;
	}
	if (get(rc, "batch_min"))
		NEED_U64(r, rc, "batch_min", r->batch_min);
	if (get(rc, "hook_reserve")) {
		NEED_U64(r, rc, "hook_reserve", v);
		r->hook_reserve = (unsigned)v;
	}
	/* where step 2 starts; absent in older traces (then the top of RAM) */
	if (get(rc, "start")) {
		NEED_U64(r, rc, "start", r->start);
		r->has_start = true;
	}
	/* the paging depth; absent in older traces (then 4) */
	r->levels = 4;
	if (get(rc, "levels")) {
		NEED_U64(r, rc, "levels", v);
		if (v != 4 && v != 5)
			return fail(r, RUN_MALFORMED, "line %d: levels=%lu is not 4 or 5", rc->line,
				    (unsigned long)v);
		r->levels = (unsigned)v;
	}
	return 0;
}

static int rec_mem(struct run *r, const struct rec *rc, bool reserve)
{
	int i = first_positional(rc);
	uint64_t lo, end;

	if (i < 0)
		return fail(r, RUN_MALFORMED, "line %d: '%s' record without a range", rc->line,
			    rc->kind);
	NEED_RANGE(r, rc, rc->val[i], lo, end);
	if (reserve) {
		struct t_reserve *x;

		if (r->nres == T_RES_MAX)
			return fail(r, RUN_MALFORMED, "line %d: more than %d reserve records",
				    rc->line, T_RES_MAX);
		x = &r->res[r->nres++];
		x->lo = lo;
		x->end = end;
		rest(rc, i + 1, x->why, sizeof(x->why));
	} else {
		struct t_mem *x;

		if (r->nmem == T_MEM_MAX)
			return fail(r, RUN_MALFORMED, "line %d: more than %d mem records", rc->line,
				    T_MEM_MAX);
		x = &r->mem[r->nmem++];
		x->lo = lo;
		x->end = end;
		rest(rc, i + 1, x->type, sizeof(x->type));
	}
	return 0;
}

static int rec_step1(struct run *r, const struct rec *rc)
{
	struct t_step1 *s;

	if (r->ns1 == T_STEP1_MAX)
		return fail(r, RUN_MALFORMED, "line %d: more than %d step1 records", rc->line,
			    T_STEP1_MAX);
	s = &r->s1[r->ns1++];
	s->line = rc->line;
	NEED_STR(r, rc, "what", s->what);
	NEED_RANGE(r, rc, get(rc, "va"), s->va, s->va_end);
	s->has_pa = get(rc, "pa") != NULL;
	if (s->has_pa)
		NEED_RANGE(r, rc, get(rc, "pa"), s->pa, s->pa_end);
	NEED_U64(r, rc, "tables_new", s->tables_new);
	if (!strcmp(s->what, "brk") && s->has_pa) {
		r->brk_pa = s->pa;
		r->has_brk = true;
	}
	return 0;
}

static int rec_batch(struct run *r, const struct rec *rc)
{
	struct t_batch *b = batch_of(r, rc);
	static const char *const lk[6] = { NULL, "l1", "l2", "l3", "l4", "l5" };

	if (!b)
		return -1;
	if (b->seen)
		return fail(r, RUN_MALFORMED, "line %d: a second batch record for id %s",
			    rc->line, get(rc, "id"));
	b->seen = true;
	b->line = rc->line;
	NEED_STR(r, rc, "step", b->step);
	NEED_STR(r, rc, "src", b->src);
	NEED_RANGE(r, rc, get(rc, "pa"), b->pa_lo, b->pa_end);
	NEED_U64(r, rc, "ram", b->ram);
	NEED_U64(r, rc, "leaves_4k", b->leaves[1]);
	NEED_U64(r, rc, "leaves_2m", b->leaves[2]);
	NEED_U64(r, rc, "leaves_1g", b->leaves[3]);
	NEED_U64(r, rc, "tables", b->tables);
	for (int l = 1; l <= 4; l++)
		NEED_U64(r, rc, lk[l], b->tl[l]);
	if (r->levels == 5)
		NEED_U64(r, rc, lk[5], b->tl[5]);
	NEED_U64(r, rc, "links", b->links);
	if (get(rc, "stop"))            /* absent in older traces */
		scopy(b->stop, sizeof(b->stop), get(rc, "stop"));
	return 0;
}

static int rec_hook(struct run *r, const struct rec *rc)
{
	struct t_batch *b = batch_of(r, rc);

	if (!b)
		return -1;
	if (b->hook_seen)
		return fail(r, RUN_MALFORMED, "line %d: a second hook record for id %s",
			    rc->line, get(rc, "id"));
	b->hook_seen = true;
	NEED_STR(r, rc, "backend", b->backend);
	NEED_STR(r, rc, "action", b->action);
	NEED_STR(r, rc, "result", b->result);
	NEED_U64(r, rc, "ro_entries", b->ro_entries);
	NEED_U64(r, rc, "splits", b->splits);
	NEED_U64(r, rc, "split_tables", b->split_tables);
	return 0;
}

static int rec_tables(struct run *r, const struct rec *rc)
{
	struct t_batch *b = batch_of(r, rc);
	struct t_extent *x;
	int i = first_positional(rc);

	if (!b)
		return -1;
	if (b->next == T_EXT_MAX)
		return fail(r, RUN_MALFORMED, "line %d: more than %d tables records for id %s",
			    rc->line, T_EXT_MAX, get(rc, "id"));
	x = &b->ext[b->next++];
	NEED_STR(r, rc, "src", x->src);
	NEED_RANGE(r, rc, i >= 0 ? rc->val[i] : NULL, x->lo, x->end);
	NEED_U64(r, rc, "pages", x->pages);
	return 0;
}

static int rec_summary(struct run *r, const struct rec *rc)
{
	r->have_summary = true;
	NEED_U64(r, rc, "ram_mapped", r->sum_ram);
	NEED_U64(r, rc, "tables", r->sum_tables);
	NEED_U64(r, rc, "brk_used", r->sum_brk_used);
	NEED_U64(r, rc, "brk_reserved", r->sum_brk_reserved);
	NEED_U64(r, rc, "batches", r->sum_batches);
	NEED_U64(r, rc, "hook_calls", r->sum_hook_calls);
	NEED_U64(r, rc, "links", r->sum_links);
	if (r->levels == 5)
		NEED_U64(r, rc, "l5", r->sum_tl[5]);
	NEED_U64(r, rc, "l4", r->sum_tl[4]);
	NEED_U64(r, rc, "l3", r->sum_tl[3]);
	NEED_U64(r, rc, "l2", r->sum_tl[2]);
	NEED_U64(r, rc, "l1", r->sum_tl[1]);
	NEED_U64(r, rc, "leaves_4k", r->sum_leaves[1]);
	NEED_U64(r, rc, "leaves_2m", r->sum_leaves[2]);
	NEED_U64(r, rc, "leaves_1g", r->sum_leaves[3]);
	NEED_U64(r, rc, "splits", r->sum_splits);
	NEED_U64(r, rc, "split_tables", r->sum_split_tables);
	return 0;
}

static void note_unknown(struct run *r, const char *kind)
{
	for (int i = 0; i < r->nunknown; i++)
		if (!strcmp(r->unknown[i], kind))
			return;
	if (r->nunknown < T_UNKNOWN_MAX)
		scopy(r->unknown[r->nunknown++], sizeof(r->unknown[0]), kind);
}

static int record(struct run *r, const char *text, int line)
{
	static struct rec rc;

	rec_tokenize(text, &rc);
	rc.line = line;
	if (!strcmp(rc.kind, "mem"))
		return rec_mem(r, &rc, false);
	if (!strcmp(rc.kind, "reserve"))
		return rec_mem(r, &rc, true);
	if (!strcmp(rc.kind, "step1"))
		return rec_step1(r, &rc);
	if (!strcmp(rc.kind, "batch"))
		return rec_batch(r, &rc);
	if (!strcmp(rc.kind, "hook"))
		return rec_hook(r, &rc);
	if (!strcmp(rc.kind, "tables"))
		return rec_tables(r, &rc);
	if (!strcmp(rc.kind, "cr3")) {
		NEED_U64(r, &rc, "root", r->cr3_root);
		r->have_cr3 = true;
		return 0;
	}
	if (!strcmp(rc.kind, "link"))   /* the replay's diff judges it */
		return batch_of(r, &rc) ? 0 : -1;
	if (!strcmp(rc.kind, "xen") && rc.n && !strcmp(rc.val[0], "pin_attempt")) {
		r->have_pin = true;
		NEED_STR(r, &rc, "op", r->pin_op);
		NEED_U64(r, &rc, "gfn", r->pin_gfn);
		r->pin_rc = get(&rc, "rc") ? strtol(get(&rc, "rc"), NULL, 0) : 0;
		return 0;
	}
	if (!strcmp(rc.kind, "summary"))
		return rec_summary(r, &rc);
	if (!strcmp(rc.kind, "selfcheck")) {
		r->have_selfcheck = true;
		NEED_U64(r, &rc, "violations", r->sc_violations);
		NEED_U64(r, &rc, "tables", r->sc_tables);
		NEED_STR(r, &rc, "tables_ro", r->sc_tables_ro);
		return 0;
	}
	if (!strcmp(rc.kind, "env")) {  /* absent in older traces */
		const char *s;

		r->has_env = true;
		if ((s = get(&rc, "protocol")))
			scopy(r->protocol, sizeof(r->protocol), s);
		if ((s = get(&rc, "loader")))
			unquote(s, r->loader, sizeof(r->loader));
		if ((s = get(&rc, "hypervisor")))
			scopy(r->hypervisor, sizeof(r->hypervisor), s);
		if ((s = get(&rc, "backend")))
			scopy(r->backend, sizeof(r->backend), s);
		if ((s = get(&rc, "cmdline")))
			unquote(s, r->cmdline, sizeof(r->cmdline));
		if ((s = get(&rc, "start_info")) && !strcmp(r->protocol, "pvh"))
			scopy(r->start_info, sizeof(r->start_info), s);
		return 0;
	}
	if (!strcmp(rc.kind, "layout")) {       /* absent in older traces */
		uint64_t v;

		if (parse_u64(get(&rc, "direct_map"), &v)) {
			r->direct_map_base = v;
			r->has_layout_rec = true;
		}
		return 0;
	}
	note_unknown(r, rc.kind);
	return 0;
}

/* ----------------------------------------------------- console lines */


static void console_line(struct run *r, const char *s)
{
	static struct rec rc;
	const char *p, *v;

	if ((p = find_marker(s, "boot: "))) {
		rec_tokenize(p + 6, &rc);
		/* the kind slot holds the first key=value */
		if (!strncmp(p + 6, "protocol=", 9)) {
			char first[T_STR];

			snprintf(first, sizeof(first), "%.*s", (int)strcspn(p + 15, " "), p + 15);
			scopy(r->protocol, sizeof(r->protocol), first);
			if ((v = get(&rc, "loader")))
				unquote(v, r->loader, sizeof(r->loader));
			if ((v = get(&rc, "start_info_version")))
				scopy(r->start_info, sizeof(r->start_info), v);
		} else if (!strncmp(p + 6, "cmdline=", 8)) {
			unquote(p + 14, r->cmdline, sizeof(r->cmdline));
		}
	} else if ((p = find_marker(s, "cpu: ")) && strstr(p, "vendor=")) {
		scopy(r->cpu, sizeof(r->cpu), p + 5);
	} else if ((p = find_marker(s, "paravirt: "))) {
		p += 10;
		if (!strncmp(p, "hypervisor=", 11)) {
			snprintf(r->hypervisor, sizeof(r->hypervisor), "%.*s",
				 (int)strcspn(p + 11, " "), p + 11);
			rec_tokenize(p, &rc);
			if ((v = get(&rc, "cpuid_base")))
				scopy(r->cpuid_base, sizeof(r->cpuid_base), v);
			if ((v = get(&rc, "xen_version")))
				scopy(r->xen_version, sizeof(r->xen_version), v);
		} else if (!strncmp(p, "backend=", 8)) {
			snprintf(r->backend, sizeof(r->backend), "%.*s", (int)strcspn(p + 8, " "),
				 p + 8);
		}
	} else if ((p = find_marker(s, "memmap: "))) {
		p += 8;
		if (!strncmp(p, "source=", 7)) {
			snprintf(r->memmap_source, sizeof(r->memmap_source), "%.*s",
				 (int)strcspn(p + 7, " "), p + 7);
		} else if (!strncmp(p, "given ", 6) && r->ngiven < T_MEM_MAX) {
			struct t_mem *m = &r->given[r->ngiven];
			const char *close = strchr(p, ']');
			char range[64];

			if (close && close - (p + 6) < (int)sizeof(range) - 1) {
				snprintf(range, sizeof(range), "%.*s", (int)(close + 1 - (p + 6)), p + 6);
				if (parse_range(range, &m->lo, &m->end)) {
					snprintf(m->type, sizeof(m->type), "%s",
						 close[1] == ' ' ? close + 2 : "");
					r->ngiven++;
				}
			}
		}
	} else if ((p = find_marker(s, "layout: ")) && r->nlayout < T_LAYOUT_MAX) {
		unsigned long long a, b;
		int n = 0;

		if (sscanf(p + 8, "%llx-%llx %n", &a, &b, &n) == 2 && n) {
			struct t_layout *l = &r->layout[r->nlayout++];

			l->lo = a;
			l->last = b;
			l->end = b + 1;
			scopy(l->name, sizeof(l->name), p + 8 + n);
		}
	} else if ((p = find_marker(s, "topdown: result: "))) {
		scopy(r->result, sizeof(r->result), p + 17);
	} else if ((p = find_marker(s, "PANIC: "))) {
		if (!r->panic[0])
			scopy(r->panic, sizeof(r->panic), p + 7);
	}
}

/* ------------------------------------------------------------ the run */

static void derive(struct run *r)
{
	r->nusable = 0;
	r->usable_bytes = 0;
	r->ram_top = 0;
	for (int i = 0; i < r->nmem; i++) {
		if (strcmp(r->mem[i].type, "usable"))
			continue;
		r->usable[r->nusable].lo = r->mem[i].lo;
		r->usable[r->nusable].end = r->mem[i].end;
		r->nusable++;
		r->usable_bytes += r->mem[i].end - r->mem[i].lo;
		if (r->mem[i].end > r->ram_top)
			r->ram_top = r->mem[i].end;
	}
	if (!r->has_start)
		r->start = r->ram_top;
	if (!r->has_layout_rec) {
		r->direct_map_base = DIRECT_MAP_BASE;
		for (int i = 0; i < r->nlayout; i++)
			if (!strcmp(r->layout[i].name, "direct map"))
				r->direct_map_base = r->layout[i].lo;
	}
}

/* Pick the run: segments start at "topdown: booting"; the last one with a
 * "trace: begin" wins (or the last one if none has one). */
static void pick_run(struct run *r, const struct log *L, int *from, int *to)
{
	int starts[4096], ns = 0, use = -1;
	bool first = true;

	/* what comes before the first "booting" belongs to the first run */
	starts[ns++] = 0;
	for (int i = 0; i < L->n; i++)
		if (find_marker(L->v[i].s, "topdown: booting")) {
			if (!first && ns < (int)(sizeof(starts) / sizeof(starts[0])))
				starts[ns++] = i;
			first = false;
		}
	for (int k = 0; k < ns; k++) {
		int e = k + 1 < ns ? starts[k + 1] : L->n;

		for (int i = starts[k]; i < e; i++) {
			const char *t = find_marker(L->v[i].s, "trace: ");

			if (t && !strncmp(t + 7, "begin ", 6)) {
				use = k;
				break;
			}
		}
	}
	if (use < 0)
		use = ns - 1;
	r->runs_in_file = ns;
	r->run_used = use + 1;
	*from = starts[use];
	*to = use + 1 < ns ? starts[use + 1] : L->n;
}

/* Keep a record as written, for the diff with the replay. */
static void keep_rec(struct run *r, const char *text, int line)
{
	struct t_rec *x;

	if (r->nrecs == r->caprecs) {
		r->caprecs = r->caprecs ? 2 * r->caprecs : 256;
		r->recs = realloc(r->recs, r->caprecs * sizeof(*r->recs));
		if (!r->recs) {
			perror("tracecmp");
			exit(2);
		}
	}
	x = &r->recs[r->nrecs++];
	snprintf(x->kind, sizeof(x->kind), "%.*s", (int)strcspn(text, " "), text);
	x->text = strdup(text);
	x->line = line;
}

static int run_parse(struct run *r, struct log *lg, const char *path);

int run_read(struct run *r, const char *path, const char *label, int xen_split)
{
	struct log L;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->label = label;
	if (log_read(&L, path, xen_split))
		return fail(r, RUN_UNREADABLE, "cannot read %s: %s", path, strerror(errno));
	return run_parse(r, &L, path);
}

int run_read_text(struct run *r, const char *text, const char *label)
{
	struct log L;

	memset(r, 0, sizeof(*r));
	r->path = label;
	r->label = label;
	log_parse(&L, text, strlen(text), 0);
	return run_parse(r, &L, label);
}

static int run_parse(struct run *r, struct log *lg, const char *path)
{
	struct log L = *lg;
	int from, to, begin_line = 0, last_line = 0;
	uint32_t h = FNV1A32_INIT;

	r->joined_lines = L.joined;
	pick_run(r, &L, &from, &to);

	for (int i = from; i < to; i++) {
		const char *s = L.v[i].s, *t = find_marker(s, "trace: ");

		if (!t) {
			console_line(r, s);
			continue;
		}
		if (!strncmp(t + 7, "begin ", 6)) {
			if (r->have_begin && !r->have_end) {
				fail(r, RUN_TRUNCATED,
				     "truncated trace: a new 'trace: begin' at line %d before the end record of the one at line %d",
				     L.v[i].no, begin_line);
				break;
			}
			if (r->have_end)
				continue;       /* a second trace in one run: ignored */
			r->have_begin = true;
			begin_line = L.v[i].no;
			h = FNV1A32_INIT;
			{
				static struct rec rc;

				rec_tokenize(t + 7, &rc);
				rc.line = L.v[i].no;
				if (rec_begin(r, &rc) && r->error == RUN_VERSION)
					break;
			}
		} else if (!r->have_begin) {
			fail(r, RUN_MALFORMED, "line %d: a record before the begin record", L.v[i].no);
			continue;
		} else if (r->have_end) {
			fail(r, RUN_MALFORMED, "line %d: a record after the end record", L.v[i].no);
			continue;
		} else if (!strncmp(t + 7, "end ", 4) || !strcmp(t + 7, "end")) {
			static struct rec rc;
			uint64_t v;

			rec_tokenize(t + 7, &rc);
			if (!parse_u64(get(&rc, "records"), &v)) {
				fail(r, RUN_MALFORMED, "line %d: end record without records=", L.v[i].no);
				break;
			}
			r->end_records = v;
			if (!parse_u64(get(&rc, "fnv1a"), &v)) {
				fail(r, RUN_MALFORMED, "line %d: end record without fnv1a=", L.v[i].no);
				break;
			}
			r->end_fnv = (uint32_t)v;
			r->have_end = true;
			continue;
		} else if (record(r, t + 7, L.v[i].no)) {
			if (r->error != RUN_MALFORMED)
				break;
		}
		if (r->error == RUN_VERSION)
			break;
		h = fnv1a32(h, t, strlen(t));
		h = fnv1a32(h, "\n", 1);
		r->records++;
		keep_rec(r, t + 7, L.v[i].no);
		last_line = L.v[i].no;
	}
	r->fnv = h;
	derive(r);

	if (!r->error || r->error == RUN_MALFORMED) {
		enum run_error keep = r->error;
		char msg[sizeof(r->errmsg)];

		memcpy(msg, r->errmsg, sizeof(msg));
		r->error = RUN_OK;
		if (!r->have_begin)
			fail(r, RUN_NO_TRACE, "no trace: no 'trace: begin' record in %s%s%s%s", path,
			     r->panic[0] ? " (the run panicked: " : "", r->panic,
			     r->panic[0] ? ")" : "");
		else if (!r->have_end)
			fail(r, RUN_TRUNCATED,
			     "truncated trace: no end record; %lu records from line %d to line %d%s%s%s",
			     r->records, begin_line, last_line, r->panic[0] ? " (PANIC: " : "",
			     r->panic[0] ? r->panic : "", r->panic[0] ? ")" : "");
		else if (r->end_records != r->records)
			fail(r, RUN_BAD_COUNT,
			     "truncated trace: the end record says records=%lu, the log holds %lu (lines lost)",
			     r->end_records, r->records);
		else if (r->end_fnv != r->fnv)
			fail(r, RUN_BAD_CHECKSUM,
			     "bad checksum: the end record says fnv1a=0x%08x, the %lu records hash to 0x%08x (a record was altered)",
			     r->end_fnv, r->records, r->fnv);
		else if (keep) {
			r->error = keep;
			memcpy(r->errmsg, msg, sizeof(msg));
		}
	}
	log_free(&L);
	return r->error ? -1 : 0;
}

/* Usable bytes of r inside [lo, end). */
unsigned long usable_in(const struct run *r, uint64_t lo, uint64_t end)
{
	unsigned long n = 0;

	for (int i = 0; i < r->nusable; i++) {
		uint64_t a = r->usable[i].lo > lo ? r->usable[i].lo : lo;
		uint64_t b = r->usable[i].end < end ? r->usable[i].end : end;

		if (b > a)
			n += b - a;
	}
	return n;
}
