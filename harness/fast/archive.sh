#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: What the archive holds: the headers and module build files a
# module build needs and nothing else, every header of the tree (linked
# ones too), stripped host programs, the module linker script Kbuild
# makes, and every file other than headers and programs byte for byte.
#
# Usage: sh harness/fast/archive.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

test_archive_contents() {
	out=$(gen) || fail "generator: $out" || return 1
	members > "$scratch/list" || fail "archive does not list" || return 1
	for f in Makefile arch/x86/Makefile include/linux/module.h \
		 include/uapi/linux/types.h arch/x86/include/asm/processor.h \
		 arch/x86/include/generated/asm/syscalls_64.h \
		 include/generated/autoconf.h include/generated/utsrelease.h \
		 include/config/auto.conf include/config/kernel.release .config \
		 scripts/Makefile.build scripts/Makefile.modpost scripts/Kbuild.include \
		 scripts/basic/fixdep scripts/mod/modpost scripts/module.lds \
		 tools/objtool/objtool; do
		grep -qxF "$f" "$scratch/list" || echo "missing: $f"
	done > "$scratch/missing"
	[ ! -s "$scratch/missing" ] || fail "$(cat "$scratch/missing")" || return 1
	# nothing but headers, Kbuild files and the build's host programs
	grep -vE '^(include|arch/x86/include)/.*\.h$|^arch/x86/Makefile[^/]*$|^Makefile$|^include/config/(auto\.conf|kernel\.release)$|^\.config$|^scripts/(Makefile\.[a-z_-]+|Kbuild\.include|subarch\.include|module-common\.c|modules-check\.sh|depmod\.sh|pahole-version\.sh|module\.lds|basic/fixdep|mod/modpost)$|^tools/objtool/objtool$|^include/generated/' \
		"$scratch/list" > "$scratch/extra"
	[ ! -s "$scratch/extra" ] || fail "unexpected members: $(head "$scratch/extra")" || return 1
	! grep -qE 'utsversion\.h$|/compile\.h$|\.o$|\.cmd$' "$scratch/list" ||
		fail "build products in the archive"
	# the host programs are there without their symbol tables
	tar -xJf "$odir/$archive" -C "$scratch" tools/objtool/objtool scripts/mod/modpost \
		scripts/basic/fixdep || return 1
	for f in tools/objtool/objtool scripts/mod/modpost scripts/basic/fixdep; do
		[ -x "$scratch/$f" ] || fail "$f is not executable" || return 1
		! readelf -S "$scratch/$f" | grep -q '\.symtab' || fail "$f is not stripped" || return 1
	done
	# the module linker script is the one Kbuild makes
	tar -xJf "$odir/$archive" -C "$scratch" scripts/module.lds
	make -s -C "$tree" O="$odir" modules_prepare > /dev/null 2>&1 ||
		fail "make modules_prepare failed" || return 1
	cmp "$scratch/scripts/module.lds" "$odir/scripts/module.lds" ||
		fail "scripts/module.lds differs from Kbuild's"
}

# Every header's tokens, once comments are gone, are what gcc's
# preprocessor leaves of the original; SPDX comments stay.
# Every header the tree has under the archived directories, files and
# symbolic links alike (include/dt-bindings has links to uapi headers),
# and every generated header, is in the archive: no class of header can
# drop out unnoticed.  Links are archived as their targets' contents.
test_every_header_archived() {
	gen > /dev/null || return 1
	members | grep '\.h$' | LC_ALL=C sort > "$scratch/have"
	{
		(cd "$tree" && find include \( -path include/config -o -path include/generated \) \
			-prune -o -name '*.h' \( -type f -o -type l \) -print)
		(cd "$tree" && find arch/x86 -path arch/x86/include/generated -prune -o \
			-path '*/include/*' -name '*.h' \( -type f -o -type l \) -print)
		(cd "$odir" && find include/generated arch/x86/include/generated \
			-name '*.h' ! -name utsversion.h ! -name compile.h -print)
	} | LC_ALL=C sort > "$scratch/want"
	links=$(cd "$tree" && find include arch/x86 -name '*.h' -type l | wc -l)
	[ "$links" -gt 0 ] || fail "the tree has no linked header to check" || return 1
	comm -3 "$scratch/want" "$scratch/have" > "$scratch/diff"
	[ ! -s "$scratch/diff" ] || fail "tree (left) and archive (right) differ: $(head "$scratch/diff")" ||
		return 1
	# a link's member is its target's header, comments stripped
	l=include/dt-bindings/input/linux-event-codes.h
	[ -L "$tree/$l" ] || return 0
	tar -xOJf "$odir/$archive" "$l" > "$scratch/member" || return 1
	grep -q 'define KEY_ESC' "$scratch/member" || fail "$l: not its target's content"
}

# Everything in the archive that is not a header or a host program is the
# file it came from, byte for byte.
test_other_files_verbatim() {
	gen > /dev/null || return 1
	members | grep -vE '\.h$|^scripts/(basic/fixdep|mod/modpost|genksyms/genksyms)$|^tools/objtool/objtool$|\.so$' \
		> "$scratch/other" || return 1
	[ "$(wc -l < "$scratch/other")" -gt 20 ] || fail "only $(wc -l < "$scratch/other") other files" || return 1
	mkdir "$scratch/x"
	tar -xJf "$odir/$archive" -C "$scratch/x" || return 1
	while read -r f; do
		if [ "$f" = scripts/module.lds ]; then
			src=$odir/kernel/kheaders_module.lds
		elif [ -f "$tree/$f" ]; then
			src=$tree/$f
		else
			src=$odir/$f
		fi
		cmp -s "$src" "$scratch/x/$f" || echo "differs from $src: $f"
	done < "$scratch/other" > "$scratch/bad"
	[ ! -s "$scratch/bad" ] || fail "$(cat "$scratch/bad")"
}

fast_test "archive holds headers and module build files, nothing else" test_archive_contents
fast_test "every header of the tree, linked ones too, is archived" test_every_header_archived
fast_test "files other than headers and host programs archived verbatim" test_other_files_verbatim
tap_done
