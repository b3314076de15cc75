#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: Comment stripping: every header of the archive has the
# tokens gcc's preprocessor leaves of the original, SPDX lines kept; and
# the hard cases of harness/fixtures/strip-cases.h.
#
# Usage: sh harness/fast/comments.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

test_comments_stripped_exactly() {
	gen > /dev/null || return 1
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

fast_test "comments stripped exactly as gcc does, SPDX kept" test_comments_stripped_exactly
fast_test "comment stripping cases: literals, line splices, SPDX" test_comment_stripping_cases
tap_done
