/*
 * icount-range.c — QEMU TCG plugin: count the guest instructions executed on the
 * (single) vCPU from the first execution of a start address to the next execution
 * of an end address.
 *
 *   qemu-system-x86_64 ... -plugin build/bench/icount-range.so,start=0xADDR,end=0xADDR[,exit=on]
 *
 * The count includes the instruction at `start` and excludes the one at `end`: for
 * start = a function's entry and end = the instruction after its call site, it is
 * every instruction the call executes, its `ret` included.  Prints one line on
 * stderr when `end` is reached:
 *
 *   icount-range: insns=N start=0x... end=0x...
 *
 * With exit=on, QEMU then exits at once with status 0 (for a guest that would run
 * on, e.g. Linux without a root fs).  If QEMU exits normally before that (the
 * guest's exit, a reset with -no-reboot; a kill by signal prints nothing), it prints
 *
 *   icount-range: error: end 0x... never reached (start ... executed N times)
 *
 * How: every translated instruction gets an inline "add 1 to a counter" (no
 * call, a few host instructions), the start and end instructions also a callback
 * that reads the counter.  Both callbacks read it at the same point relative to
 * their instruction's own inline add, so the difference is exact.  An instruction
 * that faults and is restarted after the handler runs is counted twice, as it is
 * executed twice; a retired-instruction count (the TSC under -icount) counts it
 * once.
 *
 * Needs exactly one vCPU (-smp 1, the default): v1 inline ops add to one plain
 * counter, not per vCPU.  API declarations: qemu-plugin-v1.h (QEMU 7.2).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu-plugin-v1.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

static uint64_t start_pc, end_pc;
static bool exit_at_end;

static uint64_t executed;       /* inline counter: instructions executed so far */
static uint64_t at_start;       /* `executed` when start was first reached */
static uint64_t start_hits;
static enum { WAITING, COUNTING, DONE } state = WAITING;

static void on_start(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	start_hits++;
	if (state == WAITING) {
		at_start = executed;
		state = COUNTING;
	}
}

static void on_end(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	if (state != COUNTING)
		return;
	state = DONE;
	fprintf(stderr, "icount-range: insns=%" PRIu64 " start=0x%" PRIx64 " end=0x%" PRIx64 "\n",
		executed - at_start, start_pc, end_pc);
	fflush(stderr);
	if (exit_at_end) {
		fflush(stdout);
		_exit(0);
	}
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t pc = qemu_plugin_insn_vaddr(insn);

		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
							   &executed, 1);
		if (pc == start_pc)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
		if (pc == end_pc)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	if (state != DONE)
		fprintf(stderr, "icount-range: error: end 0x%" PRIx64 " never reached "
			"(start 0x%" PRIx64 " executed %" PRIu64 " times)\n",
			end_pc, start_pc, start_hits);
}

static int parse_addr(const char *arg, const char *key, uint64_t *out)
{
	size_t k = strlen(key);
	char *end;

	if (strncmp(arg, key, k) != 0 || arg[k] != '=')
		return 0;
	errno = 0;
	*out = strtoull(arg + k + 1, &end, 0);
	if (errno || end == arg + k + 1 || *end) {
		fprintf(stderr, "icount-range: error: bad %s value '%s'\n", key, arg + k + 1);
		return -1;
	}
	return 1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	bool have_start = false, have_end = false;

	for (int i = 0; i < argc; i++) {
		int r;

		if ((r = parse_addr(argv[i], "start", &start_pc)) != 0) {
			if (r < 0)
				return -1;
			have_start = true;
		} else if ((r = parse_addr(argv[i], "end", &end_pc)) != 0) {
			if (r < 0)
				return -1;
			have_end = true;
		} else if (!strcmp(argv[i], "exit=on")) {
			exit_at_end = true;
		} else if (!strcmp(argv[i], "exit=off")) {
			exit_at_end = false;
		} else {
			fprintf(stderr, "icount-range: error: unknown argument '%s' "
				"(start=ADDR end=ADDR [exit=on|off])\n", argv[i]);
			return -1;
		}
	}
	if (!have_start || !have_end) {
		fprintf(stderr, "icount-range: error: start=ADDR and end=ADDR are required\n");
		return -1;
	}
	if (info->version.cur < 1 || info->version.min > 1) {
		fprintf(stderr, "icount-range: error: QEMU plugin API %d..%d does not include "
			"version 1\n", info->version.min, info->version.cur);
		return -1;
	}
	if (!info->system_emulation || info->system.smp_vcpus != 1 ||
	    info->system.max_vcpus != 1) {
		fprintf(stderr, "icount-range: error: needs system emulation with exactly one "
			"vCPU (-smp 1)\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
