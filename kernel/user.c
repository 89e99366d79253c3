/*
 * user.c — two ring-3 programs in one-slot address spaces (design §8).
 *
 *   1. Each program (kernel/user/ping.c, pong.c: ELF files in the image) is
 *      loaded into its own address space (mm/uspace.c): frames from mapped
 *      RAM, filled through the direct map, one batch of tables hooked
 *      before anything can reach it.  Both at the SAME virtual addresses.
 *   2. Every CPU gets its syscall MSRs and its TSS rsp0 slot.
 *   3. Rounds: in round r, CPU (r mod N) runs ping, then pong, each until
 *      it yields: so on every CPU the two alternate, and each program moves
 *      to another CPU every round.  Running a program on a CPU whose slot 0
 *      holds another address space is the switch: write_pte of slot 0 of
 *      that CPU's own root (L4, or L5), flush_tlb_user; the kernel half is not touched.
 *   4. A fault in ring 3 kills the program (its address space is dropped
 *      from every CPU and freed); the other one goes on.
 *   5. Checks: every program's verdict, both signature pages at the same VA
 *      in different frames with their own contents, slot 0 of every CPU's
 *      L4 walked, kernel halves unchanged by the switches.
 */
#include <stdarg.h>
#include <arch/cpu.h>
#include <arch/smp.h>
#include <arch/traps.h>
#include <kernel/cmdline.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/user.h>
#include <lib/fnv.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/percpu.h>
#include <mm/trace.h>
#include <mm/uspace.h>
#include <paravirt/ops.h>

#define RFLAGS_USER     0x2             /* IF clear: nothing interrupts a program */

#define USER_STACK_PAGES 2
#define USER_PAGES_MAX  32
#define UROUNDS         8               /* kernel/user/ulib.h */
#define UMODE_NONE      0

/* ---- ELF64 (System V gABI), the parts a static executable needs */
struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define ET_EXEC         2
#define EM_X86_64       62
#define PT_LOAD         1
#define PF_X            1
#define PF_W            2

extern const uint8_t user_ping_elf[], user_ping_elf_end[];
extern const uint8_t user_pong_elf[], user_pong_elf_end[];

enum prog_state { P_READY, P_EXITED, P_KILLED };

struct uprog {
	struct user_regs regs;          /* first: user.asm saves here */
	const char *name;
	const uint8_t *elf, *elf_end;
	uint64_t tag;                   /* first word of its signature page */
	struct uspace as;
	enum prog_state state;
	long exit_code;
	uint64_t sig_va;                /* from its exit call */
	unsigned long slices, migrations;
	uint64_t cpus_seen;             /* bit per CPU */
	int last_cpu;
	unsigned int kill_vector;
	uint64_t kill_error, kill_rip, kill_cr2;
	const char *kill_diag;
};

static struct uprog progs[2] = {
	{ .name = "ping", .elf = user_ping_elf, .elf_end = user_ping_elf_end,
	  .tag = 0x6769732d676e6970ULL, .last_cpu = -1 },
	{ .name = "pong", .elf = user_pong_elf, .elf_end = user_pong_elf_end,
	  .tag = 0x6769732d676e6f70ULL, .last_cpu = -1 },
};

#define NR_PROGS (sizeof(progs) / sizeof(progs[0]))

static struct uprog *running[MAX_CPUS];        /* on CPU i now */
static const struct uspace *in_slot0[MAX_CPUS]; /* what slot 0 of CPU i's L4 holds */
static unsigned long switches, switch_insns, switch_min = ~0UL, switch_max;
static unsigned long switch_hcalls, switch_hcalls_min = ~0UL, switch_hcalls_max;
static unsigned long switches_on[MAX_CPUS];     /* slot-0 writes per CPU */
static char first_violation[200];
static unsigned long violations;

static struct globaldata *gd(void)
{
	return (struct globaldata *)GLOBALDATA_BASE;
}

__attribute__((format(printf, 1, 2)))
static void violation(const char *fmt, ...)
{
	char msg[sizeof(first_violation)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("user: VIOLATION: %s\n", msg);
	if (!violations++)
		memcpy(first_violation, msg, sizeof(msg));
}

const char *user_first_violation(void)
{
	return first_violation;
}

/* ------------------------------------------------------------ loading */

static void load(struct uprog *p, unsigned long mode)
{
	static struct uspace_page pages[USER_PAGES_MAX];
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)p->elf;
	size_t size = (size_t)(p->elf_end - p->elf);
	unsigned int n = 0, i, segs = 0;

	if (size < sizeof(*eh) || memcmp(eh->ident, "\177ELF\2\1", 6) || eh->type != ET_EXEC ||
	    eh->machine != EM_X86_64 || eh->phentsize != sizeof(struct elf64_phdr) ||
	    eh->phoff + (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > size)
		panic("%s: not a static x86-64 ELF executable (%zu bytes)", p->name, size);
	for (i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph =
			(const struct elf64_phdr *)(p->elf + eh->phoff) + i;
		uint64_t va;

		if (ph->type != PT_LOAD)
			continue;
		if (ph->offset + ph->filesz > size || ph->filesz > ph->memsz ||
		    ph->vaddr + ph->memsz > USER_TOP || (ph->vaddr & (PAGE_SIZE - 1)) !=
		    (ph->offset & (PAGE_SIZE - 1)))
			panic("%s: segment %u [0x%lx+0x%lx] is malformed", p->name, i,
			      (unsigned long)ph->vaddr, (unsigned long)ph->memsz);
		segs++;
		for (va = ph->vaddr & ~(PAGE_SIZE - 1); va < ph->vaddr + ph->memsz; va += PAGE_SIZE) {
			phys_addr_t pa = percpu_data_page();
			uint8_t *dst = phys_window(pa);
			uint64_t lo = va > ph->vaddr ? va : ph->vaddr;
			uint64_t hi = ph->vaddr + ph->filesz;

			if (n == USER_PAGES_MAX)
				panic("%s: more than %d pages", p->name, USER_PAGES_MAX);
			if (hi > va + PAGE_SIZE)
				hi = va + PAGE_SIZE;
			if (hi > lo)
				memcpy(dst + (lo - va), p->elf + ph->offset + (lo - ph->vaddr), hi - lo);
			pages[n++] = (struct uspace_page){ va, pa, ph->flags & PF_W, ph->flags & PF_X };
		}
	}
	for (i = 0; i < USER_STACK_PAGES; i++) {
		if (n == USER_PAGES_MAX)
			panic("%s: more than %d pages", p->name, USER_PAGES_MAX);
		pages[n++] = (struct uspace_page){ USER_TOP - (i + 1) * PAGE_SIZE,
						   percpu_data_page(), true, false };
	}
	uspace_build(&p->as, p->name, pages, n);
	memset(&p->regs, 0, sizeof(p->regs));
	p->regs.rip = eh->entry;
	p->regs.rsp = USER_TOP;
	p->regs.rflags = RFLAGS_USER;
	p->regs.rdi = mode;
	printk("user: %s: %u segments, %lu pages at entry 0x%lx, stack top 0x%lx; address space %u: l%u=0x%lx tables=%lu (l4=%lu l3=%lu l2=%lu l1=%lu) hook=%s result=%s\n",
	       p->name, segs, p->as.pages, (unsigned long)eh->entry, (unsigned long)USER_TOP - 1,
	       p->as.id, pt_levels - 1, (unsigned long)p->as.top, p->as.tables, p->as.tables_at[4],
	       p->as.tables_at[3],
	       p->as.tables_at[2], p->as.tables_at[1], p->as.hook_action, p->as.hook_result);
}

/* ------------------------------------------------------- per CPU setup */

static void cpu_setup(void *arg)
{
	pv_user_cpu_setup(gd()->cpu);
}

/* --------------------------------------------------------- the switch */

static pte_t *l4_of(unsigned int cid)
{
	return pt_page(cpus[cid].pt.root);
}

/* The root whose slot 0 the switch writes: the CPU's own natively, its
 * user root on Xen PV (pv_user_root). */
static pte_t *uroot_of(unsigned int cid)
{
	return pt_page(pv_user_root(cid));
}

/* Forward: switch_to() is below. */
static void switch_to(unsigned int cid, const struct uspace *as);

static struct uspace probe_as;

/* Built while the trace is open (from user_run_all, for selftest=smep|smap),
 * or at the latest when the self-test asks. */
static void probe_build(void)
{
	struct uspace_page pg = { SELFTEST_USER_PROBE_VA, 0, false, true };

	if (probe_as.top)
		return;
	pg.pa = percpu_data_page();
	memset(phys_window(pg.pa), 0xc3, PAGE_SIZE);           /* ret */
	uspace_build(&probe_as, "probe", &pg, 1);
}

uint64_t user_probe_page(void)
{
	probe_build();
	switch_to(gd()->cpu, &probe_as);
	return SELFTEST_USER_PROBE_VA;
}

/* Slot 0 of this CPU's own L4 := as; the TLB forgets the old user slot. */
static void switch_to(unsigned int cid, const struct uspace *as)
{
	pte_t *slot = uroot_of(cid) + USER_SLOT;
	unsigned long h0 = pv_hypercalls(), h;
	uint64_t t0, t1;

	t0 = rdtsc();
	write_pte(slot, uspace_l4e(as));
	flush_tlb_user();
	t1 = rdtsc();
	h = pv_hypercalls() - h0;
	in_slot0[cid] = as;
	if (!as)
		return;
	switch_hcalls += h;
	if (h < switch_hcalls_min)
		switch_hcalls_min = h;
	if (h > switch_hcalls_max)
		switch_hcalls_max = h;
	switches++;
	switches_on[cid]++;
	switch_insns += t1 - t0;
	if (t1 - t0 < switch_min)
		switch_min = t1 - t0;
	if (t1 - t0 > switch_max)
		switch_max = t1 - t0;
}

/* One slice of program p on the calling CPU (the BSP, or an AP in the
 * cross-call interrupt). */
static void slice(void *arg)
{
	struct uprog *p = arg;
	unsigned int cid = gd()->cpu;
	uint64_t why;

	if (in_slot0[cid] != &p->as)
		switch_to(cid, &p->as);
	if (p->last_cpu >= 0 && p->last_cpu != (int)cid)
		p->migrations++;
	p->last_cpu = (int)cid;
	p->cpus_seen |= 1ULL << cid;
	p->slices++;
	p->regs.rax = cid;              /* what the yield returns */
	running[cid] = p;
	why = pv_user_enter(&p->regs);
	running[cid] = NULL;
	if (why == USER_EXIT)
		p->state = P_EXITED;
	else if (why == USER_KILLED)
		p->state = P_KILLED;
}

static void drop_slot0(void *arg)
{
	switch_to(gd()->cpu, NULL);
}

/* Run fn on CPU `cid`: here if it is this one, else by a cross call. */
static void on_cpu(unsigned int cid, void (*fn)(void *), void *arg)
{
	if (cid == gd()->cpu)
		fn(arg);
	else if (!smp_call(cid, fn, arg))
		panic("cpu %u did not come back from a user slice within the cross-call bound", cid);
}

/* No CPU may keep `as` in slot 0 once it is freed. */
static void release(struct uprog *p)
{
	unsigned int i;

	for (i = 0; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP && in_slot0[i] == &p->as)
			on_cpu(i, drop_slot0, NULL);
	uspace_free(&p->as);
	printk("user: %s: address space %u freed: %lu table pages and %lu frames back to the page list\n",
	       p->name, p->as.id, p->as.freed_tables, p->as.freed_pages);
}

/* --------------------------------------------------- kernel entries */

static struct uprog *current(void)
{
	struct uprog *p = running[gd()->cpu];

	if (!p)
		panic("cpu %u: a system call or user fault with no program running", gd()->cpu);
	return p;
}

/* Copy a user buffer through the program's own tables (never a fault in
 * the kernel): false if any byte is not mapped for the user. */
static bool copy_from_user(const struct uprog *p, char *dst, uint64_t va, size_t n)
{
	while (n) {
		pte_t e = uspace_lookup(&p->as, va);
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));

		if (!pte_present(e) || !(e & PTE_US))
			return false;
		if (chunk > n)
			chunk = n;
		memcpy(dst, (const char *)phys_window(pte_phys(e)) + (va & (PAGE_SIZE - 1)), chunk);
		dst += chunk;
		va += chunk;
		n -= chunk;
	}
	return true;
}

/*
 * What a program writes goes out one line at a time behind "user[NAME]: ",
 * control characters but tab shown as '?', and a write that does not end
 * its last line gets the newline: no ring-3 output can start or end a
 * console line, so the harnesses never take it for a kernel line (a forged
 * "topdown: result: PASS" arrives as "user[ping]: topdown: result: PASS").
 */
static void user_print(const struct uprog *p, const char *buf, size_t n)
{
	char line[USER_WRITE_MAX + 1];
	size_t i = 0, k;

	while (i < n) {
		for (k = 0; i < n && buf[i] != '\n'; i++)
			line[k++] = ((unsigned char)buf[i] < 0x20 && buf[i] != '\t') ||
				    buf[i] == 0x7f ? '?' : buf[i];
		line[k] = '\0';
		printk("user[%s]: %s\n", p->name, line);
		i++;                            /* the newline */
	}
}

static void user_syscall(struct user_regs *r)
{
	struct uprog *p = current();
	char buf[USER_WRITE_MAX + 1];
	size_t n;

	switch (r->rax) {
	case SYS_WRITE:
		n = r->rsi;
		if (n > USER_WRITE_MAX || r->rdi >= USER_TOP || !copy_from_user(p, buf, r->rdi, n)) {
			r->rax = (uint64_t)-14;         /* EFAULT */
			return;
		}
		buf[n] = '\0';
		user_print(p, buf, n);
		r->rax = n;
		return;
	case SYS_YIELD:
		user_leave(USER_YIELD);
	case SYS_EXIT:
		p->exit_code = (long)r->rdi;
		p->sig_va = r->rsi;
		user_leave(USER_EXIT);
	default:
		r->rax = (uint64_t)-38;                 /* ENOSYS */
	}
}

__attribute__((noreturn))
static void user_fault(const struct trap_frame *f, unsigned int vector, const char *diag,
		       uint64_t cr2)
{
	struct uprog *p = current();

	p->kill_vector = vector;
	p->kill_error = f->error_code;
	p->kill_rip = f->rip;
	p->kill_cr2 = cr2;
	p->kill_diag = diag;
	printk("user: %s killed on cpu %u: vector %u error 0x%lx%s rip 0x%lx cr2 0x%lx: %s; the kernel goes on\n",
	       p->name, gd()->cpu, vector, (unsigned long)f->error_code,
	       vector == X86_TRAP_PF && (f->error_code & PF_USER) ? " (user bit set)" : "",
	       (unsigned long)f->rip, (unsigned long)cr2, diag);
	trace("user_kill name=%s cpu=%u vector=%u error=0x%lx rip=0x%016lx cr2=0x%016lx diag=\"%s\"",
	      p->name, gd()->cpu, vector, (unsigned long)f->error_code, (unsigned long)f->rip,
	      (unsigned long)cr2, diag);
	user_leave(USER_KILLED);
}

void user_selftest(const char *name)
{
	const struct selftest *t = selftest_find(name);
	const struct uprog *p = &progs[0];
	const char *want;

	if (!t || t->where != AT_NONE)
		return;
	/* Where ring 3 runs on a root without the kernel half (Xen PV), a
	 * kernel address is not present for the user, not supervisor-only. */
	want = !strcmp(t->diag, DIAG_USER_KERNEL) && !pv_user_kernel_half() ?
	       DIAG_USER_KERNEL_ABSENT : t->diag;
	if (p->state == P_KILLED && p->kill_vector == (unsigned int)t->vector &&
	    !strcmp(p->kill_diag, want) &&
	    (t->vector != X86_TRAP_PF || (p->kill_error & PF_USER)) &&
	    progs[1].state == P_EXITED && !progs[1].exit_code) {
		printk("selftest: %s: caught as expected (vector %d, %s); ping killed, pong finished, the kernel went on\n",
		       t->name, t->vector, want);
		finish_pass();
	}
	finish_fail("selftest %s: ping was not killed with \"%s\" while pong finished (see the user: lines)",
		    t->name, want);
}

/* ------------------------------------------------------------- checks */

/* The kernel half of a CPU's L4, accessed bits aside (the CPU sets them). */
static uint32_t kernel_half_sum(unsigned int cid)
{
	const pte_t *l4 = l4_of(cid);
	uint32_t h = FNV1A32_INIT;
	unsigned int i;

	for (i = KERNEL_HALF_FIRST; i < PT_ENTRIES; i++) {
		pte_t e = l4[i] & ~(PTE_A | PTE_D);

		h = fnv1a32(h, &e, sizeof(e));
	}
	return h;
}

/* Slot 0 of every CPU's user root (its own root natively, its user root on
 * Xen PV): empty or one of the live address spaces, the rest of the user
 * half empty; where the user root is a root of its own, nothing in it but
 * slot 0 and the hypervisor's slots, and the CPU's kernel root has an empty
 * user half.  Each address space walked once. */
static void check_slots(const char *when)
{
	bool ro = pv_tables_readonly();
	unsigned int i, j, k, walked = 0, flo, fhi;
	char first[160];

	pv_foreign_l4(&flo, &fhi);
	for (i = 0; i < NR_PROGS; i++) {
		first[0] = '\0';
		if (progs[i].as.top && uspace_check(&progs[i].as, ro, first, sizeof(first))) {
			violation("%s: address space %u: %s", when, progs[i].as.id, first);
		}
		walked += !!progs[i].as.top;
	}
	for (i = 0; i < nr_cpus; i++) {
		const pte_t *l4, *kl4;
		const struct uspace *as = NULL;

		if (cpus[i].state != CPU_UP)
			continue;
		l4 = uroot_of(i);
		kl4 = l4_of(i);
		for (j = 0; j < NR_PROGS; j++)
			if (progs[j].as.top &&
			    (l4[USER_SLOT] & ~(pte_t)PTE_A) == uspace_l4e(&progs[j].as))
				as = &progs[j].as;
		if (pte_present(l4[USER_SLOT]) && !as)
			violation("%s: cpu %u slot 0 holds 0x%016lx, no live address space", when, i,
				  (unsigned long)l4[USER_SLOT]);
		if (as != in_slot0[i])
			violation("%s: cpu %u slot 0 holds address space %u, the switches left %u", when,
				  i, as ? as->id : 0, in_slot0[i] ? in_slot0[i]->id : 0);
		for (k = 1; k < KERNEL_HALF_FIRST; k++)
			if (pte_present(l4[k]))
				violation("%s: cpu %u L%u slot %u (user half) is populated", when, i,
					  pt_levels, k);
		if (l4 != kl4) {
			for (k = KERNEL_HALF_FIRST; k < PT_ENTRIES; k++)
				if (pte_present(l4[k]) && (k < flo || k >= fhi))
					violation("%s: cpu %u user root slot %u (kernel half) is populated: 0x%016lx",
						  when, i, k, (unsigned long)l4[k]);
			for (k = 0; k < KERNEL_HALF_FIRST; k++)
				if (pte_present(kl4[k]))
					violation("%s: cpu %u kernel root slot %u (user half) is populated: 0x%016lx",
						  when, i, k, (unsigned long)kl4[k]);
		}
		printk("user: check %s: cpu %u slot 0 = %s%s\n", when, i,
		       as ? "address space " : "empty", as ? (as == &progs[0].as ? "1 (ping)" :
							    "2 (pong)") : "");
	}
	trace("user_check when=%s spaces=%u cpus=%u tables_ro=%s violations=%lu", when, walked,
	      nr_cpus_up, ro ? "checked" : "n/a", violations);
}

static void check_signatures(void)
{
	phys_addr_t pa[NR_PROGS] = { 0 };
	unsigned int i;

	for (i = 0; i < NR_PROGS; i++) {
		struct uprog *p = &progs[i];
		pte_t e;

		if (p->state != P_EXITED)
			continue;
		e = uspace_lookup(&p->as, p->sig_va);
		if (!pte_present(e)) {
			violation("%s: its signature va 0x%lx is not mapped", p->name,
				  (unsigned long)p->sig_va);
			continue;
		}
		pa[i] = pte_phys(e);
		if (*(const uint64_t *)phys_window(pa[i]) != p->tag)
			violation("%s: its page at va 0x%lx (frame 0x%lx) holds 0x%lx, not its tag 0x%lx",
				  p->name, (unsigned long)p->sig_va, (unsigned long)pa[i],
				  (unsigned long)*(const uint64_t *)phys_window(pa[i]),
				  (unsigned long)p->tag);
	}
	if (pa[0] && pa[1]) {
		if (progs[0].sig_va != progs[1].sig_va)
			violation("the signature pages are at different VAs 0x%lx and 0x%lx",
				  (unsigned long)progs[0].sig_va, (unsigned long)progs[1].sig_va);
		if (pa[0] == pa[1])
			violation("both address spaces map va 0x%lx to frame 0x%lx",
				  (unsigned long)progs[0].sig_va, (unsigned long)pa[0]);
		printk("user: same va 0x%lx: ping's frame 0x%lx holds \"ping-sig\", pong's frame 0x%lx holds \"pong-sig\"\n",
		       (unsigned long)progs[0].sig_va, (unsigned long)pa[0], (unsigned long)pa[1]);
	}
}

static void report(const struct uprog *p)
{
	char seen[3 * MAX_CPUS + 1];
	unsigned int i;
	int n = 0;

	seen[0] = '\0';
	for (i = 0; i < MAX_CPUS; i++)
		if (p->cpus_seen & (1ULL << i))
			n += snprintf(seen + n, sizeof(seen) - n, "%s%u", n ? "," : "", i);
	printk("user: %s: %s with code %ld, %lu slices on cpus %s, %lu migrations\n", p->name,
	       p->state == P_EXITED ? "exited" : p->state == P_KILLED ? "killed" : "still ready",
	       p->exit_code, p->slices, seen, p->migrations);
	trace("user_prog name=%s as=%u state=%s code=%ld slices=%lu cpus=%s migrations=%lu",
	      p->name, p->as.id, p->state == P_EXITED ? "exited" :
	      p->state == P_KILLED ? "killed" : "ready", p->exit_code, p->slices, seen,
	      p->migrations);
}

/* ---------------------------------------------------------------- run */

static unsigned long test_mode(void)
{
	static const char *const names[] = { "user-kernel", "user-wx", "user-nx", "user-unmapped",
					     "user-forge" };
	unsigned int i;

	for (i = 0; options.selftest && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(options.selftest, names[i]))
			return i + 1;
	return UMODE_NONE;
}

unsigned long user_run_all(void)
{
	unsigned int ids[MAX_CPUS], n = 0, i, round;
	uint32_t sums[MAX_CPUS];
	unsigned long mode = test_mode(), rounds = 0;
	uint64_t t0, t1;
	bool alive;

	selftest_set_user_probe(user_probe_page);
	if (options.selftest && (!strcmp(options.selftest, "smep") || !strcmp(options.selftest, "smap")))
		probe_build();                  /* its uspace record before the trace's end */
	for (i = 0; i < nr_cpus; i++)
		if (cpus[i].state == CPU_UP) {
			ids[n++] = i;
			sums[i] = kernel_half_sum(i);
			on_cpu(i, cpu_setup, NULL);
		}
	printk("user: %u cpus, %s; programs at the same VAs in slot 0 (user top 0x%lx)\n",
	       n, pv_user_how(), (unsigned long)USER_TOP - 1);
	trap_set_user_fault(user_fault);
	user_syscall_fn = user_syscall;
	load(&progs[0], mode);
	load(&progs[1], UMODE_NONE);

	for (round = 0;; round++) {
		unsigned int cid = ids[round % n];

		alive = false;
		for (i = 0; i < NR_PROGS; i++) {
			struct uprog *p = &progs[i];

			if (p->state != P_READY)
				continue;
			on_cpu(cid, slice, p);
			alive = true;
			if (p->state == P_KILLED)
				release(p);     /* the kernel goes on without it */
		}
		if (!alive)
			break;
		rounds++;
		if (round == 0)
			check_slots("round-0");
		if (rounds > 4 * UROUNDS)
			panic("the programs did not end after %lu rounds", rounds);
	}
	for (i = 0; i < NR_PROGS; i++)
		report(&progs[i]);
	check_signatures();
	check_slots("end");
	for (i = 0; i < NR_PROGS; i++)
		if (progs[i].state == P_EXITED)
			release(&progs[i]);
	check_slots("freed");
	for (i = 0; i < n; i++)
		if (kernel_half_sum(ids[i]) != sums[ids[i]])
			violation("cpu %u: the kernel half of its L%u changed during the run", ids[i],
				  pt_levels);

	for (i = 0; i < NR_PROGS; i++) {
		const struct uprog *p = &progs[i];

		if (i == 0 && mode != UMODE_NONE) {
			if (p->state != P_KILLED)
				violation("%s: test mode %lu but it was not killed", p->name, mode);
			continue;
		}
		if (p->state != P_EXITED || p->exit_code)
			violation("%s: %s with code %ld", p->name,
				  p->state == P_KILLED ? "killed" : "exited", p->exit_code);
		if (n > 1 && !p->migrations)
			violation("%s: never migrated on %u cpus", p->name, n);
	}
	printk("user: rounds=%lu switches=%lu cpus=%u kernel_halves=unchanged? %s violations=%lu\n",
	       rounds, switches, n, violations ? "see above" : "yes", violations);
	t0 = rdtsc();
	t1 = rdtsc();
	printk("bench: user_switches=%lu user_switch_insns_avg=%lu min=%lu max=%lu rdtsc_pair=%lu (slot-0 write_pte + flush_tlb_user between two rdtsc, guest instructions under qemu -icount shift=0,sleep=off)\n",
	       switches, switches ? switch_insns / switches : 0, switches ? switch_min : 0,
	       switch_max, (unsigned long)(t1 - t0));
	printk("bench: user_switch_hypercalls_avg=%lu min=%lu max=%lu backend=%s (counted at each hypercall, read around each switch)\n",
	       switches ? switch_hcalls / switches : 0, switches ? switch_hcalls_min : 0,
	       switch_hcalls_max, pv_name());
	{
		char per[8 * MAX_CPUS];
		int k = 0;

		per[0] = '\0';
		for (i = 0; i < n; i++)
			k += snprintf(per + k, sizeof(per) - k, "%s%lu", i ? "," : "",
				      switches_on[ids[i]]);
		trace("user_run rounds=%lu switches=%lu per_cpu=%s cpus=%u violations=%lu", rounds,
		      switches, per, n, violations);
	}
	return violations;
}
