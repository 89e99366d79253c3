/*
 * include/paravirt/xen.h — the Xen backend's internals: hypercall
 * wrappers (x86-64 ABI: number selects the 32-byte stub in the hypercall
 * page; arguments in rdi, rsi, rdx, r10, r8; result in rax).
 */
#ifndef PARAVIRT_XEN_H
#define PARAVIRT_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/batch.h>
#include <xen/xen.h>

struct boot_info;

extern uint8_t hypercall_page[4096];

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

/* xen.c */
int xen_memory_map(struct boot_info *bi);       /* XENMEM_memory_map into bi->map */

/* console.c */
void xen_console_init(bool initial_domain);
void xen_console_write(const char *s, size_t n);
void xen_console_flush(void);
void xen_console_use_fixmap(void);
void xen_console_map_fixmap(void);
void xen_console_attach(volatile void *ring, uint32_t evtchn);  /* Xen PV: ring from start_info */

/* pin.c */
void xen_batch_built(struct pt_batch *batch);
void xen_write_pte(pte_t *ptep, pte_t val);

#endif /* PARAVIRT_XEN_H */
