/*
 * include/paravirt/ops.h — the paravirt contract (design §4).
 *
 * One ops table, statically initialised to the native backend and
 * overridden once by paravirt_init() when a hypervisor is detected.  Code
 * outside paravirt/ calls the inline wrappers below, never pv_ops directly.
 */
#ifndef PARAVIRT_OPS_H
#define PARAVIRT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mm/pgtable.h>

struct pt_batch;
struct boot_info;

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
	 * change the batch's tables' own mappings, allocate through
	 * batch->alloc, and must fill batch->hook_action/hook_result.
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

	/*
	 * tables_readonly — the backend keeps every table page read-only in
	 * all kernel mappings (Xen PVH "pinning"): mm then maps brk with 4 KiB
	 * read-only pages and keeps pages for the hook's splits.
	 */
	bool tables_readonly;
};

struct pv_console_ops {
	/* write — emit n bytes; must not lose any. */
	void (*write)(const char *s, size_t n);
};

struct pv_platform_ops {
	/* stop — end the run with a verdict; never returns. */
	void (*stop)(enum stop_code code) __attribute__((noreturn));

	/*
	 * memory_map — fill bi's memory map when the boot protocol gave none
	 * (Xen PVH dom0: start_info v0).  Returns 0 or a negative error.
	 */
	int (*memory_map)(struct boot_info *bi);
};

struct paravirt_ops {
	const char *name;           /* "native", "xen-pvh" */
	struct pv_mmu_ops mmu;
	struct pv_console_ops console;
	struct pv_platform_ops platform;
};

extern struct paravirt_ops pv_ops;

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

static inline void pv_console_write(const char *s, size_t n)
{
	pv_ops.console.write(s, n);
}

__attribute__((noreturn))
static inline void platform_stop(enum stop_code code)
{
	pv_ops.platform.stop(code);
}

static inline int pv_memory_map(struct boot_info *bi)
{
	return pv_ops.platform.memory_map(bi);
}

#endif /* PARAVIRT_OPS_H */
