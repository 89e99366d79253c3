/*
 * include/kernel/image.h — the kernel image's sections, from the linker
 * script.  All are kernel VAs; PA = VA - KERNEL_VMA.
 */
#ifndef KERNEL_IMAGE_H
#define KERNEL_IMAGE_H

extern char __image_start[], __image_end[];
extern char __text_start[], __text_end[];
extern char __selftest_text_start[], __selftest_text_end[];    /* kernel/selftest.c */
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
extern char __bss_start[], __bss_end[];
extern char __stack_guard[], __stack_bottom[], __stack_top[];
extern char __brk_start[], __brk_end[];

#endif /* KERNEL_IMAGE_H */
