/*
 * include/kernel/user.h — ring-3 programs in slot-0 address spaces
 * (kernel/user.c; the entry and exit paths in arch/x86_64/user.asm).
 *
 * System calls (syscall instruction; number in rax, arguments in rdi, rsi;
 * result in rax; rcx and r11 are clobbered, as the instruction does):
 *   SYS_WRITE  (buf, len)   console write of up to USER_WRITE_MAX bytes
 *   SYS_YIELD  ()           give the CPU back; returns the CPU it resumes on
 *   SYS_EXIT   (code, sig)  end; `sig`: the VA of its signature page
 */
#ifndef KERNEL_USER_H
#define KERNEL_USER_H

#include <stdint.h>
#include <arch/usermode.h>

#define SYS_WRITE       1
#define SYS_YIELD       2
#define SYS_EXIT        3
#define USER_WRITE_MAX  200

#ifndef __ASSEMBLER__
/* Load the two programs, run them alternately on every CPU, check; returns
 * violations (the first in user_first_violation()). */
unsigned long user_run_all(void);
const char *user_first_violation(void);

/* selftest=user-*: ends the run with the verdict on the user run (ping
 * killed with exactly the test's diagnosis, pong finished); returns for
 * any other self-test. */
void user_selftest(const char *name);

/* selftest=smep|smap: a one-page address space (the page full of `ret`,
 * user, executable, read-only, at SELFTEST_USER_PROBE_VA) in slot 0 of
 * this CPU; returns its VA.  Registered with selftest_set_user_probe(). */
uint64_t user_probe_page(void);
#endif

#endif /* KERNEL_USER_H */
