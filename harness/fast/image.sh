#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: the squashfs image of /dev/kheaders
# (CONFIG_IKHEADERS_IMAGE), made by the generator: it holds the archive's
# tree, byte for byte, and a Module.symvers that links to
# /proc/kheaders.symvers; it is reproducible (another umask, one CPU);
# it is not remade on a no-op run or build and is remade when a header
# changes; without tar2sqfs the run fails naming squashfs-tools-ng and
# leaves the image and its stamp alone; kheaders_image.o, made by Kbuild,
# holds the image just made.
#
# Usage: sh harness/fast/image.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

# the helpers of lib.sh (gen, ident, expect_regen...) work on the image
tar_xz=$archive
archive=kernel/kheaders_image.sqfs
stamp=kernel/kheaders_image.md5

test_image_contents() {
	gen > /dev/null || return 1
	GEN_ARCHIVE=$tar_xz gen > /dev/null || return 1
	[ "$(head -c 4 "$odir/$archive")" = hsqs ] || fail "not a squashfs image" || return 1
	size=$(stat -c %s "$odir/$archive")
	[ $((size % 4096)) -eq 0 ] || fail "$size bytes: not whole 4 KiB blocks" || return 1
	mkdir "$scratch/img" "$scratch/tar"
	sqfs2tar "$odir/$archive" > "$scratch/img.tar" || fail "sqfs2tar failed" || return 1
	tar -xf "$scratch/img.tar" -C "$scratch/img" || return 1
	tar -xJf "$odir/$tar_xz" -C "$scratch/tar" || return 1
	link=$(readlink "$scratch/img/Module.symvers")
	[ "$link" = /proc/kheaders.symvers ] || fail "Module.symvers -> '$link'" || return 1
	rm "$scratch/img/Module.symvers"
	diff -r "$scratch/tar" "$scratch/img" > "$scratch/diff" 2>&1 ||
		fail "image and archive differ: $(head "$scratch/diff")" || return 1
	tar -tvf "$scratch/img.tar" | awk '$2 != "0/0" { print; exit 1 }' ||
		fail "files not owned by root"
}

test_image_reproducible() {
	saved a || return 1
	rm -f "$odir/$archive" "$odir/$stamp"
	(umask 077 && GEN_RUN="taskset -c 0" gen > /dev/null) || return 1
	cmp "$scratch/a" "$odir/$archive" || fail "made again, under umask 077 on one CPU: other bytes"
}

# shellcheck disable=SC2119 # the helpers' arguments are optional
test_image_incremental() {
	gen > /dev/null || return 1
	expect_fast_noop || return 1
	h=$odir/include/generated/kh_fast_image.h
	rm -f "$h"
	echo '#define KH_FAST_IMAGE 1' > "$h"
	expect_regen || { rm -f "$h"; return 1; }
	rm -f "$h"
	expect_regen
}

test_image_needs_tar2sqfs() {
	saved before || return 1
	rm -f "$odir/$stamp"
	out=$(gen TAR2SQFS=kh-no-such-tar2sqfs 2>&1) && fail "succeeded without tar2sqfs" && return 1
	case $out in
	*"'kh-no-such-tar2sqfs'"*squashfs-tools-ng*) ;;
	*) fail "the message names neither the tool nor its package: $out" || return 1 ;;
	esac
	cmp -s "$scratch/before" "$odir/$archive" || fail "image changed" || return 1
	[ ! -e "$odir/$stamp" ] || fail "a stamp was written" || return 1
	ls "$odir/$archive".tmp* > /dev/null 2>&1 && fail "temporary files left" && return 1
	cp "$scratch/before.stamp" "$odir/$stamp"
}

test_image_object() {
	kh_make "$tree" "$odir" "" kernel/kheaders_image.o > "$scratch/log" 2>&1 ||
		fail "$(tail "$scratch/log")" || return 1
	perl -0777 -e 'open(my $o, "<", $ARGV[0]) or die; open(my $i, "<", $ARGV[1]) or die;
		local $/; my $obj = <$o>; my $img = <$i>;
		exit(index($obj, $img) < 0)' "$odir/kernel/kheaders_image.o" "$odir/$archive" ||
		fail "kheaders_image.o does not hold $archive" || return 1
	expect_make_noop kernel/kheaders_image.o
}

fast_test "the image holds the archive's tree, Module.symvers -> /proc/kheaders.symvers" test_image_contents
fast_test "the image is reproducible: umask 077, one CPU" test_image_reproducible
fast_test "the image: a no-op run reads nothing; an added or removed header remakes it" test_image_incremental
fast_test "without tar2sqfs: an error naming squashfs-tools-ng, the image left alone" test_image_needs_tar2sqfs
fast_test "Kbuild's kheaders_image.o holds the image; a no-op make remakes nothing" test_image_object
tap_done
