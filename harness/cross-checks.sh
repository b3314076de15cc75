#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Checks on the build host of the kheaders archive of a kernel built for
# another machine (run-tests.sh runs them on the arm64, armhf, i386 and
# ppc64le builds after they are built):
#   - the kernel was seen to be built for another machine
#     (CONFIG_IKHEADERS_CROSS); fixdep, modpost and genksyms are in the
#     archive, static executables for the target when
#     CONFIG_IKHEADERS_TARGET_PROGS is set, else stand-ins that stop a
#     module build saying why; so is objtool with CONFIG_OBJTOOL; no
#     program of the archive is for another machine than the target;
#   - the image of /dev/kheaders, when built, has the same programs;
#   - with CONFIG_IKHEADERS_TARGET_PROGS, without the target's static C
#     library the build stops with an error that names it, and leaves no
#     archive and no stamp;
#   - the archive made again from scratch (target programs included) is
#     the same bytes, and bison ran once for genksyms' grammar;
#   - a no-op build rewrites neither the archive, its stamp nor the target
#     programs;
#   - on a tree that is only prepared (KH_MAKE_TARGETS set), "make clean"
#     removes the archive, its stamp and the target programs' directory.
# Prints TAP.
#
# Usage: cross-checks.sh KSRC ODIR "MAKE VARIABLES"
# KH_MAKE_TARGETS: what the tree's build made ("prepare kernel/kheaders.o"
# for a tree that is only prepared); the no-op build makes that again.
# Default: the whole kernel.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/harness/lib.sh"
ksrc=$(cd "$1" && pwd) || exit 1
odir=$(cd "$2" && pwd) || exit 1
makevars=$3
archive=$odir/kernel/kheaders_data.tar.xz
stamp=$odir/kernel/kheaders.md5
progs=$odir/kernel/kheaders_target
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

kmake() {
	kh_make "$ksrc" "$odir" "$makevars" "$@"
}

case $makevars in
*ARCH=arm64*) machine="ARM aarch64" libdir=/usr/aarch64-linux-gnu/lib ;;
*ARCH=arm\ *) machine="ARM, EABI5" libdir=/usr/arm-linux-gnueabihf/lib ;;
*ARCH=i386*CROSS_COMPILE=i686-linux-gnu-*) machine="Intel 80386" libdir=/usr/i686-linux-gnu/lib ;;
*ARCH=i386*) machine="Intel 80386" libdir=/usr/lib32 ;;
*ARCH=powerpc*) machine="64-bit PowerPC" libdir=/usr/powerpc64le-linux-gnu/lib ;;
*) echo "Bail out! no target machine known for '$makevars'"; exit 1 ;;
esac
set_in_config() {
	grep -qx "CONFIG_$1=y" "$odir/.config"
}
target_progs=
! set_in_config IKHEADERS_TARGET_PROGS || target_progs=1

image=$odir/kernel/kheaders_image.sqfs
plan=4
[ -z "${KH_MAKE_TARGETS:-}" ] || plan=$((plan + 1))
[ ! -f "$image" ] || plan=$((plan + 1))
echo "TAP version 13"
echo "1..$plan"
[ -f "$archive" ] || { echo "Bail out! no archive $archive"; exit 1; }
cp "$archive" "$work/reference.tar.xz"

# 1: the archive's programs
mkdir "$work/x"
tar -xJf "$archive" -C "$work/x" scripts tools 2> /dev/null
ok=0
set_in_config IKHEADERS_CROSS || { echo "# CONFIG_IKHEADERS_CROSS is not set"; ok=1; }
want="scripts/basic/fixdep scripts/mod/modpost"
! set_in_config MODVERSIONS || want="$want scripts/genksyms/genksyms"
! set_in_config OBJTOOL || want="$want tools/objtool/objtool"
for f in $want; do
	[ -f "$work/x/$f" ] || { echo "# missing: $f"; ok=1; continue; }
	what=$(file -b "$work/x/$f")
	if [ -n "$target_progs" ] && [ "$f" != tools/objtool/objtool ]; then
		case $what in
		*"$machine"*"statically linked"*) echo "# $f: $machine, static" ;;
		*) echo "# $f: $what, not a static $machine executable"; ok=1 ;;
		esac
		continue
	fi
	# a stand-in: stops, naming what the archive lacks
	why=CONFIG_IKHEADERS_TARGET_PROGS
	[ "$f" != tools/objtool/objtool ] || why=CONFIG_OBJTOOL
	if "$work/x/$f" > "$work/standin.out" 2>&1; then
		echo "# $f: a stand-in that succeeds"; ok=1
	elif ! grep -q "stand-in.*no ${f##*/} that runs here" "$work/standin.out" ||
	     ! grep -q "$why" "$work/standin.out"; then
		echo "# $f ($what) said:"; tap_diag < "$work/standin.out"; ok=1
	else
		echo "# $f: a stand-in naming $why"
	fi
done
count=0
for f in $(find "$work/x" -type f -perm -u+x | sort); do
	what=$(file -b "$f")
	case $what in
	ELF*) count=$((count + 1)) ;;
	*) continue ;;
	esac
	case $what in
	*"$machine"*"statically linked"*) ;;
	*) echo "# ${f#"$work/x/"}: $what"; ok=1 ;;
	esac
done
if [ -n "$target_progs" ]; then
	tap_result $ok "the archive's $count programs are static $machine executables; stand-ins for the rest"
else
	tap_result $ok "without CONFIG_IKHEADERS_TARGET_PROGS: stand-ins that say why, no program for another machine"
fi

# 1b: the image of /dev/kheaders, when built, has the same programs
if [ -f "$image" ]; then
	ok=0
	mkdir "$work/y"
	sqfs2tar "$image" 2> "$work/sqfs2tar.err" | tar -xf - -C "$work/y" ||
		{ tap_diag < "$work/sqfs2tar.err"; ok=1; }
	n=0
	for f in $(cd "$work/x" && find . -type f -perm -u+x | sort); do
		n=$((n + 1))
		cmp -s "$work/x/$f" "$work/y/$f" || { echo "# the image's $f differs"; ok=1; }
	done
	tap_result $ok "the image of /dev/kheaders has the archive's $n programs, byte for byte"
fi

# 2: no static C library for the target: a clear error, nothing left
if [ -n "$target_progs" ]; then
	rm -rf "$progs" "$archive" "$stamp"
	# shellcheck disable=SC2086 # make variables, one word each
	unshare -m sh -c "mount -t tmpfs none $libdir && exec \"\$@\"" sh \
		make -C "$ksrc" O="$odir" $makevars kernel/kheaders.o > "$work/nolibc.log" 2>&1
	rc=$?
	ok=0
	[ $rc -ne 0 ] || { echo "# the build succeeded without $libdir"; ok=1; }
	grep -q 'cannot link a static program.*libc\.a' "$work/nolibc.log" ||
		{ tail -n 15 "$work/nolibc.log" | tap_diag; ok=1; }
	{ [ ! -e "$archive" ] && [ ! -e "$stamp" ]; } ||
		{ echo "# an archive or stamp was left"; ok=1; }
	grep -o 'cannot link a static program[^:]*' "$work/nolibc.log" | head -n 1 | tap_diag
	tap_result $ok "libc.a gone since the kernel was configured: an error naming it, no archive"
else
	tap_skip "libc.a gone since the kernel was configured: an error naming it, no archive" \
		"the target's C library (headers or libc.a) was missing when the kernel was configured"
fi

# 3: made again from scratch, the same bytes; with -j, one bison run
# makes both of genksyms' parser files (two at once would race)
ok=0
rm -rf "$progs" "$archive" "$stamp"
kmake kernel/kheaders.o > "$work/again.log" 2>&1 ||
	{ tail -n 15 "$work/again.log" | tap_diag; ok=1; }
yacc=$(grep -c 'YACC .*kheaders_target' "$work/again.log")
[ "$yacc" -le 1 ] || { echo "# bison ran $yacc times for genksyms' grammar"; ok=1; }
cmp "$archive" "$work/reference.tar.xz" | tap_diag
cmp -s "$archive" "$work/reference.tar.xz" || ok=1
tap_result $ok "archive and target programs rebuilt from scratch: the same bytes"

# 4: a no-op build touches nothing
ok=0
before=$(stat -c '%n %i %.9Y' "$archive" "$stamp" "$progs"/scripts/*/* 2> /dev/null |
	grep -v '\.cmd ' | md5sum)
# shellcheck disable=SC2086 # a list of targets
kmake ${KH_MAKE_TARGETS:-} > "$work/noop.log" 2>&1 || { tail -n 15 "$work/noop.log" | tap_diag; ok=1; }
after=$(stat -c '%n %i %.9Y' "$archive" "$stamp" "$progs"/scripts/*/* 2> /dev/null |
	grep -v '\.cmd ' | md5sum)
[ "$before" = "$after" ] || { echo "# something was rewritten"; ok=1; }
grep -E 'GEN |HOSTCC|HOSTLD' "$work/noop.log" | tap_diag
tap_result $ok "no-op build rewrites neither the archive nor the target programs"

# 5: make clean of a prepared tree (a booted one keeps its kernel)
[ -n "${KH_MAKE_TARGETS:-}" ] || exit 0
ok=0
kmake clean > "$work/clean.log" 2>&1 || { tail -n 15 "$work/clean.log" | tap_diag; ok=1; }
for f in "$archive" "$stamp" "$progs" "$image"; do
	[ ! -e "$f" ] || { echo "# left after make clean: ${f#"$odir/"}"; ok=1; }
done
tap_result $ok "make clean removes the archive, the image, stamps and the target programs"
