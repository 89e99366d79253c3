# tests/unit/unit.mk — host unit tests of mm/ with cmocka (included by
# tests/tests.mk).
#
#   make check-unit   build the tests twice — plain gcc, and gcc with
#                     ASan+UBSan — run both, and append one line per test to
#                     $(RESULTS)/unit.txt (unit/<name>, unit-asan/<name>);
#                     exits non-zero on any failure.
#
# The tests compile mm/*.c and kernel/fnv.c directly, with the host
# environment of tests/unit/hostenv.c (simulated memory, fake image,
# recording pv_ops, printk capture, panic_at that longjmps) and the
# independent checker of tests/unit/checker.c.  -Wno-unused-parameter as in
# the kernel's own flags (mm/ has callbacks that ignore arguments).

UNIT_DIR    := $(BUILD)/unit
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-I include -I tests/unit -MMD -MP
UNIT_ASAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_LIBS   := -lcmocka
UNIT_TESTS  := memmap build percpu selfcheck pvhcheck

UNIT_COMMON_SRC := $(wildcard mm/*.c) kernel/fnv.c paravirt/xen/protect_pvh.c tests/unit/hostenv.c tests/unit/hostpv.c \
	tests/unit/model.c tests/unit/checker.c tests/unit/build.c tests/unit/maps.c
UNIT_SRC := $(UNIT_COMMON_SRC) $(UNIT_TESTS:%=tests/unit/test_%.c)
UNIT_PLAIN_OBJ := $(UNIT_SRC:%.c=$(UNIT_DIR)/plain/%.o)
UNIT_ASAN_OBJ  := $(UNIT_SRC:%.c=$(UNIT_DIR)/asan/%.o)
UNIT_BINS := $(UNIT_TESTS:%=$(UNIT_DIR)/plain/test_%) $(UNIT_TESTS:%=$(UNIT_DIR)/asan/test_%)

$(UNIT_DIR)/plain/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -c $< -o $@

$(UNIT_DIR)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $(UNIT_ASAN) -c $< -o $@

$(UNIT_DIR)/plain/test_%: $(UNIT_DIR)/plain/tests/unit/test_%.o \
		$(UNIT_COMMON_SRC:%.c=$(UNIT_DIR)/plain/%.o)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $^ $(UNIT_LIBS) -o $@

$(UNIT_DIR)/asan/test_%: $(UNIT_DIR)/asan/tests/unit/test_%.o \
		$(UNIT_COMMON_SRC:%.c=$(UNIT_DIR)/asan/%.o)
	@echo "  HOSTLD  $@ (asan+ubsan)"
	$(Q)$(HOSTCC) $(UNIT_ASAN) $^ $(UNIT_LIBS) -o $@

.SECONDARY: $(UNIT_PLAIN_OBJ) $(UNIT_ASAN_OBJ)

# The mutants (tests/unit/mutants.sh): every planted bug in mm/ must make a
# unit test fail; one line per mutant in $(RESULTS)/mutants.txt, the suite
# "mutants" of make check.  MUTANTS_ONLY='check-*' runs a subset.
.PHONY: check-mutants
check-mutants:
	@mkdir -p $(RESULTS)
	$(Q)tests/unit/mutants.sh $(RESULTS)/mutants.txt

.PHONY: check-unit unit-build
unit-build: $(UNIT_BINS)

check-unit: $(UNIT_BINS)
	@mkdir -p $(RESULTS) && rm -f $(RESULTS)/unit.txt
	@rc=0; for t in $(UNIT_TESTS); do \
	  tests/unit/run.sh $(UNIT_DIR)/plain/test_$$t unit $$t $(RESULTS)/unit.txt || rc=1; \
	  tests/unit/run.sh $(UNIT_DIR)/asan/test_$$t unit-asan $$t $(RESULTS)/unit.txt || rc=1; \
	done; \
	echo "unit: $$(grep -c '^PASS unit' $(RESULTS)/unit.txt) passed, $$(grep -c '^FAIL unit' $(RESULTS)/unit.txt) failed ($(RESULTS)/unit.txt)"; \
	grep '^FAIL unit' $(RESULTS)/unit.txt || true; \
	exit $$rc

-include $(UNIT_PLAIN_OBJ:.o=.d) $(UNIT_ASAN_OBJ:.o=.d)
