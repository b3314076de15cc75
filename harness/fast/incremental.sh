#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: Incremental builds: a no-op run, and a no-op Kbuild make,
# rewrite nothing; touched but unchanged files do not regenerate; an
# added, changed (same size, same mtime) or removed header, a config
# change, a generator change and a KBUILD_BUILD_TIMESTAMP change do.
#
# Usage: sh harness/fast/incremental.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

test_noop_does_not_rewrite() {
	gen > /dev/null || return 1
	expect_fast_noop
}

# A file written with the same content (Kconfig rewrites autoconf.h) is
# read again, found unchanged, and the archive stays.
test_touched_unchanged_noop() {
	gen > /dev/null || return 1
	touch "$odir/include/generated/autoconf.h" "$tree/include/linux/module.h"
	expect_noop || return 1
	expect_fast_noop || return 1
	# a temporary file come and gone, as Kbuild's filechk leaves it
	touch "$odir/include/generated/.tmp_kh_fast" && rm "$odir/include/generated/.tmp_kh_fast"
	expect_fast_noop
}

test_regen_on_same_size_same_mtime_change() {
	h=$odir/include/generated/kh_fast_test.h
	# not there to begin with, even after an interrupted run
	rm -f "$h"
	gen > /dev/null || return 1
	printf '#define KH_FAST_TEST_A 1\n' > "$h"
	expect_regen || return 1
	members | grep -qxF include/generated/kh_fast_test.h || fail "added header missing" || return 1
	touch -r "$h" "$scratch/ref"
	printf '#define KH_FAST_TEST_B 1\n' > "$h"
	touch -r "$scratch/ref" "$h"
	expect_regen || return 1
	tar -xOJf "$odir/$archive" include/generated/kh_fast_test.h | grep -q KH_FAST_TEST_B ||
		fail "old content archived" || return 1
	rm -f "$h"
	expect_regen || return 1
	! members | grep -qxF include/generated/kh_fast_test.h || fail "removed header still archived"
}

test_regen_on_config_change() {
	gen > /dev/null || return 1
	cp "$odir/include/config/auto.conf" "$scratch/auto.conf"
	echo 'CONFIG_KH_FAST_TEST=y' >> "$odir/include/config/auto.conf"
	expect_regen; rc=$?
	cp "$scratch/auto.conf" "$odir/include/config/auto.conf"
	[ $rc -eq 0 ] && expect_regen
}

test_regen_on_generator_change() {
	gen > /dev/null || return 1
	{ cat "$tree/kernel/gen_kheaders.sh"; echo '# changed'; } > "$scratch/gen.sh"
	GEN=$scratch/gen.sh expect_regen || return 1
	expect_regen
}

test_regen_on_timestamp_change() {
	gen > /dev/null || return 1
	expect_regen KBUILD_BUILD_TIMESTAMP='2024-02-03 04:05:06 UTC' || return 1
	tar -tvJf "$odir/$archive" | head -n 3 | grep -q '2024-02-03 04:05' ||
		fail "member times: $(tar -tvJf "$odir/$archive" | head -n 1)" || return 1
	expect_fast_noop KBUILD_BUILD_TIMESTAMP='2024-02-03 04:05:06 UTC' || return 1
	expect_regen
}

test_kbuild_noop_build() {
	kh_make "$tree" "$odir" "" kernel/kheaders.o > /dev/null 2>&1 || return 1
	kh_make "$tree" "$odir" "" kernel/kheaders.o > /dev/null 2>&1 || return 1
	expect_make_noop kernel/kheaders.o
}

fast_test "no-op run does not rewrite the archive" test_noop_does_not_rewrite
fast_test "touched but unchanged files do not regenerate" test_touched_unchanged_noop
fast_test "header added, changed at same size and mtime, removed: regenerates" test_regen_on_same_size_same_mtime_change
fast_test "config change regenerates" test_regen_on_config_change
fast_test "generator change regenerates" test_regen_on_generator_change
fast_test "KBUILD_BUILD_TIMESTAMP change regenerates and sets mtimes" test_regen_on_timestamp_change
fast_test "no-op Kbuild make neither regenerates nor recompiles" test_kbuild_noop_build
tap_done
