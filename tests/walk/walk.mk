# tests/walk/walk.mk — the outside walker (included by tests/tests.mk).
#
#   make check-walk                       every case of tests/walk/cases.txt, 2 QEMUs at once
#   make check-walk WALK_ONLY='walk-iso-*' a subset (names or shell patterns, comma separated)
#
# Each case boots topdown (TCG, end=wait), takes every CPU's registers and the
# table pages from QEMU over QMP, and judges the live tables with
# tests/walk/walk.py, which shares no code with mm/ (see tests/walk/run.py).
# The walk.plant= cases plant a bug after the in-guest self-checks: the guest
# says PASS and the walker must name the bug.  One line per case in
# $(RESULTS)/walk.txt; logs in $(BUILD)/tests/walk/.

WALK_DIR  := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
WALK_JOBS ?= 2
WALK_ONLY ?=

.PHONY: check-walk
check-walk: $(BUILD)/topdown.elf
	@mkdir -p $(RESULTS)
	$(Q)python3 $(WALK_DIR)/run.py --build $(BUILD) --results $(RESULTS)/walk.txt \
		-j $(WALK_JOBS) $(if $(WALK_ONLY),--only '$(WALK_ONLY)')
