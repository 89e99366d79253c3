/*
 * include/arch/smp.h — bringing up the other CPUs (arch/x86_64/smp.c).
 *
 * Natively (and on Xen PVH, whose emulated LAPIC accepts the same IPIs)
 * every AP is started with INIT-SIPI-SIPI, all in one pass, into a real-mode
 * trampoline in low memory; each AP finds its own record there by its APIC
 * id, goes to long mode directly on its own L4 (built by mm/percpu.c,
 * through the paravirt hook) and jumps to smp_ap_entry() on its own stack.
 * docs/smp.md says how, and what happens to a CPU that is late.
 */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/layout.h>
#include <mm/percpu.h>
#include <arch/traps.h>

struct boot_info;

/* Filled by the BSP once, before the first INIT, read by trampoline.asm
 * (offsets through asm-offsets.c): the same for every AP. */
struct tramp_params {
	uint16_t pad0[3];
	uint16_t gdtr_limit;            /* offset 6: lgdt operand (limit, base) */
	uint32_t gdtr_base;             /* PA of the trampoline's GDT */
	uint16_t pad1[3];
	uint16_t idtr_limit;            /* offset 18: lidt operand: 0, 0 (a null IDT) */
	uint32_t idtr_base;
	uint32_t jmp32_off;             /* far pointer to the 32-bit code */
	uint16_t jmp32_sel;
	uint16_t pad2;
	uint32_t jmp64_off;             /* far pointer to the 64-bit code */
	uint16_t jmp64_sel;
	uint16_t pad3;
	uint32_t cr4;                   /* the boot CPU's CR4 */
	uint32_t efer;                  /* the boot CPU's EFER (without LMA) */
	uint32_t nr_slots;              /* records after the code */
	uint32_t late;                  /* wake-ups that found no READY record (the APs count) */
	uint64_t entry;                 /* smp_ap_entry */
} __attribute__((packed, aligned(8)));

/*
 * One AP's record, found by the AP by its own APIC id.  state: READY when
 * the BSP kicks; the AP takes it (READY -> TAKEN, locked, paging off); at
 * the deadline the BSP makes every record DEAD, so a CPU that wakes later
 * finds nothing to run.
 */
struct tramp_slot {
	uint32_t apic_id;
	uint32_t state;                 /* TRAMP_SLOT_* */
	uint32_t cr3;                   /* the AP's own L4: below 4 GiB */
	uint32_t start_tsc;             /* TSC bits 31:0 when it took the record (the AP writes) */
	uint64_t stack;                 /* top of the AP's own stack */
	uint64_t arg;                   /* struct cpu * */
} __attribute__((packed, aligned(32)));

#define TRAMP_SLOT_EMPTY    0
#define TRAMP_SLOT_READY    1
#define TRAMP_SLOT_TAKEN    2
#define TRAMP_SLOT_DEAD     3

enum cpu_state {
	CPU_ABSENT,             /* listed by ACPI but not enabled: never started */
	CPU_STARTING,           /* kicked; the AP moves it to UP, the BSP at the deadline to TIMEOUT */
	CPU_UP,                 /* reported in */
	CPU_TIMEOUT,            /* did not report in within the bound: INIT-parked, left out */
};

/* The globaldata page of a CPU, at GLOBALDATA_BASE on that CPU. */
struct globaldata {
	uint64_t gdt[GDT_ENTRIES];      /* an AP's own GDT and TSS */
	struct tss tss;
	uint32_t cpu;                   /* written by the CPU itself */
	uint32_t apic_id;               /* written by the CPU itself (from its LAPIC) */
	uint64_t self_pa;               /* written by the BSP: PA of this page */
	uint64_t magic;
	/* ring 3 (kernel/user.c, arch/x86_64/user.asm), reached with plain
	 * loads from GLOBALDATA_BASE + offset, no segment base: */
	uint64_t user_regs;             /* struct user_regs * of the program running here */
	uint64_t kernel_rsp;            /* user_enter's frame: syscall stack, TSS rsp0 */
	uint64_t tss_rsp0;              /* &this CPU's TSS rsp[0] */
	uint64_t scratch;               /* syscall entry: the user's rax, briefly */
};

#define GLOBALDATA_MAGIC 0x617461646c626f67ULL   /* "globdata" */

/* The control state that must be the same on every CPU (SDM: PAT). */
struct cpu_ctl {
	uint64_t cr0, cr4, efer, pat;
};

/* What the BSP knows of every CPU. */
struct cpu {
	unsigned int id;
	uint32_t apic_id;
	volatile enum cpu_state state;
	struct percpu_tables pt;        /* its L4, globaldata, stacks */
	uint64_t up_tsc;                /* TSC ticks from the first INIT to its report-in */
	volatile uint64_t report_tsc;   /* the TSC when it reported in (written by the AP) */
	struct cpu_ctl ctl;             /* its CR0/CR4/EFER/PAT (read on it, smp_selfcheck) */
	uint64_t pat_set;               /* its PAT, read back right after cpu_ctl_setup() */
	uint64_t ist[IST_COUNT];        /* its IST stack tops (#DF, NMI, #DB, #MC) */
	volatile uint32_t seen_gd_cpu, seen_gd_apic;    /* read back by the CPU */
	volatile uint64_t seen_root;    /* its CR3, as it read it */
};

extern struct cpu cpus[MAX_CPUS];
extern unsigned int nr_cpus, nr_cpus_up;

/* Bring up every enabled CPU of the MADT; prints "smp:" and "percpu:". */
void smp_init(void);
/* Run fn(arg) on CPU `id` (from the BSP) and wait for it; false on timeout. */
bool smp_call(unsigned int id, void (*fn)(void *), void *arg);
/* AP side, any start path: ids into globaldata, read back, STARTING -> UP
 * (parks for good if the BSP gave up on it). */
void smp_ap_report_in(struct cpu *c, uint32_t apic_id);
/* Run the cross call posted to this CPU, if one waits. */
void smp_call_poll(void);

/*
 * What a start path outside arch/ (pv_ops.smp, Xen PV: paravirt/xen/smp_pv.c)
 * is handed by smp_init: the CPU table to fill, and the AP side's report-in
 * and mailbox poll.  Passed, not linked to, so that the backend does not
 * depend on this file.
 */
struct smp_env {
	struct cpu *cpus;               /* cpus[MAX_CPUS] */
	unsigned int *nr_cpus, *nr_cpus_up;
	unsigned int *nr_listed;        /* the smp: line's listed= (the MADT's, the vCPUs) */
	void (*report_in)(struct cpu *c, uint32_t apic_id);    /* smp_ap_report_in */
	void (*call_poll)(void);                                /* smp_call_poll */
	bool (*call)(unsigned int id, void (*fn)(void *), void *arg);  /* smp_call */
	const bool *no_shootdown;       /* smp.test=no-shootdown: the control is on */
};

/* The native smp ops (include/paravirt/ops.h, struct pv_smp_ops): the MADT's
 * CPUs, INIT/SIPI, the VECTOR_CALL IPI, shootdown by IPI + invlpg on each. */
bool native_smp_find_cpus(const struct smp_env *env);
void native_smp_start_cpus(const struct smp_env *env);
void native_smp_send_call(unsigned int id);
void native_flush_tlb_others(uint64_t va);
/* The per-CPU tests (globaldata, new kernel mapping, shootdown) and the
 * per-CPU self-check; returns violations. */
unsigned long smp_selfcheck(void);
const char *smp_first_violation(void);
/* Pick and reserve the trampoline page: before mm runs. */
void smp_reserve_trampoline(struct boot_info *bi);

#endif /* ARCH_SMP_H */
