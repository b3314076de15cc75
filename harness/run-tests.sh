#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every test of the project ("make test"): the fast suite (no VM), run
# beside the VM suite, and for each kernel tree and configuration a kernel
# built from Debian's linux-source tree with kheaders applied, checked with
# scripts/extract-ikheaders (and, when cross-built, cross-checks.sh),
# booted in QEMU, running the kheaders kselftests and the checks of
# guest-checks.sh.  The guest's TAP results are counted one by one.  The
# last line is "N passed, N failed, N skipped"; the exit status is
# non-zero when anything failed.
#
# Configurations (fragments of configs/ on base.config and
# linux-VERSION.config):
#   m, y    kheaders as a module, built in (ikheaders-m, ikheaders-y);
#   debug   a module on a KASAN, kmemleak, lockdep, DEBUG_OBJECTS,
#           FORTIFY_SOURCE and MODVERSIONS kernel (ikheaders-debug);
#   llvm    built in, MODVERSIONS, xz bzImage, built with LLVM=1; its guest
#           also runs the kselftests through make run_tests, in the tree
#           and with O= (llvm.config);
#   arm64   a module, MODVERSIONS, cross-built for arm64 with
#           aarch64-linux-gnu-gcc, booted on qemu-system-aarch64 -M virt
#           with an arm64 Debian userland (arch-arm64, ikheaders-arm64);
#   llvm-arm64  the same configuration cross-built with LLVM=1 alone,
#           "prepare kernel/kheaders.o" only, checked on the host
#           (cross-checks.sh), not booted;
#   arm64-prep  the arm64 configuration, prepared and checked the same way;
#   arm64-nolibc  the same, configured and built with the target's C
#           library hidden: the archive has stand-ins for its programs;
#   i386-prep, i686-prep, armhf-prep, ppc64le-prep  prepared and checked
#           the same way: ARCH=i386 with the host's gcc (which has no
#           32-bit C library headers next to the cross compilers: the
#           archive gets stand-ins) and with i686-linux-gnu-gcc, 32-bit
#           Arm, and a ppc64le kernel that uses objtool (cross-prep.config,
#           arch-*.config).
# By default 6.12 runs debug, llvm, arm64, llvm-arm64, arm64-nolibc,
# i386-prep, i686-prep, armhf-prep and ppc64le-prep, and 6.1 runs m, y and
# arm64-prep; llvm is what 6.12's y was, built with LLVM=1.  Beside them
# secrets-checks.sh checks RANDSTRUCT kernels (6.12, GCC plugin and
# clang) for the layout seed.  All of it takes about 55 minutes on two
# cores from an empty ccache (README.md).
#
# Usage: run-tests.sh [BUILD_DIR]
# Environment: KH_VERSIONS (default "6.12 6.1"), KH_CONFIGS (default
#              "debug llvm arm64 llvm-arm64" for 6.12, "m y arm64-prep"
#              for other trees),
#              KH_VM_TIMEOUT (seconds per boot, default 1500),
#              KH_NO_FAST (set: leave out the fast suite, counted skipped),
#              KH_SECRETS (set: run secrets-checks.sh also when KH_CONFIGS
#              is set; it always runs without KH_CONFIGS)

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
	echo "== make test took $(elapsed "$start")"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

elapsed() { echo "$(($(date +%s) - $1))s"; }
start=$(date +%s)

# count_tap LABEL COMMAND...: run COMMAND, which prints TAP ("ok N name",
# "not ok N name", "# SKIP"), show it and count its results; a command that
# ends without a result line, or fails with none failed, is a failure
count_tap() {
	label=$1
	shift
	out=$("$@" 2>&1)
	st=$?
	printf '%s\n' "$out" | sed "s/^/# $label: /"
	p=$(printf '%s\n' "$out" | grep '^ok ' | grep -vc '# SKIP')
	s=$(printf '%s\n' "$out" | grep '^ok ' | grep -c '# SKIP')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	passed=$((passed + p))
	skipped=$((skipped + s))
	failed=$((failed + f))
	if [ $((p + s + f)) -eq 0 ] || { [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		flunk "$label: $1 ${2:-} ran to its end (exit $st)"
	fi
}

# the fast suite and secrets-checks.sh work on 6.12 whatever KH_VERSIONS says
deps="$versions"
[ -n "${KH_NO_FAST:-}" ] || deps="$deps 6.12"
# shellcheck disable=SC2086 # one word per version
if ! sh "$top/harness/deps.sh" $deps arm64 llvm randstruct cross; then
	flunk "dependencies installed"
	finish
fi

# --- the fast suite ----------------------------------------------------------

# The trees first: the fast suite and the VM suite share them.
for version in $versions; do
	sh "$top/harness/ksrc.sh" "$version" "$build" > /dev/null 2> "$build/ksrc-$version.log" ||
		{ sed 's/^/# /' "$build/ksrc-$version.log"; flunk "linux-$version tree prepared"; }
done

# The fast suite runs beside the VM suite: it is mostly one process at a
# time (xz), and works in its own O= directory and scratch copies, so the
# kernel builds take the other core.  Its results come at the end.
# Nothing may change the trees the VM suite builds from while it runs.
touch "$build/.vm-trees-start"

fast_pid=
if [ -n "${KH_NO_FAST:-}" ]; then
	# for working on the VM suite only; make test never sets it
	echo "== fast suite not run (KH_NO_FAST)"
	skipped=$((skipped + 1))
else
	echo "== fast suite (linux-6.12, no VM): started beside the VM suite"
	fast_t0=$(date +%s)
	{
		sh "$top/harness/fast-tests.sh" "$build" 6.12 > "$build/fast.log" 2>&1
		echo "== fast suite took $(elapsed "$fast_t0")" >> "$build/fast.log"
	} &
	fast_pid=$!
fi

fast_results() {
	[ -n "$fast_pid" ] || return 0
	wait "$fast_pid"
	echo "== fast suite (linux-6.12, no VM)"
	cat "$build/fast.log"
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$build/fast.log" | tail -n 1)
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
}

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
# cfg_setup CFG: for configuration CFG, the make variables of its build
# ($makevars), the guest's architecture ($garch), its boot image ($image),
# and its config fragments as the positional parameters ($frags)
cfg_setup() {
	makevars=
	targets=
	hide=
	ways=1
	garch=x86_64
	image=arch/x86/boot/bzImage
	frags="$top/configs/base.config"
	[ ! -f "$top/configs/linux-$version.config" ] ||
		frags="$frags $top/configs/linux-$version.config"
	case $1 in
	arm64)
		makevars="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
		garch=arm64
		image=arch/arm64/boot/Image
		frags="$frags $top/configs/arch-arm64.config $top/configs/ikheaders-arm64.config"
		;;
	arm64-prep)
		# the arm64 configuration, "prepare kernel/kheaders.o" only,
		# checked on the host, no VM (6.1: the same Kbuild rules on
		# another tree)
		makevars="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
		targets="prepare kernel/kheaders.o"
		garch=arm64
		frags="$frags $top/configs/arch-arm64.config $top/configs/ikheaders-arm64.config"
		;;
	arm64-nolibc)
		# configured and built without the target's C library
		makevars="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
		targets="prepare kernel/kheaders.o"
		hide=/usr/aarch64-linux-gnu/lib
		garch=arm64
		frags="$frags $top/configs/arch-arm64.config $top/configs/ikheaders-arm64.config"
		;;
	i386-prep | i686-prep | armhf-prep | ppc64le-prep)
		case $1 in
		i386-prep) makevars="ARCH=i386" ;;
		i686-prep) makevars="ARCH=i386 CROSS_COMPILE=i686-linux-gnu-" ;;
		armhf-prep) makevars="ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf-" ;;
		ppc64le-prep) makevars="ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-" ;;
		esac
		targets="prepare kernel/kheaders.o"
		garch=${1%-prep}
		[ "$garch" != i686 ] || garch=i386
		frags="$top/configs/cross-prep.config $top/configs/arch-$garch.config"
		;;
	llvm-arm64)
		# cross-built with clang alone: checked on the host, no VM
		makevars="ARCH=arm64 LLVM=1"
		targets="prepare kernel/kheaders.o"
		garch=arm64
		frags="$frags $top/configs/arch-arm64.config $top/configs/ikheaders-arm64.config"
		;;
	llvm)
		# also runs the kselftests through make, in the tree and O=
		ways=3
		makevars="LLVM=1"
		frags="$frags $top/configs/llvm.config"
		;;
	*)
		frags="$frags $top/configs/ikheaders-$1.config"
		;;
	esac
}

# guest_path PATH: PATH as the guest sees it (the arm64 guest has the
# host's root at /host)
guest_path() {
	if [ "$garch" = arm64 ]; then
		echo "/host$1"
	else
		echo "$1"
	fi
}

vm_suite() {
	version=$1
	cfg=$2
	odir=$build/$version/$cfg
	what="linux-$version $cfg"
	t0=$(date +%s)
	cfg_setup "$cfg"
	echo "== $what: building in $odir${makevars:+ ($makevars)}"
	# shellcheck disable=SC2086 # file names without blanks
	if ! out=$(KH_MAKEVARS=$makevars KH_MAKE_TARGETS=$targets KH_HIDE_DIR=$hide \
		sh "$top/harness/build-kernel.sh" "$tree" "$odir" $frags 2>&1); then
		printf '%s\n' "$out" | sed 's/^/# /'
		flunk "$what: kernel builds"
		return
	fi
	pass "$what: ${targets:-kernel} builds ($(elapsed "$t0"))"
	if [ -n "$targets" ]; then
		count_tap "$cfg" env KH_MAKE_TARGETS="$targets" \
			sh "$top/harness/cross-checks.sh" "$tree" "$odir" "$makevars"
		return
	fi

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
		# the arm64 boot images, made on the x86 host
		if [ "$garch" = arm64 ]; then
			for img in Image Image.gz; do
				if "$tree/scripts/extract-ikheaders" "$odir/arch/arm64/boot/$img" \
					> "$odir/none.out" 2> "$odir/none.err"; then
					flunk "$what: extract-ikheaders $img (=m) fails"
				elif [ -s "$odir/none.out" ] || ! grep -q 'no kheaders archive found' "$odir/none.err"; then
					sed 's/^/# /' "$odir/none.err"
					flunk "$what: extract-ikheaders $img (=m): clear error, no output"
				else
					pass "$what: extract-ikheaders $img (=m) fails with a clear error"
				fi
			done
		fi
	else
		for img in vmlinux "$image"; do
			if extract "$odir" "$odir/$img"; then
				pass "$what: extract-ikheaders ${img##*/} gives the archive"
			else
				flunk "$what: extract-ikheaders ${img##*/} gives the archive"
			fi
		done
	fi

	# the archive of a cross-compiled kernel: its programs, its builds
	if [ "$garch" != x86_64 ]; then
		count_tap "$cfg" sh "$top/harness/cross-checks.sh" "$tree" "$odir" "$makevars"
	fi

	rm -rf "$odir/kselftest"
	# shellcheck disable=SC2086 # make variables, one word each
	if ! out=$(make -C "$tree/tools/testing/selftests" TARGETS=kheaders $makevars \
		O="$odir/kselftest-build" INSTALL_PATH="$odir/kselftest" install 2>&1); then
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
		flunk "$what: kselftest installs"
		return
	fi

	job=$odir/kh-job.sh
	ksrc_arg=
	[ "$ways" -eq 1 ] || ksrc_arg=$(guest_path "$tree")
	printf 'sh %s %s %s %s %s %s\n' "$(guest_path "$top/harness/guest-selftest.sh")" \
		"$(guest_path "$odir/modroot")" "$(guest_path "$odir/kselftest")" \
		"$(guest_path "$odir")" "$(guest_path "$odir/extracted.tar.xz")" \
		"$ksrc_arg" > "$job"
	echo "== $what: booting ($garch)"
	t0=$(date +%s)
	KH_GUEST_ARCH=$garch KH_GUEST_ROOT=${arm64_root:-} \
		sh "$top/harness/vm-run.sh" "$odir/$image" "$job" \
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
	[ $((p + f)) -eq 5 ] || flunk "$what: guest-checks.sh gave its 5 results (got $((p + f)))"

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
	sed -n 's/^KH-WAY: /# way: /p' "$odir/vm.log"
	for t in kheaders_test.sh kheaders_symvers.sh kheaders_stress.sh; do
		n_ok=$(grep -c "^ok [0-9]* selftests: kheaders: $t\$" "$odir/vm.log")
		if [ "$n_ok" -eq "$ways" ] && [ "$rc" -eq 0 ]; then
			pass "$what: kselftest $t passed in the guest ($ways way(s) of running it)"
		else
			grep -E "^(not )?ok [0-9]* selftests: kheaders: $t|Kernel panic|BUG:|Oops" \
				"$odir/vm.log" | sed 's/^/# /'
			flunk "$what: kselftest $t passed in the guest, $ways way(s) (passed $n_ok, VM exit $rc)"
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
		6.12) configs="debug llvm arm64 llvm-arm64 arm64-nolibc i386-prep i686-prep armhf-prep ppc64le-prep" ;;
		*) configs="m y arm64-prep" ;;
		esac
	fi
	for cfg in $configs; do
		if [ "$cfg" = arm64 ] && [ -z "${arm64_root:-}" ]; then
			t0=$(date +%s)
			if arm64_root=$(sh "$top/harness/arm64-root.sh" "$build" 2> "$build/arm64-root.err"); then
				pass "arm64 Debian userland for the guest ($(elapsed "$t0"))"
			else
				sed 's/^/# /' "$build/arm64-root.err"
				flunk "arm64 Debian userland for the guest"
				arm64_root=
				continue
			fi
		fi
		vm_suite "$version" "$cfg"
	done
done

# RANDSTRUCT kernels: no secret of the build in the archive
case " $versions " in
*" 6.12 "*)
	if [ -z "${KH_CONFIGS:-}" ] || [ -n "${KH_SECRETS:-}" ]; then
		echo "== secrets-checks.sh (linux-6.12 RANDSTRUCT, GCC plugin and clang; no VM)"
		count_tap secrets sh "$top/harness/secrets-checks.sh" "$build"
	fi
	;;
esac

fast_results

# The fast suite touches and adds files in a tree of its own, not in those
# the kernels above were built from.
for version in $versions; do
	changed=$(find "$build/src/linux-$version" -newer "$build/.vm-trees-start" | head -n 5)
	if [ -z "$changed" ]; then
		pass "linux-$version: the VM suite's source tree unchanged while it ran"
	else
		printf '%s\n' "$changed" | sed 's/^/# changed: /'
		flunk "linux-$version: the VM suite's source tree unchanged while it ran"
	fi
done
finish
