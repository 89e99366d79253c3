/*
 * tools/trace.h — the host side of the setup trace (docs/trace.md):
 * reading a console log into a struct run, the replay of mm_init on the
 * trace's input (mm's own code, linked in), the findings, and the SVG
 * picture.
 *
 * Files:  trace-log.c    a console log -> lines (prefixes, Xen's cut lines)
 *         trace-parse.c  lines -> struct run (completeness, checksum, fields)
 *         trace-replay.c mm_init replayed on the run's input, the records
 *                        diffed with the run's -> findings
 *         trace-svg.c    one or two runs -> a self-contained SVG
 *         tracecmp.c     main: the side-by-side report and the verdict
 *
 * Ranges are half-open [lo, end) inside the tools; the trace prints them
 * Linux-style with an inclusive end.
 */
#ifndef TOOLS_TRACE_H
#define TOOLS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/layout.h>

#define TRACE_VERSION_KNOWN 1

#define T_MEM_MAX       128
#define T_RES_MAX       64
#define T_STEP1_MAX     16
#define T_BATCH_MAX     64
#define T_EXT_MAX       64
#define T_LAYOUT_MAX    16
#define T_UNKNOWN_MAX   16
#define T_STR           160

struct t_range {
	uint64_t lo, end;
};

struct t_mem {
	uint64_t lo, end;
	char type[24];          /* "usable", "reserved", "ACPI data", ... */
};

struct t_reserve {
	uint64_t lo, end;
	char why[24];
};

struct t_step1 {
	char what[16];
	uint64_t va, va_end;
	uint64_t pa, pa_end;    /* 0/0 for the fixmap */
	bool has_pa;
	unsigned long tables_new;
	int line;
};

struct t_extent {
	uint64_t lo, end;
	char src[8];
	unsigned long pages;
};

/* One batch: the batch record, its hook record and its table extents (the
 * rest, its link record too, the diff with the replay judges). */
struct t_batch {
	bool seen, hook_seen;
	int line;
	char step[8], src[8];
	uint64_t pa_lo, pa_end;
	uint64_t ram;
	unsigned long leaves[4];        /* [1] 4k [2] 2m [3] 1g */
	unsigned long tables, tl[6];    /* tl[1..5]: by level (l5 only at 5 levels) */
	unsigned long links;
	/* hook */
	char backend[24], action[24], result[24];
	unsigned long ro_entries, splits, split_tables;
	/* tables records */
	struct t_extent ext[T_EXT_MAX];
	int next;
	char stop[24];                  /* "" when absent (older traces) */
};

/* A record as written: its kind and its text after "trace: ". */
struct t_rec {
	char kind[24];
	char *text;
	int line;
};

struct t_layout {
	uint64_t lo, end;       /* inclusive end stored as end + 1 (may wrap to 0) */
	uint64_t last;          /* inclusive end, as printed */
	char name[40];
};

enum run_error {
	RUN_OK = 0,
	RUN_UNREADABLE,
	RUN_NO_TRACE,
	RUN_TRUNCATED,
	RUN_BAD_COUNT,
	RUN_BAD_CHECKSUM,
	RUN_VERSION,
	RUN_MALFORMED,
};

struct run {
	const char *path;
	const char *label;              /* "A" / "B" */
	enum run_error error;
	char errmsg[400];
	int runs_in_file, run_used;     /* "topdown: booting" segments */
	int joined_lines;               /* Xen 0xE9 lines re-joined */

	/* console facts (not checksummed) */
	char protocol[24], loader[64], start_info[8], cmdline[T_STR];
	char hypervisor[24], cpuid_base[16], xen_version[16], backend[24];
	char cpu[T_STR];
	char memmap_source[24];
	struct t_mem given[T_MEM_MAX];
	int ngiven;
	struct t_layout layout[T_LAYOUT_MAX];
	int nlayout;
	char result[T_STR];             /* after "topdown: result: " */
	char panic[T_STR];

	/* the trace */
	bool have_begin, have_end;
	int version;
	char maxpage[8];
	unsigned int maxlevel;          /* 1 4k, 2 2m, 3 1g */
	unsigned int levels;            /* paging depth: begin's levels=, else 4 */
	int nx;
	unsigned long brk_pages;
	uint64_t phys_limit;
	int tables_ro;
	struct t_mem mem[T_MEM_MAX];
	int nmem;
	struct t_reserve res[T_RES_MAX];
	int nres;
	struct t_step1 s1[T_STEP1_MAX];
	int ns1;
	struct t_batch b[T_BATCH_MAX];
	int nb;
	bool have_cr3;
	uint64_t cr3_root;
	bool have_pin;
	char pin_op[40];
	uint64_t pin_gfn;
	long pin_rc;
	bool have_summary;
	unsigned long sum_ram, sum_tables, sum_brk_used, sum_brk_reserved, sum_batches,
		      sum_hook_calls, sum_links, sum_tl[6], sum_leaves[4], sum_splits,
		      sum_split_tables;
	bool have_selfcheck;
	unsigned long sc_violations, sc_tables;
	char sc_tables_ro[16];
	unsigned long records;          /* counted */
	uint32_t fnv;                   /* computed */
	unsigned long end_records;      /* stated */
	uint32_t end_fnv;
	char unknown[T_UNKNOWN_MAX][32];/* record kinds this tool does not know */
	int nunknown;
	struct t_rec *recs;             /* every record, in order (end excluded) */
	int nrecs, caprecs;
	/* records and fields older traces lack (docs/trace.md), tolerated when absent */
	bool has_env, has_layout_rec;
	unsigned growth_shift, hook_reserve;    /* the builder's policy, from   */
	uint64_t batch_min;                     /* begin (0 when not stated)    */
	bool has_start;                         /* begin start= (step 2's start) */
	uint64_t start;                         /* stated, else ram_top (derive) */

	/* derived */
	struct t_range usable[T_MEM_MAX];
	int nusable;
	uint64_t usable_bytes, ram_top;
	uint64_t direct_map_base;
	uint64_t brk_pa;                /* from step1 what=brk */
	bool has_brk;
};

/* Copy a string into a fixed buffer, cutting it if need be. */
static inline void scopy(char *dst, size_t n, const char *src)
{
	size_t l = 0;

	while (l + 1 < n && src[l])
		l++;
	for (size_t i = 0; i < l; i++)
		dst[i] = src[i];
	dst[l] = '\0';
}

/* ---- findings */
enum fclass { F_INFO, F_EXPECTED, F_UNEXPECTED };

struct finding {
	enum fclass cls;
	char where[40];
	char text[400];
};

struct findings {
	struct finding *f;
	int n, cap;
};

__attribute__((format(printf, 4, 5)))
void finding_add(struct findings *fs, enum fclass cls, const char *where, const char *fmt, ...);
int findings_count(const struct findings *fs, enum fclass cls);

/* ---- trace-log.c: a console log as logical lines */
struct log_line {
	char *s;                /* pieces joined, \r dropped, Xen prefix gone */
	int no;                 /* 1-based number of its first physical line */
};

struct log {
	struct log_line *v;
	int n, cap;
	int joined;             /* pieces joined to a previous one */
};

/* Read a log; -1 with errno if the file cannot be read.  xen_split: the
 * length at which Xen cuts a guest's port-0xE9 line (0: never join). */
int log_read(struct log *lg, const char *path, int xen_split);
void log_parse(struct log *lg, const char *buf, size_t len, int xen_split);
void log_free(struct log *lg);
/* Where `marker` starts a word in s, or NULL. */
const char *find_marker(const char *s, const char *marker);
/* "[mem 0x0000000000-0x000009efff]", "17.9 MiB" */
const char *fmt_mem(char *buf, size_t n, uint64_t lo, uint64_t end);
const char *fmt_size(char *buf, size_t n, uint64_t bytes);
/* Re-seal a log: recompute the end record of its trace (test fixtures). */
int run_reseal(const char *in, const char *out);

/* ---- trace-parse.c */
/* Read a console log; 0 on success, else r->error/r->errmsg say why.
 * xen_split: the length at which Xen cuts a guest's port-0xE9 line
 * (0: never re-join). */
int run_read(struct run *r, const char *path, const char *label, int xen_split);
const char *run_error_name(enum run_error e);

/* ---- trace-parse.c: one record's fields */
#define TOK_MAX 48
struct rec {
	char kind[24];
	int n;
	char key[TOK_MAX][32];          /* "" for a positional token */
	char val[TOK_MAX][T_STR];
	int line;
};
void rec_tokenize(const char *text, struct rec *rc);
/* Read a console log held in memory (the replay's output). */
int run_read_text(struct run *r, const char *text, const char *label);
unsigned long usable_in(const struct run *r, uint64_t lo, uint64_t end);

/* ---- trace-replay.c */
/* What mm_init does with r's input: mm's own code, replayed on the host. */
struct plan {
	bool ok;                                /* the replay wrote a complete trace */
	char why_not[400];
	struct run run;                         /* that trace */
	bool deviates[T_BATCH_MAX];             /* r differs from it in batch k */
	unsigned long min_tables;               /* the unit tests' oracle: the fewest tables */
};

/* Replay r's input, diff r's records with the replay's, and check what the
 * replay cannot say (the run's result, the in-guest selfcheck, the memory
 * map's normalisation); findings go to fs, `where` prefixed by r->label. */
void plan_check(const struct run *r, struct plan *p, struct findings *fs);

/* ---- trace-svg.c */
int svg_write(const char *path, struct run *const runs[], const struct plan *const plans[],
	      int nruns);

#endif /* TOOLS_TRACE_H */
