#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP output and helpers for the kheaders kselftests, sourced by each of
# them after setting TESTDIR to its own directory.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

# The reader program: beside the scripts when installed; lib.mk builds it
# in $OUTPUT ("make O=DIR run_tests")
KHEADERS_READ=$TESTDIR/kheaders_read
[ -x "$KHEADERS_READ" ] || [ -z "${OUTPUT:-}" ] ||
	KHEADERS_READ=$OUTPUT/kheaders_read

n=0
failed=0
started=$(date +%s)

log() {
	echo "# $*"
}

# result STATUS NAME...: one test, passed when STATUS is 0, named by the
# rest of the arguments
result() {
	n=$((n + 1))
	st=$1
	shift
	if [ "$st" -eq 0 ]; then
		echo "ok $n $*"
	else
		echo "not ok $n $*"
		failed=$((failed + 1))
	fi
}

# skip NAME REASON: one test that cannot run on this kernel
skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# finish: the totals and the exit status
finish() {
	log "Totals: pass:$((n - failed)) fail:$failed ($(($(date +%s) - started)) s)"
	[ $failed -eq 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

# module_loaded NAME: whether module NAME is loaded
module_loaded() {
	grep -q "^$1 " /proc/modules 2>/dev/null
}

# need_image DEV: the block device DEV (/dev/kheaders) there, made by
# loading kheaders_image if it was not (image_loaded=1 then, for the
# caller to unload it), and squashfs in the kernel; else skip_all
need_image() {
	if [ ! -b "$1" ] && modprobe -q kheaders_image 2>/dev/null; then
		# shellcheck disable=SC2034 # the caller's
		image_loaded=1
		# udev, or devtmpfs, makes the node
		i=0
		while [ ! -b "$1" ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	[ -b "$1" ] || skip_all "no $1: kernel built without CONFIG_IKHEADERS_IMAGE?"
	grep -qw squashfs /proc/filesystems || modprobe -q squashfs 2>/dev/null
	grep -qw squashfs /proc/filesystems || skip_all "no squashfs in this kernel"
}

# kbuild_llvm AUTO_CONF: the LLVM= a module build of a kernel built with
# clang passes ("LLVM=1", or "LLVM=-N" when clang here is not the
# kernel's major version N but clang-N is installed, as Debian has them);
# nothing for gcc
kbuild_llvm() {
	grep -q '^CONFIG_CC_IS_CLANG=y' "$1" || return 0
	kl_want=$(sed -n 's/^CONFIG_CLANG_VERSION=\([0-9]*\)[0-9][0-9][0-9][0-9]$/\1/p' "$1")
	kl_have=$(clang -dumpversion 2>/dev/null)
	if [ -n "$kl_want" ] && [ "${kl_have%%.*}" != "$kl_want" ] &&
	   command -v "clang-$kl_want" > /dev/null; then
		echo "LLVM=-$kl_want"
	else
		echo "LLVM=1"
	fi
}

# kbuild_make TREE ARGS...: make in TREE, as a user would run it by hand,
# whatever make or CI started this test: the caller's make variables
# (MAKEFLAGS with O=, KBUILD_OUTPUT, M, CC, ARCH, ...) and everything else
# it exported are left out.  With LLVM= (kbuild_llvm) when the kernel was
# built with clang.  With KB_TIMEOUT set, make is stopped after that many
# seconds.
kbuild_make() {
	kb_tree=$1
	shift
	kb_llvm=$(kbuild_llvm "$kb_tree/include/config/auto.conf")
	[ -z "$kb_llvm" ] || set -- "$kb_llvm" "$@"
	${KB_TIMEOUT:+timeout "$KB_TIMEOUT"} \
		env -i PATH="$PATH" HOME="${HOME:-/}" TMPDIR="${TMPDIR:-/tmp}" \
		make -C "$kb_tree" "$@"
}

# kbuild_tools AUTO_CONF: the programs a module build from the archive runs
# on this machine, for the kernel's compiler
kbuild_tools() {
	kt_llvm=$(kbuild_llvm "$1")
	case $kt_llvm in
	LLVM=*)
		# the suffix of LLVM=-N, none for LLVM=1
		kt_v=${kt_llvm#LLVM=}
		kt_v=${kt_v#1}
		echo "clang$kt_v ld.lld$kt_v llvm-ar$kt_v llvm-nm$kt_v llvm-objcopy$kt_v make"
		;;
	*) echo "gcc ld ar nm objcopy make" ;;
	esac
}

# kmsg_mark: put a line in the kernel log from which kmsg_since reads (at
# debug level: in the log, not on the console)
kmsg_mark() {
	KMSG_MARK="kheaders selftest $(basename "$0") $$ $(date +%s): start"
	echo "<7>$KMSG_MARK" > /dev/kmsg
}

# kmsg_since: the kernel log after the last kmsg_mark; all of it when the
# mark has left the log buffer
kmsg_since() {
	if dmesg | grep -qF "$KMSG_MARK"; then
		dmesg | awk -v mark="$KMSG_MARK" 'seen { print } index($0, mark) { seen = 1 }'
	else
		log "the kernel log no longer holds the start of this test: all of it is checked"
		dmesg
	fi
}
