#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: other kinds of Kbuild build give the same archive and
# image.  A copy of the fast suite's tree at another path (hard links:
# nothing here writes to a source file) is built in-tree with make -j,
# cleaned with "make mrproper", then built with O= in another directory
# under umask 077: each archive and image must be the prepared tree's,
# byte for byte.  The three tests are the steps of that one story, in
# this order.
#
# Usage: sh harness/fast/kbuild.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

src2=$scratch_top/src2
odir2=$scratch_top/o2
jobs=$(($(nproc) * 2))
image=kernel/kheaders_image.sqfs
targets="prepare kernel/kheaders.o kernel/kheaders_image.o"

# same DIR: DIR's archive and image are those of the prepared tree
same() {
	cmp "$odir/$archive" "$1/$archive" || fail "archive differs: $1" || return 1
	cmp "$odir/$image" "$1/$image" || fail "image differs: $1"
}

test_in_tree_build() {
	cp -al "$tree" "$src2" || return 1
	cp "$odir/.config" "$src2/.config"
	# shellcheck disable=SC2086 # targets, one word each
	{
		make -C "$src2" olddefconfig &&
		make -C "$src2" -j"$jobs" $targets
	} > "$scratch/log" 2>&1 || fail "in-tree build failed: $(tail -n 15 "$scratch/log")" || return 1
	[ -f "$src2/kernel/kheaders.o" ] || fail "no kernel/kheaders.o" || return 1
	gen > /dev/null && GEN_ARCHIVE=$image gen > /dev/null || return 1
	same "$src2"
}

test_mrproper() {
	[ -f "$src2/$archive" ] || fail "no in-tree build to clean" || return 1
	mkdir "$src2/$archive.tmp77.bin"
	touch "$src2/$archive.tmp77" "$src2/$archive.tmp77.list"
	make -C "$src2" mrproper > "$scratch/log" 2>&1 || fail "$(tail "$scratch/log")" || return 1
	for f in "$src2"/kernel/kheaders_data* "$src2"/kernel/kheaders.md5 \
		 "$src2"/kernel/kheaders_image.sqfs* "$src2"/kernel/kheaders_image.md5 \
		 "$src2"/kernel/kheaders_tar "$src2"/kernel/kheaders*.o \
		 "$src2"/kernel/kheaders_module.lds "$src2/.config"; do
		[ ! -e "$f" ] || echo "left after make mrproper: ${f#"$src2"/}"
	done | grep . && return 1
	return 0
}

test_pristine_o_build() {
	[ -d "$src2" ] && [ ! -e "$src2/.config" ] || fail "no cleaned tree" || return 1
	mkdir -p "$odir2"
	cp "$odir/.config" "$odir2/.config"
	# shellcheck disable=SC2086 # targets, one word each
	(
		umask 077
		make -C "$src2" O="$odir2" olddefconfig &&
		make -C "$src2" O="$odir2" -j"$jobs" $targets
	) > "$scratch/log" 2>&1 || fail "O= build failed: $(tail -n 15 "$scratch/log")" || return 1
	gen > /dev/null && GEN_ARCHIVE=$image gen > /dev/null || return 1
	same "$odir2" || return 1
	# and with a build timestamp, at another time
	ts='2025-06-07 08:09:10 UTC'
	for out in $archive $image; do
		GEN_ARCHIVE=$out gen KBUILD_BUILD_TIMESTAMP="$ts" > /dev/null || return 1
	done
	sleep 1
	for out in $archive $image; do
		(umask 077 && GEN_ARCHIVE=$out GEN_ODIR=$odir2 GEN_TREE=$src2 \
			gen KBUILD_BUILD_TIMESTAMP="$ts") > /dev/null || return 1
	done
	same "$odir2" || fail "with KBUILD_BUILD_TIMESTAMP" || return 1
	gen > /dev/null && GEN_ARCHIVE=$image gen > /dev/null
}

fast_test "in-tree make -j$jobs builds the same archive and image as O=" test_in_tree_build
fast_test "make mrproper removes archive, image, stamps, tool and temporary files" test_mrproper
fast_test "O= build of the cleaned tree at another path, umask 077: same archive and image" test_pristine_o_build
tap_done
