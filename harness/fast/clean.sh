#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: "make clean" removes the archive and the image, their
# stamps and temporary files, and kheaders_tar.  It cleans a copy of the
# prepared object tree, which the other files of the fast suite keep
# using.
#
# Usage: sh harness/fast/clean.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

test_make_clean() {
	gen > /dev/null || return 1
	GEN_ARCHIVE=kernel/kheaders_image.sqfs gen > /dev/null || return 1
	o=$scratch_top/o
	cp -a "$odir" "$o" || return 1
	touch "$o/kernel/kheaders_data.tar.xz.tmp99" "$o/kernel/kheaders_image.sqfs.tmp99"
	make -s -C "$tree" O="$o" clean > "$scratch/log" 2>&1 || fail "$(tail "$scratch/log")" || return 1
	for f in $archive $stamp kernel/kheaders_data.tar.xz.tmp99 kernel/kheaders_tar \
		 kernel/kheaders_image.sqfs kernel/kheaders_image.md5 \
		 kernel/kheaders_image.sqfs.tmp99; do
		[ ! -e "$o/$f" ] || echo "left after make clean: $f"
	done | grep . && return 1
	[ -f "$odir/$archive" ] || fail "the prepared tree lost its archive"
}

fast_test "make clean removes archive, image, stamps and temporary files" test_make_clean
tap_done
