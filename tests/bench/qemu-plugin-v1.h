/*
 * qemu-plugin-v1.h — the few declarations of QEMU's TCG plugin API (version 1,
 * as in QEMU 7.2, Debian 12's qemu-system-x86) that tests/bench/icount-range.c and
 * tests/bench/vcpu-first.c use.
 *
 * Declared here because no Debian package ships QEMU's include/qemu/qemu-plugin.h.
 * Written from the facts of QEMU 7.2's header, not copied from it: the types,
 * enum values and signatures below must match that ABI exactly:
 *   - qemu_plugin_id_t is a uint64_t; a plugin exports `int qemu_plugin_version`
 *     (API level it was built for; 7.2 accepts 1) and `qemu_plugin_install`.
 *   - qemu_info_t: target name, {min, cur} API version, a system-emulation flag,
 *     then (system emulation) the initial and maximum vCPU counts.
 *   - enum qemu_plugin_cb_flags starts with NO_REGS = 0; enum qemu_plugin_op
 *     starts with INLINE_ADD_U64 = 0.
 *   - v1 inline ops take a plain pointer (v2, QEMU 9, replaced them with
 *     per-vCPU scoreboards).
 * The plugin is loaded only by the QEMU the bench runs; bench.py checks that the
 * plugin loads and reaches its end address, so a mismatch fails loudly.
 */
#ifndef QEMU_PLUGIN_V1_H
#define QEMU_PLUGIN_V1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

typedef struct {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
} qemu_info_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS = 0,
};

enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64 = 0,
};

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

/* Exported by the plugin. */
extern QEMU_PLUGIN_EXPORT int qemu_plugin_version;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv);

/* Provided by QEMU. */
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags, void *userdata);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
						enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
				    void *userdata);

#endif
