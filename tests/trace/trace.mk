# tests/trace/trace.mk — the trace comparer and its tests; included by
# tests/tests.mk (which sets BUILD and RESULTS).
#
#   make $(BUILD)/tools/tracecmp   the host tool (also: make tools)
#   make check-trace               compare recorded fixtures (tests/trace/fixtures/)
#                                  and two fresh native boots of the kernel;
#                                  one line per test in $(RESULTS)/trace.txt
#
# Fixtures are data made from real runs: tests/trace/make-fixtures.sh
# regenerates them when the trace format changes.

BUILD   ?= build
RESULTS ?= $(BUILD)/results
HOSTCC  ?= gcc

TRACECMP      := $(BUILD)/tools/tracecmp
# tracecmp replays mm_init: it links mm/ itself, in the unit tests' host
# environment, with their independent oracle (tests/unit/unit.mk).
TRACECMP_SRC  := tools/tracecmp.c tools/trace-log.c tools/trace-parse.c tools/trace-replay.c \
		 tools/trace-svg.c $(wildcard mm/*.c) kernel/fnv.c paravirt/xen/protect_pvh.c \
		 $(addprefix tests/unit/,hostenv.c hostpv.c build.c checker.c model.c)
TRACECMP_DEPS := $(TRACECMP_SRC) tools/trace.h $(wildcard include/*/*.h mm/*.h tests/unit/*.h)
TRACE_CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		 -Wno-unused-parameter -I include -I tests/unit

.PHONY: tools check-trace
tools: $(TRACECMP)

$(TRACECMP): $(TRACECMP_DEPS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(TRACE_CFLAGS) -o $@ $(TRACECMP_SRC) -lm

check-trace: $(TRACECMP) $(BUILD)/topdown.elf
	@mkdir -p $(RESULTS)
	@tests/trace/check.sh $(TRACECMP) $(BUILD)/topdown.elf $(RESULTS)/trace.txt $(BUILD)/tests/trace
