#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fast suite: no VM.  Checks apply.sh on real and damaged trees, and
# the archive generator on a prepared kernel tree (make prepare and
# kernel/kheaders.o of the =m configuration, in its own O= directory).
# Prints TAP and, last, "N passed, N failed".
#
# Usage: fast-tests.sh BUILD_DIR [VERSION]
# KH_FAST_ONLY, a shell pattern, runs only the test functions it matches.

set -u

if [ $# -lt 1 ] || [ -z "$1" ]; then
	echo >&2 "usage: fast-tests.sh BUILD_DIR [VERSION]"
	exit 2
fi
build=$(mkdir -p "$1" && cd "$1" && pwd) || exit 1
version=${2:-6.12}
top=$(cd "$(dirname "$0")/.." && pwd)
odir=$build/$version/check
stock=$build/src/stock-$version
scratch=$build/$version/check-scratch
mkdir -p "$build/$version"
XZ=${XZ:-xz}
export XZ

n=0
passed=0
failed=0

# run_test NAME FUNCTION: a test passes when its function returns 0; what
# it printed is shown when it fails.
run_test() {
	# shellcheck disable=SC2254 # KH_FAST_ONLY is a pattern
	case $2 in ${KH_FAST_ONLY:-*}) ;; *) return ;; esac
	n=$((n + 1))
	rm -rf "$scratch" && mkdir -p "$scratch"
	if out=$("$2" 2>&1); then
		echo "ok $n $1"
		passed=$((passed + 1))
	else
		echo "not ok $n $1"
		printf '%s\n' "$out" | tail -n 25 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

fail() {
	echo "$*"
	return 1
}

# --- setup -----------------------------------------------------------------

echo "TAP version 13"
# a source tree of its own: the tests touch and add files in it
tree=$(sh "$top/harness/ksrc.sh" "$version" "$build" "linux-$version-fast") || {
	echo "Bail out! cannot prepare the $version tree"
	echo "0 passed, 1 failed"
	exit 1
}
if ! KH_MAKE_TARGETS="prepare kernel/kheaders.o" sh "$top/harness/build-kernel.sh" \
	"$tree" "$odir" "$top/configs/base.config" "$top/configs/ikheaders-m.config" \
	> "$build/$version/check-setup.log" 2>&1; then
	sed 's/^/# /' "$build/$version/check-setup.log" | tail -n 30
	echo "Bail out! cannot prepare $odir"
	echo "0 passed, 1 failed"
	exit 1
fi

archive=kernel/kheaders_data.tar.xz
stamp=kernel/kheaders.md5

# Run the generator the way kernel/Makefile does; extra arguments are
# VAR=value settings for it.  GEN_RUN: a command to run it under.
gen() {
	# shellcheck disable=SC2086 # GEN_RUN is a command and its arguments
	(cd "${GEN_ODIR:-$odir}" && env srctree="${GEN_TREE:-$tree}" SRCARCH=x86 "$@" \
		${GEN_RUN:-} sh "${GEN:-$tree/kernel/gen_kheaders.sh}" $archive \
		kernel/kheaders_tar kernel/kheaders_module.lds)
}

# The archive's identity: inode and modification time change when it is
# rewritten.
ident() {
	stat -c '%i %.9Y' "$odir/$archive"
}

members() {
	tar -tJf "$odir/$archive"
}

# Regenerate and expect it to happen ("GEN" printed, a new archive).
expect_regen() {
	before=$(ident)
	out=$(gen "$@") || fail "generator failed: $out" || return 1
	case $out in *GEN*) ;; *) fail "did not regenerate: $out" || return 1 ;; esac
	[ "$(ident)" != "$before" ] || fail "archive not rewritten"
}

expect_noop() {
	before=$(ident)
	out=$(gen "$@") || fail "generator failed: $out" || return 1
	[ -z "$out" ] || fail "expected no output, got: $out" || return 1
	[ "$(ident)" = "$before" ] || fail "archive was rewritten"
}

# The fast path: not even the stamp is rewritten (it is when the contents
# had to be read to find them unchanged).
stamp_ident() {
	stat -c '%i %.9Y' "$odir/$stamp"
}
expect_fast_noop() {
	st=$(stamp_ident)
	expect_noop "$@" || return 1
	[ "$(stamp_ident)" = "$st" ] || fail "contents were read again (stamp rewritten)"
}

# --- apply.sh --------------------------------------------------------------

test_apply_idempotent() {
	sums=$(cd "$tree" && md5sum init/Kconfig kernel/Makefile \
		tools/testing/selftests/Makefile kernel/gen_kheaders.sh)
	out=$(sh "$top/harness/apply.sh" "$tree") || fail "$out" || return 1
	case $out in *"nothing changed"*) ;; *) fail "second apply: $out" || return 1 ;; esac
	[ "$sums" = "$(cd "$tree" && md5sum init/Kconfig kernel/Makefile \
		tools/testing/selftests/Makefile kernel/gen_kheaders.sh)" ] ||
		fail "files changed"
}

# A small fake tree made of the stock files apply.sh edits.
fake_tree() {
	mkdir -p "$1/scripts"
	cp -r "$stock/." "$1/"
	printf 'VERSION = 6\n' > "$1/Makefile"
	: > "$1/scripts/Kbuild.include"
}

test_apply_stock_files() {
	fake_tree "$scratch/t"
	sh "$top/harness/apply.sh" "$scratch/t" > /dev/null || return 1
	out=$(sh "$top/harness/apply.sh" "$scratch/t") || return 1
	case $out in *"nothing changed"*) ;; *) fail "second apply: $out" || return 1 ;; esac
	[ "$(grep -c '^config IKHEADERS$' "$scratch/t/init/Kconfig")" = 1 ] ||
		fail "init/Kconfig: IKHEADERS entries: $(grep -c '^config IKHEADERS$' "$scratch/t/init/Kconfig")" || return 1
	! grep -q 'sysfs\|depends on SYSFS' "$scratch/t/init/Kconfig" ||
		grep -q 'PROC_FS' "$scratch/t/init/Kconfig" || fail "stock Kconfig entry left" || return 1
	[ "$(grep -c 'kheaders\.o' "$scratch/t/kernel/Makefile")" = \
	  "$(grep -c 'kheaders\.o' "$top/kernel/Makefile.fragment")" ] ||
		fail "kernel/Makefile: $(grep -n 'kheaders' "$scratch/t/kernel/Makefile")" || return 1
	[ "$(grep -c '^TARGETS += kheaders$' "$scratch/t/tools/testing/selftests/Makefile")" = 1 ] ||
		fail "selftests Makefile"
	# outside our block, kernel/Makefile is the stock one less its kheaders
	# lines
	awk '/^# BEGIN kheaders/ { b = 1 } !b && NF { print } /^# END kheaders/ { b = 0 }' \
		"$scratch/t/kernel/Makefile" > "$scratch/ours"
	grep -v 'kheaders\|genikh\|^$' "$stock/kernel/Makefile" > "$scratch/theirs"
	diff "$scratch/theirs" "$scratch/ours" || fail "kernel/Makefile changed outside the block" ||
		return 1
	# the module code: one block each, the rest as it was
	for f in kernel/module/main.c include/linux/module.h; do
		[ "$(grep -c '^/\* BEGIN kheaders' "$scratch/t/$f")" = 1 ] ||
			fail "$f: not one kheaders block" || return 1
		awk '/^\/\* BEGIN kheaders/ { b = 1 } !b { print } /^\/\* END kheaders/ { b = 0 }' \
			"$scratch/t/$f" | diff "$stock/$f" - || fail "$f changed outside the block" ||
			return 1
	done
	grep -q 'EXPORT_SYMBOL_NS_GPL(module_walk_exports' "$scratch/t/kernel/module/main.c" ||
		fail "module_walk_exports() not added"
}

test_apply_rejects_unknown() {
	mkdir "$scratch/empty"
	out=$(sh "$top/harness/apply.sh" "$scratch/empty" 2>&1) && fail "accepted an empty directory" && return 1
	case $out in *"not a kernel tree"*) ;; *) fail "message: $out" || return 1 ;; esac
	[ -z "$(ls -A "$scratch/empty")" ] || fail "empty directory was written to" || return 1

	# stock rules in a form apply.sh does not know: refuse, touch nothing
	fake_tree "$scratch/t"
	sed -i 's/^clean-files := kheaders_data.tar.xz kheaders.md5$/clean-files += kheaders_data.tar.xz kheaders.md5/' \
		"$scratch/t/kernel/Makefile"
	# shellcheck disable=SC2016 # a make rule, literally
	sed -i 's/^\$(obj)\/kheaders.o: /$(obj)\/kheaders.o : /' "$scratch/t/kernel/Makefile"
	before=$(cd "$scratch/t" && find . -type f | sort | xargs md5sum)
	out=$(sh "$top/harness/apply.sh" "$scratch/t" 2>&1) && fail "accepted unknown rules: $out" && return 1
	case $out in *"unknown form"*) ;; *) fail "message: $out" || return 1 ;; esac
	[ "$before" = "$(cd "$scratch/t" && find . -type f | sort | xargs md5sum)" ] ||
		fail "tree changed"
}

# --- the archive -----------------------------------------------------------

test_archive_contents() {
	out=$(gen) || fail "generator: $out" || return 1
	members > "$scratch/list" || fail "archive does not list" || return 1
	for f in Makefile arch/x86/Makefile include/linux/module.h \
		 include/uapi/linux/types.h arch/x86/include/asm/processor.h \
		 arch/x86/include/generated/asm/syscalls_64.h \
		 include/generated/autoconf.h include/generated/utsrelease.h \
		 include/config/auto.conf include/config/kernel.release \
		 scripts/Makefile.build scripts/Makefile.modpost scripts/Kbuild.include \
		 scripts/basic/fixdep scripts/mod/modpost scripts/module.lds \
		 tools/objtool/objtool; do
		grep -qxF "$f" "$scratch/list" || echo "missing: $f"
	done > "$scratch/missing"
	[ ! -s "$scratch/missing" ] || fail "$(cat "$scratch/missing")" || return 1
	# nothing but headers, Kbuild files and the build's host programs
	grep -vE '^(include|arch/x86/include)/.*\.h$|^arch/x86/Makefile[^/]*$|^Makefile$|^include/config/(auto\.conf|kernel\.release)$|^scripts/(Makefile\.[a-z_-]+|Kbuild\.include|subarch\.include|module-common\.c|modules-check\.sh|depmod\.sh|module\.lds|basic/fixdep|mod/modpost)$|^tools/objtool/objtool$|^include/generated/' \
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

test_comments_stripped_exactly() {
	mkdir "$scratch/x"
	tar -xJf "$odir/$archive" -C "$scratch/x" || return 1
	# One gcc per batch of files, not per file: each batch is
	# concatenated with a marker line before every file, and the output
	# split at the markers again.
	cat > "$scratch/cmp.pl" <<-'EOF'
	use strict;
	my ($src, $obj, $x, @files) = @ARGV;
	sub slurp { open(my $f, '<', $_[0]) or die "$_[0]: $!\n"; local $/; my $t = <$f>; return $t; }
	sub tokens {
		my ($name, $path) = @_;
		open(my $o, '>', $name) or die "$name: $!\n";
		print $o "\n#pragma KH_FILE $_\n", slurp($path->($_)) for @files;
		close($o);
		my $out = `gcc -fpreprocessed -dD -E -P -x c $name 2>/dev/null`;
		my %t;
		my @parts = split(/^#pragma KH_FILE (\S+)\n/m, $out);
		shift @parts;
		while (my ($f, $text) = splice(@parts, 0, 2)) {
			$text =~ s/\s+//g;
			$t{$f} = $text;
		}
		return %t;
	}
	sub orig { -f "$src/$_[0]" ? "$src/$_[0]" : "$obj/$_[0]" }
	my %a = tokens("$x.$$.orig.c", \&orig);
	my %b = tokens("$x.$$.arch.c", sub { "$x/$_[0]" });
	unlink("$x.$$.orig.c", "$x.$$.arch.c");
	for my $f (@files) {
		print "tokens differ: $f\n" unless defined $a{$f} && defined $b{$f} && $a{$f} eq $b{$f};
		my $o = slurp(orig($f));
		my $s = slurp("$x/$f");
		my $na = () = $o =~ /SPDX-License-Identifier/g;
		my $nb = () = $s =~ /SPDX-License-Identifier/g;
		print "SPDX lines $na -> $nb: $f\n" if $na != $nb;
		print "new comment: $f\n" if $s =~ m{/\*} && $o !~ m{/\*};
	}
	EOF
	(cd "$scratch/x" && find . -name '*.h' -printf '%P\n') |
		xargs -P "$(nproc)" -n 300 perl "$scratch/cmp.pl" "$tree" "$odir" \
			"$scratch/x" > "$scratch/bad"
	checked=$(cd "$scratch/x" && find . -name '*.h' | wc -l)
	[ "$checked" -gt 5000 ] || fail "only $checked headers" || return 1
	[ ! -s "$scratch/bad" ] || fail "$(wc -l < "$scratch/bad") headers: $(head -n 10 "$scratch/bad")" || return 1
	# the string literal that the stock generator's regex cut is intact
	grep -qF '"\n\t/* output condition code " #c "*/\n"' \
		"$scratch/x/arch/x86/include/asm/asm.h" || fail "asm.h: CC_SET damaged"
}

# Constructs that no 6.12 header has but any header may: literals holding
# comment delimiters, line splices inside delimiters and line comments.
# gcc -fpreprocessed assumes its input has been through translation phase
# 2, so the reference is gcc on the file with its line splices removed:
# what the compiler sees.
test_comment_stripping_cases() {
	f=$top/harness/fixtures/strip-cases.h
	(cd "${f%/*}" && printf 'strip-cases.h\0' | "$odir/kernel/kheaders_tar" . 0) |
		tar -xO > "$scratch/out.h" || fail "kheaders_tar failed" || return 1
	toks() {
		perl -0pe 's/\\[ \t\f\v\r]*\n//g' "$1" |
			gcc -fpreprocessed -dD -E -P -x c - 2>/dev/null | tr -d ' \t\n'
	}
	want=$(toks "$f")
	got=$(toks "$scratch/out.h")
	# the reference itself is sane
	case $want in
	*kh_not_code*) fail "reference kept commented-out code: $want" || return 1 ;;
	*kh_after_c4*kh_t*) ;;
	*) fail "reference lost tokens: $want" || return 1 ;;
	esac
	[ "$want" = "$got" ] || fail "tokens differ:
want $want
got  $got" || return 1
	for w in '"/\* not a comment \*/"' '"// not a comment either"' \
		 'continued /\* not a comment \*/"' '"kh" "/\*" *"\*/"' \
		 "it's /\\* after an unterminated literal" \
		 '^/\* SPDX-License-Identifier: GPL-2.0 \*/$' \
		 '^// SPDX-License-Identifier: a line comment that is kept$'; do
		grep -q -- "$w" "$scratch/out.h" || fail "missing: $w" || return 1
	done
	! grep -n 'kh_not_code\|an opener\|a closer\|inside a macro\|unterminated comment' \
		"$scratch/out.h" || fail "comment text left"
}

# Everything in the archive that is not a header or a host program is the
# file it came from, byte for byte.
test_other_files_verbatim() {
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

test_reproducible() {
	gen > /dev/null || return 1
	cp "$odir/$archive" "$scratch/a"
	rm -f "$odir/$archive" "$odir/$stamp"
	(umask 077 && gen > /dev/null) || return 1
	cmp "$scratch/a" "$odir/$archive" || fail "second archive differs"
}

# xz compresses in blocks of a fixed size with its multi-threaded encoder:
# the bytes must not depend on the number of threads or of CPUs, and xz
# must fail, not fall back to other bytes, when it lacks the memory.
test_xz_blocks_reproducible() {
	gen > /dev/null || return 1
	cp "$odir/$archive" "$scratch/a"
	blocks=$(xz --robot -l "$scratch/a" | awk -F '\t' '$1 == "totals" { print $3 }')
	[ "$blocks" -ge 2 ] 2> /dev/null || fail "expected several xz blocks, found '$blocks'" || return 1
	printf '#!/bin/sh\nexec xz "$@" --threads=4\n' > "$scratch/xz4"
	chmod +x "$scratch/xz4"
	rm -f "$odir/$archive" "$odir/$stamp"
	gen XZ="$scratch/xz4" > /dev/null || return 1
	cmp "$scratch/a" "$odir/$archive" || fail "4 threads: other bytes" || return 1
	rm -f "$odir/$archive" "$odir/$stamp"
	GEN_RUN="taskset -c 0" gen > /dev/null || return 1
	cmp "$scratch/a" "$odir/$archive" || fail "one CPU: other bytes" || return 1
	rm -f "$odir/$archive" "$odir/$stamp"
	out=$(gen XZ="xz --memlimit-compress=64MiB" 2>&1) &&
		fail "succeeded with 64 MiB for xz" && return 1
	case $out in *"could not compress"*) ;; *) fail "unclear error: $out" || return 1 ;; esac
	for f in "$odir/$archive" "$odir/$stamp" "$odir"/kernel/kheaders_data.tar.xz.tmp*; do
		[ ! -e "$f" ] || fail "left after the failure: $f" || return 1
	done
}

test_noop_does_not_rewrite() {
	gen > /dev/null || return 1
	expect_fast_noop
}

# A file written with the same content (Kconfig rewrites autoconf.h) is
# read again, found unchanged, and the archive stays.
test_touched_unchanged_noop() {
	gen > /dev/null || return 1
	touch "$odir/include/generated/autoconf.h" "$tree/include/linux/module.h"
	expect_noop || return 1
	expect_fast_noop || return 1
	# a temporary file come and gone, as Kbuild's filechk leaves it
	touch "$odir/include/generated/.tmp_kh_fast" && rm "$odir/include/generated/.tmp_kh_fast"
	expect_fast_noop
}

test_regen_on_same_size_same_mtime_change() {
	h=$odir/include/generated/kh_fast_test.h
	# not there to begin with, even after an interrupted run
	rm -f "$h"
	gen > /dev/null || return 1
	printf '#define KH_FAST_TEST_A 1\n' > "$h"
	expect_regen || return 1
	members | grep -qxF include/generated/kh_fast_test.h || fail "added header missing" || return 1
	touch -r "$h" "$scratch/ref"
	printf '#define KH_FAST_TEST_B 1\n' > "$h"
	touch -r "$scratch/ref" "$h"
	expect_regen || return 1
	tar -xOJf "$odir/$archive" include/generated/kh_fast_test.h | grep -q KH_FAST_TEST_B ||
		fail "old content archived" || return 1
	rm -f "$h"
	expect_regen || return 1
	! members | grep -qxF include/generated/kh_fast_test.h || fail "removed header still archived"
}

test_regen_on_config_change() {
	gen > /dev/null || return 1
	cp "$odir/include/config/auto.conf" "$scratch/auto.conf"
	echo 'CONFIG_KH_FAST_TEST=y' >> "$odir/include/config/auto.conf"
	expect_regen; rc=$?
	cp "$scratch/auto.conf" "$odir/include/config/auto.conf"
	[ $rc -eq 0 ] && expect_regen
}

test_regen_on_generator_change() {
	gen > /dev/null || return 1
	{ cat "$tree/kernel/gen_kheaders.sh"; echo '# changed'; } > "$scratch/gen.sh"
	GEN=$scratch/gen.sh expect_regen || return 1
	expect_regen
}

test_regen_on_timestamp_change() {
	gen > /dev/null || return 1
	expect_regen KBUILD_BUILD_TIMESTAMP='2024-02-03 04:05:06 UTC' || return 1
	tar -tvJf "$odir/$archive" | head -n 3 | grep -q '2024-02-03 04:05' ||
		fail "member times: $(tar -tvJf "$odir/$archive" | head -n 1)" || return 1
	expect_fast_noop KBUILD_BUILD_TIMESTAMP='2024-02-03 04:05:06 UTC' || return 1
	expect_regen
}

# Each tool the generator needs beyond what every Kbuild step uses is
# taken away in turn: the run fails naming it, and the archive and stamp
# stay as they were.
test_missing_tool_named() {
	gen > /dev/null || return 1
	cp "$odir/$archive" "$scratch/before"
	cp "$odir/$stamp" "$scratch/stamp"
	out=$(gen XZ=kh-no-such-xz 2>&1) && fail "succeeded without xz" && return 1
	case $out in *"'kh-no-such-xz'"*) ;; *) fail "message does not name the tool: $out" || return 1 ;; esac
	for tool in find md5sum sort stat strip xargs xz; do
		rm -rf "${scratch:?}/bin" && mkdir "$scratch/bin"
		for t in sh cat date grep mkdir mv rm sed find md5sum sort stat strip xargs xz; do
			[ "$t" = "$tool" ] || ln -s "$(command -v "$t")" "$scratch/bin/$t"
		done
		out=$(gen PATH="$scratch/bin" 2>&1) && fail "succeeded without $tool" && return 1
		case $out in
		*"'$tool' is needed"*) ;;
		*) fail "without $tool, the message does not name it: $out" || return 1 ;;
		esac
	done
	cmp -s "$scratch/before" "$odir/$archive" || fail "archive changed" || return 1
	cmp -s "$scratch/stamp" "$odir/$stamp" || fail "stamp changed" || return 1
	# with all of them and nothing else, it works
	ln -s "$(command -v xz)" "$scratch/bin/xz"
	rm -f "$odir/$stamp"
	expect_regen PATH="$scratch/bin"
}

test_interrupted_run_not_accepted() {
	gen > /dev/null || return 1
	# an xz that says it started and stalls, so that the run can be
	# killed midway, however busy the machine is
	printf '#!/bin/sh\n: > "%s"\nsleep 60\n' "$scratch/xz-started" > "$scratch/slow-xz"
	chmod +x "$scratch/slow-xz"
	echo '#define KH_FAST_TEST_KILL 1' > "$odir/include/generated/kh_fast_kill.h"
	for sig in TERM KILL; do
		(cd "$odir" && exec setsid env srctree="$tree" SRCARCH=x86 XZ="$scratch/slow-xz" \
			sh "$tree/kernel/gen_kheaders.sh" $archive kernel/kheaders_tar \
			kernel/kheaders_module.lds > /dev/null) &
		pid=$!
		rm -f "$scratch/xz-started"
		i=0
		while [ ! -e "$scratch/xz-started" ] && [ $i -lt 600 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		[ -e "$scratch/xz-started" ] || fail "the generator never reached xz" || return 1
		kill -s $sig -- -"$pid" 2>/dev/null || kill -s $sig "$pid"
		wait "$pid" 2>/dev/null
		[ ! -f "$odir/$stamp" ] || fail "SIG$sig: the stamp survived" || return 1
		if [ $sig = TERM ]; then
			ls "$odir"/kernel/kheaders_data.tar.xz.tmp* >/dev/null 2>&1 &&
				fail "SIGTERM: temporary files left" && return 1
		fi
	done
	rm -f "$odir/include/generated/kh_fast_kill.h" "$odir"/kernel/kheaders_data.tar.xz.tmp*
	expect_regen
}

test_tool_rejects_bad_lists() {
	cd "$odir" || return 1
	out=$(printf 'Makefile\0Makefile\0' | kernel/kheaders_tar "$tree" 0 2>&1 >/dev/null) &&
		fail "accepted a duplicate" && return 1
	case $out in *"listed twice"*) ;; *) fail "message: $out" || return 1 ;; esac
	out=$(printf 'no/such/file.h\0' | kernel/kheaders_tar "$tree" 0 2>&1 >/dev/null) &&
		fail "accepted a missing file" && return 1
	case $out in *"no/such/file.h"*) ;; *) fail "message: $out" ;; esac
}

# --- other kinds of build ----------------------------------------------------
#
# A copy of the tree at another path (hard links: nothing below writes to
# a source file) is built in-tree, cleaned with "make mrproper", then built
# with O= in another directory under umask 077: each archive must be the
# check build's, byte for byte.

src2=$build/$version/kh-src2
odir2=$build/$version/kh-o2
jobs=$(($(nproc) * 2))

test_in_tree_build() {
	rm -rf "$src2" "$odir2"
	cp -al "$tree" "$src2" || return 1
	cp "$odir/.config" "$src2/.config"
	{
		make -C "$src2" olddefconfig &&
		make -C "$src2" -j"$jobs" prepare kernel/kheaders.o
	} > "$scratch/log" 2>&1 || fail "in-tree build failed: $(tail -n 15 "$scratch/log")" || return 1
	[ -f "$src2/kernel/kheaders.o" ] || fail "no kernel/kheaders.o" || return 1
	gen > /dev/null || return 1
	cmp "$odir/$archive" "$src2/$archive" || fail "in-tree archive differs from the O= one"
}

test_mrproper() {
	[ -f "$src2/$archive" ] || fail "no in-tree build to clean" || return 1
	mkdir "$src2/$archive.tmp77.bin"
	touch "$src2/$archive.tmp77" "$src2/$archive.tmp77.list"
	make -C "$src2" mrproper > "$scratch/log" 2>&1 || fail "$(tail "$scratch/log")" || return 1
	for f in "$src2"/kernel/kheaders_data* "$src2"/kernel/kheaders.md5 \
		 "$src2"/kernel/kheaders_tar "$src2"/kernel/kheaders*.o \
		 "$src2"/kernel/kheaders_module.lds "$src2/.config"; do
		[ ! -e "$f" ] || echo "left after make mrproper: ${f#"$src2"/}"
	done | grep . && return 1
	return 0
}

test_pristine_o_build() {
	[ -d "$src2" ] && [ ! -e "$src2/.config" ] || fail "no cleaned tree" || return 1
	mkdir -p "$odir2"
	cp "$odir/.config" "$odir2/.config"
	(
		umask 077
		make -C "$src2" O="$odir2" olddefconfig &&
		make -C "$src2" O="$odir2" -j"$jobs" prepare kernel/kheaders.o
	) > "$scratch/log" 2>&1 || fail "O= build failed: $(tail -n 15 "$scratch/log")" || return 1
	gen > /dev/null || return 1
	cmp "$odir/$archive" "$odir2/$archive" || fail "archives differ" || return 1
	# and with a build timestamp, at another time
	ts='2025-06-07 08:09:10 UTC'
	gen KBUILD_BUILD_TIMESTAMP="$ts" > /dev/null || return 1
	sleep 1
	(umask 077 && GEN_ODIR=$odir2 GEN_TREE=$src2 gen KBUILD_BUILD_TIMESTAMP="$ts") > /dev/null ||
		return 1
	cmp "$odir/$archive" "$odir2/$archive" || fail "archives with KBUILD_BUILD_TIMESTAMP differ" || return 1
	gen > /dev/null
}

test_kbuild_noop_build() {
	kmake() { make -C "$tree" O="$odir" -j"$(nproc)" "$@"; }
	kmake kernel/kheaders.o > /dev/null 2>&1 || return 1
	kmake kernel/kheaders.o > /dev/null 2>&1 || return 1
	before=$(ident)
	st=$(stamp_ident)
	obj=$(stat -c '%.9Y' "$odir/kernel/kheaders.o")
	out=$(kmake kernel/kheaders.o 2>&1) || fail "$out" || return 1
	case $out in *"GEN     kernel/kheaders_data"*) fail "regenerated: $out" || return 1 ;; esac
	[ "$(ident)" = "$before" ] || fail "archive rewritten" || return 1
	[ "$(stamp_ident)" = "$st" ] || fail "stamp rewritten: a no-op build read the files" || return 1
	[ "$(stat -c '%.9Y' "$odir/kernel/kheaders.o")" = "$obj" ] || fail "kheaders.o rebuilt"
}

# The archive kheaders.o carries is the one just made, also when the
# compiler is run through ccache, which cannot see into an .incbin.
embedded() {
	perl -0777 -ne '$s = index($_, "IKHD_ST"); $e = rindex($_, "IKHD_ED");
		exit 1 if $s < 0 || $e < $s; print substr($_, $s + 7, $e - $s - 7)' "$1"
}
test_object_embeds_current_archive() {
	[ -d /usr/lib/ccache ] || fail "ccache is not installed" || return 1
	ccmake() {
		PATH=/usr/lib/ccache:$PATH CCACHE_BASEDIR=$build \
			make -C "$tree" O="$odir" -j"$(nproc)" kernel/kheaders.o > "$scratch/log" 2>&1 ||
			fail "$(tail "$scratch/log")"
	}
	h=$odir/include/generated/kh_fast_ccache.h
	rm -f "$h"
	for step in before added removed; do
		[ $step != added ] || echo '#define KH_FAST_CCACHE 1' > "$h"
		[ $step != removed ] || rm -f "$h"
		ccmake || return 1
		embedded "$odir/kernel/kheaders.o" > "$scratch/emb" || fail "no markers" || return 1
		cmp -s "$scratch/emb" "$odir/$archive" ||
			fail "$step: kheaders.o holds another archive than $archive" || return 1
	done
}

# An image around the archive: random bytes, the markers, random bytes.
fake_vmlinux() {
	head -c 70001 /dev/urandom
	printf IKHD_ST
	cat "$odir/$archive"
	printf IKHD_ED
	head -c 30001 /dev/urandom
}

# expect_extracted IMAGE WHAT: extract-ikheaders IMAGE writes the archive
expect_extracted() {
	"$tree/scripts/extract-ikheaders" "$1" > "$scratch/out" ||
		fail "$2: extract-ikheaders failed" || return 1
	cmp -s "$scratch/out" "$odir/$archive" ||
		fail "$2: extract-ikheaders wrote something else"
}

# expect_refused IMAGE MESSAGE: exit 1, MESSAGE on stderr, nothing written
expect_refused() {
	"$tree/scripts/extract-ikheaders" "$1" > "$scratch/out" 2> "$scratch/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$1: exit $rc, not 1" || return 1
	[ ! -s "$scratch/out" ] || fail "$1: wrote $(stat -c %s "$scratch/out") bytes" || return 1
	grep -q "$2" "$scratch/err" || fail "$1: message '$(cat "$scratch/err")'"
}

test_extract_ikheaders() {
	gen > /dev/null || return 1
	img=$scratch/vmlinux
	fake_vmlinux > "$img"
	expect_extracted "$img" "uncompressed" || return 1
	# kernel images and modules, in every compression the kernel uses
	for c in gzip "xz --check=crc32" bzip2 "lz4 -l" zstd lzop; do
		command -v "${c%% *}" > /dev/null || fail "${c%% *} is not installed" || return 1
		{ head -c 5000 /dev/urandom; $c < "$img"; head -c 700 /dev/urandom; } > "$scratch/image"
		expect_extracted "$scratch/image" "$c" || return 1
	done
	# an x86 bzImage whose header says where its lzma payload is: setup
	# sectors at 0x1f1, "HdrS" at 0x202, payload offset at 0x248
	{
		head -c 497 /dev/zero; printf '\001'; head -c 16 /dev/zero
		printf HdrS; head -c 66 /dev/zero; printf '\144\000\000\000'
		head -c 436 /dev/zero; head -c 100 /dev/urandom
		xz --format=lzma < "$img"; head -c 900 /dev/urandom
	} > "$scratch/bzImage"
	expect_extracted "$scratch/bzImage" "bzImage with lzma" || return 1
	# no archive, a damaged one, a missing file, no argument
	head -c 200000 /dev/urandom > "$scratch/none"
	expect_refused "$scratch/none" "no kheaders archive found" || return 1
	{ head -c 999 /dev/urandom; printf IKHD_ST; head -c 5000 "$odir/$archive"
	  printf IKHD_ED; } > "$scratch/cut"
	expect_refused "$scratch/cut" "not a valid xz stream" || return 1
	expect_refused "$scratch/missing" "not a readable file" || return 1
	"$tree/scripts/extract-ikheaders" > /dev/null 2>&1
	[ $? -eq 2 ] || fail "no argument: exit status not 2"
}

# lint.sh's checks (make lint), on this suite's tree
lint() {
	out=$(KH_LINT_TREE=$tree sh "$top/harness/lint.sh" "$build" "$1" 2>&1)
	printf '%s\n' "$out"
	printf '%s\n' "$out" | grep -q '^ok 1 '
}
test_checkpatch_strict() {
	lint checkpatch
}
test_shellcheck() {
	lint shellcheck
}

# deps.sh offline (apt-get fails): a missing optional package (lzop) is
# reported and stops nothing; a missing required one (gcc) stops it.
test_deps_offline() {
	mkdir -p "$scratch/bin"
	# shellcheck disable=SC2016 # the stubs' own variables
	printf '#!/bin/sh\nfor a; do p=$a; done\ncase " $KH_MISSING " in *" $p "*) exit 1 ;; esac\necho "install ok installed"\n' \
		> "$scratch/bin/dpkg-query"
	printf '#!/bin/sh\necho "E: offline" >&2\nexit 100\n' > "$scratch/bin/apt-get"
	chmod +x "$scratch/bin/dpkg-query" "$scratch/bin/apt-get"
	out=$(KH_MISSING=lzop PATH=$scratch/bin:$PATH sh "$top/harness/deps.sh" 6.12 2>&1) ||
		fail "lzop missing, offline: deps.sh failed: $out" || return 1
	case $out in *"could not install lzop"*) ;; *) fail "no word of lzop: $out" || return 1 ;; esac
	out=$(KH_MISSING="gcc lzop" PATH=$scratch/bin:$PATH sh "$top/harness/deps.sh" 6.12 2>&1) &&
		fail "gcc missing, offline: deps.sh succeeded: $out" && return 1
	case $out in *"could not install gcc"*) ;; *) fail "no word of gcc: $out" || return 1 ;; esac
}

test_make_clean() {
	gen > /dev/null || return 1
	touch "$odir/kernel/kheaders_data.tar.xz.tmp99"
	make -s -C "$tree" O="$odir" clean > /dev/null 2>&1 || return 1
	for f in $archive $stamp kernel/kheaders_data.tar.xz.tmp99 kernel/kheaders_tar; do
		[ ! -e "$odir/$f" ] || echo "left after make clean: $f"
	done | grep . && return 1
	return 0
}

run_test "apply.sh twice changes nothing the second time" test_apply_idempotent
run_test "apply.sh on the stock files replaces the stock entry" test_apply_stock_files
run_test "apply.sh refuses unknown trees and leaves them untouched" test_apply_rejects_unknown
run_test "archive holds headers and module build files, nothing else" test_archive_contents
run_test "every header of the tree, linked ones too, is archived" test_every_header_archived
run_test "comments stripped exactly as gcc does, SPDX kept" test_comments_stripped_exactly
run_test "comment stripping cases: literals, line splices, SPDX" test_comment_stripping_cases
run_test "files other than headers and host programs archived verbatim" test_other_files_verbatim
run_test "archive is reproducible" test_reproducible
run_test "xz blocks: same bytes with 4 threads and on one CPU; no memory, no archive" test_xz_blocks_reproducible
run_test "no-op run does not rewrite the archive" test_noop_does_not_rewrite
run_test "touched but unchanged files do not regenerate" test_touched_unchanged_noop
run_test "header added, changed at same size and mtime, removed: regenerates" test_regen_on_same_size_same_mtime_change
run_test "config change regenerates" test_regen_on_config_change
run_test "generator change regenerates" test_regen_on_generator_change
run_test "KBUILD_BUILD_TIMESTAMP change regenerates and sets mtimes" test_regen_on_timestamp_change
run_test "each missing tool fails the run, naming it" test_missing_tool_named
run_test "interrupted generation leaves nothing a later build accepts" test_interrupted_run_not_accepted
run_test "kheaders_tar rejects duplicate and missing files" test_tool_rejects_bad_lists
run_test "in-tree make -j$jobs builds the same archive as O=" test_in_tree_build
run_test "make mrproper removes archive, stamp, tool and temporary files" test_mrproper
run_test "O= build of the cleaned tree at another path, umask 077: same archive" test_pristine_o_build
run_test "no-op Kbuild make neither regenerates nor recompiles" test_kbuild_noop_build
run_test "kheaders.o holds the current archive, through ccache too" test_object_embeds_current_archive
run_test "extract-ikheaders: plain, gzip, xz, bzip2, lz4, zstd, lzo, bzImage; clear errors" test_extract_ikheaders
run_test "kernel C is clean under checkpatch.pl --strict" test_checkpatch_strict
run_test "shell is clean under shellcheck" test_shellcheck
run_test "deps.sh offline: a missing optional package stops nothing, a required one does" test_deps_offline
run_test "make clean removes archive, stamp and temporary files" test_make_clean

rm -rf "$scratch" "$src2" "$odir2"
echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
