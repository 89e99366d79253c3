/*
 * include/kernel/printk.h — formatted output.
 *
 * printk() formats the whole message first and hands it to the console in
 * one piece, so a line is never split.  Conversions: %s %c %d %i %u %x %X %p
 * %%, length modifiers l, ll, z; flags '-' and '0'; field width and
 * precision (also '*').
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

#define PRINTK_MAX 512   /* longest single message */

__attribute__((format(printf, 1, 2)))
void printk(const char *fmt, ...);
void vprintk(const char *fmt, va_list ap);

__attribute__((format(printf, 3, 4)))
int snprintf(char *buf, size_t size, const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif /* KERNEL_PRINTK_H */
