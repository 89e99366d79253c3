/*
 * include/paravirt/xen_hypercall.h — the Xen hypercall ABI, x86-64: the
 * hypercall number selects a 32-byte stub in the hypercall page (which Xen
 * fills when the guest writes the page's address to the MSR named by CPUID
 * leaf base+2); arguments in rdi, rsi, rdx, r10, r8; result in rax; rcx and
 * r11 are clobbered.  Only the ABI lives here: the structures and numbers
 * are Xen's own public headers (<xen/...>, libxen-dev), and the backend's
 * private functions are in paravirt/xen/internal.h.
 */
#ifndef PARAVIRT_XEN_HYPERCALL_H
#define PARAVIRT_XEN_HYPERCALL_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/vcpu.h>

extern uint8_t hypercall_page[4096];

#define _hypercall1(nr, a1) ({                                              \
	long __res, __ign1;                                                     \
	__asm__ volatile("call hypercall_page + %c[off]"                        \
			 : "=a"(__res), "=D"(__ign1)                            \
			 : [off] "i"((nr) * 32), "1"((long)(a1))                \
			 : "memory", "rcx", "r11");                             \
	__res; })

#define _hypercall2(nr, a1, a2) ({                                          \
	long __res, __ign1, __ign2;                                             \
	__asm__ volatile("call hypercall_page + %c[off]"                        \
			 : "=a"(__res), "=D"(__ign1), "=S"(__ign2)              \
			 : [off] "i"((nr) * 32), "1"((long)(a1)), "2"((long)(a2)) \
			 : "memory", "rcx", "r11");                             \
	__res; })

#define _hypercall3(nr, a1, a2, a3) ({                                      \
	long __res, __ign1, __ign2, __ign3;                                     \
	__asm__ volatile("call hypercall_page + %c[off]"                        \
			 : "=a"(__res), "=D"(__ign1), "=S"(__ign2), "=d"(__ign3) \
			 : [off] "i"((nr) * 32), "1"((long)(a1)), "2"((long)(a2)), \
			   "3"((long)(a3))                                      \
			 : "memory", "rcx", "r11");                             \
	__res; })

#define _hypercall4(nr, a1, a2, a3, a4) ({                                  \
	long __res, __ign1, __ign2, __ign3;                                     \
	register long __a4 __asm__("r10") = (long)(a4);                         \
	__asm__ volatile("call hypercall_page + %c[off]"                        \
			 : "=a"(__res), "=D"(__ign1), "=S"(__ign2), "=d"(__ign3), \
			   "+r"(__a4)                                           \
			 : [off] "i"((nr) * 32), "1"((long)(a1)), "2"((long)(a2)), \
			   "3"((long)(a3))                                      \
			 : "memory", "rcx", "r11");                             \
	__res; })

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long HYPERVISOR_hvm_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_hvm_op, cmd, arg);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long HYPERVISOR_console_io(int cmd, int count, const char *str)
{
	return _hypercall3(__HYPERVISOR_console_io, cmd, count, str);
}

static inline long HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned int count,
					unsigned int *done, domid_t dom)
{
	return _hypercall4(__HYPERVISOR_mmuext_op, op, count, done, dom);
}

/* Xen PV only */

static inline long HYPERVISOR_set_trap_table(const struct trap_info *t)
{
	return _hypercall1(__HYPERVISOR_set_trap_table, t);
}

static inline long HYPERVISOR_mmu_update(struct mmu_update *req, unsigned int count,
					 unsigned int *done, domid_t dom)
{
	return _hypercall4(__HYPERVISOR_mmu_update, req, count, done, dom);
}

static inline long HYPERVISOR_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags)
{
	return _hypercall3(__HYPERVISOR_update_va_mapping, va, val, flags);
}

static inline long HYPERVISOR_multicall(struct multicall_entry *calls, unsigned int n)
{
	return _hypercall2(__HYPERVISOR_multicall, calls, n);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return _hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

#endif /* PARAVIRT_XEN_HYPERCALL_H */
