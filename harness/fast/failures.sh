#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: Failure modes: each missing tool fails the run naming it and
# leaves the archive alone; an interrupted run leaves nothing a later
# build accepts; kheaders_tar rejects bad file lists.
#
# Usage: sh harness/fast/failures.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

# Each tool the generator needs beyond what every Kbuild step uses is
# taken away in turn: the run fails naming it, and the archive and stamp
# stay as they were.
test_missing_tool_named() {
	saved before || return 1
	out=$(gen XZ=kh-no-such-xz 2>&1) && fail "succeeded without xz" && return 1
	case $out in *"'kh-no-such-xz'"*) ;; *) fail "message does not name the tool: $out" || return 1 ;; esac
	for tool in find md5sum sort stat strip xargs xz; do
		rm -rf "${scratch:?}/bin" && mkdir "$scratch/bin"
		for t in sh cat date grep mkdir mv rm sed find md5sum sort stat strip xargs xz; do
			[ "$t" = "$tool" ] || ln -s "$(command -v "$t")" "$scratch/bin/$t"
		done
		out=$(gen PATH="$scratch/bin" 2>&1) && fail "succeeded without $tool" && return 1
		case $out in
		*"'$tool' is needed"*) ;;
		*) fail "without $tool, the message does not name it: $out" || return 1 ;;
		esac
	done
	cmp -s "$scratch/before" "$odir/$archive" || fail "archive changed" || return 1
	cmp -s "$scratch/before.stamp" "$odir/$stamp" || fail "stamp changed" || return 1
	# with all of them and nothing else, it works
	ln -s "$(command -v xz)" "$scratch/bin/xz"
	rm -f "$odir/$stamp"
	expect_regen PATH="$scratch/bin"
}

test_interrupted_run_not_accepted() {
	gen > /dev/null || return 1
	# an xz that says it started and stalls, so that the run can be
	# killed midway, however busy the machine is
	printf '#!/bin/sh\n: > "%s"\nsleep 60\n' "$scratch/xz-started" > "$scratch/slow-xz"
	chmod +x "$scratch/slow-xz"
	echo '#define KH_FAST_TEST_KILL 1' > "$odir/include/generated/kh_fast_kill.h"
	for sig in TERM KILL; do
		(cd "$odir" && exec setsid env srctree="$tree" SRCARCH=x86 XZ="$scratch/slow-xz" \
			sh "$tree/kernel/gen_kheaders.sh" $archive kernel/kheaders_tar \
			kernel/kheaders_module.lds > /dev/null) &
		pid=$!
		rm -f "$scratch/xz-started"
		i=0
		while [ ! -e "$scratch/xz-started" ] && [ $i -lt 600 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		[ -e "$scratch/xz-started" ] || fail "the generator never reached xz" || return 1
		kill -s $sig -- -"$pid" 2>/dev/null || kill -s $sig "$pid"
		wait "$pid" 2>/dev/null
		[ ! -f "$odir/$stamp" ] || fail "SIG$sig: the stamp survived" || return 1
		if [ $sig = TERM ]; then
			ls "$odir"/kernel/kheaders_data.tar.xz.tmp* >/dev/null 2>&1 &&
				fail "SIGTERM: temporary files left" && return 1
		fi
	done
	rm -rf "$odir/include/generated/kh_fast_kill.h" "$odir"/kernel/kheaders_data.tar.xz.tmp*
	expect_regen
}

test_tool_rejects_bad_lists() {
	cd "$odir" || return 1
	out=$(printf 'Makefile\0Makefile\0' | kernel/kheaders_tar "$tree" 0 2>&1 >/dev/null) &&
		fail "accepted a duplicate" && return 1
	case $out in *"listed twice"*) ;; *) fail "message: $out" || return 1 ;; esac
	out=$(printf 'no/such/file.h\0' | kernel/kheaders_tar "$tree" 0 2>&1 >/dev/null) &&
		fail "accepted a missing file" && return 1
	case $out in *"no/such/file.h"*) ;; *) fail "message: $out" ;; esac
}

fast_test "each missing tool fails the run, naming it" test_missing_tool_named
fast_test "interrupted generation leaves nothing a later build accepts" test_interrupted_run_not_accepted
fast_test "kheaders_tar rejects duplicate and missing files" test_tool_rejects_bad_lists
tap_done
