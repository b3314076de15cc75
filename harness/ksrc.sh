#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the kernel tree of Debian's linux-source-VERSION in BUILD_DIR:
# unpack it once, keep the stock files kheaders replaces aside (for the
# benchmark and the tests of apply.sh),
# and apply kheaders (idempotent).  Prints the tree's path.
#
# Usage: ksrc.sh VERSION BUILD_DIR [NAME]
#
# NAME (default linux-VERSION) is the tree's directory under BUILD_DIR/src:
# the fast suite, which touches and adds files in its tree, has one of its
# own, so that the kernels the VM suite builds at the same time from
# linux-VERSION see no change.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
version=$1
build=$2
mkdir -p "$build/src" && build=$(cd "$build" && pwd)
tarball=$(kh_usr_src "linux-source-$version.tar.xz")
tree=$build/src/${3:-linux-$version}

kh_unpack "$version" "$tree"

# The stock files (from the tarball: the tree may have kheaders applied).
stock="kernel/gen_kheaders.sh kernel/Makefile init/Kconfig
	tools/testing/selftests/Makefile kernel/module/main.c include/linux/module.h
	kernel/module/Kconfig kernel/module/internal.h kernel/module/Makefile"
missing=
for f in $stock; do
	[ -f "$build/src/stock-$version/$f" ] || missing="$missing linux-source-$version/$f"
done
if [ -n "$missing" ]; then
	mkdir -p "$build/src/stock-$version.tmp"
	# shellcheck disable=SC2086 # member names without blanks
	tar -xf "$tarball" -C "$build/src/stock-$version.tmp" $missing
	mkdir -p "$build/src/stock-$version"
	cp -r "$build/src/stock-$version.tmp/linux-source-$version/." "$build/src/stock-$version/"
	rm -rf "$build/src/stock-$version.tmp"
fi

sh "$top/harness/apply.sh" "$tree" >&2
echo "$tree"
