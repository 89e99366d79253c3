# tests/fuzz/fuzz.mk — libFuzzer harnesses for mm/ (included by tests/tests.mk).
#
#   make fuzz            run every harness for FUZZ_SECONDS (default 300), in
#                        parallel; findings and logs in build/fuzz/
#   make check-fuzz      a fixed-count smoke (FUZZ_SMOKE_RUNS_<name> runs,
#                        fixed seed; ~25 s in all on the 2-core dev host):
#                        one PASS/FAIL line per harness in $(RESULTS)/fuzz.txt
#
# Harnesses (tests/fuzz/fuzz_<name>.c, seeds in tests/fuzz/corpus/<name>/):
#   memmap   memmap_normalise() on arbitrary entry arrays
#   build    mm_init() on fuzzed maps, caps and boot data, checked by the
#            independent checker of tests/unit/
# mm/ and the harnesses are compiled with coverage (-fsanitize=fuzzer-no-link);
# the shared host environment and checker only with ASan+UBSan, so that the
# fuzzer's time goes to mm/.
#
# The harnesses run with FUZZ_CONTINUE=1: a broken contract is logged as
# "FINDING [category]" (the first input of each category is saved to
# build/fuzz/findings-<name>/) and the run goes on.  Without it, the first
# finding aborts and libFuzzer saves the input as usual.

FUZZ_DIR        := $(BUILD)/fuzz
FUZZ_CC         := clang
FUZZ_SECONDS    ?= 300
FUZZ_SMOKE_RUNS_memmap ?= 600000
FUZZ_SMOKE_RUNS_build  ?= 200000
FUZZ_HARNESSES  := memmap build

FUZZ_CFLAGS := -std=gnu11 -g -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-I include -I tests/unit -I tests/fuzz -MMD -MP
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_COV    := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

FUZZ_MM_SRC      := $(wildcard mm/*.c) kernel/fnv.c
FUZZ_SUPPORT_SRC := paravirt/xen/protect_pvh.c tests/unit/hostenv.c tests/unit/hostpv.c tests/unit/model.c \
	tests/unit/checker.c tests/unit/build.c \
	tests/fuzz/fuzz_common.c
FUZZ_MM_OBJ      := $(FUZZ_MM_SRC:%.c=$(FUZZ_DIR)/cov/%.o)
FUZZ_SUPPORT_OBJ := $(FUZZ_SUPPORT_SRC:%.c=$(FUZZ_DIR)/san/%.o)
FUZZ_BINS        := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/cov/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_COV) -c $< -o $@

$(FUZZ_DIR)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -c $< -o $@

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/cov/tests/fuzz/fuzz_%.o $(FUZZ_MM_OBJ) $(FUZZ_SUPPORT_OBJ)
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $^ -o $@

.PHONY: fuzz-build fuzz check-fuzz
fuzz-build: $(FUZZ_BINS)

# One harness: fuzz_run NAME EXTRA-ARGS LOG.  The working corpus is a copy
# (libFuzzer writes new inputs into its first corpus directory), so the
# committed seeds stay small.
define fuzz_run
	rm -rf $(FUZZ_DIR)/work-$(1) $(FUZZ_DIR)/findings-$(1) && \
	mkdir -p $(FUZZ_DIR)/work-$(1) $(FUZZ_DIR)/findings-$(1) && \
	cp tests/fuzz/corpus/$(1)/* $(FUZZ_DIR)/work-$(1)/ && \
	FUZZ_CONTINUE=1 FUZZ_FINDINGS_DIR=$(FUZZ_DIR)/findings-$(1) \
	  $(FUZZ_DIR)/fuzz_$(1) $(2) -artifact_prefix=$(FUZZ_DIR)/findings-$(1)/ \
	  $(FUZZ_DIR)/work-$(1) > $(3) 2>&1
endef

fuzz: $(FUZZ_BINS)
	@for h in $(FUZZ_HARNESSES); do \
	  echo "  FUZZ    $$h for $(FUZZ_SECONDS)s -> $(FUZZ_DIR)/$$h.log"; \
	  ( $(call fuzz_run,$$h,-max_total_time=$(FUZZ_SECONDS),$(FUZZ_DIR)/$$h.log) ) & \
	done; wait
	@for h in $(FUZZ_HARNESSES); do \
	  echo "== $$h: $$(grep -E '^Done [0-9]+ runs' $(FUZZ_DIR)/$$h.log)"; \
	  grep -E '^FINDING \[[^]]*\]: [^i]' $(FUZZ_DIR)/$$h.log | sort -u || true; \
	done

check-fuzz: $(FUZZ_BINS)
	@mkdir -p $(RESULTS)
	@for hn in $(foreach h,$(FUZZ_HARNESSES),$(h):$(FUZZ_SMOKE_RUNS_$(h))); do \
	  h=$${hn%%:*}; n=$${hn#*:}; \
	  log=$(FUZZ_DIR)/smoke-$$h.log; start=$$(date +%s); \
	  ( $(call fuzz_run,$$h,-runs=$$n -seed=1,$$log) ); rc=$$?; \
	  secs=$$(( $$(date +%s) - start )); \
	  done_line=$$(grep -E '^Done [0-9]+ runs' $$log); \
	  cats=$$(sed -n 's/^FINDING \[\([^]]*\)\]: [^i].*/\1/p' $$log | sort -u | tr '\n' ' '); \
	  if [ $$rc -eq 0 ] && [ -n "$$done_line" ] && [ -z "$$cats" ]; then \
	    echo "PASS fuzz/$$h $$done_line, no finding ($${secs}s)" >> $(RESULTS)/fuzz.txt; \
	  elif [ -n "$$cats" ]; then \
	    echo "FAIL fuzz/$$h: findings: $$cats(see $$log)" >> $(RESULTS)/fuzz.txt; \
	  else \
	    echo "FAIL fuzz/$$h: harness exited $$rc without finishing (see $$log)" >> $(RESULTS)/fuzz.txt; \
	  fi; \
	done
	@tail -n $(words $(FUZZ_HARNESSES)) $(RESULTS)/fuzz.txt
	@! tail -n $(words $(FUZZ_HARNESSES)) $(RESULTS)/fuzz.txt | grep -q '^FAIL '

-include $(FUZZ_MM_OBJ:.o=.d) $(FUZZ_SUPPORT_OBJ:.o=.d) \
	$(FUZZ_HARNESSES:%=$(FUZZ_DIR)/cov/tests/fuzz/fuzz_%.d)

# Keep the objects (pattern-chained, make would delete them as intermediates).
.SECONDARY: $(FUZZ_MM_OBJ) $(FUZZ_SUPPORT_OBJ) \
	$(FUZZ_HARNESSES:%=$(FUZZ_DIR)/cov/tests/fuzz/fuzz_%.o)
