#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: kheaders.o holds the archive just made, also when the
# compiler runs through ccache, which cannot see into an .incbin.
#
# Usage: sh harness/fast/ccache.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

# embedded OBJECT: the archive between the markers of kheaders.o
embedded() {
	perl -0777 -ne '$s = index($_, "IKHD_ST"); $e = rindex($_, "IKHD_ED");
		exit 1 if $s < 0 || $e < $s; print substr($_, $s + 7, $e - $s - 7)' "$1"
}

test_object_embeds_current_archive() {
	[ -d /usr/lib/ccache ] || fail "ccache is not installed" || return 1
	KH_CCACHE=1 kh_ccache "$build"
	ccmake() {
		kh_make "$tree" "$odir" "" kernel/kheaders.o > "$scratch/log" 2>&1 ||
			fail "$(tail "$scratch/log")"
	}
	h=$odir/include/generated/kh_fast_ccache.h
	rm -f "$h"
	for step in before added removed; do
		[ $step != added ] || echo '#define KH_FAST_CCACHE 1' > "$h"
		[ $step != removed ] || rm -f "$h"
		ccmake || return 1
		embedded "$odir/kernel/kheaders.o" > "$scratch/emb" || fail "no markers" || return 1
		cmp -s "$scratch/emb" "$odir/$archive" ||
			fail "$step: kheaders.o holds another archive than $archive" || return 1
	done
}

fast_test "kheaders.o holds the current archive, through ccache too" test_object_embeds_current_archive
tap_done
