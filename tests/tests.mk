# tests/tests.mk — the test suites, included by the top Makefile.
#
# Every suite appends one line per test to $(RESULTS)/<suite>.txt:
#     PASS <suite>/<name> [detail]
#     FAIL <suite>/<name>: <reason>
#     SKIP <suite>/<name>: <reason>   (not run: the host cannot, or a filter
#                                      such as BOOT_ONLY left it out)
# `make check` says first which case filters are set, runs every suite (a
# failing suite does not stop the others), and tests/summary.sh prints the
# failures, the skips with their reasons, and the closing line
# "N passed, N failed, N skipped" (exit status 1 on any failure).  A suite
# that leaves no results file counts as a failure: silence is never a pass.

RESULTS := $(BUILD)/results
SUITES  := build unit mutants boot walk trace fuzz screen xen
export RESULTS

-include tests/build/build.mk
-include tests/unit/unit.mk
-include tests/boot/boot.mk
-include tests/walk/walk.mk
-include tests/trace/trace.mk
-include tests/fuzz/fuzz.mk
-include tests/screen/screen.mk
-include tests/xen/xen.mk

.PHONY: check
check:
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@tests/summary.sh --settings
	@for s in $(SUITES); do \
	  start=$$(date +%s); \
	  echo "=== suite $$s"; \
	  $(MAKE) check-$$s || echo "FAIL $$s/suite: make check-$$s exited $$?" >> $(RESULTS)/$$s.txt; \
	  echo "=== suite $$s took $$(( $$(date +%s) - start ))s"; \
	done
	@tests/summary.sh $(RESULTS) $(SUITES)

-include tests/bench/bench.mk
