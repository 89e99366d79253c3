/*
 * include/mm/policy.h — the numbers the page-table builder decides by
 * (design §1, mm/init.c).  One copy: the kernel, the host tests and
 * tools/tracecmp (which replays mm_init) all include this header.  The
 * trace's begin record states the ones a reader needs (docs/trace.md).
 *
 * The geometry (leaf sizes, chunk = the span of one L1 with 4 KiB leaves,
 * else 1 GiB) is not policy: it follows from the page-table format.
 */
#ifndef MM_POLICY_H
#define MM_POLICY_H

#include <mm/pgtable.h>

/*
 * The first MiB is never used for tables: the real-mode IVT, the BIOS data
 * area, the EBDA, the VGA hole and the option ROMs live there, and
 * firmware, loaders and SMP trampolines expect to own it.  Linux keeps it
 * too (reserve_real_mode, memblock's bottom-up start).
 */
#define LOWMEM_END          0x100000ULL

/*
 * Batch growth (steps 5-7): a batch stops once it maps at least
 * 2^BATCH_GROWTH_SHIFT times the RAM mapped before it (16x), and at least
 * BATCH_MIN_BYTES.  Its tables must come from RAM already mapped, so a
 * batch can only be a bounded multiple of what is mapped; growing
 * geometrically keeps the number of batches (and hook calls: Xen page-type
 * flips) logarithmic in RAM — 1 TiB takes a handful.
 */
#define BATCH_GROWTH_SHIFT  4
#define BATCH_MIN_BYTES     (2ULL << 20)

/*
 * Where step 2 starts: at the end of the highest free range (usable RAM
 * minus reservations) of at least START_MIN_FREE bytes, so that brk maps
 * RAM step 5 can take tables from (an initrd at the top of RAM would
 * otherwise eat brk and leave step 5 nothing).  2 MiB: one L1's span, the
 * most one chunk of 4 KiB leaves costs.  Linux's memory_map_top_down()
 * starts below the highest free 2 MiB likewise.
 */
#define START_MIN_FREE      (2ULL << 20)

/*
 * The batch descriptor handed to the paravirt hook (struct pt_batch) is
 * fixed-size: its table pages as at most BATCH_EXTENTS_MAX runs of
 * contiguous pages, and at most BATCH_LINKS_MAX entries to write into live
 * tables.  A batch stops ("bounds") before the next chunk when fewer than
 * CHUNK_EXTENTS_ROOM extents or CHUNK_LINKS_ROOM links are left — more
 * than one chunk can add, so the bounds are never overrun.
 */
#define BATCH_EXTENTS_MAX   32
#define BATCH_LINKS_MAX     (4 * PT_ENTRIES)
#define CHUNK_EXTENTS_ROOM  4
#define CHUNK_LINKS_ROOM    (3 * PT_ENTRIES / 2)

#endif /* MM_POLICY_H */
