#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What Kconfig asks about the kernel's compiler for kheaders.  $CC,
# $CLANG_FLAGS, $HOSTCC, $LD and $USERLDFLAGS come from the environment
# Kbuild gives Kconfig; FLAGS are more of the compiler's flags (-m64 or
# -m32).
#
#   kheaders-cc.sh cross FLAGS...   succeed when $CC makes code for another
#       machine than $HOSTCC: the ELF class, byte order and machine of an
#       object of each differ (IKHEADERS_CROSS)
#kheaders-series: target
#   kheaders-cc.sh static FLAGS...  succeed when $CC links, statically and
#       with the linker of the kernel's user programs, a program that
#       includes the C library headers fixdep, modpost and genksyms need
#       (IKHEADERS_TARGET_PROGS)
#kheaders-series: end

set -eu

mode=$1
shift
# shellcheck disable=SC2086 # flags, one word each
set -- ${CLANG_FLAGS:-} "$@"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2086 # CC and HOSTCC may hold a wrapper and flags
case $mode in
cross)
	$CC "$@" -c -x c /dev/null -o "$tmp/target.o"
	$HOSTCC -c -x c /dev/null -o "$tmp/host.o"
	! cmp -s -n 20 "$tmp/target.o" "$tmp/host.o"
	;;
#kheaders-series: target
static)
	case $($CC --version 2> /dev/null) in
	*clang*) set -- "$@" --ld-path="$LD" ;;
	esac
	$CC "$@" ${USERLDFLAGS:-} -static -x c - -o "$tmp/a.out" <<-END
	#include <ctype.h>
	#include <elf.h>
	#include <errno.h>
	#include <fcntl.h>
	#include <getopt.h>
	#include <stdio.h>
	#include <stdlib.h>
	#include <string.h>
	#include <sys/mman.h>
	#include <sys/stat.h>
	#include <unistd.h>
	int main(void)
	{
		printf("%d\n", errno);
		return 0;
	}
	END
	;;
#kheaders-series: end
*)
#kheaders-series: target
	echo >&2 "usage: kheaders-cc.sh cross|static FLAGS..."
#kheaders-series: else
	echo >&2 "usage: kheaders-cc.sh cross FLAGS..."
#kheaders-series: end
	exit 2
	;;
esac
