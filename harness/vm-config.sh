#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One configuration of the VM suite (configurations: kh_config in
# harness/lib/configs.sh; what each proves: harness/README.md), built from the
# linux-VERSION tree that ksrc.sh prepared, in BUILD_DIR/VERSION/CFG:
#   - the kernel builds (or, for a configuration checked on the host
#     only, "prepare kernel/kheaders.o");
#   - scripts/extract-ikheaders gives the archive from kheaders.ko, or
#     from vmlinux and the boot image when built in, and a clear error for
#     the images of an =m kernel;
#   - a kernel built for another machine: cross-checks.sh;
#   - booted in QEMU (vm-run.sh), the guest runs guest-checks.sh and the
#     kheaders kselftests (guest-selftest.sh), whose results, read from
#     the console log, are this script's.
# Prints TAP (several streams, each with its plan) and a line every minute
# while it builds or the guest runs.
#
# Usage: vm-config.sh VERSION CFG BUILD_DIR
# Environment: KH_GUEST_ROOT (the arm64 userland, for arm64 guests),
#              KH_VM_TIMEOUT (seconds per boot, default 3000),
#              KH_HOST_DONE (a file touched when the host's side is done,
#              before the guest boots), KH_GUEST_LOCK (a file locked
#              while the guest runs: guests sharing it run one at a time)

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
version=$1
cfg=$2
build=$(cd "$3" && pwd) || exit 1
tree=$build/src/linux-$version
odir=$build/$version/$cfg
extract=$tree/scripts/extract-ikheaders
kh_config "$version" "$cfg" || { echo "Bail out! no configuration '$cfg'"; exit 1; }

echo "TAP version 13"
t0=$(date +%s)
# shellcheck disable=SC2086 # file names without blanks
if ! KH_LABEL="linux-$version $cfg" KH_MAKEVARS=$makevars KH_MAKE_TARGETS=$targets \
	KH_HIDE_DIR=$hide sh "$top/harness/build-kernel.sh" "$tree" "$odir" $frags >&2; then
	tap_result 1 "${targets:-kernel} builds"
	tap_done
	exit
fi
tap_result 0 "${targets:-kernel} builds ($(($(date +%s) - t0))s)"
if [ -n "$targets" ]; then
	tap_done
	KH_MAKE_TARGETS=$targets sh "$top/harness/cross-checks.sh" "$tree" "$odir" "$makevars"
	exit
fi

# extracted IMAGE: extract-ikheaders IMAGE gives the archive of this build
extracted() {
	"$extract" "$1" > "$odir/extracted.tar.xz" 2> "$odir/extract.err" &&
		cmp "$odir/extracted.tar.xz" "$odir/kernel/kheaders_data.tar.xz"
	tap_result $? "extract-ikheaders ${1##*/} gives the archive"
	tap_diag < "$odir/extract.err"
}
# refused IMAGE: extract-ikheaders IMAGE of an =m kernel fails clearly
refused() {
	ok=0
	"$extract" "$1" > "$odir/none.out" 2> "$odir/none.err" && ok=1
	[ ! -s "$odir/none.out" ] && grep -q 'no kheaders archive found' "$odir/none.err" || ok=1
	tap_result $ok "extract-ikheaders ${1##*/} (=m) fails with a clear error, no output"
	[ $ok -eq 0 ] || tap_diag < "$odir/none.err"
}
if grep -q '^CONFIG_IKHEADERS=m' "$odir/.config"; then
	extracted "$odir/kernel/kheaders.ko"
	refused "$odir/vmlinux"
	if [ "$garch" = arm64 ]; then
		refused "$odir/arch/arm64/boot/Image"
		refused "$odir/arch/arm64/boot/Image.gz"
	fi
else
	extracted "$odir/vmlinux"
	extracted "$odir/$image"
fi

rm -rf "$odir/kselftest"
# shellcheck disable=SC2086 # make variables, one word each
make -C "$tree/tools/testing/selftests" TARGETS=kheaders $makevars \
	O="$odir/kselftest-build" INSTALL_PATH="$odir/kselftest" install > "$odir/kselftest.log" 2>&1
ksft=$?
tap_result $ksft "the kheaders kselftests install"
[ $ksft -eq 0 ] || tail -n 20 "$odir/kselftest.log" | tap_diag
tap_done
# the archive of a cross-compiled kernel: its programs, its builds
[ "$garch" = x86_64 ] || sh "$top/harness/cross-checks.sh" "$tree" "$odir" "$makevars"
[ $ksft -eq 0 ] || exit 1

# The guest sees the host's root at / (x86_64) or /host (arm64).
g=
[ "$garch" != arm64 ] || g=/host
ksrc_arg=
[ "$ways" -eq 1 ] || ksrc_arg=$g$tree
printf 'KH_SELFTESTS="%s" KH_TOOLS=%s sh %s %s %s %s %s %s\n' "$selftests" "$tools" \
	"$g$top/harness/guest-selftest.sh" "$g$odir/modroot" \
	"$g$odir/kselftest" "$g$odir" "$g$odir/extracted.tar.xz" "$ksrc_arg" > "$odir/kh-job.sh"
# the host's side is done: the runner may start building the next kernel
[ -z "${KH_HOST_DONE:-}" ] || touch "$KH_HOST_DONE"
# one guest at a time: the lock is held until this script ends
if [ -n "${KH_GUEST_LOCK:-}" ]; then
	exec 9> "$KH_GUEST_LOCK"
	if ! flock -n 9; then
		echo >&2 "linux-$version $cfg: waiting for the guest before it to end"
		flock 9
	fi
fi
echo >&2 "linux-$version $cfg: booting ($garch), console log $odir/vm.log"
t0=$(date +%s)
KH_GUEST_ARCH=$garch sh "$top/harness/vm-run.sh" "$odir/$image" "$odir/kh-job.sh" \
	"$odir/vm.log" "${KH_VM_TIMEOUT:-3000}" > /dev/null 2> "$odir/vm-run.err" &
kh_wait "linux-$version $cfg: guest" "$odir/vm.log" $!
rc=$?
echo >&2 "linux-$version $cfg: the guest ran $(($(date +%s) - t0))s, vm-run exit $rc"

# The guest's results, from the console log, as one TAP stream:
#   - guest-checks.sh's, prefixed "KH-CHECK: ";
#   - the kselftests' own, which run_kselftest.sh prefixes "# ", their
#     plans added up (a kselftest cut short gives fewer results);
#   - run_kselftest.sh's verdict on each kselftest, and make's on the
#     one kselftest each further way runs (guest-selftest.sh); one that
#     skipped as a whole (no kheaders, no compiler) is a failure here,
#     where both must exist (the image's may skip on a kernel without
#     CONFIG_IKHEADERS_IMAGE);
#   - the guest's job ending with status 0.
# A failure's diagnostics (those printed before and after it) follow it,
# and the kernel's complaints (BUG, WARNING, Oops, panic) are shown.
tests=$(grep -c '^kheaders:' "$odir/kselftest/kselftest-list.txt")
[ -z "$selftests" ] || tests=$(echo "$selftests" | wc -w)
has_image=0
! grep -q '^CONFIG_IKHEADERS_IMAGE=[ym]' "$odir/.config" || has_image=1
awk -v ways="$ways" -v tests="$tests" -v rc="$rc" -v image="$has_image" \
	-v vmerr="$(cat "$odir/vm-run.err")" '
function result(line) {
	print line
	if (line ~ /^not ok/) {
		for (i = 1; i <= nd; i++)
			print diag[i]
		after = 1
	} else {
		after = 0
	}
	nd = 0
}
function note(line) {
	if (after) {
		print line
	} else if (nd < 30) {
		diag[++nd] = line
	}
}
{ sub(/\r$/, "") }
/^KH-CHECK: 1\.\.[0-9]+$/ { plan += substr($2, 4); next }
/^KH-CHECK: (not )?ok / { result(substr($0, 11)); next }
/^KH-CHECK: #/ { note(substr($0, 11)); next }
/^# 1\.\.[0-9]+$/ { plan += substr($2, 4); next }
/^# (not )?ok [0-9]+ / { result(substr($0, 3)); next }
/^# / { note(substr($0, 3)); next }
/Kernel panic|BUG:|Oops|WARNING:/ && oops++ < 20 { print "# console: " $0 }
/^(not )?ok [0-9]+ selftests: kheaders: / {
	verdicts++
	if ($0 ~ /# *SKIP/ && (image || $0 !~ /kheaders_image\.sh/))
		sub(/^ok/, "not ok")
	result($0 " (kselftest)")
	next
}
/^KH-JOB-EXIT: / { exitline = $0 }
END {
	if (exitline == "")
		result("not ok - the guest reported its job'"'"'s end (vm-run exit " rc ")")
	else
		result((exitline == "KH-JOB-EXIT: 0" ? "ok" : "not ok") " - the guest'"'"'s job: " exitline)
	if (vmerr != "")
		print "# " vmerr
	print "1.." plan + tests + ways - 1 + 1
	if (verdicts != tests + ways - 1)
		print "# " verdicts " kselftest verdicts of " tests + ways - 1
}' "$odir/vm.log"
