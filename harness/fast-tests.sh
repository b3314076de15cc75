#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fast suite ("make check"; no VM): every file of harness/fast/, one
# per concern, then lint.sh, on one prepared 6.12 object tree (see
# fast_setup in harness/lib/fast.sh).  Each file prints TAP and runs alone as
# well: sh harness/fast/archive.sh [BUILD_DIR].  Results are shown as they
# come, as "fast/FILE: ok N ...".
#
# Run by run-tests.sh, its results go in that runner's ledger; run alone,
# it ends with a table per file and "N passed, N failed, N skipped".
#
# Usage: fast-tests.sh [BUILD_DIR]

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
build=$(mkdir -p "${1:-$top/build}" && cd "${1:-$top/build}" && pwd) || exit 1
kh_ledger "$build"
t0=$(date +%s)
version=6.12
odir=$build/$version/check
mkdir -p "$build/$version"

if tree=$(sh "$top/harness/ksrc.sh" $version "$build" "linux-$version-fast" \
	2> "$build/ksrc-fast.log") &&
   kh_run "fast: preparing $odir" "$build/$version/check-setup.log" fast_prepare; then
	KH_FAST_READY=1
	export KH_FAST_READY
	for f in "$top"/harness/fast/*.sh; do
		name=${f##*/}
		kh_tap "fast/${name%.sh}" sh "$f" "$build"
	done
	kh_tap fast/lint env KH_LINT_TREE="$tree" sh "$top/harness/lint.sh" "$build"
else
	tail -n 30 "$build/ksrc-fast.log" "$build/$version/check-setup.log" 2>/dev/null | tap_diag
	kh_record fast 1 "the fast suite's tree prepared"
fi
kh_cpu
kh_time fast $(($(date +%s) - t0)) "$kh_cpu_s"
[ -z "$kh_ledger_own" ] || kh_table
