/*
 * ulib.h — what a topdown user program has: the entry stub, the three
 * system calls of <kernel/user.h> and a few output helpers.  Freestanding,
 * general registers only (the kernel keeps no FPU/SSE state per program).
 */
#ifndef USER_ULIB_H
#define USER_ULIB_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/user.h>

/* The ELF entry: the kernel starts a program with rsp at the top of its
 * stack (16-byte aligned) and the test mode in rdi. */
__asm__(".section .text.start, \"ax\"\n"
	".global _start\n"
	"_start:\n"
	"	and $-16, %rsp\n"
	"	call umain\n"
	"	ud2\n"
	".previous\n");

void umain(unsigned long mode) __attribute__((noreturn, used));

static inline long sys2(long nr, long a, long b)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return r;
}

static inline long u_write(const char *s, size_t n)
{
	return sys2(SYS_WRITE, (long)s, (long)n);
}

/* Returns the CPU this program runs on after the yield. */
static inline long u_yield(void)
{
	return sys2(SYS_YIELD, 0, 0);
}

__attribute__((noreturn))
static inline void u_exit(long code, const void *sig)
{
	sys2(SYS_EXIT, code, (long)sig);
	for (;;)
		;
}

/* A line under construction: text, decimal and hex numbers. */
struct uline {
	char b[USER_WRITE_MAX];
	size_t n;
};

static inline void ul_s(struct uline *l, const char *s)
{
	while (*s && l->n < sizeof(l->b))
		l->b[l->n++] = *s++;
}

static inline void ul_u(struct uline *l, unsigned long v, unsigned int base)
{
	char t[24];
	int i = 0;

	do {
		t[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16)
		ul_s(l, "0x");
	while (i && l->n < sizeof(l->b))
		l->b[l->n++] = t[--i];
}

static inline void ul_put(struct uline *l)
{
	ul_s(l, "\n");
	u_write(l->b, l->n);
	l->n = 0;
}

/* The start of a program's report on a round: "<who>: round <round><how>
 * cpu <cpu>: " (how: " on", " back on"). */
static inline void ul_round(struct uline *l, const char *who, unsigned long round,
			    const char *how, unsigned long cpu)
{
	ul_s(l, who);
	ul_s(l, ": round ");
	ul_u(l, round, 10);
	ul_s(l, how);
	ul_s(l, " cpu ");
	ul_u(l, cpu, 10);
	ul_s(l, ": ");
}

/* The bad accesses of selftest=user-*, made after the first yield. */
#define UMODE_NONE      0
#define UMODE_KERNEL    1       /* read the kernel image */
#define UMODE_WX        2       /* write to its own code */
#define UMODE_NX        3       /* jump into its own data */
#define UMODE_UNMAPPED  4       /* read a user address nothing maps */
#define UMODE_FORGE     5       /* print a forged kernel result line (must not count) */

#define UROUNDS         8       /* yields per program */

#endif /* USER_ULIB_H */
