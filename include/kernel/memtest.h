/*
 * include/kernel/memtest.h — test only: replace the boot memory map with a
 * synthetic one from the command line, so that bad maps reach the real
 * boot path (memmap.test=START:SIZE:TYPE[,START:SIZE:TYPE...], numbers in
 * hex with 0x or decimal, TYPE as in E820: 1 usable, 2 reserved, ...).
 * '+' separates entries as well as ',' (QEMU's -initrd splits on commas).
 */
#ifndef KERNEL_MEMTEST_H
#define KERNEL_MEMTEST_H

struct boot_info;

void memtest_override(struct boot_info *bi, const char *spec);

#endif /* KERNEL_MEMTEST_H */
