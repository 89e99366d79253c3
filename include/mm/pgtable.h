/*
 * include/mm/pgtable.h — the page-table vocabulary, fixed once.
 *
 * Glossary (used everywhere else, nothing else):
 *   PA        physical address (phys_addr_t)
 *   VA        virtual address (uint64_t)
 *   PFN       PA >> PAGE_SHIFT
 *   L5..L1    table levels: L5 = PML5 (the root with CR4.LA57), L4 = PML4
 *             (the root without), L3 = PDPT, L2 = PD, L1 = PT.  An Ln table
 *             has 512 entries of type pte_t.
 *   depth     pt_levels, 4 or 5: the level of the root
 *   leaf      an entry that maps memory: any L1 entry, or an L3/L2 entry
 *             with PS set (a 1 GiB / 2 MiB page)
 *   table page a 4 KiB page holding one table
 *
 *   63  62..52  51.........12  11..9  8  7  6  5  4   3   2  1  0
 *   NX  (avail) PA of page/tbl  avail  G  PS D  A PCD PWT US RW P
 *
 * An Ln entry maps (leaf) or points below (table) for a span of
 * level_size(n) bytes: L1 4 KiB, L2 2 MiB, L3 1 GiB, L4 512 GiB, L5 256 TiB.
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/layout.h>

typedef uint64_t pte_t;
typedef uint64_t phys_addr_t;

#define PT_ENTRIES      512
#define PT_LEVELS_MAX   5       /* arrays by level are [PT_LEVELS_MAX + 1] */

/*
 * The paging depth in force: 4, or 5 when CR4.LA57 is set.  It is decided
 * before paging is first enabled (arch/x86_64/boot/head.asm, pt.levels=) and
 * set here once, before mm_init, by whoever knows it (the kernel's entry,
 * a host test, the trace replay); mm follows it.  Everything below the
 * root is the same at both depths.
 */
extern unsigned int pt_levels;

#define PTE_P           (1ULL << 0)
#define PTE_RW          (1ULL << 1)
#define PTE_US          (1ULL << 2)
#define PTE_PWT         (1ULL << 3)
#define PTE_PCD         (1ULL << 4)
#define PTE_A           (1ULL << 5)
#define PTE_D           (1ULL << 6)
#define PTE_PS          (1ULL << 7)
#define PTE_G           (1ULL << 8)
#define PTE_NX          (1ULL << 63)
#define PTE_ADDR_MASK   0x000ffffffffff000ULL

#define PHYS_ADDR_BITS_MAX 52

static inline unsigned int level_shift(unsigned int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static inline uint64_t level_size(unsigned int level)
{
	return 1ULL << level_shift(level);
}

static inline unsigned int pt_index(uint64_t va, unsigned int level)
{
	return (va >> level_shift(level)) & (PT_ENTRIES - 1);
}

static inline phys_addr_t pte_addr(pte_t e)
{
	return e & PTE_ADDR_MASK;
}

static inline bool pte_present(pte_t e)
{
	return e & PTE_P;
}

/* Is an entry at `level` a leaf (maps memory rather than a table)? */
static inline bool pte_is_leaf(pte_t e, unsigned int level)
{
	return level == 1 || (e & PTE_PS);
}

/* The VA bits the tables translate: 48 with four levels, 57 with five. */
static inline unsigned int va_bits(void)
{
	return PAGE_SHIFT + 9 * pt_levels;
}

/* Sign-extend bit va_bits()-1: the canonical form of a VA. */
static inline uint64_t va_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << (64 - va_bits())) >> (64 - va_bits()));
}

/* The other way: the VA without its sign-extension bits (the mapper's
 * index arithmetic works on it). */
static inline uint64_t va_strip_sign(uint64_t va)
{
	return va & ((1ULL << va_bits()) - 1);
}

static inline const char *page_size_name(unsigned int level)
{
	return level == 3 ? "1g" : level == 2 ? "2m" : "4k";
}

#endif /* MM_PGTABLE_H */
