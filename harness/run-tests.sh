#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every test of the project ("make test"):
#   - the fast suite (fast-tests.sh: no VM, a prepared 6.12 tree), started
#     first and run beside the rest, its results shown as they come;
#   - for each kernel tree (KH_VERSIONS) and each of its configurations
#     (KH_CONFIGS, else kh_configs in harness/lib/configs.sh),
#     vm-config.sh: the kernel built, checked on the host and, unless
#     only prepared, booted in QEMU to run guest-checks.sh and the
#     kselftests.  The kernels are built one after the other (those
#     booted first, then those only checked on the host, which run beside
#     the guests), each once the one before is built and checked on the
#     host; the guests boot one at a time (vm-config.sh takes
#     BUILD_DIR/.guest.lock), each beside the builds that follow it;
#   - the arm64 userland for the arm64 guests made (arm64-root.sh) beside
#     the first kernel;
#   - secrets-checks.sh (RANDSTRUCT kernels of 6.12 and 7.3, no VM), after the last
#     kernel, beside the last guests;
#   - the trees the kernels were built from were not changed meanwhile.
# Every result goes in a ledger; the end is a table per configuration
# (passed, failed, skipped, time, the failures by name) and the line
# "N passed, N failed, N skipped".  The exit status is non-zero when
# anything failed.  harness/README.md lists what each part checks.
#
# Usage: run-tests.sh [BUILD_DIR]
# Environment: KH_VERSIONS (default "7.3 6.12 6.1"), KH_CONFIGS,
#   KH_VM_TIMEOUT (seconds per boot, default 3000), KH_NO_FAST (set: no
#   fast suite, counted skipped), KH_SECRETS (set: secrets-checks.sh also
#   when KH_CONFIGS is set; it always runs without KH_CONFIGS), KH_CCACHE
#   (1 or 0: compile through ccache or not; default: through ccache
#   unless its cache is empty)

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
build=$(mkdir -p "${1:-$top/build}" && cd "${1:-$top/build}" && pwd) || exit 1
versions=${KH_VERSIONS:-7.3 6.12 6.1}
start=$(date +%s)
KH_LEDGER=
kh_ledger "$build"

finish() {
	[ -z "$fast_pid" ] || wait "$fast_pid"
	grep -q '^fast	time' "$KH_LEDGER" || [ -n "${KH_NO_FAST:-}" ] ||
		kh_record fast 1 "the fast suite ran to its end"
	kh_cpu
	echo "== make test took $(($(date +%s) - start))s, $kh_cpu_s s of CPU time" \
		"($(nproc) CPUs, load $(cut -d ' ' -f 1-3 /proc/loadavg)); results below and in $KH_LEDGER"
	kh_table
	exit
}
fast_pid=

# The fast suite works on 6.12, secrets-checks.sh on 6.12 and 7.3, whatever KH_VERSIONS
# says.  What the fast suite and the first kernel need is installed first;
# the rest (cross compilers, the arm64 guest's, RANDSTRUCT's, the guests'
# tools) while they run, before anything that needs it starts.
# shellcheck disable=SC2086 # one word per version
sh "$top/harness/deps.sh" $versions 6.12 7.3 llvm
kh_record setup $? "the packages needed first are installed" || finish
rm -f "$build/.deps-rest"
( sh "$top/harness/deps.sh" arm64 randstruct cross tools > "$build/deps-rest.log" 2>&1
	echo $? > "$build/.deps-rest.new" && mv "$build/.deps-rest.new" "$build/.deps-rest" ) &
deps_pid=$!
# deps_rest: wait for the rest of the packages, recorded once
deps_rest() {
	[ -n "$deps_pid" ] || return 0
	wait "$deps_pid"
	deps_pid=
	[ "$(cat "$build/.deps-rest" 2>/dev/null)" = 0 ]
	kh_record setup $? "the other packages needed are installed" || tap_diag < "$build/deps-rest.log"
}
for version in $versions; do
	sh "$top/harness/ksrc.sh" "$version" "$build" > /dev/null 2> "$build/ksrc-$version.log"
	kh_record setup $? "linux-$version tree prepared" || tap_diag < "$build/ksrc-$version.log"
done
touch "$build/.vm-trees-start"

# From an empty ccache every compile misses and costs a third more through
# ccache: this run compiles without it (fast/ccache.sh still checks the
# build through ccache), and the next one, with the cache that test left,
# fills it.  KH_CCACHE=1 or 0 decides instead.
if [ -z "${KH_CCACHE:-}" ] && kh_ccache_cold; then
	echo "== ccache's cache is empty: the kernels build without ccache (KH_CCACHE=1 to use it)"
	KH_CCACHE=0
	export KH_CCACHE
fi

if [ -n "${KH_NO_FAST:-}" ]; then
	# for working on the VM suite only; make test never sets it
	printf 'fast\tskip\tnot run (KH_NO_FAST)\n' >> "$KH_LEDGER"
else
	echo "== fast suite (linux-6.12, no VM), beside the VM suite; prepare log $build/6.12/check-setup.log"
	sh "$top/harness/fast-tests.sh" "$build" &
	fast_pid=$!
fi

# The configurations, as "VERSION CFG" lines: those booted first, so that
# their guests, which run one at a time, start early, and the builds
# checked on the host alone (and secrets-checks.sh) run beside them
for pass in boot host; do
	for version in $versions; do
		[ -f "$build/src/linux-$version.unpacked" ] || continue
		for cfg in ${KH_CONFIGS:-$(kh_configs "$version")}; do
			# kh_config empties targets first, also for an unknown CFG
			kh_config "$version" "$cfg" 2> /dev/null || true
			if [ -z "$targets" ]; then
				[ $pass = boot ] && echo "$version $cfg"
			else
				[ $pass = host ] && echo "$version $cfg"
			fi
		done
	done
done > "$build/.vm-configs"

# The arm64 userland, made beside the first kernels
root_pid=
if grep -q ' arm64$' "$build/.vm-configs" && [ -z "${KH_GUEST_ROOT:-}" ]; then
	root_t0=$(date +%s)
	# mmdebstrap is among the packages installed meanwhile
	( while [ ! -e "$build/.deps-rest" ]; do sleep 2; done
	  sh "$top/harness/arm64-root.sh" "$build" > "$build/.arm64-root" ) &
	root_pid=$!
fi

# Each configuration starts once the one before has its kernel built and
# checked on the host; its guest may still run or wait for the one before.
pids=
first=1
while read -r version cfg; do
	[ -n "$first" ] || deps_rest
	first=
	if [ "$cfg" = arm64 ] && [ -n "$root_pid" ]; then
		wait "$root_pid"
		kh_record setup $? "arm64 Debian userland for the guest ($(($(date +%s) - root_t0))s)" &&
			KH_GUEST_ROOT=$(cat "$build/.arm64-root") && export KH_GUEST_ROOT
		root_pid=
	fi
	if [ "$cfg" = arm64 ] && [ -z "${KH_GUEST_ROOT:-}" ]; then
		kh_record "$version $cfg" 1 "not run: no arm64 userland for its guest"
		continue
	fi
	done_file=$build/.host-done-$version-$cfg
	rm -f "$done_file"
	echo "== linux-$version $cfg: $build/$version/$cfg"
	KH_HOST_DONE=$done_file KH_GUEST_LOCK=$build/.guest.lock kh_tap "$version $cfg" \
		sh "$top/harness/vm-config.sh" "$version" "$cfg" "$build" < /dev/null &
	running=$!
	pids="$pids $running"
	while [ ! -e "$done_file" ] && kill -0 "$running" 2> /dev/null; do
		sleep 2
	done
done < "$build/.vm-configs"

deps_rest
# RANDSTRUCT kernels: no secret of the build in the archive
case " $versions " in
*" 6.12 "*)
	if [ -z "${KH_CONFIGS:-}" ] || [ -n "${KH_SECRETS:-}" ]; then
		echo "== secrets-checks.sh (RANDSTRUCT: 6.12 with the GCC plugin, 7.3 with clang; no VM)"
		# in a subshell of its own, whose "times" count its processes
		# alone, not the configurations' that end meanwhile
		kh_tap secrets sh "$top/harness/secrets-checks.sh" "$build" &
		pids="$pids $!"
	fi
	;;
esac
for pid in $pids $root_pid; do
	wait "$pid"
done

[ -z "$fast_pid" ] || wait "$fast_pid"
fast_pid=
# The fast suite touches and adds files in a tree of its own, not in those
# the kernels above were built from.
for version in $versions; do
	changed=$(find "$build/src/linux-$version" -newer "$build/.vm-trees-start" | head -n 5)
	[ -z "$changed" ]
	kh_record setup $? "linux-$version: the VM suite's source tree unchanged while it ran" ||
		printf '%s\n' "$changed" | sed 's/^/# changed: /'
done
finish
