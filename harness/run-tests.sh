#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every test of the project ("make test"): the fast suite (no VM), then,
# for each kernel configuration, a kernel built from Debian's
# linux-source tree with kheaders applied, booted in QEMU, running the
# kheaders kselftest.  The guest's TAP results are counted one by one.
# The last line is "N passed, N failed, N skipped"; the exit status is
# non-zero when anything failed.
#
# Usage: run-tests.sh [BUILD_DIR]
# Environment: KH_VERSION (default 6.12), KH_CONFIGS (default "m y"),
#              KH_VM_TIMEOUT (seconds per boot, default 900)

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
mkdir -p "$build" && build=$(cd "$build" && pwd)
version=${KH_VERSION:-6.12}
configs=${KH_CONFIGS:-m y}
vm_timeout=${KH_VM_TIMEOUT:-900}

passed=0
failed=0
skipped=0

pass() { passed=$((passed + 1)); echo "ok - $*"; }
flunk() { failed=$((failed + 1)); echo "not ok - $*"; }

finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

elapsed() { echo "$(($(date +%s) - $1))s"; }

if ! sh "$top/harness/deps.sh" "$version"; then
	flunk "dependencies installed"
	finish
fi

# --- the fast suite ----------------------------------------------------------

echo "== fast suite (linux-$version, no VM)"
t0=$(date +%s)
sh "$top/harness/fast-tests.sh" "$build" "$version" > "$build/fast.log" 2>&1
cat "$build/fast.log"
summary=$(tail -n 1 "$build/fast.log")
case $summary in
*" passed, "*" failed"*)
	p=${summary%% passed*}
	f=${summary#* passed, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
	;;
*)
	flunk "fast suite ran to its end"
	;;
esac
echo "== fast suite took $(elapsed "$t0")"

tree=$(sh "$top/harness/ksrc.sh" "$version" "$build" 2>/dev/null) || {
	flunk "linux-$version tree prepared"
	finish
}

# --- the VM suite ------------------------------------------------------------

for cfg in $configs; do
	odir=$build/$version/$cfg
	what="linux-$version CONFIG_IKHEADERS=$cfg"
	t0=$(date +%s)
	echo "== $what: building in $odir"
	if ! out=$(sh "$top/harness/build-kernel.sh" "$tree" "$odir" \
		"$top/configs/base.config" "$top/configs/ikheaders-$cfg.config" 2>&1); then
		printf '%s\n' "$out" | sed 's/^/# /'
		flunk "$what: kernel builds"
		continue
	fi
	pass "$what: kernel builds ($(elapsed "$t0"))"

	rm -rf "$odir/kselftest"
	if ! out=$(make -C "$tree/tools/testing/selftests" TARGETS=kheaders \
		O="$odir/kselftest-build" INSTALL_PATH="$odir/kselftest" install 2>&1); then
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
		flunk "$what: kselftest installs"
		continue
	fi

	job=$odir/kh-job.sh
	printf 'sh %s %s %s\n' "$top/harness/guest-selftest.sh" \
		"$odir/modroot" "$odir/kselftest" > "$job"
	echo "== $what: booting"
	t0=$(date +%s)
	sh "$top/harness/vm-run.sh" "$odir/arch/x86/boot/bzImage" "$job" \
		"$odir/vm.log" "$vm_timeout" > /dev/null
	rc=$?
	echo "== $what: VM ran $(elapsed "$t0"), exit $rc, log $odir/vm.log"

	# The kselftest's own results: run_kselftest.sh prefixes them "# ".
	inner=$(sed -n 's/^# \(\(not \)\{0,1\}ok [0-9][0-9]* .*\)$/\1/p' "$odir/vm.log")
	plan=$(sed -n 's/^# 1\.\.\([0-9][0-9]*\)$/\1/p' "$odir/vm.log" | tail -n 1)
	printf '%s\n' "$inner" | grep . | sed "s/^/# $cfg: /"
	p=$(printf '%s\n' "$inner" | grep '^ok ' | grep -vc '# SKIP')
	s=$(printf '%s\n' "$inner" | grep '^ok ' | grep -c '# SKIP')
	f=$(printf '%s\n' "$inner" | grep -c '^not ok ')
	passed=$((passed + p))
	skipped=$((skipped + s))
	failed=$((failed + f))
	if [ -z "$plan" ] || [ "$plan" -ne $((p + s + f)) ]; then
		flunk "$what: kselftest ran its plan (plan '${plan:-none}', $((p + s + f)) results)"
	fi
	# The runner's verdict; a kselftest that skipped as a whole ("exit=4":
	# no kheaders, no compiler) is a failure here, where both must exist.
	if grep -q '^ok [0-9]* selftests: kheaders: kheaders_test.sh$' "$odir/vm.log" &&
	   [ "$rc" -eq 0 ]; then
		pass "$what: kselftest passed in the guest"
	else
		grep -E '^(not )?ok [0-9]* selftests: kheaders|Kernel panic|BUG:|Oops' \
			"$odir/vm.log" | sed 's/^/# /'
		flunk "$what: kselftest passed in the guest (VM exit $rc)"
	fi
done

finish
