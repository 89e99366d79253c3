/*
 * native.c — the native backend: what the ops do on bare metal (and in QEMU
 * without a hypervisor).  Also the static initial value of pv_ops.
 */
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/serial.h>
#include <arch/smp.h>
#include <arch/traps.h>
#include <arch/usermode.h>
#include <kernel/boot_info.h>
#include <mm/batch.h>
#include <paravirt/ops.h>

static void native_batch_built(struct pt_batch *batch)
{
	batch->hook_action = "none";
	batch->hook_result = "ok";
}

static void native_write_pte(pte_t *ptep, pte_t val)
{
	*(volatile pte_t *)ptep = val;
}

static void native_load_root(phys_addr_t root)
{
	write_cr3(root);
}

static void native_flush_tlb_one(uint64_t va)
{
	invlpg((const void *)va);
}

static void native_flush_tlb_user(void)
{
	write_cr3(read_cr3());
}

static void native_table_released(phys_addr_t pa)
{
}

static pte_t native_make_pte(phys_addr_t pa, pte_t flags)
{
	return pa | flags;
}

static phys_addr_t native_pte_phys(pte_t e)
{
	return pte_addr(e);
}

/* Identity frames: entry k = (pa + k * step) | flags, two instructions per
 * entry. */
static void native_fill_leaves(pte_t *dst, phys_addr_t pa, unsigned int n, uint64_t step,
			       pte_t flags)
{
	pte_t e = pa | flags;

	for (; n >= 8; n -= 8, dst += 8) {
		dst[0] = e; e += step;
		dst[1] = e; e += step;
		dst[2] = e; e += step;
		dst[3] = e; e += step;
		dst[4] = e; e += step;
		dst[5] = e; e += step;
		dst[6] = e; e += step;
		dst[7] = e; e += step;
	}
	for (; n; n--, e += step)
		*dst++ = e;
}

static void native_lazy_nop(void)
{
}

static unsigned long native_check(void)
{
	return 0;       /* nothing beyond mm_check */
}

static uint64_t native_read_cr3(void)
{
	return read_cr3();
}

static void native_irq_disable(void)
{
	cli();
}

#define MSR_STAR        0xc0000081
#define MSR_LSTAR       0xc0000082
#define MSR_SFMASK      0xc0000084
#define EFER_SCE        (1u << 0)
#define RFLAGS_TF       (1u << 8)
#define RFLAGS_IF       (1u << 9)
#define RFLAGS_DF       (1u << 10)
#define RFLAGS_NT       (1u << 14)
#define RFLAGS_AC       (1u << 18)

/* syscall/sysret on this CPU; a fault in ring 3 lands on TSS rsp0, which
 * user_enter points below its frame (the slot's address in globaldata). */
static void native_user_cpu_setup(unsigned int id)
{
	(void)id;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)USER_STAR_BASE << 48) | ((uint64_t)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC);
	((struct globaldata *)GLOBALDATA_BASE)->tss_rsp0 = (uint64_t)&cpu_tss()->rsp[0];
}

/* Ring 3 runs on the CPU's own root: slot 0 of it is the user slot. */
static phys_addr_t native_user_root(unsigned int id)
{
	return cpus[id].pt.root;
}

static unsigned long native_hypercalls(void)
{
	return 0;
}

/* QEMU's isa-debug-exit makes the exit status carry the verdict; without
 * the device the write goes nowhere and we halt with interrupts off. */
__attribute__((noreturn))
static void native_stop(enum stop_code code)
{
	static const uint8_t exit_value[] = {
		[STOP_PASS] = DEBUG_EXIT_PASS,
		[STOP_FAIL] = DEBUG_EXIT_FAIL,
		[STOP_PANIC] = DEBUG_EXIT_PANIC,
	};

	outb(DEBUG_EXIT_PORT, exit_value[code]);
	halt_forever();
}

static int native_memory_map(struct boot_info *bi)
{
	return -1;      /* no other source than the boot protocol */
}

static void native_mark(void)
{
}

/* Natively the call IPIs are not counted: nothing to report. */
static unsigned long native_smp_report(char *first, size_t len)
{
	(void)first;
	(void)len;
	return 0;
}

__attribute__((noreturn))
static void native_wait(void)
{
	halt_forever();
}

struct paravirt_ops pv_ops = {
	.name = "native",
	.mmu = {
		.batch_built = native_batch_built,
		.write_pte = native_write_pte,
		.load_root = native_load_root,
		.flush_tlb_one = native_flush_tlb_one,
		.flush_tlb_user = native_flush_tlb_user,
		.table_released = native_table_released,
		.make_pte = native_make_pte,
		.pte_phys = native_pte_phys,
		.fill_leaves = native_fill_leaves,
		.lazy_begin = native_lazy_nop,
		.lazy_end = native_lazy_nop,
		.check = native_check,
		.max_level = 3,
	},
	.cpu = {
		.read_cr2 = read_cr2,
		.read_cr3 = native_read_cr3,
		.irq_disable = native_irq_disable,
	},
	.console = {
		.write = serial_write,
	},
	.platform = {
		.stop = native_stop,
		.wait = native_wait,
		.mark = native_mark,
		.memory_map = native_memory_map,
		.calibrate_tsc = pit_calibrate_tsc,
	},
	.smp = {
		.find_cpus = native_smp_find_cpus,
		.start_cpus = native_smp_start_cpus,
		.send_call = native_smp_send_call,
		.flush_tlb_others = native_flush_tlb_others,
		.report = native_smp_report,
		.method = "init-sipi",
		.shootdown = "IPI + invlpg",
	},
	.user = {
		.cpu_setup = native_user_cpu_setup,
		.root = native_user_root,
		.enter = user_enter,
		.hypercalls = native_hypercalls,
		.kernel_half = true,
		.how = "syscall/sysret (STAR, LSTAR, SFMASK), iretq into ring 3, TSS rsp0 per cpu",
	},
};
