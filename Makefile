# SPDX-License-Identifier: GPL-2.0
#
# kheaders: the kernel's headers and module build files at
# /proc/kheaders.tar.xz.  See README.md.
#
#   make apply KSRC=<kernel tree>   apply kheaders to a 6.12 or 6.1 kernel tree
#   make demo                       build, boot, build a module in the guest
#   make test                       every test (fast suite and VM suite)
#   make check                      the fast suite alone (no VM)
#   make lint                       checkpatch, shellcheck, kernel-doc; the series
#   make series KSRC=<pristine tree> [SERIES_OUT=dir]   the patch series for upstream
#   make bench                      stock generator and ours side by side
#   make clean                      remove build/
#
# BUILD (default: build/) holds the unpacked linux-source trees and the
# O= directories.  KH_VERSIONS and KH_CONFIGS select trees and
# configurations (README.md).  One file of the fast suite runs alone as
# "sh harness/fast/FILE.sh".

BUILD ?= $(CURDIR)/build

SERIES_OUT ?= $(BUILD)/series

.PHONY: all apply demo test check lint series bench clean

all:
	@sed -n 's/^#   //p' Makefile

apply:
	@test -n "$(KSRC)" || { echo "usage: make apply KSRC=<kernel tree>" >&2; exit 2; }
	sh harness/apply.sh "$(KSRC)"

demo:
	sh harness/demo.sh "$(BUILD)"

test:
	@sh harness/run-tests.sh "$(BUILD)"

check:
	@sh harness/deps.sh 6.12 7.3
	@sh harness/fast-tests.sh "$(BUILD)"

lint:
	@sh harness/deps.sh 6.12 7.3
	@sh harness/lint.sh "$(BUILD)"

series:
	@test -n "$(KSRC)" || { echo "usage: make series KSRC=<pristine kernel tree> [SERIES_OUT=dir]" >&2; exit 2; }
	sh harness/series.sh "$(KSRC)" "$(SERIES_OUT)"

bench:
	@sh harness/bench.sh "$(BUILD)"

clean:
	rm -rf "$(BUILD)"
