/*
 * include/kernel/cmdline.h — the kernel command line.
 *
 * Space-separated key=value options.  An unknown key, a missing '=', a bad
 * value or an option given twice stops the boot with a panic naming it: a
 * typo must not silently change what a run measures.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>
#include <kernel/boot_info.h>

#define CMDLINE_VALUES_SIZE (CMDLINE_MAX + 64)

struct kernel_options {
	unsigned int maxpage;           /* 0 = default (largest the CPU has) */
	unsigned int levels;            /* pt.levels: 0 = default (4), 4 or 5 */
	const char *selftest;           /* NULL = none */
	const char *memmap_test;        /* test-only synthetic memory map */
	bool smp_no_shootdown;          /* test only: leave other CPUs' TLBs stale */
	const char *smp_test;           /* test only: smp.test=, NULL = none */
	bool user_off;                  /* user=off: no ring-3 run */
	bool end_wait;                  /* end=wait: stay alive after the result line */
	const char *walk_plant;         /* test only: walk.plant=wx|lowtable, or NULL */
};

extern struct kernel_options options;

void cmdline_parse(const char *cmdline, struct kernel_options *o);

#endif /* KERNEL_CMDLINE_H */
