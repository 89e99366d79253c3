# tests/bench/bench.mk — page-table benchmarks; included by tests/tests.mk.
#
#   make bench                  topdown beside Debian's Linux, then topdown alone for
#                               128M..16T x 4k/2m/1g -> $(BUILD)/bench/results.md
#                               (downloads Debian's kernel once into $(BUILD)/bench/linux/)
#   make bench BENCH=quick      the topdown side of the beside-Linux rows only (seconds;
#                               no userbench)
#   make bench BENCH=smp        the AP bring-up rows only (-smp 1..16) -> results-smp.md
#   make bench BENCH_ARGS='--only 1G,1T'
#
# Not part of make check: it downloads a kernel package and the full run boots QEMU
# with up to 16 TiB of (untouched) guest RAM under -icount for several minutes.
# See tests/bench/bench.py.

BENCH        ?= full
BENCH_ARGS   ?=
BENCH_PLUGIN := $(BUILD)/bench/icount-range.so

# The QEMU TCG plugin that counts guest instructions between two addresses.
$(BENCH_PLUGIN): tests/bench/icount-range.c tests/bench/qemu-plugin-v1.h
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -o $@ $<

# Per-vCPU instruction counts at a vCPU's first visit of an address (docs/smp.md: where
# the AP bring-up's time went under -icount).  make $(BUILD)/bench/vcpu-first.so
$(BUILD)/bench/vcpu-first.so: tests/bench/vcpu-first.c tests/bench/qemu-plugin-v1.h
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -o $@ $<

.PHONY: bench
bench: $(BUILD)/topdown.elf $(BUILD)/tools/tracecmp $(BENCH_PLUGIN)
	$(Q)TRACECMP=$(abspath $(BUILD)/tools/tracecmp) python3 tests/bench/bench.py --build $(BUILD) --plugin $(BENCH_PLUGIN) \
		--profile $(BENCH) $(BENCH_ARGS)
	$(Q)$(if $(filter quick smp,$(BENCH)),true,python3 tests/bench/userbench.py --build $(BUILD) --out $(BUILD)/bench)

# The user address-space switch alone, natively and as a Xen PV domU of the lab with 2
# and 4 vCPUs (tests/bench/userbench.py --xen-pv -> $(BUILD)/bench/user.md).
.PHONY: bench-user
bench-user: $(BUILD)/topdown.elf xenlab
	$(Q)python3 tests/bench/userbench.py --build $(BUILD) --out $(BUILD)/bench --xen-pv

# Xen PV: topdown and the lab's Debian Linux as PV domUs of 256 MiB, 1 GiB and 4 GiB, one Xen
# lab boot per size; xentrace counts each guest's hypercalls, mmu_update requests and
# mmuext ops during its page-table setup (tests/bench/xenpv.py, tests/xen/xentrace.py)
# -> $(BUILD)/bench/xen-pv.md (docs/bench-xen-pv.md is a snapshot).  Not part of `make bench`.
# BENCH_XEN_PV_ARGS='--sizes 256,1024'.
.PHONY: bench-xen-pv
bench-xen-pv: $(BUILD)/topdown.elf xenlab
	$(Q)python3 tests/bench/xenpv.py --build $(BUILD) --out $(BUILD)/bench $(BENCH_XEN_PV_ARGS)

# The screen console's cost (guest instructions of the 1G/4k boot with and
# without a screen) -> $(BUILD)/bench/screen.md.  See tests/bench/screen.py.
.PHONY: bench-screen
bench-screen: $(BUILD)/topdown.elf
	$(Q)python3 tests/bench/screen.py --build $(BUILD) --out $(BUILD)/bench
