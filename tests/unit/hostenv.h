/*
 * tests/unit/hostenv.h — the host environment mm/ runs in for the unit
 * tests and the fuzzers (one copy, shared by both).
 *
 * It provides what <mm/mm.h> asks of its environment, and watches how mm
 * uses it:
 *   - simulated physical memory: sparse, a page comes to life (filled with
 *     a poison pattern, as real RAM would hold garbage) the first time it
 *     is touched, so a 1 TiB map costs only its table pages;
 *   - phys_window(pa), which insists, like the kernel's direct map, that pa
 *     is mapped by the live tables (or is a brk page);
 *   - a fake kernel image (text/rodata/data/guard/stack/brk at 1 MiB) whose
 *     brk is a host buffer standing at a chosen fake PA;
 *   - pv_ops: a recording native-like backend (identity frames, leaves
 *     through a checking fill_leaves) that checks the order of
 *     hook, links and CR3 switch (see hostpv.c); with host.pin set, its
 *     hook also runs the Xen PVH backend's table protection on each batch
 *     (paravirt/xen/protect_pvh.c, the kernel's own code): every table
 *     page read-only in every kernel mapping of it, splitting large
 *     direct-map pages (with batch_alloc_table) where needed;
 *   - printk into a capture buffer, panic_at that longjmps back to
 *     host_call().
 * Every misuse it sees becomes a "host error" (host_errors(), the first
 * message in host.first_error); tests assert there are none.
 */
#ifndef TESTS_HOSTENV_H
#define TESTS_HOSTENV_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/mm.h>
#include <paravirt/xen_pvh.h>

#define HOST_BRK_PA        0x13d000ULL     /* where the fake brk "is" */
#define HOST_BRK_MAX_PAGES 64
#define HOST_BATCHES_MAX   256
#define HOST_POISON        0xa5            /* fresh RAM: P|PCD|A|... set */

/* With read-only tables, the pages the (pinning) hook may take per batch:
 * the Xen PVH backend's own figure (its hook is the one that runs here);
 * build_case.hook_reserve_pages passes it to mm as
 * mm_config.hook_reserve_pages. */
#define HOST_PIN_HOOK_PAGES XEN_PVH_HOOK_PAGES

/* What the recording backend saw of one batch at its hook. */
struct host_batch {
	unsigned int id;
	enum pt_source source;
	uint64_t pa_lo, pa_hi;
	unsigned long nr_tables;
	phys_addr_t table_lo, table_hi;        /* lowest / highest table page */
	unsigned int nr_links;
	unsigned long links_written;            /* write_pte()s that were links */
};

struct host_state {
	/* panic_at */
	bool panic_armed;
	jmp_buf panic_jmp;
	char panic_msg[512];
	unsigned long panics;

	/* printk capture */
	char *out;
	size_t out_len, out_cap;
	bool echo;                              /* also print to stderr */

	/* errors the environment detected */
	unsigned long errors;
	char first_error[512];

	/* the recording backend */
	bool root_loaded;
	phys_addr_t root;
	unsigned long load_root_calls, write_pte_calls, flush_calls, hook_calls;
	unsigned long released_calls;           /* table_released (mm/uspace.c) */
	bool after_init;                        /* batches after mm_init: no window order */
	unsigned long fill_calls;                      /* fill_leaves runs */
	unsigned long hooked_pages;
	struct host_batch batch[HOST_BATCHES_MAX];
	unsigned int nr_batches;
	unsigned int first_above;               /* first "above" batch (0: none) */
	bool strict_window;                     /* phys_window must be mapped */
	bool pin;                               /* hook pins like Xen PVH (below) */
	bool in_hook;                           /* the pin hook is running */
	unsigned long pin_splits, pin_split_tables, pin_ro_entries, pin_flushes;
	unsigned long window_calls;

	/* memory */
	unsigned long pages_touched;
	struct mm_image image;
};

extern struct host_state host;

/* Forget all memory, output, records; a new image with brk_pages of brk. */
void host_reset(unsigned long brk_pages);
/* The same with a given image (tools/tracecmp: the traced kernel's layout);
 * its brk pages are the host's buffer, standing at img->brk_pa. */
void host_reset_image(const struct mm_image *img);

/* Run fn(arg); returns true if it panicked (message in host.panic_msg). */
bool host_call(void (*fn)(void *), void *arg);

/* Record an environment error (printf-like). */
__attribute__((format(printf, 1, 2)))
void host_error(const char *fmt, ...);

/* The page at pa, or NULL if it was never touched (create = false). */
void *host_page(phys_addr_t pa, bool create);

/* Per-page metadata the backend and the checker keep. */
struct host_meta {
	uint32_t hooked_epoch;                  /* page of a hooked batch */
	uint32_t batch;                         /* its batch id */
	uint32_t live_epoch;                    /* reachable at the last walk */
	uint32_t seen_epoch;                    /* checker's walk */
	uint8_t live_level;
};
struct host_meta *host_meta(phys_addr_t pa);  /* NULL if never touched */
uint32_t host_epoch(void);                     /* current reset generation */
uint32_t host_new_walk_epoch(void);

/* The PA of the simulated page holding host pointer p (false if none). */
bool host_pa_of(const void *p, phys_addr_t *pa);

/* Lookup va in the tree under root, reading memory raw (no side effects).
 * Returns the leaf entry (0 if unmapped) and its level. */
pte_t host_lookup(phys_addr_t root, uint64_t va, unsigned int *level);

/* The name the recording backend gives (pv_name(), the trace's backend=):
 * tools/tracecmp replays a run under its backend's name. */
void host_backend_name(const char *name);

/* Append to the captured output (printk and the console use it). */
void host_out_append(const char *s, size_t n);

/* The captured output (NUL-terminated). */
const char *host_output(void);

#endif /* TESTS_HOSTENV_H */
