/*
 * trace-replay.c — a trace against what mm_init does with its input.
 *
 * tracecmp has no model of the builder: it links mm/ itself (the sources
 * the kernel is built from) and runs mm_init on the input the trace
 * records, in the unit tests' host environment (tests/unit/build.c,
 * hostenv.c, hostpv.c: simulated memory, and a backend whose hook runs
 * the Xen PVH backend's own table protection, paravirt/xen/protect_pvh.c,
 * when the trace's backend keeps its tables read-only).  The input, as the
 * trace states it:
 *   - the memory map: the mem records (normalised already; normalising a
 *     normalised map changes nothing);
 *   - the loader's data: the reserve records other than "lowmem" and
 *     "kernel" (which mm_init makes itself), with their names;
 *   - the kernel image: the step1 records (sections, brk) and the "kernel"
 *     reservation (its extent);
 *   - the configuration: begin's maxpage, nx, phys_limit, brk_pages,
 *     tables_ro and hook_reserve (the backend's declared reserve), the env
 *     record (passed through), the backend's name (from the hook records).
 * The records the replay writes are read back like a log and diffed with
 * the trace's, record by record and field by field (diff() below).  The
 * unit tests' independent oracle (tests/unit/checker.c, model.c) judges
 * the replayed build — design §6, the fewest tables, the start rule,
 * tables on the highest free mapped pages — so a run that matches its
 * replay follows the rules too.
 *
 * What the replay cannot know is checked directly: the run's result line,
 * the violations its in-guest selfcheck found, and that the mem records
 * are memmap_normalise() (mm/memmap.c) of the map the loader gave (the
 * "memmap: given" console lines).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mm/memmap.h>
#include "../tests/unit/build.h"
#include "trace.h"

/* ------------------------------------------------------------ findings */

void finding_add(struct findings *fs, enum fclass cls, const char *where, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? 2 * fs->cap : 64;
		fs->f = realloc(fs->f, fs->cap * sizeof(*fs->f));
		if (!fs->f) {
			perror("tracecmp");
			exit(2);
		}
	}
	f = &fs->f[fs->n++];
	f->cls = cls;
	scopy(f->where, sizeof(f->where), where);
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

int findings_count(const struct findings *fs, enum fclass cls)
{
	int n = 0;

	for (int i = 0; i < fs->n; i++)
		n += fs->f[i].cls == cls;
	return n;
}

/* ------------------------------------------------------ record kinds */

/*
 * Who writes each kind of record, and so how it is judged.  BUILDER:
 * mm_init and the selfcheck, replayed, must match field by field.
 * BACKEND: a paravirt backend's exchange with its hypervisor, not
 * replayed; between two runs an environment fact.  PERCPU: every CPU on its
 * own L4 after mm_init (mm/percpu.c, arch/x86_64/smp.c; docs/trace.md):
 * how many CPUs there are is an environment fact, not replayed.  USERRUN:
 * the ring-3 run after that (mm/uspace.c, kernel/user.c), not replayed.  `later`: added to v1
 * after its first traces, so an older trace may lack it.  A kind not
 * listed is noted (INFO) and ignored; a new kind goes here.
 */
enum origin { BUILDER, BACKEND, PERCPU, USERRUN };

static const struct {
	const char *kind;
	enum origin origin;
	bool later;
} kinds[] = {
	{ "begin", BUILDER, false },    { "env", BUILDER, true },     { "layout", BUILDER, true },
	{ "mem", BUILDER, false },      { "reserve", BUILDER, false }, { "step1", BUILDER, false },
	{ "batch", BUILDER, false },    { "hook", BUILDER, false },   { "tables", BUILDER, false },
	{ "cr3", BUILDER, false },      { "link", BUILDER, false },   { "summary", BUILDER, false },
	{ "selfcheck", BUILDER, false }, { "xen", BACKEND, false },   { "xenpv", BACKEND, true },
	{ "percpu_batch", PERCPU, true }, { "smp", PERCPU, true },    { "smp_timeout", PERCPU, true },
	{ "percpu", PERCPU, true },     { "smptest", PERCPU, true },  { "smpcheck", PERCPU, true },
	{ "uspace", USERRUN, true },    { "uspace_free", USERRUN, true }, { "user_kill", USERRUN, true },
	{ "user_prog", USERRUN, true }, { "user_check", USERRUN, true }, { "user_run", USERRUN, true },
	{ "user_skip", USERRUN, true }, { "smp_late", PERCPU, true }, { "smp_ipi_fail", PERCPU, true },
	{ "uspace_root", USERRUN, true },
};

/* Fields of builder records that the run's environment decides, not
 * mm_init: not compared with the replay. */
static const char *const env_fields[] = {
	"selfcheck fixmap_leaves",      /* slots the backend mapped after mm_init (Xen's console ring) */
	"hook action",                  /* the backend's name for its way (pin-ro on PVH, pin
					 * on PV); the effect, its counts, is compared */
};

static bool env_field(const char *kind, const char *key)
{
	char kk[64];

	snprintf(kk, sizeof(kk), "%s %s", kind, key);
	for (size_t i = 0; i < sizeof(env_fields) / sizeof(env_fields[0]); i++)
		if (!strcmp(env_fields[i], kk))
			return true;
	return false;
}

static int kind_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, kind))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------- replay */

static enum image_kind section_kind(const char *what, bool *ok)
{
	*ok = true;
	if (!strcmp(what, "text"))
		return IMG_TEXT;
	if (!strcmp(what, "rodata"))
		return IMG_RODATA;
	if (!strcmp(what, "data") || !strcmp(what, "stack"))
		return IMG_DATA;
	if (!strcmp(what, "brk"))
		return IMG_BRK;
	*ok = false;
	return IMG_GUARD;
}

static uint32_t mem_type(const char *name)
{
	for (uint32_t t = MEM_USABLE; t <= MEM_PMEM; t++)
		if (!strcmp(mem_type_name(t), name))
			return t;
	return 0;               /* no E820 type: normalised as reserved */
}

/* Run mm_init on r's input; the replay's output is host_output(). */
static bool replay(const struct run *r, struct plan *p, struct build_outcome *o)
{
	static struct mm_image img;
	static struct memmap_entry map[T_MEM_MAX];
	static struct mem_range bd[T_RES_MAX];
	static const char *why[T_RES_MAX];
	struct build_case c = {
		.map = map, .boot_data = bd, .boot_data_why = why, .image = &img,
		.max_level = r->maxlevel, .nx = r->nx, .levels = r->levels,
		.tables_readonly = r->tables_ro, .pin = r->tables_ro, .brk_pages = r->brk_pages,
		.hook_reserve_pages = r->hook_reserve,
		.phys_limit = r->phys_limit,
	};
	bool ok;

#define NOT(...) do { snprintf(p->why_not, sizeof(p->why_not), __VA_ARGS__); return false; } while (0)
	memset(&img, 0, sizeof(img));
	if (!r->has_brk)
		NOT("no step1 record for brk");
	if (r->brk_pages > HOST_BRK_MAX_PAGES)
		NOT("brk_pages=%lu: the host environment holds %d", r->brk_pages, HOST_BRK_MAX_PAGES);
	for (int i = 0; i < r->ns1; i++) {
		struct image_section *s = &img.sec[img.nr_sec];

		if (!r->s1[i].has_pa)
			continue;       /* the fixmap: mm_init's own */
		if (img.nr_sec == IMAGE_SECTIONS_MAX)
			NOT("more than %d image sections", IMAGE_SECTIONS_MAX);
		s->kind = section_kind(r->s1[i].what, &ok);
		if (!ok)
			NOT("step1 what=%s: a section kind mm does not know", r->s1[i].what);
		s->name = r->s1[i].what;
		s->va = r->s1[i].va;
		s->va_end = r->s1[i].va_end;
		img.nr_sec++;
	}
	img.brk_pa = r->brk_pa;
	img.brk_pages = r->brk_pages;
	for (int i = 0; i < r->nres; i++)
		if (!strcmp(r->res[i].why, "kernel")) {
			img.pa_start = r->res[i].lo;
			img.pa_end = r->res[i].end;
		} else if (strcmp(r->res[i].why, "lowmem")) {
			why[c.nr_boot_data] = r->res[i].why;
			bd[c.nr_boot_data].start = r->res[i].lo;
			bd[c.nr_boot_data++].end = r->res[i].end;
		}
	if (!img.pa_end)
		NOT("no reserve record for the kernel");
	for (int i = 0; i < r->nmem; i++)
		map[c.nr++] = (struct memmap_entry){ r->mem[i].lo, r->mem[i].end - r->mem[i].lo,
						     mem_type(r->mem[i].type) };
	for (int i = 0; i < r->nrecs; i++)
		if (!strcmp(r->recs[i].kind, "env"))
			c.trace_env = r->recs[i].text + 4;
	host_backend_name(r->nb && r->b[0].hook_seen ? r->b[0].backend : "native");

	build_and_check(&c, o);
	if (o->panicked)
		NOT("mm_init panics on this input: %.300s", o->panic_msg);
	p->min_tables = o->r.min_tables;
	if (run_read_text(&p->run, host_output(), "replay"))
		NOT("the replay's trace does not read back: %.300s", p->run.errmsg);
	return true;
#undef NOT
}

/* --------------------------------------------------------------- diff */

struct notes {
	char s[400];
};

static void note(struct notes *n, const char *kind, const char *key)
{
	char item[64];
	size_t l = strlen(n->s);

	snprintf(item, sizeof(item), "%s%s%s", kind, *key ? " " : "", key);
	if (strstr(n->s, item) || l + strlen(item) + 3 >= sizeof(n->s))
		return;
	snprintf(n->s + l, sizeof(n->s) - l, "%s%s", l ? ", " : "", item);
}

static const char *field(const struct rec *rc, const char *key, int nth_positional)
{
	for (int i = 0, pos = 0; i < rc->n; i++) {
		if (key && !strcmp(rc->key[i], key))
			return rc->val[i];
		if (!key && !rc->key[i][0] && pos++ == nth_positional)
			return rc->val[i];
	}
	return NULL;
}

/* The fields of trace record t that differ from replay record p, as
 * "key=t (replay p), ..." in out; the number of differences. */
static int fields_differ(const char *t, const char *p, char *out, size_t n,
			 struct notes *older, struct notes *newer)
{
	static struct rec a, b;
	size_t used = 0;
	int diffs = 0, pos = 0;

	rec_tokenize(t, &a);
	rec_tokenize(p, &b);
	out[0] = '\0';
	for (int i = 0; i < b.n; i++) {
		const char *key = b.key[i][0] ? b.key[i] : NULL;
		const char *va = field(&a, key, pos);

		if (!key)
			pos++;
		else if (env_field(b.kind, key))
			continue;
		if (!va) {
			note(older, b.kind, key ? key : "(range)");
			continue;
		}
		if (strcmp(va, b.val[i])) {
			diffs++;
			if (used < n)
				used += snprintf(out + used, n - used, "%s%s%s%s (replay %s)",
						 diffs > 1 ? ", " : "", key ? key : "", key ? "=" : "",
						 va, b.val[i]);
		}
	}
	for (int i = 0; i < a.n; i++)
		if (a.key[i][0] && !field(&b, a.key[i], 0))
			note(newer, a.kind, a.key[i]);
	return diffs;
}

struct slot {
	char id[24];
	int nth;                /* among the records of its kind and id */
	bool matched;
};

static void make_slots(const struct run *r, struct slot *s)
{
	static struct rec rc;

	for (int i = 0; i < r->nrecs; i++) {
		const char *id;

		rec_tokenize(r->recs[i].text, &rc);
		id = field(&rc, "id", 0);
		scopy(s[i].id, sizeof(s[i].id), id ? id : "");
		s[i].nth = 0;
		s[i].matched = false;
		for (int j = 0; j < i; j++)
			s[i].nth += !strcmp(r->recs[j].kind, r->recs[i].kind) && !strcmp(s[j].id, s[i].id);
	}
}

static void where_of(char *w, size_t n, const struct run *r, const char *kind, const char *id)
{
	if (*id && (!strcmp(kind, "batch") || !strcmp(kind, "hook") || !strcmp(kind, "tables") ||
		    !strcmp(kind, "link")))
		snprintf(w, n, "%s batch %s", r->label, id);
	else
		snprintf(w, n, "%s %s", r->label, kind);
}

#define DIFFS_SHOWN 16

/* r's records against the replay's (p): every record of the replay must be
 * in r with the same fields (those r states), and r may hold no other
 * builder record. */
static void diff(const struct run *r, const struct run *p, struct findings *fs)
{
	struct slot *sr = calloc(r->nrecs + 1, sizeof(*sr)), *sp = calloc(p->nrecs + 1, sizeof(*sp));
	struct notes older = { "" }, newer = { "" }, absent = { "" };
	char where[48], d[360];
	int shown = 0, more = 0, last = 0;

	if (!sr || !sp) {
		perror("tracecmp");
		exit(2);
	}
	make_slots(r, sr);
	make_slots(p, sp);
#define REPORT(...) do { \
	if (shown++ < DIFFS_SHOWN) finding_add(fs, F_UNEXPECTED, where, __VA_ARGS__); else more++; \
} while (0)
	for (int j = 0; j < p->nrecs; j++) {
		const struct t_rec *x = &p->recs[j];
		int i, k = kind_of(x->kind);
		bool any = false;

		for (i = 0; i < r->nrecs; i++) {
			any |= !strcmp(r->recs[i].kind, x->kind);
			if (!strcmp(r->recs[i].kind, x->kind) && !strcmp(sr[i].id, sp[j].id) &&
			    sr[i].nth == sp[j].nth)
				break;
		}
		where_of(where, sizeof(where), r, x->kind, sp[j].id);
		if (i == r->nrecs) {
			if (!any && k >= 0 && kinds[k].later)
				note(&absent, x->kind, "");
			else
				REPORT("the replay writes '%.200s', the trace has no such record", x->text);
			continue;
		}
		sr[i].matched = true;
		if (i < last)           /* the records must come in the replay's order */
			REPORT("'%.120s' (line %d) comes before '%.120s' (line %d), the replay writes it after",
			       r->recs[i].text, r->recs[i].line, r->recs[last].text, r->recs[last].line);
		last = i;
		if (!fields_differ(r->recs[i].text, x->text, d, sizeof(d), &older, &newer))
			continue;
		if (*sp[j].id)
			REPORT("%s id=%s: %s", x->kind, sp[j].id, d);
		else
			REPORT("%s", d);
	}
	for (int i = 0; i < r->nrecs; i++) {
		int k = kind_of(r->recs[i].kind);

		if (sr[i].matched || k < 0 || kinds[k].origin != BUILDER)
			continue;
		where_of(where, sizeof(where), r, r->recs[i].kind, sr[i].id);
		REPORT("'%.200s' (line %d): the replay writes no such record", r->recs[i].text,
		       r->recs[i].line);
	}
	snprintf(where, sizeof(where), "%s trace", r->label);
	if (more)
		finding_add(fs, F_UNEXPECTED, where, "%d more records differ from the replay", more);
	if (absent.s[0])
		finding_add(fs, F_INFO, where, "no %s record (an older trace): not compared", absent.s);
	if (older.s[0])
		finding_add(fs, F_INFO, where, "fields an older trace does not state, not compared: %s",
			    older.s);
	if (newer.s[0])
		finding_add(fs, F_INFO, where, "fields this tracecmp does not know, ignored: %s",
			    newer.s);
#undef REPORT
	free(sr);
	free(sp);
}

/* ------------------------------------------------------ normalisation */

struct norm_args {
	struct memmap *m;
	const struct run *r;
};

static void normalise_given(void *arg)
{
	struct norm_args *a = arg;

	for (int i = 0; i < a->r->ngiven; i++)
		memmap_add(a->m, a->r->given[i].lo, a->r->given[i].end - a->r->given[i].lo,
			   mem_type(a->r->given[i].type));
	memmap_normalise(a->m, a->r->phys_limit);
}

/* The mem records are what mm/memmap.c makes of the map the loader gave. */
static void check_normalised(const struct run *r, struct findings *fs)
{
	static struct memmap m;
	struct norm_args a = { &m, r };
	char where[48], m1[64], m2[64];
	int i;

	if (!r->ngiven)
		return;
	snprintf(where, sizeof(where), "%s mem", r->label);
	memset(&m, 0, sizeof(m));
	if (host_call(normalise_given, &a)) {
		finding_add(fs, F_UNEXPECTED, where,
			    "memmap_normalise() panics on the given map (memmap: given): %s",
			    host.panic_msg);
		return;
	}
	for (i = 0; i < r->nmem && i < (int)m.nr; i++)
		if (r->mem[i].lo != m.e[i].start || r->mem[i].end != m.e[i].start + m.e[i].size ||
		    strcmp(r->mem[i].type, mem_type_name(m.e[i].type)))
			break;
	if (i < r->nmem || i < (int)m.nr)
		finding_add(fs, F_UNEXPECTED, where,
			    "the mem records are not memmap_normalise() of the given map (memmap: given): entry %d is %s %s, normalising gives %s %s",
			    i, i < r->nmem ? fmt_mem(m1, sizeof(m1), r->mem[i].lo, r->mem[i].end) : "-",
			    i < r->nmem ? r->mem[i].type : "", i < (int)m.nr ?
			    fmt_mem(m2, sizeof(m2), m.e[i].start, m.e[i].start + m.e[i].size) : "-",
			    i < (int)m.nr ? mem_type_name(m.e[i].type) : "");
}

/* The image the trace maps in step 1 lies inside the kernel's reservation
 * (else tables could land on it), and its brk section is begin's brk_pages
 * long: the replay takes them as given. */
static void check_image(const struct run *r, struct findings *fs)
{
	char where[48], m1[64], m2[64];
	int k = -1;

	snprintf(where, sizeof(where), "%s step1", r->label);
	for (int j = 0; j < r->nres; j++)
		if (!strcmp(r->res[j].why, "kernel"))
			k = j;
	for (int i = 0; i < r->ns1; i++)
		if (r->s1[i].has_pa && !strcmp(r->s1[i].what, "brk") &&
		    r->s1[i].pa_end - r->s1[i].pa != r->brk_pages * PAGE_SIZE)
			finding_add(fs, F_UNEXPECTED, where, "brk %s is not brk_pages=%lu pages",
				    fmt_mem(m1, sizeof(m1), r->s1[i].pa, r->s1[i].pa_end), r->brk_pages);
	for (int i = 0; i < r->ns1 && k >= 0; i++)
		if (r->s1[i].has_pa &&
		    (r->s1[i].pa < r->res[k].lo || r->s1[i].pa_end > r->res[k].end))
			finding_add(fs, F_UNEXPECTED, where,
				    "%s %s lies outside the kernel's reservation %s", r->s1[i].what,
				    fmt_mem(m1, sizeof(m1), r->s1[i].pa, r->s1[i].pa_end),
				    fmt_mem(m2, sizeof(m2), r->res[k].lo, r->res[k].end));
}

/* ------------------------------------------------------------ the run */

void plan_check(const struct run *r, struct plan *p, struct findings *fs)
{
	static struct build_outcome o;
	char where[48];
	int from = fs->n;
	size_t n;

	memset(p, 0, sizeof(*p));
	snprintf(where, sizeof(where), "%s replay", r->label);
	if (!replay(r, p, &o)) {
		finding_add(fs, F_UNEXPECTED, where, "cannot replay mm_init on this trace's input: %s",
			    p->why_not);
	} else {
		p->ok = true;
		if (o.errors)
			finding_add(fs, F_UNEXPECTED, where,
				    "mm_init on this input breaks a rule (the unit tests' oracle): %s",
				    o.first);
		diff(r, &p->run, fs);
	}
	check_normalised(r, fs);
	check_image(r, fs);

	snprintf(where, sizeof(where), "%s trace", r->label);
	if (r->have_selfcheck && r->sc_violations)
		finding_add(fs, F_UNEXPECTED, where, "selfcheck found %lu violations of design §6",
			    r->sc_violations);
	for (int i = 0; i < r->nunknown; i++)
		if (kind_of(r->unknown[i]) < 0)
			finding_add(fs, F_INFO, where, "record kind '%s' unknown to this tracecmp: ignored",
				    r->unknown[i]);
	snprintf(where, sizeof(where), "%s run", r->label);
	if (!r->result[0])
		finding_add(fs, F_UNEXPECTED, where, "no 'topdown: result:' line after the trace");
	else if (strcmp(r->result, "PASS"))
		finding_add(fs, F_UNEXPECTED, where, "result: %s", r->result);

	/* the batches an UNEXPECTED finding is about ("<label> batch <k>") */
	n = (size_t)snprintf(where, sizeof(where), "%s batch ", r->label);
	for (int i = from; i < fs->n; i++) {
		int k;

		if (fs->f[i].cls == F_UNEXPECTED && !strncmp(fs->f[i].where, where, n) &&
		    sscanf(fs->f[i].where + n, "%d", &k) == 1 && k >= 0 && k < T_BATCH_MAX)
			p->deviates[k] = true;
	}
}
