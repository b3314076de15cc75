#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install, from Debian's packages, what building and testing kheaders needs.
# Does nothing when all of it is there already.
#
# Usage: deps.sh [WHAT...]   (default: 6.12)
#
# WHAT: a kernel version (its linux-source package, and linux-config with
# Debian's own configurations; for a version from another Debian release,
# such as 7.3 from trixie-backports, both fetched and unpacked by debs.sh
# in $KH_DEBS, not installed); arm64 (the cross
# compiler with its static C library, qemu-system-aarch64, and mmdebstrap
# to unpack an arm64 userland); llvm (clang, lld, llvm, and clang-19 for
# 7.3);
# randstruct (the GCC plugin headers, clang 16); cross (the i686, armhf
# and ppc64el cross compilers and static C libraries, and the host gcc's
# 32-bit libc.a); tools (DKMS, bcc and bpftrace, which the guests run
# against /dev/kheaders mounted as the build tree).

set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"

pkgs="gcc libc6-dev make flex bison bc libelf-dev libssl-dev pkg-config
	cpio kmod xz-utils bzip2 lz4 lzop zstd perl rsync ccache shellcheck qemu-system-x86
	python3-docutils
	libdw-dev
	util-linux coreutils findutils file squashfs-tools-ng"
# Each used by one test only, which fails naming it when it is missing: an
# apt-get that cannot install them (offline, say) stops nothing else.
optional="lzop lz4 zstd bzip2 shellcheck python3-docutils"
[ $# -gt 0 ] || set -- 6.12
other=
for w in "$@"; do
	case $w in
	arm64)
		pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross
		      qemu-system-arm mmdebstrap"
		;;
	# clang 14 for 6.12 and 6.1; mainline needs 17 or later
	llvm) pkgs="$pkgs clang lld llvm clang-19 lld-19 llvm-19" ;;
	tools) pkgs="$pkgs dkms python3-bpfcc bpftrace" ;;
	randstruct) pkgs="$pkgs gcc-12-plugin-dev clang-16 lld-16 llvm-16" ;;
	cross)
		# not gcc-multilib, which conflicts with the cross compilers
		pkgs="$pkgs libc6-dev-i386 lib32gcc-12-dev
		      gcc-i686-linux-gnu libc6-dev-i386-cross
		      gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
		      gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross"
		;;
	*)
		if [ -n "$(kh_suite "$w")" ]; then
			other="$other $w"
		else
			pkgs="$pkgs linux-source-$w linux-config-$w"
		fi
		;;
	esac
done

# linux-source and linux-config of a release not the machine's: fetched
# and unpacked by debs.sh, nothing installed
for w in $other; do
	sh "$top/harness/debs.sh" "$(kh_suite "$w")" "$KH_DEBS" linux-source-"$w" linux-config-"$w"
done

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo >&2 "deps: missing packages:$missing; run as root to install them"
	exit 1
fi
echo >&2 "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp "${TMPDIR:-/tmp}/kheaders-deps.XXXXXX")
# shellcheck disable=SC2016,SC2086 # the inner shell expands them; one word per package
if kh_run "deps: apt-get" "$log" sh -c \
	'apt-get update -q && apt-get install -y -q --no-install-recommends "$@"' sh $missing; then
	rm -f "$log"
	exit 0
fi
tail -n 5 "$log" | tap_diag >&2
needed=
for p in $missing; do
	case " $optional " in
	*" $p "*) ;;
	*) needed="$needed $p" ;;
	esac
done
if [ -n "$needed" ]; then
	echo >&2 "deps: could not install$needed"
	exit 1
fi
echo >&2 "deps: could not install$missing; only the tests that use them will fail"
