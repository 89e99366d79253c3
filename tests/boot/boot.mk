# tests/boot/boot.mk — the native boot tests (QEMU, TCG); included by tests/tests.mk.
#
#   make check-boot                  every case, 2 QEMUs at once
#   make check-boot BOOT_ONLY='pvh-q35-*'   a subset (names or shell patterns, comma separated)
#   tests/boot/run.py --list         the cases
#
# One line per case is appended to $(RESULTS)/boot.txt ("PASS boot/<name> <s>s" or
# "FAIL boot/<name>: <reason>"); logs go to $(BUILD)/tests/boot/<name>.log.  The target
# fails when any case failed.  See tests/boot/README.md.

BOOT_DIR  := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
BOOT_JOBS ?= 2
BOOT_ONLY ?=
RESULTS   ?= $(BUILD)/results

.PHONY: check-boot
check-boot: $(BUILD)/topdown.elf
	@mkdir -p $(RESULTS)
	$(Q)python3 $(BOOT_DIR)/run.py --build $(BUILD) --results $(RESULTS)/boot.txt \
		-j $(BOOT_JOBS) $(if $(BOOT_ONLY),--only '$(BOOT_ONLY)')
