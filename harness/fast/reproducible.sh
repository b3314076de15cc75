#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: Reproducibility: the archive made again, under another
# umask, with more xz threads or on one CPU, is the same bytes; xz without
# the memory it needs fails the run and leaves nothing.
#
# Usage: sh harness/fast/reproducible.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

test_reproducible() {
	saved a || return 1
	rm -f "$odir/$archive" "$odir/$stamp"
	(umask 077 && gen > /dev/null) || return 1
	cmp "$scratch/a" "$odir/$archive" || fail "second archive differs"
}

# xz compresses in blocks of a fixed size with its multi-threaded encoder:
# the bytes must not depend on the number of threads or of CPUs, and xz
# must fail, not fall back to other bytes, when it lacks the memory.
test_xz_blocks_reproducible() {
	saved a || return 1
	blocks=$(xz --robot -l "$scratch/a" | awk -F '\t' '$1 == "totals" { print $3 }')
	[ "$blocks" -ge 2 ] 2> /dev/null || fail "expected several xz blocks, found '$blocks'" || return 1
	printf '#!/bin/sh\nexec xz "$@" --threads=4\n' > "$scratch/xz4"
	chmod +x "$scratch/xz4"
	rm -f "$odir/$archive" "$odir/$stamp"
	gen XZ="$scratch/xz4" > /dev/null || return 1
	cmp "$scratch/a" "$odir/$archive" || fail "4 threads: other bytes" || return 1
	rm -f "$odir/$archive" "$odir/$stamp"
	GEN_RUN="taskset -c 0" gen > /dev/null || return 1
	cmp "$scratch/a" "$odir/$archive" || fail "one CPU: other bytes" || return 1
	rm -rf "${odir:?}/$archive" "${odir:?}/$stamp" "$odir"/kernel/kheaders_data.tar.xz.tmp*
	out=$(gen XZ="xz --memlimit-compress=64MiB" 2>&1) &&
		fail "succeeded with 64 MiB for xz" && return 1
	case $out in *"could not compress"*) ;; *) fail "unclear error: $out" || return 1 ;; esac
	for f in "$odir/$archive" "$odir/$stamp" "$odir"/kernel/kheaders_data.tar.xz.tmp*; do
		[ ! -e "$f" ] || fail "left after the failure: $f" || return 1
	done
	gen > /dev/null
}

fast_test "archive is reproducible" test_reproducible
fast_test "xz blocks: same bytes with 4 threads and on one CPU; no memory, no archive" test_xz_blocks_reproducible
tap_done
