/*
 * include/mm/mm.h — early memory management: the seven steps (design §1).
 *
 * mm/ is hypervisor-agnostic and compiles for the host too (tests/unit,
 * tests/fuzz): everything it needs from its environment is in struct
 * mm_image and the functions declared at the bottom of this file.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/batch.h>
#include <mm/memmap.h>
#include <mm/pgtable.h>

/* Kinds of kernel-image section, each with its own W^X permissions. */
enum image_kind {
	IMG_TEXT,       /* RX           */
	IMG_RODATA,     /* R, NX        */
	IMG_DATA,       /* RW, NX       */
	IMG_GUARD,      /* never mapped */
	IMG_BRK,        /* RW, NX (table pool of steps 1-2) */
};

#define IMAGE_SECTIONS_MAX 8

struct image_section {
	const char *name;
	enum image_kind kind;
	uint64_t va, va_end;            /* page aligned, exclusive end */
};

/* The kernel image as the linker laid it out (VA = PA + KERNEL_VMA). */
struct mm_image {
	phys_addr_t pa_start, pa_end;   /* whole image incl. boot stubs */
	struct image_section sec[IMAGE_SECTIONS_MAX];
	unsigned int nr_sec;
	void *brk;                      /* brk chunk: VA, PA and size */
	phys_addr_t brk_pa;
	unsigned long brk_pages;
};

struct mm_config {
	unsigned int max_level;         /* largest leaf: 1 = 4k, 2 = 2m, 3 = 1g */
	bool nx;                        /* CPU supports NX */
	uint64_t phys_limit;            /* 1 << MAXPHYADDR */
	bool tables_readonly;           /* backend wants RO table mappings */
	unsigned int foreign_l4_lo;     /* L4 slots [lo, hi) are the hypervisor's: */
	unsigned int foreign_l4_hi;     /* never walked or checked (0, 0: none) */
	const char *const *boot_data_why; /* names of mm_init's boot_data ranges for
					 * the trace (NULL, or a NULL entry: "bootdata") */
	unsigned long hook_reserve_pages; /* pages the hook may take per batch
					 * (the backend's hook_reserve_pages) */
	const char *trace_env;          /* facts of the environment for the
					 * trace's env record (key=value ...), or NULL */
};

#define RESERVE_MAX 40      /* lowmem, kernel, and up to BOOT_DATA_MAX boot data ranges */

/* Everything mm_init decided and counted; the self-check and trace use it. */
struct mm_state {
	struct mm_config cfg;
	const struct mm_image *image;
	struct memmap ram;                      /* normalised usable RAM */
	struct mem_range reserved[RESERVE_MAX]; /* never used for tables */
	const char *reserved_why[RESERVE_MAX];
	unsigned int nr_reserved;

	phys_addr_t root;                       /* L4 of the new tables */
	uint64_t start;                         /* step 2 starts here (init.c: start_point) */
	uint64_t mapped_lo;                     /* below start: [mapped_lo, start) is mapped */
	uint64_t above_lo;                      /* above start: [above_lo, ram_top) is mapped */
	uint64_t ram_top;

	unsigned long brk_used;
	unsigned long tables;                   /* all table pages */
	unsigned long tables_at[PT_LEVELS_MAX + 1];
	unsigned long batches, hook_calls, links;
	unsigned long leaves_at[PT_LEVELS_MAX];
	unsigned long hook_splits, hook_split_tables;
	uint64_t ram_mapped;
	bool root_loaded;
	bool root_copied;                       /* per-CPU L4s copied its kernel half (percpu.c) */
};

extern struct mm_state mm;

/*
 * Run steps 1-7: returns with all usable RAM in the direct map and the new
 * tables in CR3.  `bootmap` is the boot protocol's memory map (normalised
 * here), `boot_data` the loader's blocks to keep clear of.
 */
void mm_init(const struct mm_config *cfg, const struct mm_image *image,
	     struct memmap *bootmap, const struct mem_range *boot_data,
	     unsigned int nr_boot_data);

/* Map one 4 KiB page in a fixmap slot (through write_pte once live). */
void fixmap_set(unsigned int slot, phys_addr_t pa, bool writable);

/* The same with cache attributes for MMIO: `cache` is PTE_PWT and/or PTE_PCD
 * (which PAT entry they select is the caller's business). */
void fixmap_set_cache(unsigned int slot, phys_addr_t pa, bool writable, pte_t cache);

/* Translate a VA through the live tables: returns the leaf entry (0 if not
 * mapped) and its level. */
pte_t pt_lookup(uint64_t va, unsigned int *level, pte_t **slot);

/* A pointer to the table page at pa (brk or direct map). */
pte_t *pt_page(phys_addr_t pa);

/* ---- provided by the environment (kernel: arch/x86_64/mmu.c; host: tests) */

/* A pointer through which mm can reach the table page at `pa` (brk pages are
 * reached through the image; other pages through the direct map). */
void *phys_window(phys_addr_t pa);

/*
 * And through the paravirt ops (<paravirt/ops.h>), which the host provides
 * too (tests/unit/hostpv.c): what a hardware entry holds for a physical
 * address.  mm never writes `pa | flags` itself: a table entry or a link is
 * make_pte(pa, flags), a run of leaves — mm's hot loop, up to 512 entries of
 * one table — is one fill_leaves(dst, pa, n, step, flags) call, and entries
 * read back go through pte_phys().  Natively these are the identity (the
 * fill loop costs ~2.4 instructions per entry, no call per entry); a backend
 * whose entries hold other frames (Xen PV: machine frames from the p2m)
 * supplies them, and mm stays unaware of it.
 */

#endif /* MM_MM_H */
