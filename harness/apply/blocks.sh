# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2154 # begin, end, cbegin, cend: apply.sh's
#
# harness/apply: the blocks apply.sh puts into the kernel's own files,
# between its marker lines (sourced by apply.sh, which sets the markers:
# begin and end for Kconfig and make, cbegin and cend for C).

# has_block FILE: FILE has a block of an earlier run
has_block() {
	grep -qxF "$begin" "$1" && grep -qxF "$end" "$1"
}

# The awk function both splices share: print the block, fragment frag
# between the lines begin and end, and note that it is done.
# shellcheck disable=SC2016 # awk code, literally
awk_block='
	function block() {
		print begin
		while ((getline line < frag) > 0)
			print line
		close(frag)
		print end
		done = 1
	}'

# Print file $1 with fragment $2 in place of the region it replaces: our
# block from an earlier run when $4 is set, else the lines for which the awk
# statements $3 set "stock" (the block goes where the first of them stood).
splice() {
	awk -v begin="$begin" -v end="$end" -v frag="$2" -v had_block="$4" "
		$awk_block
		\$0 == begin { inblock = 1; block(); next }
		inblock { if (\$0 == end) inblock = 0; next }
		{ $3 }
		!had_block && stock { if (!done) block(); next }
		{ print }
	" "$1"
}

# Print, and succeed, if any line outside our block is about kheaders: the
# stock entry was then in a form this script does not know.
leftover() {
	awk -v begin="$begin" -v end="$end" '
		$0 == begin { inblock = 1 }
		$0 == end { inblock = 0; next }
		!inblock && /kheaders|IKHEADERS|genikh/ { print FILENAME ":" FNR ": " $0; bad = 1 }
		END { exit !bad }
	' "$1"
}

# insert_block FILE FRAGMENT LAST_LINE [BEGIN END [BEFORE]]: print FILE
# with FRAGMENT between the markers BEGIN and END (default: the C ones),
# the block of an earlier run taken out first; the block goes before the
# first line that is BEFORE, else before the last line when it is
# LAST_LINE, else at the end when LAST_LINE is empty
insert_block() {
	awk -v begin="${4:-$cbegin}" -v end="${5:-$cend}" -v frag="$2" -v last="$3" \
	    -v before="${6:-}" "$awk_block"'
		$0 == begin { inblock = 1; next }
		inblock { if ($0 == end) inblock = 0; next }
		{ lines[++n] = $0 }
		END {
			if (last != "" && lines[n] != last)
				exit 1
			at = 0
			for (i = 1; i <= n && !at; i++)
				if (before != "" && lines[i] == before)
					at = i
			if (!at && last != "")
				at = n
			for (i = 1; i <= n; i++) {
				if (i == at)
					block()
				print lines[i]
			}
			if (!done)
				block()
		}
	' "$1"
}

# The move of the module code's "symbols" part, taken from the tree's own
# main.c.
# symbol_helpers MODE FILE: with MODE "take", print the two functions of
# FILE, each with the blank line after it, as static inline; with "drop",
# FILE without them; fail unless FILE has both
symbol_helpers() {
	awk -v mode="$1" '
		/^static const char \*kernel_symbol_(name|namespace)\(const struct kernel_symbol \*sym\)$/ {
			infn = 1
			found++
			sub(/^static /, "static inline ")
		}
		infn {
			if (mode == "take")
				print
			if ($0 == "}") {
				infn = 0
				after = 1
			}
			next
		}
		after {
			after = 0
			if ($0 == "") {
				if (mode == "take")
					print
				next
			}
		}
		mode == "drop" { print }
		END { exit found != 2 }
	' "$2"
}

# series_filter FILE: print FILE of the overlay as the parts being applied
# have it.  Lines between "#kheaders-series: target" and
# "#kheaders-series: end" (a line each, alone) belong to the "target"
# part; those between "#kheaders-series: else" and the end, to the tree
# without it.  The marker lines themselves are never printed.  Fails on an
# unclosed or stray marker.
series_filter() {
	if has_part target; then sf_want=1; else sf_want=0; fi
	awk -v want="$sf_want" '
		$0 == "#kheaders-series: target" {
			if (region) exit 1
			region = 1
			keep = want
			next
		}
		$0 == "#kheaders-series: else" {
			if (region != 1) exit 1
			region = 2
			keep = !want
			next
		}
		$0 == "#kheaders-series: end" {
			if (!region) exit 1
			region = 0
			next
		}
		/^#kheaders-series:/ { exit 1 }
		!region || keep { print }
		END { if (region) exit 1 }
	' "$1"
}
