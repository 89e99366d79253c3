/*
 * main.c — kmain, the table of contents of a topdown run (design §2).
 */
#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/smp.h>
#include <kernel/boot_info.h>
#include <kernel/cmdline.h>
#include <kernel/kmain.h>
#include <kernel/memtest.h>
#include <kernel/panic.h>
#include <kernel/plant.h>
#include <kernel/printk.h>
#include <kernel/screen.h>
#include <kernel/selftest.h>
#include <kernel/user.h>
#include <mm/check.h>
#include <mm/layout.h>
#include <mm/mm.h>
#include <mm/trace.h>
#include <paravirt/ops.h>
#include <paravirt/paravirt.h>

static struct mm_image image;

static void boot_report(const struct boot_info *bi)
{
	printk("topdown: booting\n");
	printk("boot: protocol=%s loader=\"%s\"", boot_protocol_name(bi->protocol), bi->loader);
	if (bi->protocol == PROTO_PVH)
		printk(" start_info_version=%u", bi->pvh_version);
	printk("\n");
	printk("boot: cmdline=\"%s\"\n", bi->cmdline);
	if (bi->firmware && bi->efi_system_table)
		printk("boot: firmware=%s efi_system_table=0x%lx efi_mmap_entries=%u\n", bi->firmware,
		       (unsigned long)bi->efi_system_table, bi->efi_mmap_entries);
	else if (bi->firmware)
		printk("boot: firmware=%s\n", bi->firmware);
	printk("cpu: vendor=%s maxphyaddr=%u nx=%d la57=%d pdpe1gb=%d smep=%d smap=%d umip=%d (CR4.SMEP=%d SMAP=%d UMIP=%d)\n",
	       cpu.vendor, cpu.maxphyaddr, cpu.nx, cpu.la57, cpu.pdpe1gb, cpu.smep, cpu.smap, cpu.umip,
	       !!(read_cr4() & X86_CR4_SMEP), !!(read_cr4() & X86_CR4_SMAP),
	       !!(read_cr4() & X86_CR4_UMIP));
}

static void memory_map(struct boot_info *bi)
{
	if (options.memmap_test)
		memtest_override(bi, options.memmap_test);
	if (!bi->map.nr && pv_memory_map(bi))
		panic("no memory map: the boot protocol gave none and backend %s has no other source",
		      pv_name());
	printk("memmap: source=%s entries=%u\n", bi->map_source, bi->map.nr);
	memmap_print("memmap: given ", &bi->map);
}

static void layout_report(void)
{
	unsigned int i;

	for (i = 0; i < layout_nr_regions; i++)
		printk("layout: %016lx-%016lx %s\n", (unsigned long)layout_regions[i].start,
		       (unsigned long)layout_regions[i].end, layout_regions[i].name);
}

/*
 * pt.levels against the depth head.asm enabled (pt_levels, from CR4.LA57):
 * five levels asked of a CPU or an entry without them falls back to four
 * with a message, like pt.maxpage=1g without pdpe1gb; a depth nobody asked
 * for is a bug of the entry code.
 */
static void levels_check(const struct boot_info *bi)
{
	unsigned int want = options.levels ? options.levels : 4;

	if (want == pt_levels)
		return;
	if (want == 5 && !cpu.la57)
		printk("mm: pt.levels=5 but the CPU has no 5-level paging (la57, CPUID 7.0 ECX[16]): using 4\n");
	else if (want == 5 && bi->protocol == PROTO_XEN_PV)
		printk("mm: pt.levels=5 but a Xen PV guest runs on Xen's 4-level tables: using 4\n");
	else
		panic("pt.levels=%u asked, but the entry code enabled paging with %u levels",
		      want, pt_levels);
}

static void mm_setup(struct boot_info *bi)
{
	struct mm_config cfg = {
		.max_level = cpu.pdpe1gb ? 3 : 2,
		.nx = cpu.nx,
		.phys_limit = 1ULL << cpu.maxphyaddr,
		.tables_readonly = pv_tables_readonly(),
		.hook_reserve_pages = pv_hook_reserve_pages(),
		.boot_data_why = bi->boot_data_why,
	};
	static char env[320];
	uint64_t t0, t1;

	pv_foreign_l4(&cfg.foreign_l4_lo, &cfg.foreign_l4_hi);

	snprintf(env, sizeof(env),
		 "protocol=%s loader=\"%s\" start_info=%u hypervisor=%s backend=%s cmdline=\"%.160s\"",
		 boot_protocol_name(bi->protocol), bi->loader, bi->pvh_version,
		 hypervisor.present ? hypervisor.signature : "none", pv_name(), bi->cmdline);
	cfg.trace_env = env;

	if (options.maxpage)
		cfg.max_level = options.maxpage;
	if (cfg.max_level == 3 && !cpu.pdpe1gb) {
		printk("mm: pt.maxpage=1g but the CPU has no 1 GiB pages (pdpe1gb): using 2m\n");
		cfg.max_level = 2;
	}
	if (cfg.max_level > pv_max_level()) {
		printk("mm: pt.maxpage=%s but backend %s has no pages above %s: using %s\n",
		       page_size_name(cfg.max_level), pv_name(),
		       page_size_name(pv_max_level()), page_size_name(pv_max_level()));
		cfg.max_level = pv_max_level();
	}
	levels_check(bi);
	arch_mm_image(&image);
	printk("mm: maxpage=%s nx=%d brk_pages=%lu levels=%u\n", page_size_name(cfg.max_level),
	       cfg.nx, image.brk_pages, pt_levels);
	pv_mark();              /* for a tracer outside the guest: setup begins */
	t0 = rdtsc();
	mm_init(&cfg, &image, &bi->map, bi->boot_data, bi->nr_boot_data);
	t1 = rdtsc();
	pv_mark();              /* ... and ends */
	trace_flush();          /* mm_init's records, formatted outside the timed region */
	memmap_print("memmap: usable ", &mm.ram);
	printk("mm: ram_mapped=%lu MiB tables=%lu brk_used=%lu/%lu batches=%lu hook_calls=%lu\n",
	       (unsigned long)(mm.ram_mapped >> 20), mm.tables, mm.brk_used, image.brk_pages,
	       mm.batches, mm.hook_calls);
	printk("bench: mm_setup_tsc=%lu (guest instructions under qemu -icount shift=0,sleep=off)\n",
	       (unsigned long)(t1 - t0));
}

/* The verdict of the self-checks: mm's walk of the live tables (design §6)
 * and the backend's own (pv_mmu_check), with the first violation in words. */
struct selfcheck_verdict {
	unsigned long violations;
	char first[200];
};

static const struct selfcheck_verdict *selfcheck(void)
{
	static struct mm_check_result r;
	static struct selfcheck_verdict sv;
	struct trace_l5_buf l5;
	bool ro = pv_tables_readonly();
	unsigned long v = mm_check(ro, &r), pv = pv_mmu_check();

	printk("selfcheck: tables=%lu (%sl4=%lu l3=%lu l2=%lu l1=%lu) direct_leaves=%lu direct_bytes=%llu image_leaves=%lu fixmap_leaves=%lu ro_tables_checked=%lu violations=%lu\n",
	       r.tables, trace_l5(&l5, r.tables_at[5]), r.tables_at[4], r.tables_at[3],
	       r.tables_at[2], r.tables_at[1],
	       r.leaves_direct, r.direct_bytes, r.leaves_image, r.leaves_fixmap,
	       r.ro_tables_checked, v + pv);
	trace_selfcheck(&r, ro);
	sv.violations = v + pv;
	if (v)
		snprintf(sv.first, sizeof(sv.first), "%s", r.first);
	else if (pv)
		snprintf(sv.first, sizeof(sv.first), "backend %s: %lu of its own check (its VIOLATION lines above)",
			 pv_name(), pv);
	if (sv.violations)
		printk("selfcheck: FAILED, first violation: %s\n", sv.first);
	return &sv;
}

void kmain(struct boot_info *bi)
{
	uint64_t t0 = rdtsc();
	const struct selfcheck_verdict *check;
	unsigned long smp_violations, user_violations;

	boot_report(bi);                        /* protocol, loader, cmdline, CPU */
	paravirt_init(bi);                      /* native, or Xen: hypercalls, console, stop */
	cmdline_parse(bi->cmdline, &options);   /* key=value; unknown keys panic */
	memory_map(bi);                         /* from the protocol or the hypervisor */
	acpi_init(bi);                          /* the CPUs, from the MADT */
	smp_reserve_trampoline(bi);             /* a low page for the APs, kept from mm */
	layout_report();                        /* the virtual layout */
	mm_setup(bi);                           /* hpa's seven steps */
	screen_init(bi);                        /* VGA text or framebuffer console */
	check = selfcheck();                    /* design §6 on the live tables */
	smp_init();                             /* every CPU up, each on its own L4 */
	smp_violations = smp_selfcheck();       /* globaldata, new mapping, shootdown, L4s */
	printk("bench: kmain_tsc=%lu screen_tsc=%lu (so far; guest instructions under qemu -icount shift=0,sleep=off)\n",
	       (unsigned long)(rdtsc() - t0), (unsigned long)screen_tsc());
	user_violations = options.user_off ? 0 :
		user_run_all();                 /* ring 3: two programs, slot 0 switched */
	if (options.user_off)
		printk("user: not run (user=off)\n");
	if (options.walk_plant)
		walk_plant(options.walk_plant); /* test only: after every self-check */
	trace_end();                            /* record count + checksum */
	if (check->violations)
		finish_fail("selfcheck: %lu violations, first: %s", check->violations, check->first);
	if (smp_violations)
		finish_fail("smpcheck: %lu violations, first: %s", smp_violations,
			    smp_first_violation());
	if (user_violations)
		finish_fail("user: %lu violations, first: %s", user_violations,
			    user_first_violation());
	if (options.selftest)
		user_selftest(options.selftest); /* selftest=user-*: judged on the user run */
	if (options.selftest)
		selftest_run(options.selftest); /* does not return */
	finish_pass();
}
