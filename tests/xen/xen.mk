# tests/xen/xen.mk - the Xen test lab; included by the top-level Makefile.
#
#   make xenlab          build the cached lab in $(BUILD)/xenlab (Xen, dom0 kernel and
#                        initramfs from Debian packages; rebuilt only when the lab scripts
#                        or the resolved package versions change)
#   make run-xen         topdown as a PVH domU: Xen + Linux PV dom0 + `xl create xl.cfg`
#                        -> $(BUILD)/xen/domu/{guest.log,xl-dmesg.log,serial.log,status}
#   make run-xen-pv      topdown as a PV domU: the same, with `xl create xl-pv.cfg`
#                        -> $(BUILD)/xen/pv/...
#   make run-xen-dom0    topdown as Xen's PVH dom0, no Linux
#                        -> $(BUILD)/xen/dom0/{guest.log,serial.log,status}
#   make run-xen-pv-dom0 topdown as Xen's PV dom0 (Xen 4.17's default dom0 type), no Linux
#                        -> $(BUILD)/xen/pv-dom0/{guest.log,serial.log,status}
#   make xen-shell       interactive Linux dom0 with the toolstack up (Ctrl-a x quits)
#
# Knobs: XEN_EXTRA="opts"  appended to xl.cfg's extra (topdown's command line)
#        XEN_RUN=name      results in $(BUILD)/xen/name instead of domu / dom0
#        XEN_TIMEOUT=s     guest timeout (domU, default 60) / whole run (dom0, default 30)
#        XEN_KERNEL=elf    another kernel than $(BUILD)/topdown.elf
#        XEN_CFG=file      another xl config than xl.cfg
#        XEN_VCPUS=n       the guest's vCPUs (domU: replaces the config's vcpus; dom0: dom0_max_vcpus)
#        XEN_MEMORY=MiB    the guest's RAM instead of the config's (dom0: dom0_mem)
#        XEN_INSPECT="p2m core"  domU: xen-mfndump dump-p2m / xl dump-core of the ended guest
#                          (it must still exist: on_poweroff = "preserve" or XEN_WAIT=result)
#        XEN_WAIT=result   domU: the guest's end is its result line (topdown end=wait)
#        XEN_TRACE=mask    domU: xentrace with this event mask around each guest
#        XEN_MORE="tag=cfg ..."  domU: more guests after the main one, in the same Xen boot
#        XEN_OPTS="opts"   more options on Xen's own command line (after the runner's)
#        (all: tests/xen/run.sh --help)
# The runner's exit code says what went wrong (tests/xen/exitcodes.txt); make passes it on
# as a failure of the target.
#
#   make check-xen [XEN_ONLY='panic-*']   the Xen suite: the cases of tests/xen/cases.txt
#
# Standalone use, before the top-level Makefile includes this: make -f tests/xen/xen.mk ...

# Whatever includes this keeps its own default goal.
XEN_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

BUILD ?= build
XEN_LAB_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
XENLAB := $(BUILD)/xenlab
XEN_KERNEL ?= $(BUILD)/topdown.elf
XEN_CFG ?= xl.cfg
XEN_EXTRA ?=
XEN_RUN ?=
XEN_TIMEOUT ?=
XEN_VCPUS ?=
XEN_INSPECT ?=
XEN_MEMORY ?=
XEN_WAIT ?=
XEN_TRACE ?=
XEN_MORE ?=
XEN_OPTS ?=
XENLAB_INPUTS := $(XEN_LAB_DIR)/build-lab.sh $(XEN_LAB_DIR)/dom0-init.sh

XEN_RUN_ARGS = --kernel $(XEN_KERNEL) --cfg $(XEN_CFG) --extra "$(XEN_EXTRA)" --lab $(XENLAB) \
	$(if $(XEN_TIMEOUT),--timeout $(XEN_TIMEOUT)) $(if $(XEN_VCPUS),--vcpus $(XEN_VCPUS)) \
	$(if $(XEN_INSPECT),--inspect "$(XEN_INSPECT)") $(if $(XEN_WAIT),--wait $(XEN_WAIT)) \
	$(if $(XEN_MEMORY),--memory $(XEN_MEMORY)) $(if $(XEN_TRACE),--trace $(XEN_TRACE)) $(foreach m,$(XEN_MORE),--more $(m)) \
	$(if $(XEN_OPTS),--xen-opts "$(XEN_OPTS)")

.PHONY: xenlab run-xen run-xen-pv run-xen-dom0 run-xen-pv-dom0 xen-shell xenlab-clean xenlab-versions

xenlab: $(XENLAB)/stamp

# Asks apt every time but rewrites versions.txt only when a version changed, so make
# rebuilds the stamp only then (or when the lab scripts change).
$(XENLAB)/versions.txt: xenlab-versions
	@$(XEN_LAB_DIR)/build-lab.sh --resolve $(XENLAB)

# A lab with a file missing is rebuilt whatever the stamp says.
XENLAB_OUTPUTS := $(addprefix $(XENLAB)/,xen dom0-kernel dom0.cpio.gz linux-guest.cpio.gz)
$(XENLAB)/stamp: $(XENLAB)/versions.txt $(XENLAB_INPUTS) \
		$(if $(filter-out $(wildcard $(XENLAB_OUTPUTS)),$(XENLAB_OUTPUTS)),xenlab-versions)
	@$(XEN_LAB_DIR)/build-lab.sh --build $(XENLAB)

run-xen: $(XEN_KERNEL) xenlab
	$(XEN_LAB_DIR)/run.sh --mode domu $(XEN_RUN_ARGS) --out $(BUILD)/xen/$(or $(XEN_RUN),domu)

run-xen-pv: XEN_CFG = xl-pv.cfg
run-xen-pv: $(XEN_KERNEL) xenlab
	$(XEN_LAB_DIR)/run.sh --mode domu $(XEN_RUN_ARGS) --out $(BUILD)/xen/$(or $(XEN_RUN),pv)

run-xen-dom0: $(XEN_KERNEL) xenlab
	$(XEN_LAB_DIR)/run.sh --mode dom0 $(XEN_RUN_ARGS) --out $(BUILD)/xen/$(or $(XEN_RUN),dom0)

run-xen-pv-dom0: XEN_CFG = xl-pv.cfg
run-xen-pv-dom0: $(XEN_KERNEL) xenlab
	$(XEN_LAB_DIR)/run.sh --mode dom0 --dom0-type pv $(XEN_RUN_ARGS) --out $(BUILD)/xen/$(or $(XEN_RUN),pv-dom0)

xen-shell: xenlab
	$(XEN_LAB_DIR)/run.sh --mode domu --shell --cfg $(XEN_CFG) --lab $(XENLAB) --out $(BUILD)/xen/shell

xenlab-clean:
	rm -rf $(XENLAB) $(BUILD)/xen

.DEFAULT_GOAL := $(XEN_SAVED_DEFAULT_GOAL)

# make check's Xen suite: tests/xen/check.py runs and judges the cases of tests/xen/cases.txt.
XEN_ONLY ?=
.PHONY: check-xen
check-xen: $(XEN_KERNEL)
	@BUILD=$(BUILD) RESULTS=$(RESULTS) python3 $(XEN_LAB_DIR)/check.py $(if $(XEN_ONLY),--only '$(XEN_ONLY)')
