# SPDX-License-Identifier: GPL-2.0
# nmr: thin wrapper around Kbuild plus the two commands of the README.
#
#   make               build nmr.ko and every other module against KDIR
#   make modules KDIR=/path/to/prepared/kernel
#   make demo          boot the test kernel in QEMU and narrate a lifecycle
#   make lab           list the labs: the bugs of docs/five-bugs.md, run for real
#   make lab N=1       run lab 1 (1..5, or its name, or all): the kernel's report, and the fix
#   make shell         a shell on the debug kernel in QEMU, nmr.ko loaded (exit or Ctrl-D ends it)
#   make check         every test: KUnit suites in QEMU, splat scan, rule coverage
#   make check-7.3     the debug kernel's tests on Linux 7.3 (from Debian 13 backports)
#   make check-kcsan   the same tests on a KCSAN kernel (data races)
#   make check-stock   build on Debian 12's own kernels (6.1, 6.12), boot them, run the samples
#   make check-dkms    dkms add/build/install/remove against the installed Debian headers
#   make coverage      the debug stage with nmr.ko built for gcov: HTML report in .out/coverage/
#   make bench         nmr_bench in QEMU on the bench kernel: cost table and goal lines
#   make lint          checkpatch --strict, kernel-doc -Wall, sparse, the allocation rule
#   make torture DURATION=600   run nmr_torture for that long in QEMU
#   make kernel        build (once) the cached KUnit test kernel
#   make rule-coverage list every contract rule and the tests citing it

SHELL := /bin/bash
HERE := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The running kernel's headers if present (the usual out-of-tree default),
# otherwise the cached test kernel (built on first use).
ifeq ($(KDIR),)
KDIR := $(wildcard /lib/modules/$(shell uname -r)/build)
ifeq ($(KDIR),)
KDIR = $(shell $(HERE)/scripts/kernel.sh)
endif
endif

# NMR_COVERAGE=1 builds nmr.ko's own objects with GCOV_PROFILE (see Kbuild).
NMR_COVERAGE ?= 0

# Warnings are errors: W=1 clean is the rule (CI builds the same way).
NMR_W ?= 1
NMR_WERROR ?= 1
ifeq ($(NMR_WERROR),1)
KBUILD_EXTRA := KCFLAGS=-Werror
endif

.PHONY: all modules clean kernel demo lab shell check check-7.3 check-kcsan check-stock check-dkms coverage bench lint torture rule-coverage

all: modules

# Objects built against another kernel are cleaned first. Kbuild alone would keep some:
# an object's recorded dependencies are paths relative to the kernel's build directory,
# which in another build directory are older files, and the compile command of an
# uninstrumented object (a module's .mod.o) can be the same text for two kernels of one
# source tree. Seen: .mod.o files of the bench kernel (no lockdep) linked into modules for
# the KCSAN kernel, whose struct module is larger; insmod refused them.
modules:
	@if [ -f $(HERE)/.nmr-kdir ] && [ "$$(cat $(HERE)/.nmr-kdir)" != "$(abspath $(KDIR))" ]; then \
		echo "nmr: last built against $$(cat $(HERE)/.nmr-kdir); cleaning first"; \
		$(MAKE) -s -C $(KDIR) M=$(HERE) clean >/dev/null; \
	fi
	$(MAKE) -C $(KDIR) M=$(HERE) W=$(NMR_W) $(KBUILD_EXTRA) NMR_COVERAGE=$(NMR_COVERAGE) modules
	@echo "$(abspath $(KDIR))" > $(HERE)/.nmr-kdir

clean:
	$(MAKE) -C $(KDIR) M=$(HERE) clean
	@rm -f $(HERE)/.nmr-kdir

kernel:
	@$(HERE)/scripts/kernel.sh

demo:
	@$(HERE)/scripts/demo.sh

lab:
	@$(HERE)/scripts/lab.sh $(N)

shell:
	@$(HERE)/scripts/shell.sh

check:
	@$(HERE)/scripts/check.sh

check-7.3:
	@NMR_KERNELS=debug-7.3 $(HERE)/scripts/check.sh

check-kcsan:
	@NMR_KERNELS=kcsan $(HERE)/scripts/check.sh

# The debug stage alone (it builds nmr.ko for gcov in every make check), plus the HTML report.
coverage:
	@NMR_KERNELS=debug NMR_COVERAGE_HTML=$(HERE)/.out/coverage $(HERE)/scripts/check.sh

check-stock:
	@$(HERE)/scripts/stock.sh

check-dkms:
	@$(HERE)/scripts/dkms-check.sh

lint:
	@$(HERE)/scripts/lint.sh

torture:
	@DURATION=$(DURATION) $(HERE)/scripts/torture.sh

rule-coverage:
	@$(HERE)/scripts/rule-coverage

bench:
	@$(HERE)/scripts/bench.sh

# make timelines: draw docs/timelines/t-a.svg .. t-e.svg again from the trace events of the
# KUnit cases of the five reference timelines (one QEMU boot; scripts/timelines.sh).
.PHONY: timelines
timelines:
	@$(HERE)/scripts/timelines.sh
