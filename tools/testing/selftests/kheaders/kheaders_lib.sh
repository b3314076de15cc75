#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP output for the kheaders kselftests, sourced by each of them.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

n=0
failed=0

log() {
	echo "# $*"
}

# result STATUS NAME: one test, passed when STATUS is 0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

# skip NAME REASON: one test that cannot run on this kernel
skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# finish: the totals and the exit status
finish() {
	log "Totals: pass:$((n - failed)) fail:$failed"
	[ $failed -eq 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}
