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
# holds the image just made; the headers a module's compile reads one
# after the other share the image's blocks.
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

# kheaders_tar --order on a made-up tree: what is not a header first, then
# from <linux/module.h> depth first, an include resolved as Kbuild's -I
# options and quotes do (arch/ before include/, "../" from the header's
# directory), then the rest by name
test_image_order_rules() {
	t=$scratch/t
	mkdir -p "$t/include/linux" "$t/arch/x86/include/linux" \
		"$t/arch/x86/include/generated/asm"
	echo 'all:' > "$t/Makefile"
	printf '#include <linux/c.h>\n # include "../z.h"\n' > "$t/include/linux/module.h"
	echo '#include <asm/d.h>' > "$t/arch/x86/include/linux/c.h"
	for f in arch/x86/include/generated/asm/d.h include/linux/c.h include/z.h include/a.h; do
		echo '#define X 1' > "$t/$f"
	done
	(cd "$t" && find . -type f -printf '%P\0' |
		"$odir/kernel/kheaders_tar" --end --order x86 "$t" 0 | tar -tf -) > "$scratch/order" ||
		fail "kheaders_tar --order failed" || return 1
	printf '%s\n' Makefile include/linux/module.h arch/x86/include/linux/c.h \
		arch/x86/include/generated/asm/d.h include/z.h include/a.h include/linux/c.h |
		diff - "$scratch/order" > "$scratch/diff" || fail "$(cat "$scratch/diff")"
}

# SquashFS decompresses a block of small files whole, and keeps three: a
# module's compile, opening headers in the order that gcc -H prints,
# decompresses a block for fewer than one header in four (in name order
# it is four in five).
test_image_read_order() {
	gen > /dev/null || return 1
	cp -r "$top/harness/demo-module" "$scratch/hello"
	kh_make "$tree" "$odir" "" M="$scratch/hello" KCFLAGS=-H kh_hello.o \
		> "$scratch/log" 2>&1 || fail "$(tail "$scratch/log")" || return 1
	# the headers that Kbuild's command line includes, then those of -H,
	# as names in the image, each once
	{
		printf '%s\n' include/linux/compiler-version.h include/linux/kconfig.h \
			include/generated/autoconf.h include/linux/compiler_types.h
		sed -n "s,^\.* \($tree\|$odir\)/,,p" "$scratch/log"
	} | awk '!seen[$0]++' > "$scratch/read"
	while read -r f; do
		rdsquashfs -s "$f" "$odir/$archive" | sed -n 's/^Fragment index: //p' |
			grep . || echo "$f: not in a block of small files"
	done < "$scratch/read" > "$scratch/frags"
	grep -q ': not in' "$scratch/frags" && fail "$(grep ': not in' "$scratch/frags" | head -n 3)" &&
		return 1
	# the fragment cache: three blocks, the least recently used replaced
	awk '{ for (i = 1; i <= 3 && c[i] != $1; i++) ;
	       if (i > 3) { n++; i = 3 }
	       for (; i > 1; i--) c[i] = c[i - 1]; c[1] = $1 }
	     END { print n + 0, NR }' "$scratch/frags" > "$scratch/n"
	read -r n headers < "$scratch/n"
	[ "$headers" -gt 200 ] || fail "gcc -H printed $headers headers" || return 1
	[ $((n * 4)) -lt "$headers" ] || fail "$n block decompressions for $headers headers"
}

fast_test "the image holds the archive's tree, Module.symvers -> /proc/kheaders.symvers" test_image_contents
fast_test "the image is reproducible: umask 077, one CPU" test_image_reproducible
fast_test "the image: a no-op run reads nothing; an added or removed header remakes it" test_image_incremental
fast_test "without tar2sqfs: an error naming squashfs-tools-ng, the image left alone" test_image_needs_tar2sqfs
fast_test "Kbuild's kheaders_image.o holds the image; a no-op make remakes nothing" test_image_object
fast_test "kheaders_tar --order: non-headers, then includes depth first, then the rest" \
	test_image_order_rules
fast_test "the image: a module's compile reads headers that share blocks" test_image_read_order
tap_done
