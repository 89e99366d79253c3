# tests/bench/bench.mk — page-table benchmarks; included by tests/tests.mk.
#
#   make bench                       every configuration -> $(BUILD)/bench/results.md
#   make bench BENCH_ARGS=--quick    sizes up to 16G only
#   make bench BENCH_ARGS='--only 1G,1T'
#
# Not part of make check: the full run boots QEMU with up to 16 TiB of (untouched)
# guest RAM under -icount and takes several minutes.  See tests/bench/bench.py.

BENCH_ARGS ?=

.PHONY: bench
bench: $(BUILD)/topdown.elf $(BUILD)/tools/tracecmp
	$(Q)TRACECMP=$(abspath $(BUILD)/tools/tracecmp) python3 tests/bench/bench.py --build $(BUILD) --out $(BUILD)/bench $(BENCH_ARGS)

# Xen PV: flips, pins and hypercalls of the PV hook by guest RAM (real xl create runs in the
# Xen lab, about a minute each) -> $(BUILD)/bench/xen-pv.md.  Not part of `make bench`.
.PHONY: bench-xen-pv
bench-xen-pv: $(BUILD)/topdown.elf xenlab
	$(Q)python3 tests/bench/xenpv.py --build $(BUILD) --out $(BUILD)/bench $(BENCH_XEN_PV_ARGS)
