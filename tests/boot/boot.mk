# tests/boot/boot.mk — the native boot tests (QEMU, TCG); included by tests/tests.mk.
#
#   make check-boot                  every case of tests/boot/cases.txt, 2 QEMUs at once
#   make check-boot BOOT_ONLY='pvh-q35-*'   a subset (names or shell patterns, comma separated)
#   make check-boot ACCEL=auto       KVM on a CPU with vmx/svm and a working /dev/kvm (default tcg; also kvm)
#   tests/boot/run.py --list         the cases
#
# One line per case is appended to $(RESULTS)/boot.txt ("PASS boot/<name> <s>s",
# "FAIL boot/<name>: <reason>", or "SKIP boot/<name>: <reason>" for a case BOOT_ONLY leaves
# out or an accel=kvm case without hardware KVM); logs go to $(BUILD)/tests/boot/<name>.log.  The target
# fails when any case failed.  See tests/boot/README.md.
#
# The rules below build what cases need; run.py asks for exactly those files.

BOOT_DIR  := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
BOOT_OUT   = $(BUILD)/tests/boot
BOOT_JOBS ?= 2
BOOT_ONLY ?=
ACCEL     ?= tcg
RESULTS   ?= $(BUILD)/results

.PHONY: check-boot
check-boot: $(BUILD)/topdown.elf
	@mkdir -p $(RESULTS)
	$(Q)python3 $(BOOT_DIR)/run.py --build $(BUILD) --results $(RESULTS)/boot.txt \
		-j $(BOOT_JOBS) --accel $(ACCEL) $(if $(BOOT_ONLY),--only '$(BOOT_ONLY)')

# A kernel with another brk size, in its own build directory (brk=N).
$(BOOT_OUT)/brk%/topdown.elf: FORCE
	$(Q)$(MAKE) BUILD=$(BOOT_OUT)/brk$* BRK_PAGES=$* $@

# A GRUB ISO per command line (boot=iso); run.py writes <slug>.cmdline when it changes.
$(BOOT_OUT)/iso/%.iso: $(BOOT_OUT)/iso/%.cmdline $(BUILD)/topdown.elf tools/mkiso.sh
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $(BUILD)/topdown.elf $@ "$$(cat $<)"

# The badboot loader per CASE (badboot=CASE): topdown's entry points from its ELF.
$(BOOT_OUT)/badboot/%.elf: $(BOOT_DIR)/badboot.asm $(BOOT_DIR)/badboot.lds $(BUILD)/topdown.elf $(GEN)
	@mkdir -p $(@D)
	@echo "  NASM    $@"
	$(Q)$(NASM) -f elf64 -I $(BUILD)/gen/ -DCASE=$* $< -o $(@:.elf=.o)
	$(Q)$(LD) -nostdlib -static -z noexecstack --no-warn-rwx-segments -T $(BOOT_DIR)/badboot.lds \
		--just-symbols=$(BUILD)/topdown.elf $(@:.elf=.o) -o $@

# 2 MiB that QEMU -initrd loads near the top of low RAM, where the tables go (initrd=1).
$(BOOT_OUT)/initrd.bin:
	@mkdir -p $(@D)
	$(Q)seq -f 'topdown test module pg %8.0f' 0 65535 > $@
