# tests/screen/screen.mk — the screen test (QEMU screendump + tesseract OCR);
# included by tests/tests.mk.
#
#   make check-screen                       every case
#   make check-screen SCREEN_ONLY='uefi-*'  a subset
#
# Boots GRUB ISOs under SeaBIOS (VGA text, a VBE framebuffer) and OVMF (the
# GOP framebuffer) without isa-debug-exit, dumps the screen after the result
# line and reads it back; screenshots stay in $(BUILD)/tests/screen/*.png.

SCREEN_ONLY ?=

.PHONY: check-screen
check-screen: $(BUILD)/topdown.elf
	@mkdir -p $(RESULTS)
	$(Q)python3 tests/screen/run.py --build $(BUILD) --results $(RESULTS)/screen.txt \
		$(if $(SCREEN_ONLY),--only '$(SCREEN_ONLY)')
