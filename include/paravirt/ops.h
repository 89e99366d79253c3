/*
 * include/paravirt/ops.h — the paravirt contract (design §4).
 *
 * One ops table, statically initialised to the native backend and
 * overridden once by paravirt_init() when a hypervisor is detected.  Code
 * outside paravirt/ calls the inline wrappers below, never pv_ops directly
 * (the host tests of mm/ define their own pv_ops: tests/unit/hostpv.c).
 */
#ifndef PARAVIRT_OPS_H
#define PARAVIRT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/pgtable.h>

struct pt_batch;
struct boot_info;
struct smp_env;
struct user_regs;

/* How a run ends; the backends turn it into an exit code or a shutdown. */
enum stop_code {
	STOP_PASS,
	STOP_FAIL,
	STOP_PANIC,
};

struct pv_mmu_ops {
	/*
	 * batch_built — the hook of steps 3 and 6.  Called once for every
	 * batch of new tables, after they are filled and before any of them
	 * is linked into the live tree (or loaded into CR3).  The backend may
	 * change the batch's tables' own mappings, take up to
	 * hook_reserve_pages more table pages from the batch's source with
	 * batch_alloc_table(), and must fill batch->hook_action/hook_result.
	 */
	void (*batch_built)(struct pt_batch *batch);

	/*
	 * write_pte — store `val` into `*ptep`, an entry of a live table.
	 * Tables are live (and on Xen read-only) once their batch was hooked.
	 */
	void (*write_pte)(pte_t *ptep, pte_t val);


	/* load_root — switch to the L4 table at `root` (step 4). */
	void (*load_root)(phys_addr_t root);

	/* flush_tlb_one — drop any TLB entry for `va`. */
	void (*flush_tlb_one)(uint64_t va);

	/* flush_tlb_user — drop this CPU's TLB entries for the user slot after
	 * slot 0 of its L4 changed (natively a CR3 reload; no entry is global). */
	void (*flush_tlb_user)(void);

	/*
	 * table_released — the table page at `pa` is unlinked from every tree
	 * and flushed: make it ordinary RAM again (Xen PVH: writable in the
	 * direct map).  Natively nothing.
	 */
	void (*table_released)(phys_addr_t pa);

	/*
	 * make_pte — the entry a hardware table holds for the frame at `pa`
	 * with `flags` (a table or a leaf).  Natively pa | flags; on Xen PV the
	 * entry holds the machine frame the p2m gives for pa.
	 */
	pte_t (*make_pte)(phys_addr_t pa, pte_t flags);

	/* pte_phys — the inverse: the (pseudo-)physical address an entry
	 * refers to (natively e & PTE_ADDR_MASK; Xen PV: through the M2P). */
	phys_addr_t (*pte_phys)(pte_t e);

	/*
	 * fill_leaves — make_pte for a run: dst[k] = make_pte(pa + k * step,
	 * flags) for k = 0 .. n-1.  mm's mapper calls it once per run of
	 * leaves (up to a whole table, 512 entries), so turning a physical
	 * address into the frame the hardware entry holds costs one call per
	 * run, not per entry: this is mm's hot loop.  dst[0..n) lies in one
	 * table page that is not live yet and is empty (plain stores are
	 * fine), or is mm's own one-entry buffer (a link's value).
	 * Natively the identity loop (two instructions per entry); a backend
	 * with frames of its own (Xen PV: the p2m) gives a loop of its own
	 * together with its make_pte.
	 */
	void (*fill_leaves)(pte_t *dst, phys_addr_t pa, unsigned int n, uint64_t step,
			    pte_t flags);

	/*
	 * lazy_begin, lazy_end — write_pte calls between them may be queued;
	 * lazy_end has done them all (Xen PV: one mmu_update per batch of
	 * links).  Nothing may rely on a queued entry before lazy_end.
	 */
	void (*lazy_begin)(void);
	void (*lazy_end)(void);

	/*
	 * check — the backend's own self-check of the live tables once mm_init
	 * is done (Xen PV: every table pinned once, every pin accepted).
	 * Prints its findings; returns the number of violations.
	 */
	unsigned long (*check)(void);

	/* max_level — the largest leaf the backend allows: 3 (1 GiB) natively,
	 * 1 on Xen PV, which has no superpages. */
	unsigned int max_level;

	/* foreign_l4_lo, foreign_l4_hi — L4 slots [lo, hi) that belong to the
	 * hypervisor (Xen PV: 256-271): mm never maps, walks or checks them. */
	unsigned int foreign_l4_lo, foreign_l4_hi;

	/*
	 * tables_readonly — the backend keeps every table page read-only in
	 * all kernel mappings (Xen PVH "pinning"): mm then maps brk with 4 KiB
	 * read-only pages.
	 */
	bool tables_readonly;

	/*
	 * hook_reserve_pages — the most table pages batch_built may take per
	 * batch (for splitting large pages).  mm keeps that many free mapped
	 * pages out of each step-5 budget (struct mm_config) and records the
	 * number in the trace's begin record.  0 for a hook that takes none.
	 */
	unsigned long hook_reserve_pages;
};

struct pv_cpu_ops {
	/* read_cr2 — the faulting address of the last #PF (Xen PV: CR2 is
	 * privileged; Xen stores it in vcpu_info). */
	uint64_t (*read_cr2)(void);

	/* read_cr3 — the root in use, for fault reports. */
	uint64_t (*read_cr3)(void);

	/* irq_disable — no interrupts (or events) from here on. */
	void (*irq_disable)(void);
};

struct pv_console_ops {
	/* write — emit n bytes; must not lose any. */
	void (*write)(const char *s, size_t n);
};

struct pv_platform_ops {
	/* stop — end the run with a verdict; never returns. */
	void (*stop)(enum stop_code code) __attribute__((noreturn));

	/*
	 * mark — a no-op the hypervisor's own tracer records, made just before
	 * and just after mm_init, so that a trace taken outside the guest can
	 * cut out the page-table setup (Xen PV: an empty multicall, which
	 * xentrace records with count 0; tests/xen/xentrace.py).  Natively and
	 * on Xen PVH nothing.
	 */
	void (*mark)(void);

	/* wait — end=wait: stay alive doing nothing, interrupts (events) off,
	 * until destroyed from outside; never returns.  Natively cli; hlt. */
	void (*wait)(void) __attribute__((noreturn));

	/*
	 * memory_map — fill bi's memory map when the boot protocol gave none
	 * (Xen PVH dom0: start_info v0).  Returns 0 or a negative error.
	 */
	int (*memory_map)(struct boot_info *bi);

	/*
	 * calibrate_tsc — the TSC rate in kHz, for busy-waits with a bound in
	 * time (AP start-up); *source names where it came from ("pit",
	 * "xen-cpuid").  arch/x86_64/lapic.c keeps the answer in tsc_khz.
	 */
	unsigned long (*calibrate_tsc)(const char **source);
};

struct pv_smp_ops {
	/*
	 * find_cpus — list the CPUs into cpus[] and nr_cpus (arch/smp.h; CPU 0
	 * is the boot CPU, the others CPU_ABSENT); true if the APs can be
	 * started.  Natively the MADT (and the LAPIC mapped); Xen PV: every
	 * vCPU id VCPUOP_is_up knows (no ACPI in a PV domain).  env: the CPU
	 * table and the AP side's calls (struct smp_env, arch/smp.h).
	 */
	bool (*find_cpus)(const struct smp_env *env);

	/*
	 * start_cpus — start every listed AP on its own L4, built through
	 * mm/percpu.c and hooked before anything can load it; each AP reports
	 * in (smp_ap_report_in) or is left out, named.  Natively INIT/SIPI
	 * through the trampoline (arch/x86_64/smp.c); Xen PV: VCPUOP_initialise
	 * + VCPUOP_up on the vCPU's own pinned L4 (paravirt/xen/smp_pv.c).
	 */
	void (*start_cpus)(const struct smp_env *env);

	/*
	 * send_call — tell CPU `id` that a cross call waits in its mailbox.
	 * Natively the VECTOR_CALL IPI; Xen PV: EVTCHNOP_send on the vCPU's IPI
	 * port (EVTCHNOP_bind_ipi), its upcall runs the mailbox.
	 */
	void (*send_call)(unsigned int id);

	/*
	 * report — after the per-CPU tests (smp_selfcheck): the backend's own
	 * cross-CPU checks; returns violations, the first described in
	 * first[len] (when first is not NULL).  Natively none (0); Xen PV: the
	 * shootdown seen from the boot vCPU, in trials, and the events each vCPU
	 * sent and received, as counted where it happened (paravirt/xen/smp_pv.c).
	 */
	unsigned long (*report)(char *first, size_t len);

	/*
	 * flush_tlb_others — va out of the TLB of every other CPU that is up,
	 * done when it returns.  Natively a cross call running invlpg on each
	 * (IPI); Xen PV: one MMUEXT_INVLPG_MULTI with the vCPU mask, no IPI.
	 */
	void (*flush_tlb_others)(uint64_t va);

	/* method, shootdown — how CPUs are started and TLBs shot down, for the
	 * "smp:" and "smptest:" lines ("init-sipi", "IPI + invlpg"). */
	const char *method, *shootdown;
};

struct pv_user_ops {
	/*
	 * cpu_setup — on CPU `cpu` itself, before its first program: how ring
	 * 3 reaches the kernel and where the kernel's stack is.  Natively
	 * EFER.SCE, STAR, LSTAR, SFMASK and the TSS rsp0 slot; Xen PV the
	 * syscall callback (CALLBACKTYPE_syscall) and this vCPU's user root
	 * (MMUEXT_NEW_USER_BASEPTR, paravirt/xen/user_pv.c).
	 */
	void (*cpu_setup)(unsigned int id);

	/*
	 * root — the root whose slot 0 the address-space switch writes on CPU
	 * `cpu`: natively its own root (the kernel's, whose kernel half the user
	 * cannot reach: supervisor-only); Xen PV the vCPU's user root, a pinned
	 * L4 holding slot 0 only (Xen uses it in user mode).
	 */
	phys_addr_t (*root)(unsigned int id);

	/*
	 * enter — run the program whose registers are *r on this CPU until it
	 * yields, exits or is killed (user_leave); returns why.  Natively iretq
	 * (arch/x86_64/user.asm); Xen PV HYPERVISOR_stack_switch, then
	 * HYPERVISOR_iret (paravirt/xen/entry_pv.asm).
	 */
	uint64_t (*enter)(struct user_regs *r);

	/* hypercalls — the hypercalls the backend has made so far (counted at
	 * each call; natively 0): read around each switch. */
	unsigned long (*hypercalls)(void);

	/* kernel_half — true if ring 3 runs on a root that also maps the kernel
	 * (supervisor-only: a user access to it is a protection fault); false
	 * where the user root has no kernel half (Xen PV: not present). */
	bool kernel_half;

	/* how — the entry and exit, for the "user:" line. */
	const char *how;
};

struct paravirt_ops {
	const char *name;           /* "native", "xen-pvh", "xen-pv" */
	struct pv_mmu_ops mmu;
	struct pv_cpu_ops cpu;
	struct pv_console_ops console;
	struct pv_platform_ops platform;
	struct pv_smp_ops smp;
	struct pv_user_ops user;
};

extern struct paravirt_ops pv_ops;

/* The backend's name ("native", "xen-pvh"), for logs and the trace. */
static inline const char *pv_name(void)
{
	return pv_ops.name;
}

static inline bool pv_tables_readonly(void)
{
	return pv_ops.mmu.tables_readonly;
}

static inline unsigned long pv_hook_reserve_pages(void)
{
	return pv_ops.mmu.hook_reserve_pages;
}

static inline unsigned int pv_max_level(void)
{
	return pv_ops.mmu.max_level;
}

/* The L4 slots [*lo, *hi) that belong to the hypervisor (0, 0: none). */
static inline void pv_foreign_l4(unsigned int *lo, unsigned int *hi)
{
	*lo = pv_ops.mmu.foreign_l4_lo;
	*hi = pv_ops.mmu.foreign_l4_hi;
}

static inline void pv_batch_built(struct pt_batch *batch)
{
	pv_ops.mmu.batch_built(batch);
}

static inline void write_pte(pte_t *ptep, pte_t val)
{
	pv_ops.mmu.write_pte(ptep, val);
}

static inline void load_root(phys_addr_t root)
{
	pv_ops.mmu.load_root(root);
}

static inline void flush_tlb_one(uint64_t va)
{
	pv_ops.mmu.flush_tlb_one(va);
}

static inline void flush_tlb_user(void)
{
	pv_ops.mmu.flush_tlb_user();
}

static inline void pv_table_released(phys_addr_t pa)
{
	pv_ops.mmu.table_released(pa);
}

static inline pte_t make_pte(phys_addr_t pa, pte_t flags)
{
	return pv_ops.mmu.make_pte(pa, flags);
}

static inline phys_addr_t pte_phys(pte_t e)
{
	return pv_ops.mmu.pte_phys(e);
}

static inline void fill_leaves(pte_t *dst, phys_addr_t pa, unsigned int n, uint64_t step,
			       pte_t flags)
{
	pv_ops.mmu.fill_leaves(dst, pa, n, step, flags);
}

static inline void mmu_lazy_begin(void)
{
	pv_ops.mmu.lazy_begin();
}

static inline void mmu_lazy_end(void)
{
	pv_ops.mmu.lazy_end();
}

static inline unsigned long pv_mmu_check(void)
{
	return pv_ops.mmu.check();
}

static inline uint64_t pv_read_cr2(void)
{
	return pv_ops.cpu.read_cr2();
}

static inline uint64_t pv_read_cr3(void)
{
	return pv_ops.cpu.read_cr3();
}

static inline void irq_disable(void)
{
	pv_ops.cpu.irq_disable();
}

static inline void pv_console_write(const char *s, size_t n)
{
	pv_ops.console.write(s, n);
}

__attribute__((noreturn))
static inline void platform_stop(enum stop_code code)
{
	pv_ops.platform.stop(code);
}

static inline void pv_mark(void)
{
	pv_ops.platform.mark();
}

__attribute__((noreturn))
static inline void platform_wait(void)
{
	pv_ops.platform.wait();
}

static inline int pv_memory_map(struct boot_info *bi)
{
	return pv_ops.platform.memory_map(bi);
}

static inline unsigned long pv_calibrate_tsc(const char **source)
{
	return pv_ops.platform.calibrate_tsc(source);
}

static inline bool pv_smp_find_cpus(const struct smp_env *env)
{
	return pv_ops.smp.find_cpus(env);
}

static inline void pv_smp_start_cpus(const struct smp_env *env)
{
	pv_ops.smp.start_cpus(env);
}

static inline void pv_smp_send_call(unsigned int id)
{
	pv_ops.smp.send_call(id);
}

static inline void flush_tlb_others(uint64_t va)
{
	pv_ops.smp.flush_tlb_others(va);
}

/* How CPUs are started ("init-sipi", "vcpuop") and TLBs shot down. */
static inline unsigned long pv_smp_report(char *first, size_t len)
{
	return pv_ops.smp.report(first, len);
}

static inline const char *pv_smp_method(void)
{
	return pv_ops.smp.method;
}

static inline const char *pv_smp_shootdown(void)
{
	return pv_ops.smp.shootdown;
}

static inline void pv_user_cpu_setup(unsigned int id)
{
	pv_ops.user.cpu_setup(id);
}

static inline phys_addr_t pv_user_root(unsigned int id)
{
	return pv_ops.user.root(id);
}

static inline uint64_t pv_user_enter(struct user_regs *r)
{
	return pv_ops.user.enter(r);
}

static inline unsigned long pv_hypercalls(void)
{
	return pv_ops.user.hypercalls();
}

static inline bool pv_user_kernel_half(void)
{
	return pv_ops.user.kernel_half;
}

static inline const char *pv_user_how(void)
{
	return pv_ops.user.how;
}

#endif /* PARAVIRT_OPS_H */
