#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: scripts/extract-ikheaders on made-up images: plain, in every
# compression the kernel uses, an x86 bzImage; clear errors otherwise.
#
# Usage: sh harness/fast/extract.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

# An image around the archive: random bytes, the markers, random bytes.
fake_vmlinux() {
	head -c 70001 /dev/urandom
	printf IKHD_ST
	cat "$odir/$archive"
	printf IKHD_ED
	head -c 30001 /dev/urandom
}

# expect_extracted IMAGE WHAT: extract-ikheaders IMAGE writes the archive
expect_extracted() {
	"$tree/scripts/extract-ikheaders" "$1" > "$scratch/out" ||
		fail "$2: extract-ikheaders failed" || return 1
	cmp -s "$scratch/out" "$odir/$archive" ||
		fail "$2: extract-ikheaders wrote something else"
}

# expect_refused IMAGE MESSAGE: exit 1, MESSAGE on stderr, nothing written
expect_refused() {
	"$tree/scripts/extract-ikheaders" "$1" > "$scratch/out" 2> "$scratch/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$1: exit $rc, not 1" || return 1
	[ ! -s "$scratch/out" ] || fail "$1: wrote $(stat -c %s "$scratch/out") bytes" || return 1
	grep -q "$2" "$scratch/err" || fail "$1: message '$(cat "$scratch/err")'"
}

test_extract_ikheaders() {
	gen > /dev/null || return 1
	img=$scratch/vmlinux
	fake_vmlinux > "$img"
	expect_extracted "$img" "uncompressed" || return 1
	# kernel images and modules, in every compression the kernel uses
	for c in gzip "xz --check=crc32" bzip2 "lz4 -l" zstd lzop; do
		command -v "${c%% *}" > /dev/null || fail "${c%% *} is not installed" || return 1
		{ head -c 5000 /dev/urandom; $c < "$img"; head -c 700 /dev/urandom; } > "$scratch/image"
		expect_extracted "$scratch/image" "$c" || return 1
	done
	# an x86 bzImage whose header says where its lzma payload is: setup
	# sectors at 0x1f1, "HdrS" at 0x202, payload offset at 0x248
	{
		head -c 497 /dev/zero; printf '\001'; head -c 16 /dev/zero
		printf HdrS; head -c 66 /dev/zero; printf '\144\000\000\000'
		head -c 436 /dev/zero; head -c 100 /dev/urandom
		xz --format=lzma < "$img"; head -c 900 /dev/urandom
	} > "$scratch/bzImage"
	expect_extracted "$scratch/bzImage" "bzImage with lzma" || return 1
	# no archive, a damaged one, a missing file, no argument
	head -c 200000 /dev/urandom > "$scratch/none"
	expect_refused "$scratch/none" "no kheaders archive found" || return 1
	{ head -c 999 /dev/urandom; printf IKHD_ST; head -c 5000 "$odir/$archive"
	  printf IKHD_ED; } > "$scratch/cut"
	expect_refused "$scratch/cut" "not a valid xz stream" || return 1
	expect_refused "$scratch/missing" "not a readable file" || return 1
	"$tree/scripts/extract-ikheaders" > /dev/null 2>&1
	[ $? -eq 2 ] || fail "no argument: exit status not 2"
}

fast_test "extract-ikheaders: plain, gzip, xz, bzip2, lz4, zstd, lzo, bzImage; clear errors" test_extract_ikheaders
tap_done
