#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Checks on the build host of a cross-compiled kernel's kheaders archive
# (run-tests.sh runs them on the arm64 build after it is built):
#   - every program in the archive's scripts/ and tools/ is a static
#     executable for the target, and fixdep, modpost and genksyms are there;
#   - without the target's static C library the build stops with an error
#     that names it, and leaves no archive and no stamp;
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

ksrc=$(cd "$1" && pwd) || exit 1
odir=$(cd "$2" && pwd) || exit 1
makevars=$3
archive=$odir/kernel/kheaders_data.tar.xz
stamp=$odir/kernel/kheaders.md5
progs=$odir/kernel/kheaders_target
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0

result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
	fi
}

kmake() {
	# shellcheck disable=SC2086 # make variables, one word each
	make -C "$ksrc" O="$odir" -j"$(nproc)" $makevars "$@"
}

case $makevars in
*ARCH=arm64*) machine="ARM aarch64" libdir=/usr/aarch64-linux-gnu/lib ;;
*) echo "Bail out! no target machine known for '$makevars'"; exit 1 ;;
esac

echo "TAP version 13"
if [ -n "${KH_MAKE_TARGETS:-}" ]; then echo "1..5"; else echo "1..4"; fi
[ -f "$archive" ] || { echo "Bail out! no archive $archive"; exit 1; }
cp "$archive" "$work/reference.tar.xz"

# 1: the archive's programs
mkdir "$work/x"
tar -xJf "$archive" -C "$work/x" scripts tools 2> /dev/null
ok=0
for want in scripts/basic/fixdep scripts/mod/modpost scripts/genksyms/genksyms; do
	[ -f "$work/x/$want" ] || { echo "# missing: $want"; ok=1; }
done
count=0
for f in $(find "$work/x" -type f -perm -u+x | sort); do
	what=$(file -b "$f")
	case $what in
	ELF*) ;;
	*) continue ;;
	esac
	count=$((count + 1))
	case $what in
	*"$machine"*"statically linked"*) echo "# ${f#"$work/x/"}: $machine, static" ;;
	*) echo "# ${f#"$work/x/"}: $what"; ok=1 ;;
	esac
done
result $ok "the archive's $count programs are static $machine executables"

# 2: no static C library for the target: a clear error, nothing left
rm -rf "$progs" "$archive" "$stamp"
# shellcheck disable=SC2086 # make variables, one word each
unshare -m sh -c "mount -t tmpfs none $libdir && exec \"\$@\"" sh \
	make -C "$ksrc" O="$odir" $makevars kernel/kheaders.o > "$work/nolibc.log" 2>&1
rc=$?
ok=0
[ $rc -ne 0 ] || { echo "# the build succeeded without $libdir"; ok=1; }
grep -q 'cannot link a static program.*libc\.a' "$work/nolibc.log" ||
	{ tail -n 15 "$work/nolibc.log" | sed 's/^/# /'; ok=1; }
{ [ ! -e "$archive" ] && [ ! -e "$stamp" ]; } ||
	{ echo "# an archive or stamp was left"; ok=1; }
grep -o 'cannot link a static program[^:]*' "$work/nolibc.log" | head -n 1 | sed 's/^/# /'
result $ok "without the target's libc.a: an error naming it, no archive"

# 3: made again from scratch, the same bytes; with -j, one bison run
# makes both of genksyms' parser files (two at once would race)
ok=0
rm -rf "$progs" "$archive" "$stamp"
kmake kernel/kheaders.o > "$work/again.log" 2>&1 ||
	{ tail -n 15 "$work/again.log" | sed 's/^/# /'; ok=1; }
yacc=$(grep -c 'YACC .*kheaders_target' "$work/again.log")
[ "$yacc" -le 1 ] || { echo "# bison ran $yacc times for genksyms' grammar"; ok=1; }
cmp "$archive" "$work/reference.tar.xz" | sed 's/^/# /'
cmp -s "$archive" "$work/reference.tar.xz" || ok=1
result $ok "archive and target programs rebuilt from scratch: the same bytes"

# 4: a no-op build touches nothing
ok=0
before=$(stat -c '%n %i %.9Y' "$archive" "$stamp" "$progs"/scripts/*/* 2> /dev/null |
	grep -v '\.cmd ' | md5sum)
# shellcheck disable=SC2086 # a list of targets
kmake ${KH_MAKE_TARGETS:-} > "$work/noop.log" 2>&1 || { tail -n 15 "$work/noop.log" | sed 's/^/# /'; ok=1; }
after=$(stat -c '%n %i %.9Y' "$archive" "$stamp" "$progs"/scripts/*/* 2> /dev/null |
	grep -v '\.cmd ' | md5sum)
[ "$before" = "$after" ] || { echo "# something was rewritten"; ok=1; }
grep -E 'GEN |HOSTCC|HOSTLD' "$work/noop.log" | sed 's/^/# /'
result $ok "no-op build rewrites neither the archive nor the target programs"

# 5: make clean of a prepared tree (a booted one keeps its kernel)
[ -n "${KH_MAKE_TARGETS:-}" ] || exit 0
ok=0
kmake clean > "$work/clean.log" 2>&1 || { tail -n 15 "$work/clean.log" | sed 's/^/# /'; ok=1; }
for f in "$archive" "$stamp" "$progs" "$odir/kernel/kheaders_data.h"; do
	[ ! -e "$f" ] || { echo "# left after make clean: ${f#"$odir/"}"; ok=1; }
done
result $ok "make clean removes the archive, its stamp and the target programs"
