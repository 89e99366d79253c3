/*
 * include/arch/usermode.h — into ring 3 and back (arch/x86_64/user.asm).
 * The policy — which program, its address space, the system calls — is
 * kernel/user.c's; arch calls it only through user_syscall_fn (data), so
 * arch never depends on kernel.
 */
#ifndef ARCH_USERMODE_H
#define ARCH_USERMODE_H

#include <stdint.h>

/* What user_enter saves and loads: the program's registers. */
struct user_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rsp, rflags;
};

/* Why user_enter returned. */
enum user_stop {
	USER_YIELD = 1,
	USER_EXIT,
	USER_KILLED,
};

/* Enter ring 3 with *r (iretq); returns when the program yields, exits or
 * is killed (user_leave), with *r holding its registers.  The per-CPU state
 * it needs is in the CPU's globaldata page (struct globaldata). */
uint64_t user_enter(struct user_regs *r);
/* Back to the kernel frame user_enter left; never returns. */
__attribute__((noreturn)) void user_leave(uint64_t why);
/* syscall's entry point (LSTAR). */
void syscall_entry(void);
/* What syscall_entry calls with the saved registers; if it returns, the
 * program resumes (sysret) with *r.  Set by the user run. */
extern void (*user_syscall_fn)(struct user_regs *r);

#endif /* ARCH_USERMODE_H */
