# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The harness's one library, sourced by its scripts after they set $top to
# the repository (the kselftests have their own, kheaders_lib.sh):
#   TAP         tap_result, tap_skip, tap_test, tap_diag, tap_done, fail
#   results     kh_record, kh_tap, kh_tally, kh_time, kh_table: the
#               ledger that the runners' final table is made from
#   progress    kh_run, kh_wait: a long step, its log, a line a minute
#   configs     kh_config, kh_configs: the kernels the harness builds
#   trees       kh_unpack: a Debian linux-source tarball, unpacked once
#   make        kh_ccache, kh_make
#   fast suite  fast_setup, fast_test and the generator helpers that the
#               files of harness/fast/ share

: "${top:?harness/lib.sh: the sourcing script sets top to the repository}"

# --- TAP ----------------------------------------------------------------------

tap_n=0
tap_passed=0
tap_failed=0
tap_skipped=0

# tap_result STATUS DESCRIPTION: the next result, "ok" when STATUS is 0
tap_result() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		tap_passed=$((tap_passed + 1))
		echo "ok $tap_n $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n $2"
	fi
}

# tap_skip DESCRIPTION REASON
tap_skip() {
	tap_n=$((tap_n + 1))
	tap_skipped=$((tap_skipped + 1))
	echo "ok $tap_n $1 # SKIP $2"
}

# tap_diag: standard input as TAP diagnostics
tap_diag() {
	sed 's/^/# /'
}

# tap_test DESCRIPTION COMMAND...: a result, passed when COMMAND (a shell
# function, run in a subshell) returns 0; the last of what it printed is
# shown when it fails
tap_test() {
	tap_desc=$1
	shift
	if tap_out=$("$@" 2>&1); then
		tap_result 0 "$tap_desc"
	else
		tap_result 1 "$tap_desc"
		printf '%s\n' "$tap_out" | tail -n 25 | tap_diag
	fi
}

# tap_done: the plan and the count; returns non-zero when anything failed
tap_done() {
	echo "1..$tap_n"
	echo "$tap_passed passed, $tap_failed failed, $tap_skipped skipped"
	[ "$tap_failed" -eq 0 ]
}

# fail MESSAGE: print it and return 1 (in a test: fail "why" || return 1)
fail() {
	echo "$*"
	return 1
}

# --- results: the ledger ----------------------------------------------------
#
# The runners (run-tests.sh, fast-tests.sh) put every result in a ledger,
# $KH_LEDGER, one line each: LABEL <tab> pass|fail|skip|time <tab> WHAT.
# Steps that run at the same time (the fast suite beside the VM suite)
# append to it; kh_table sums it up.

# kh_ledger BUILD_DIR: use $KH_LEDGER, or start one in BUILD_DIR and set
# kh_ledger_own (the caller then prints the table)
# shellcheck disable=SC2034 # kh_ledger_own is the caller's
kh_ledger() {
	kh_ledger_own=
	[ -z "${KH_LEDGER:-}" ] || [ ! -f "$KH_LEDGER" ] || return 0
	kh_ledger_own=1
	KH_LEDGER=$1/results.ledger
	export KH_LEDGER
	: > "$KH_LEDGER"
}

# kh_record LABEL STATUS WHAT: one result of a runner's own, passed when
# STATUS is 0; returns 1 when it failed
kh_record() {
	if [ "$2" -eq 0 ]; then
		echo "$1: ok - $3"
		printf '%s\tpass\t%s\n' "$1" "$3" >> "$KH_LEDGER"
	else
		echo "$1: not ok - $3"
		printf '%s\tfail\t%s\n' "$1" "$3" >> "$KH_LEDGER"
		return 1
	fi
}

# kh_time LABEL SECONDS: time spent on LABEL (added up by kh_table)
kh_time() {
	printf '%s\ttime\t%s\n' "$1" "$2" >> "$KH_LEDGER"
}

# kh_tally LABEL: TAP on standard input, shown line by line as it comes as
# "LABEL: LINE", its results put in the ledger.  A stream without its plan
# ("1..N"; several streams one after the other: each with its plan), or
# with another number of results than the plans add up to, is one
# more failure.
kh_tally() {
	kh_n=0
	kh_plan=0
	kh_planned=
	kh_bail=
	while IFS= read -r kh_line; do
		echo "$1: $kh_line"
		case $kh_line in
		1..*)
			kh_num=${kh_line#1..}
			kh_num=${kh_num%%[!0-9]*}
			kh_plan=$((kh_plan + ${kh_num:-0}))
			kh_planned=1
			;;
		"not ok" | "not ok "*) kh_put "$1" fail "$kh_line" ;;
		"ok "*"# SKIP"* | "ok "*"#SKIP"*) kh_put "$1" skip "$kh_line" ;;
		ok | "ok "*) kh_put "$1" pass "$kh_line" ;;
		"Bail out!"*) kh_bail=$kh_line ;;
		esac
	done
	[ -z "$kh_planned" ] || [ "$kh_plan" -ne "$kh_n" ] || return 0
	if [ -n "$kh_planned" ]; then
		kh_why="planned $kh_plan results, gave $kh_n"
	else
		kh_why="ended without its plan"
	fi
	kh_record "$1" 1 "$kh_why${kh_bail:+, $kh_bail}"
}

# kh_put LABEL STATUS LINE: a result line of kh_tally's in the ledger
kh_put() {
	kh_n=$((kh_n + 1))
	printf '%s\t%s\t%s\n' "$1" "$2" \
		"$(printf '%s\n' "$3" | sed 's/^\(not \)\{0,1\}ok *[0-9]* *-\{0,1\} *//')" >> "$KH_LEDGER"
}

# kh_tap LABEL COMMAND...: run COMMAND, which prints TAP, tally it under
# LABEL and record its time
kh_tap() {
	kh_tap_label=$1
	shift
	kh_tap_t0=$(date +%s)
	"$@" 2>&1 | kh_tally "$kh_tap_label"
	kh_time "$kh_tap_label" $(($(date +%s) - kh_tap_t0))
}

# kh_table: per label, results and time, the failures by name; last the
# line "N passed, N failed, N skipped".  Returns non-zero when anything
# failed.
kh_table() {
	awk -F '\t' '
	!($1 in seen) { seen[$1] = 1; order[++n] = $1 }
	$2 == "time" { t[$1] += $3; next }
	{ c[$1, $2]++; total[$2]++ }
	$2 == "fail" { bad[++nb] = $1 ": " $3 }
	function mmss(s) { return sprintf("%dm%02ds", s / 60, s % 60) }
	END {
		printf "\n%-24s %7s %7s %8s %9s\n", "", "passed", "failed", "skipped", "time"
		for (i = 1; i <= n; i++) {
			l = order[i]
			printf "%-24s %7d %7d %8d %9s\n", l, c[l, "pass"], c[l, "fail"],
				c[l, "skip"], (l in t) ? mmss(t[l]) : "-"
		}
		for (i = 1; i <= nb; i++)
			print "failed: " bad[i]
		printf "%d passed, %d failed, %d skipped\n", total["pass"], total["fail"], total["skip"]
		exit total["fail"] > 0
	}' "$KH_LEDGER"
}

# --- progress -----------------------------------------------------------------

# kh_wait LABEL LOG PID: wait for PID; meanwhile, every minute, how long
# it has run and the last line of LOG (a build's: its last Kbuild target).
# Returns PID's status.
kh_wait() {
	(
		t0=$(date +%s)
		next=60
		while kill -0 "$3" 2>/dev/null; do
			sleep 5
			s=$(($(date +%s) - t0))
			[ "$s" -ge "$next" ] || continue
			next=$((next + 60))
			last=$(tail -n 5 "$2" 2>/dev/null | tr -d '\r' | grep . | tail -n 1 |
				sed 's/^ *//; s/  */ /g' | cut -c 1-100)
			echo >&2 "$1: $((s / 60)) min${last:+, last: $last}"
		done
	) &
	kh_ticker=$!
	wait "$3"
	kh_rc=$?
	kill "$kh_ticker" 2>/dev/null
	wait "$kh_ticker" 2>/dev/null
	return $kh_rc
}

# kh_run LABEL LOG COMMAND...: run COMMAND with its output in LOG, saying
# so on standard error, with kh_wait's progress lines
kh_run() {
	kh_run_label=$1
	kh_run_log=$2
	shift 2
	echo >&2 "$kh_run_label: log $kh_run_log"
	"$@" > "$kh_run_log" 2>&1 &
	kh_wait "$kh_run_label" "$kh_run_log" $!
}

# --- configurations -----------------------------------------------------------

# kh_configs VERSION: the configurations make test builds of that tree
kh_configs() {
	case $1 in
	6.12) echo "debug llvm arm64 llvm-arm64 arm64-nolibc i386-prep i686-prep armhf-prep ppc64le-prep" ;;
	# 6.1: one booted kernel (both forms as modules); built in is
	# booted on 6.12 (llvm), and "y" stays for KH_CONFIGS=y
	*) echo "m arm64-prep" ;;
	esac
}

# kh_config VERSION CFG: the configuration CFG of tree VERSION, as
#   frags     its config fragments (configs/), in order
#   makevars  the make variables choosing target and tools
#   targets   what is built ("prepare kernel/kheaders.o": checked on the
#             host, not booted; empty: the kernel and its modules)
#   hide      a directory hidden during configuration and build
#   garch     the target's architecture, image its boot image
#   ways      how many ways the guest runs the kselftests (the first
#             runs them all, each further one kheaders_stress.sh)
#   selftests the kselftests the guest runs the first way (empty: all)
# Returns 1 for an unknown CFG.
# shellcheck disable=SC2034 # the variables are the caller's
kh_config() {
	makevars=
	targets=
	hide=
	ways=1
	selftests=
	garch=x86_64
	image=arch/x86/boot/bzImage
	frags="$top/configs/base.config"
	[ ! -f "$top/configs/linux-$1.config" ] || frags="$frags $top/configs/linux-$1.config"
	arm64_frags="$top/configs/arch-arm64.config $top/configs/ikheaders-arm64.config"
	image_m="$top/configs/image-m.config"
	case $2 in
	y | off)
		# "off": no kheaders, for the benchmark
		frags="$frags $top/configs/ikheaders-$2.config"
		;;
	m)
		# the archive and the image, each a module
		frags="$frags $top/configs/ikheaders-m.config $image_m"
		;;
	debug)
		# and bcc and bpftrace in its guest
		frags="$frags $top/configs/ikheaders-debug.config $image_m $top/configs/bpf.config"
		# the kselftests of concurrency and memory, where KASAN,
		# lockdep and kmemleak look; the module builds of the others
		# (three times slower here) run on the kernels below
		selftests="kheaders_stress.sh kheaders_symvers_file.sh kheaders_image.sh"
		;;
	llvm)
		# built in, archive and image, with clang; the guest also runs
		# the kselftests through make, in the tree and with O=
		makevars="LLVM=1"
		ways=3
		frags="$frags $top/configs/llvm.config $top/configs/image-y.config"
		;;
	arm64)
		makevars="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
		garch=arm64
		image=arch/arm64/boot/Image
		frags="$frags $arm64_frags $image_m"
		;;
	arm64-prep | arm64-nolibc | llvm-arm64)
		makevars="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
		targets="prepare kernel/kheaders.o kernel/kheaders_image.o"
		garch=arm64
		frags="$frags $arm64_frags $image_m"
		# configured and built without the target's C library
		[ "$2" != arm64-nolibc ] || hide=/usr/aarch64-linux-gnu/lib
		# cross-built with clang alone
		[ "$2" != llvm-arm64 ] || makevars="ARCH=arm64 LLVM=1"
		;;
	i386-prep | i686-prep | armhf-prep | ppc64le-prep)
		case $2 in
		i386-prep) makevars="ARCH=i386" ;;
		i686-prep) makevars="ARCH=i386 CROSS_COMPILE=i686-linux-gnu-" ;;
		armhf-prep) makevars="ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf-" ;;
		ppc64le-prep) makevars="ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-" ;;
		esac
		targets="prepare kernel/kheaders.o"
		garch=${2%-prep}
		[ "$garch" != i686 ] || garch=i386
		frags="$top/configs/cross-prep.config $top/configs/arch-$garch.config"
		;;
	randstruct-gcc | randstruct-clang)
		# RANDSTRUCT by the GCC plugin, and by clang 16; the image too
		targets="prepare kernel/kheaders.o kernel/kheaders_image.o"
		[ "$2" != randstruct-clang ] || makevars="LLVM=-16"
		frags="$top/configs/$2.config $image_m"
		;;
	*)
		return 1
		;;
	esac
}

# --- trees --------------------------------------------------------------------

# kh_unpack VERSION DIR: Debian's linux-source-VERSION unpacked as DIR,
# once: a marker DIR.unpacked says it is complete and newer than the
# tarball
kh_unpack() {
	kh_tarball=/usr/src/linux-source-$1.tar.xz
	[ -f "$kh_tarball" ] ||
		{ echo >&2 "$kh_tarball missing (apt-get install linux-source-$1)"; return 1; }
	if [ -f "$2.unpacked" ] && [ -z "$(find "$kh_tarball" -newer "$2.unpacked")" ]; then
		return 0
	fi
	echo >&2 "unpacking $kh_tarball as $2"
	rm -rf "$2" "$2.tmp" "$2.unpacked"
	mkdir -p "$2.tmp"
	tar -xf "$kh_tarball" -C "$2.tmp" &&
		mv "$2.tmp/linux-source-$1" "$2" &&
		rmdir "$2.tmp" &&
		touch "$2.unpacked"
}

# --- make ---------------------------------------------------------------------

# kh_ccache BUILD_DIR: compile through ccache when it is installed, with
# the paths below BUILD_DIR hashed the same in any checkout
kh_ccache() {
	[ -d /usr/lib/ccache ] || return 0
	case :$PATH: in
	*:/usr/lib/ccache:*) ;;
	*) PATH=/usr/lib/ccache:$PATH ;;
	esac
	CCACHE_BASEDIR=$1
	export PATH CCACHE_BASEDIR
}

# kh_make TREE ODIR "MAKE VARIABLES" ARGUMENT...: Kbuild's make in ODIR,
# one job per CPU
kh_make() {
	kh_make_tree=$1
	kh_make_odir=$2
	kh_make_vars=$3
	shift 3
	# shellcheck disable=SC2086 # make variables, one word each
	make -C "$kh_make_tree" O="$kh_make_odir" -j"$(nproc)" $kh_make_vars "$@"
}

# --- the fast suite -------------------------------------------------------------
#
# Its files (harness/fast/*.sh) work on one prepared object tree: make
# prepare and kernel/kheaders.o of the =m configuration of 6.12, in
# BUILD_DIR/6.12/check, from a source tree of its own
# (BUILD_DIR/src/linux-6.12-fast), which they touch and add files to.
# Each file leaves both as it found them.

# fast_setup BUILD_DIR: $tree, $odir, $stock and a fresh $scratch (removed
# on exit), the tree prepared unless KH_FAST_READY says it is
# shellcheck disable=SC2034 # the variables are the caller's
fast_setup() {
	build=$(mkdir -p "$1" && cd "$1" && pwd) || exit 1
	version=6.12
	odir=$build/$version/check
	stock=$build/src/stock-$version
	archive=kernel/kheaders_data.tar.xz
	stamp=kernel/kheaders.md5
	XZ=${XZ:-xz}
	export XZ
	mkdir -p "$build/$version"
	echo "TAP version 13"
	tree=$(sh "$top/harness/ksrc.sh" "$version" "$build" "linux-$version-fast" \
		2> "$build/$version/check-ksrc.log") || {
		tap_diag < "$build/$version/check-ksrc.log"
		echo "Bail out! cannot prepare the $version tree"
		exit 1
	}
	if [ -z "${KH_FAST_READY:-}" ] && ! fast_prepare > "$build/$version/check-setup.log" 2>&1; then
		tail -n 30 "$build/$version/check-setup.log" | tap_diag
		echo "Bail out! cannot prepare $odir"
		exit 1
	fi
	scratch_top=$(mktemp -d "$build/$version/fast-scratch.XXXXXX") || exit 1
	# shellcheck disable=SC2064 # the path, now
	trap "rm -rf '$scratch_top'" EXIT
	scratch=$scratch_top/s
}

# fast_prepare: make prepare kernel/kheaders.o in $odir
fast_prepare() {
	kh_config "$version" m
	# shellcheck disable=SC2086 # file names without blanks
	KH_MAKE_TARGETS="prepare kernel/kheaders.o" \
		sh "$top/harness/build-kernel.sh" "$tree" "$odir" $frags
}

# fast_test DESCRIPTION FUNCTION: tap_test with an empty $scratch
fast_test() {
	rm -rf "$scratch" && mkdir -p "$scratch"
	tap_test "$@"
}

# gen [VAR=value...]: run the generator the way kernel/Makefile does, for
# $archive (the archive, or the image); GEN_RUN is a command to run it
# under, GEN the generator, GEN_ARCHIVE another output, GEN_ODIR and
# GEN_TREE another object and source tree
gen() {
	# shellcheck disable=SC2086 # GEN_RUN is a command and its arguments
	(cd "${GEN_ODIR:-$odir}" && env srctree="${GEN_TREE:-$tree}" SRCARCH=x86 "$@" \
		${GEN_RUN:-} sh "${GEN:-$tree/kernel/gen_kheaders.sh}" "${GEN_ARCHIVE:-$archive}" \
		kernel/kheaders_tar kernel/kheaders_module.lds)
}

# ident, stamp_ident: inode and modification time, which change when the
# archive (its stamp) is rewritten
ident() {
	stat -c '%i %.9Y' "$odir/$archive"
}
stamp_ident() {
	stat -c '%i %.9Y' "$odir/$stamp"
}

members() {
	tar -tJf "$odir/$archive"
}

# expect_regen [VAR=value...]: the generator runs, says GEN and writes a
# new archive
expect_regen() {
	before=$(ident)
	out=$(gen "$@") || fail "generator failed: $out" || return 1
	case $out in *GEN*) ;; *) fail "did not regenerate: $out" || return 1 ;; esac
	[ "$(ident)" != "$before" ] || fail "archive not rewritten"
}

# expect_noop [VAR=value...]: the generator says nothing, writes nothing
expect_noop() {
	before=$(ident)
	out=$(gen "$@") || fail "generator failed: $out" || return 1
	[ -z "$out" ] || fail "expected no output, got: $out" || return 1
	[ "$(ident)" = "$before" ] || fail "archive was rewritten"
}

# expect_fast_noop: expect_noop without even reading the files again (the
# stamp is rewritten when they had to be read to be found unchanged)
expect_fast_noop() {
	st=$(stamp_ident)
	expect_noop "$@" || return 1
	[ "$(stamp_ident)" = "$st" ] || fail "contents were read again (stamp rewritten)"
}
