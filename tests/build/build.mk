# tests/build/build.mk — the build suite (included by tests/tests.mk):
# changing a build constant rebuilds what depends on it, and only that; no
# import circles between the kernel's directories.
#
#   make check-build     one line per test in $(RESULTS)/build.txt

.PHONY: check-build
check-build:
	@mkdir -p $(RESULTS)
	$(Q)tests/build/check.sh $(BUILD) $(RESULTS)
