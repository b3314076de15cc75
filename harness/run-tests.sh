#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every test of the project ("make test"): the fast suite (no VM), then,
# for each kernel tree and configuration, a kernel built from Debian's
# linux-source tree with kheaders applied, checked with
# scripts/extract-ikheaders, booted in QEMU, running the kheaders
# kselftests and the checks of guest-checks.sh.  The guest's TAP results
# are counted one by one.  The last line is "N passed, N failed,
# N skipped"; the exit status is non-zero when anything failed.
#
# Configurations (configs/ikheaders-CFG.config on configs/base.config and
# configs/linux-VERSION.config): m and y, kheaders as a module and built
# in; debug, a module on a KASAN, kmemleak, lockdep, DEBUG_OBJECTS,
# FORTIFY_SOURCE and MODVERSIONS kernel.  On 6.12 the debug kernel stands
# in for m, so that make test stays well inside CI's 90 minutes on two
# cores from a cold start; 6.1's m and y both have MODVERSIONS.
#
# Usage: run-tests.sh [BUILD_DIR]
# Environment: KH_VERSIONS (default "6.12 6.1"), KH_CONFIGS (default
#              "debug y" for 6.12, "m y" for other trees),
#              KH_VM_TIMEOUT (seconds per boot, default 1500),
#              KH_NO_FAST (set: leave out the fast suite, counted skipped)

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
mkdir -p "$build" && build=$(cd "$build" && pwd)
versions=${KH_VERSIONS:-6.12 6.1}
vm_timeout=${KH_VM_TIMEOUT:-1500}

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

# shellcheck disable=SC2086 # one word per version
if ! sh "$top/harness/deps.sh" $versions; then
	flunk "dependencies installed"
	finish
fi

# --- the fast suite ----------------------------------------------------------

if [ -n "${KH_NO_FAST:-}" ]; then
	# for working on the VM suite only; make test never sets it
	echo "== fast suite not run (KH_NO_FAST)"
	skipped=$((skipped + 1))
else
	echo "== fast suite (linux-6.12, no VM)"
	t0=$(date +%s)
	sh "$top/harness/fast-tests.sh" "$build" 6.12 > "$build/fast.log" 2>&1
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
fi

# --- the VM suite ------------------------------------------------------------

# extract ODIR IMAGE: scripts/extract-ikheaders on IMAGE gives the archive
# that ODIR's build embedded
extract() {
	if ! "$tree/scripts/extract-ikheaders" "$2" > "$1/extracted.tar.xz" 2> "$1/extract.err"; then
		sed 's/^/# /' "$1/extract.err"
		return 1
	fi
	cmp "$1/extracted.tar.xz" "$1/kernel/kheaders_data.tar.xz" | sed 's/^/# /'
	cmp -s "$1/extracted.tar.xz" "$1/kernel/kheaders_data.tar.xz"
}

# vm_suite VERSION CFG: build, check and boot one configuration
vm_suite() {
	version=$1
	cfg=$2
	odir=$build/$version/$cfg
	what="linux-$version $cfg"
	t0=$(date +%s)
	echo "== $what: building in $odir"
	set -- "$top/configs/base.config"
	[ ! -f "$top/configs/linux-$version.config" ] ||
		set -- "$@" "$top/configs/linux-$version.config"
	if ! out=$(sh "$top/harness/build-kernel.sh" "$tree" "$odir" "$@" \
		"$top/configs/ikheaders-$cfg.config" 2>&1); then
		printf '%s\n' "$out" | sed 's/^/# /'
		flunk "$what: kernel builds"
		return
	fi
	pass "$what: kernel builds ($(elapsed "$t0"))"

	# scripts/extract-ikheaders on the images of this build
	if grep -q '^CONFIG_IKHEADERS=m' "$odir/.config"; then
		if extract "$odir" "$odir/kernel/kheaders.ko"; then
			pass "$what: extract-ikheaders kheaders.ko gives the archive"
		else
			flunk "$what: extract-ikheaders kheaders.ko gives the archive"
		fi
		if "$tree/scripts/extract-ikheaders" "$odir/vmlinux" > "$odir/none.out" 2> "$odir/none.err"; then
			flunk "$what: extract-ikheaders vmlinux (=m) fails"
		elif [ -s "$odir/none.out" ] || ! grep -q 'no kheaders archive found' "$odir/none.err"; then
			flunk "$what: extract-ikheaders vmlinux (=m): clear error, no output"
		else
			pass "$what: extract-ikheaders vmlinux (=m) fails with a clear error"
		fi
	else
		for image in vmlinux arch/x86/boot/bzImage; do
			if extract "$odir" "$odir/$image"; then
				pass "$what: extract-ikheaders ${image##*/} gives the archive"
			else
				flunk "$what: extract-ikheaders ${image##*/} gives the archive"
			fi
		done
	fi

	rm -rf "$odir/kselftest"
	if ! out=$(make -C "$tree/tools/testing/selftests" TARGETS=kheaders \
		O="$odir/kselftest-build" INSTALL_PATH="$odir/kselftest" install 2>&1); then
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
		flunk "$what: kselftest installs"
		return
	fi

	job=$odir/kh-job.sh
	printf 'sh %s %s %s %s %s\n' "$top/harness/guest-selftest.sh" \
		"$odir/modroot" "$odir/kselftest" "$odir" "$odir/extracted.tar.xz" > "$job"
	echo "== $what: booting"
	t0=$(date +%s)
	sh "$top/harness/vm-run.sh" "$odir/arch/x86/boot/bzImage" "$job" \
		"$odir/vm.log" "$vm_timeout" > /dev/null
	rc=$?
	echo "== $what: VM ran $(elapsed "$t0"), exit $rc, log $odir/vm.log"

	# guest-checks.sh's results
	checks=$(sed -n 's/^KH-CHECK: //p' "$odir/vm.log")
	printf '%s\n' "$checks" | grep . | sed "s/^/# $cfg: /"
	p=$(printf '%s\n' "$checks" | grep -c '^ok ')
	f=$(printf '%s\n' "$checks" | grep -c '^not ok ')
	passed=$((passed + p))
	failed=$((failed + f))
	[ $((p + f)) -eq 4 ] || flunk "$what: guest-checks.sh gave its 4 results (got $((p + f)))"

	# The kselftests' own results: run_kselftest.sh prefixes them "# ".
	inner=$(sed -n 's/^# \(\(not \)\{0,1\}ok [0-9][0-9]* .*\)$/\1/p' "$odir/vm.log")
	plan=$(sed -n 's/^# 1\.\.\([0-9][0-9]*\)$/\1/p' "$odir/vm.log" |
		awk '{ s += $1 } END { print s + 0 }')
	printf '%s\n' "$inner" | grep . | sed "s/^/# $cfg: /"
	p=$(printf '%s\n' "$inner" | grep '^ok ' | grep -vc '# SKIP')
	s=$(printf '%s\n' "$inner" | grep '^ok ' | grep -c '# SKIP')
	f=$(printf '%s\n' "$inner" | grep -c '^not ok ')
	passed=$((passed + p))
	skipped=$((skipped + s))
	failed=$((failed + f))
	if [ "$plan" -eq 0 ] || [ "$plan" -ne $((p + s + f)) ]; then
		flunk "$what: kselftests ran their plans (plans $plan, $((p + s + f)) results)"
	fi
	# The runner's verdicts; a kselftest that skipped as a whole ("exit=4":
	# no kheaders, no compiler) is a failure here, where both must exist.
	for t in kheaders_test.sh kheaders_stress.sh; do
		if grep -q "^ok [0-9]* selftests: kheaders: $t\$" "$odir/vm.log" &&
		   [ "$rc" -eq 0 ]; then
			pass "$what: kselftest $t passed in the guest"
		else
			grep -E "^(not )?ok [0-9]* selftests: kheaders: $t|Kernel panic|BUG:|Oops" \
				"$odir/vm.log" | sed 's/^/# /'
			flunk "$what: kselftest $t passed in the guest (VM exit $rc)"
		fi
	done
}

for version in $versions; do
	tree=$(sh "$top/harness/ksrc.sh" "$version" "$build" 2>/dev/null) || {
		flunk "linux-$version tree prepared"
		continue
	}
	configs=${KH_CONFIGS:-}
	if [ -z "$configs" ]; then
		case $version in
		6.12) configs="debug y" ;;
		*) configs="m y" ;;
		esac
	fi
	for cfg in $configs; do
		vm_suite "$version" "$cfg"
	done
done

finish
