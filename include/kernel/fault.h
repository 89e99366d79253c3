/*
 * include/kernel/fault.h — what a fault means, and how it ends the run.
 */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <stdint.h>

/* Diagnoses, compared by self-tests (pointer equality is not relied on). */
#define DIAG_NULL           "NULL pointer dereference (page 0 is never mapped)"
#define DIAG_UNMAPPED       "access to an unmapped address"
#define DIAG_WX_TEXT        "write to kernel text (W^X: text is read-only)"
#define DIAG_WX_RODATA      "write to kernel rodata (read-only)"
#define DIAG_NX_DIRECT      "instruction fetch from the direct map (NX)"
#define DIAG_NX_DATA        "instruction fetch from kernel data (NX)"
#define DIAG_STACK_GUARD    "kernel stack overflow into the guard page"
#define DIAG_PINNED         "write to a pinned page table"
#define DIAG_DOUBLE_FAULT   "double fault (an exception while delivering another)"
#define DIAG_OTHER          "unexpected exception"

const char *fault_diagnose(unsigned int vector, uint64_t error_code, uint64_t cr2);

__attribute__((noreturn))
void fault_conclude(unsigned int vector, const char *diag, uint64_t rip, uint64_t cr2);

#endif /* KERNEL_FAULT_H */
