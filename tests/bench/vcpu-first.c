/*
 * vcpu-first.c — QEMU TCG plugin: where the instructions of every vCPU went, at the
 * moment a vCPU first reaches an address (docs/smp.md: the AP bring-up under -icount).
 *
 *   qemu-system-x86_64 ... -smp N -plugin build/bench/vcpu-first.so,at=0xADDR[,at=0xADDR...]
 *
 * For each `at` address (a virtual address as the vCPU sees it: in real mode, CS base +
 * IP), the first time each vCPU executes the translation block starting there, one line
 * on stderr:
 *
 *   vcpu-first: vcpu=V pc=0x... executed_all=T executed_vcpu0=B
 *
 * T = instructions executed so far by all vCPUs together, B = by vCPU 0.  Under -icount
 * shift=0 the guest's TSC counts the virtual clock in the same unit, so a TSC interval
 * much larger than the executed count over the same events is time QEMU charged while no
 * vCPU ran.  Counts are per translation block executed (every instruction of a block
 * counted when the block starts): a block left early is counted whole, which does not
 * matter at the scale this is for (millions).  Callbacks, not inline ops: per vCPU.
 * `at` must be the start of a translation block (a function entry, a jump target).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-plugin-v1.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

#define MAX_AT          8
#define MAX_VCPUS       64

struct tb_info {
	uint64_t pc;
	uint64_t n;
	int at;                 /* index into at_pc, or -1 */
};

static uint64_t at_pc[MAX_AT];
static unsigned int nr_at;
static uint64_t executed_all, executed[MAX_VCPUS];
static bool seen[MAX_AT][MAX_VCPUS];

static void tb_exec(unsigned int vcpu, void *udata)
{
	const struct tb_info *t = udata;

	if (vcpu >= MAX_VCPUS)
		return;
	if (t->at >= 0 && !seen[t->at][vcpu]) {
		seen[t->at][vcpu] = true;
		fprintf(stderr, "vcpu-first: vcpu=%u pc=0x%" PRIx64 " executed_all=%" PRIu64
			" executed_vcpu0=%" PRIu64 "\n", vcpu, t->pc, executed_all, executed[0]);
	}
	executed[vcpu] += t->n;
	executed_all += t->n;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct tb_info *t = malloc(sizeof(*t));
	unsigned int i;

	(void)id;
	if (!t)
		return;
	t->pc = qemu_plugin_tb_vaddr(tb);
	t->n = qemu_plugin_tb_n_insns(tb);
	t->at = -1;
	for (i = 0; i < nr_at; i++)
		if (at_pc[i] == t->pc)
			t->at = (int)i;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, t);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "at=", 3) || nr_at == MAX_AT) {
			fprintf(stderr, "vcpu-first: bad argument '%s' (want at=0xADDR, at most %d)\n",
				argv[i], MAX_AT);
			return -1;
		}
		at_pc[nr_at++] = strtoull(argv[i] + 3, NULL, 0);
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	return 0;
}
