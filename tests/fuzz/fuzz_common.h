/*
 * tests/fuzz/fuzz_common.h — what the two libFuzzer harnesses share: the
 * byte format of a memory map, the panics the contract expects, and how a
 * finding is reported.
 *
 * Input format (both harnesses, after their own header bytes): entries of
 * 11 bytes
 *     [0] start shift   [1] size shift   [2] type   [3..6] start   [7..10] size
 * start = le32 << (shift % 64), size likewise (so both tiny and huge,
 * wrapping, values are a byte flip away).  type = byte % 10 (0..9; 0 and
 * 8, 9 are not E820 types), or the byte itself when >= 250.
 */
#ifndef TESTS_FUZZ_COMMON_H
#define TESTS_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/memmap.h>

#define FUZZ_ENTRY_BYTES 11

/* Decode up to max entries; returns the count. */
unsigned int fuzz_decode(const uint8_t *data, size_t size, struct memmap_entry *e,
			 unsigned int max);

/*
 * The panic memmap_normalise must raise for this map, by its contract
 * (<mm/memmap.h>): an empty map; for the first bad entry in order (zero
 * length ones are skipped), wrap-around or an end above phys_limit (the
 * message names the entry); only zero-length entries; no usable RAM left.
 * Returns false if none; else fills want[] with a substring the message
 * must hold.
 */
bool fuzz_memmap_panic(const struct memmap_entry *e, unsigned int n, uint64_t limit,
		       char *want, size_t len);

/*
 * A finding: a contract broken.  By default abort() (libFuzzer saves the
 * input).  With FUZZ_CONTINUE=1 in the environment, log the first example
 * of each category to stderr and go on (for long runs that should count
 * findings rather than stop at the first).
 */
/* Appended to every category (e.g. "-type0" when the input has an entry of
 * type 0, the known bug of RESULTS.md, so that other findings still show
 * as categories of their own). */
extern const char *fuzz_suffix;

/* The suffix for this map: "-type0" if a non-empty entry has type 0. */
const char *fuzz_suffix_for(const struct memmap_entry *e, unsigned int n);

__attribute__((format(printf, 4, 5)))
void fuzz_finding(const char *category, const uint8_t *data, size_t size, const char *fmt, ...);

#endif /* TESTS_FUZZ_COMMON_H */
