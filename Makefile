# topdown — one Makefile for the kernel, the host tools and the tests.
#
#   make            build/topdown.elf (+ .sym, .lst)
#   make iso        build/topdown.iso (GRUB, multiboot2)
#   make run        boot the ELF in QEMU (direct PVH boot)
#   make run-iso    boot the ISO in QEMU (GRUB, multiboot2, SeaBIOS)
#   make run-iso-uefi  the same under UEFI (OVMF)
#   make gdb        like run, but QEMU waits for gdb on :1234
#   make check      every test; ends with "N passed, N failed"
#   make bench      page-table benchmarks -> build/bench/results.md
#
# Options (command line or environment):
#   MEM=128M        guest RAM for run/run-iso/gdb
#   CMDLINE="..."   kernel command line for run/run-iso/gdb
#   QEMU_MACHINE=pc machine model (pc or q35)
#   QEMU_CPU=qemu64 CPU model (max: EPYC under a KVM without vmx/svm)
#   ACCEL=auto      auto|kvm|tcg for run/run-iso/run-iso-uefi/gdb (auto: KVM only on a CPU with vmx or svm)
#   QEMU_DISPLAY=none  gtk, sdl, vnc=:0 ... to see the screen console
#   GFXPAYLOAD=     iso: a VBE mode under BIOS (800x600x32, auto), another GOP mode under UEFI
#   BRK_PAGES=16    size of the brk chunk in pages (a build constant)
#   PVH_ON_NATIVE=0 1: test only, the Xen PVH MMU ops without Xen (tests/trace/make-fixtures.sh)
#   V=1             show every command

MAKEFLAGS += -rR --no-print-directory
.SUFFIXES:
.DELETE_ON_ERROR:

BUILD     := build
BRK_PAGES ?= 16
PVH_ON_NATIVE ?= 0
MEM       ?= 128M
SMP       ?= 1
CMDLINE   ?=
QEMU_MACHINE ?= pc
QEMU_CPU  ?= qemu64
# ACCEL: the run targets default to auto; the boot suite keeps its own
# default (tcg, tests/boot/boot.mk).
RUN_ACCEL := $(or $(ACCEL),auto)
QEMU_DISPLAY ?= none
GFXPAYLOAD ?=
OVMF_CODE ?= /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS ?= /usr/share/OVMF/OVMF_VARS_4M.fd

ifeq ($(V),1)
Q :=
else
Q := @
endif

CC      := gcc
NASM    := nasm
LD      := ld
OBJDUMP := objdump
NM      := nm
QEMU    := qemu-system-x86_64
HOSTCC  := gcc

GCC_INC := $(shell $(CC) -print-file-name=include)

# Xen's public headers come from Debian's libxen-dev.  The kernel is built
# with -nostdinc, so only <xen/...> is made visible, through a symlink.
XEN_INC := /usr/include/xen
SYSINC  := $(BUILD)/sysinc

KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
	-fno-common -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-mcmodel=kernel -mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-80387 \
	-mgeneral-regs-only \
	-nostdinc -isystem $(GCC_INC) -isystem $(SYSINC) -I include -I $(BUILD)/gen \
	-D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__ -MMD -MP
NASMFLAGS := -f elf64 -g -F dwarf -I $(BUILD)/gen/ -I arch/x86_64/
LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

# ---------------------------------------------------------------- kernel ---
KERNEL_C := \
	arch/x86_64/boot/entry.c \
	arch/x86_64/boot/multiboot2.c \
	arch/x86_64/boot/pvh.c \
	arch/x86_64/boot/xenpv.c \
	arch/x86_64/boot/bootmem.c \
	arch/x86_64/cpu.c \
	arch/x86_64/serial.c \
	arch/x86_64/traps.c \
	arch/x86_64/mmu.c \
	arch/x86_64/acpi.c \
	arch/x86_64/lapic.c \
	arch/x86_64/smp.c \
	kernel/main.c \
	kernel/console.c \
	kernel/printk.c \
	kernel/panic.c \
	kernel/cmdline.c \
	kernel/selftest.c \
	kernel/boot_info.c \
	kernel/memtest.c \
	kernel/screen.c \
	kernel/vgacon.c \
	kernel/fbcon.c \
	kernel/user.c \
	mm/memmap.c \
	mm/brk.c \
	mm/pgtable.c \
	mm/init.c \
	mm/alloc.c \
	mm/lookup.c \
	mm/trace.c \
	mm/check.c \
	mm/layout.c \
	mm/percpu.c \
	mm/uspace.c \
	paravirt/paravirt.c \
	paravirt/native.c \
	paravirt/xen/setup_pvh.c \
	paravirt/xen/console.c \
	paravirt/xen/mmu_pvh.c \
	paravirt/xen/protect_pvh.c \
	paravirt/xen/setup_pv.c \
	paravirt/xen/mmu_pv.c \
	paravirt/xen/pin_pv.c \
	paravirt/xen/p2m_pv.c \
	paravirt/xen/smp_pv.c \
	paravirt/xen/evtchn_pv.c \
	paravirt/xen/user_pv.c \
	kernel/string.c \
	kernel/fnv.c \
	kernel/plant.c

KERNEL_ASM := \
	arch/x86_64/boot/head.asm \
	arch/x86_64/entry.asm \
	arch/x86_64/trampoline.asm \
	arch/x86_64/user.asm \
	kernel/user/blobs.asm \
	paravirt/xen/hypercall.asm \
	paravirt/xen/traps_pv.asm \
	paravirt/xen/entry_pv.asm

KOBJS := $(KERNEL_C:%.c=$(BUILD)/k/%.o) $(KERNEL_ASM:%.asm=$(BUILD)/k/%.o) $(BUILD)/k/gen/font.o
GEN   := $(BUILD)/gen/asm-offsets.inc
LDS   := $(BUILD)/gen/kernel.lds

.PHONY: all
all: $(BUILD)/topdown.elf

# Build constants (`make BRK_PAGES=9`, design §11) are never -D flags: each becomes a
# #define in <generated/config.h>, which is rewritten only when its text
# changes.  So changing one rebuilds exactly what includes the header (the
# dependency files say who does) and an unchanged one rebuilds nothing.
CONFIG_VARS := BRK_PAGES PVH_ON_NATIVE
CONFIG_H    := $(BUILD)/gen/generated/config.h

$(CONFIG_H): FORCE
	$(Q)case "$(BRK_PAGES)" in ''|*[!0-9]*|0*) \
	  echo "error: BRK_PAGES=$(BRK_PAGES): want a whole number of pages >= 1" >&2; exit 1;; esac
	$(Q)case "$(PVH_ON_NATIVE)" in 0|1) ;; *) \
	  echo "error: PVH_ON_NATIVE=$(PVH_ON_NATIVE): want 0 or 1" >&2; exit 1;; esac
	@mkdir -p $(dir $@)
	$(Q){ echo "/* Generated by the Makefile: build constants (make VAR=value). */"; \
	  $(foreach v,$(CONFIG_VARS),echo "#define $(v) $($(v))";) } > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; echo "  GEN     $@"; fi

$(SYSINC)/xen:
	$(Q)if [ ! -f $(XEN_INC)/xen.h ]; then \
	  echo "error: Xen public headers missing ($(XEN_INC)/xen.h): apt-get install libxen-dev" >&2; exit 1; fi
	$(Q)mkdir -p $(SYSINC) && ln -sfn $(XEN_INC) $@

# Dependency files name their target both as spelled and as an absolute
# path, so that they hold whether BUILD is given relative or absolute (the
# boot suite builds its brk kernels one way, a developer another).
DEPTARGET = $(foreach t,$(sort $(abspath $@) $(patsubst $(CURDIR)/%,%,$(abspath $@))),-MT $(t))

$(BUILD)/k/%.o: %.c | $(SYSINC)/xen $(CONFIG_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) $(DEPTARGET) -c $< -o $@

$(BUILD)/k/%.o: %.asm $(GEN)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# The screen console's font: a Linux console font from Debian's console-data,
# turned into a C table by tools/psf2c (PSF1/PSF2, 8 pixels wide).
FONT ?= /usr/share/consolefonts/default8x16.psf.gz

$(BUILD)/tools/psf2c: tools/psf2c.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/gen/font.c: $(FONT) $(BUILD)/tools/psf2c
	@mkdir -p $(dir $@)
	@echo "  FONT    $@ (from $(FONT))"
	$(Q)if [ ! -f "$(FONT)" ]; then \
	  echo "error: console font $(FONT) missing: apt-get install console-data (or FONT=...)" >&2; exit 1; fi
	$(Q)gzip -dcf < $(FONT) | $(BUILD)/tools/psf2c $(notdir $(basename $(basename $(FONT)))) > $@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/k/gen/font.o: $(BUILD)/gen/font.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

# Constants shared by C and nasm have one source of truth: C headers (ours and
# Xen's).  asm-offsets.c turns them into a nasm include.
$(BUILD)/gen/asm-offsets.s: arch/x86_64/asm-offsets.c | $(SYSINC)/xen $(CONFIG_H)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(CC) $(KCFLAGS) $(DEPTARGET) -MF $@.d -S $< -o $@

$(GEN): $(BUILD)/gen/asm-offsets.s
	$(Q)sed -n 's/^[[:space:]]*\.ascii[[:space:]]*"@@\([A-Za-z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\)@@"$$/%define \1 \2/p' $< > $@.tmp
	$(Q)test -s $@.tmp || { echo "error: $@ is empty" >&2; exit 1; }
	$(Q)mv $@.tmp $@

$(LDS): arch/x86_64/kernel.lds.S | $(CONFIG_H)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(CC) -E -P -x c -D__ASSEMBLER__ -I include -I $(BUILD)/gen -MMD -MP $(DEPTARGET) -MF $@.d $< -o $@

$(BUILD)/topdown.elf: $(KOBJS) $(LDS)
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T $(LDS) -Map $(BUILD)/topdown.map -o $@ $(KOBJS)
	$(Q)$(NM) -n $@ > $(BUILD)/topdown.sym
	$(Q)$(OBJDUMP) -d -M intel $@ > $(BUILD)/topdown.lst

# ------------------------------------------------------- user programs ---
# kernel/user/*.c: freestanding ring-3 programs, linked for user addresses
# (kernel/user/user.lds), general registers only (no FPU/SSE state is kept
# per program); blobs.asm puts the ELF files into the kernel's rodata.
USER_PROGS  := ping pong
UCFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -mcmodel=small \
	-nostdinc -isystem $(GCC_INC) -I include -MMD -MP
USER_ELFS := $(USER_PROGS:%=$(BUILD)/user/%.elf)

$(BUILD)/user/%.o: kernel/user/%.c
	@mkdir -p $(dir $@)
	@echo "  UCC     $<"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

.SECONDARY: $(USER_PROGS:%=$(BUILD)/user/%.o)
$(BUILD)/user/%.elf: $(BUILD)/user/%.o kernel/user/user.lds
	@echo "  ULD     $@"
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T kernel/user/user.lds -o $@ $<

$(BUILD)/k/kernel/user/blobs.o: NASMFLAGS += -I $(BUILD)/user/
$(BUILD)/k/kernel/user/blobs.o: $(USER_ELFS)

# ------------------------------------------------------------------ iso ---
.PHONY: iso
iso: $(BUILD)/topdown.iso
$(BUILD)/topdown.iso: $(BUILD)/topdown.elf tools/mkiso.sh FORCE
	@echo "  ISO     $@ (cmdline: \"$(CMDLINE)\"$(if $(GFXPAYLOAD), gfxpayload: $(GFXPAYLOAD)))"
	$(Q)tools/mkiso.sh $< $@ "$(CMDLINE)" "$(GFXPAYLOAD)"

.PHONY: FORCE
FORCE:

# ------------------------------------------------------------------ run ---
# ACCEL=auto|kvm|tcg (tools/accel.sh says on the first line what it chose);
# QEMU_DISPLAY=none|gtk|sdl|vnc=:0 shows the screen console.
QEMU_COMMON = -M $(QEMU_MACHINE) -m $(MEM) -smp $(SMP) -display $(QEMU_DISPLAY) -serial stdio \
	-no-reboot -device isa-debug-exit,iobase=0x501,iosize=2
QEMU_UEFI = -drive if=pflash,format=raw,unit=0,readonly=on,file=$(OVMF_CODE) \
	-drive if=pflash,format=raw,unit=1,file=$(BUILD)/ovmf-vars.fd

# $(call qemu,ARGS): pick the accelerator, show the command, run it, and
# translate the exit status.
define qemu
	@a=$$(tools/accel.sh '$(RUN_ACCEL)' '$(QEMU_CPU)') || exit 1; \
	echo "$(QEMU) $$a $(subst ",\",$(1))"; \
	$(QEMU) $$a $(1); tools/exitcode.sh $$? $(GEN)
endef

.PHONY: run run-iso run-iso-uefi gdb
run: $(BUILD)/topdown.elf
	$(call qemu,$(QEMU_COMMON) -kernel $< -append "$(CMDLINE)")
run-iso: $(BUILD)/topdown.iso
	$(call qemu,$(QEMU_COMMON) -cdrom $<)
run-iso-uefi: $(BUILD)/topdown.iso
	@[ -f $(OVMF_CODE) ] || { echo "error: $(OVMF_CODE) missing: apt-get install ovmf" >&2; exit 1; }
	@cp $(OVMF_VARS) $(BUILD)/ovmf-vars.fd
	$(call qemu,$(QEMU_COMMON) $(QEMU_UEFI) -cdrom $<)
gdb: $(BUILD)/topdown.elf
	@echo "QEMU waits for gdb on localhost:1234:  gdb -ex 'target remote :1234' $<"
	$(call qemu,$(QEMU_COMMON) -kernel $< -append "$(CMDLINE)" -s -S)

# ----------------------------------------------------------------- demo ---
.PHONY: demo
demo: $(BUILD)/topdown.elf $(BUILD)/tools/tracecmp
	@BUILD=$(BUILD) tools/demo.sh

# ---------------------------------------------------------------- tests ---
include tests/tests.mk

.PHONY: clean
clean:
	rm -rf $(BUILD)

-include $(KOBJS:.o=.d) $(LDS).d $(BUILD)/gen/asm-offsets.s.d $(USER_PROGS:%=$(BUILD)/user/%.d)
