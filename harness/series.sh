#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make series": kheaders as the patch series that would be mailed to the
# kernel's maintainers, made from this project's overlay against a
# pristine kernel tree (mainline 7.3 first), which is left as it was.
#
# Each patch is one part of apply.sh (KH_APPLY_PARTS: symbols, module,
# kheaders, target, image, selftests, docs), applied on top of the parts
# before it (the target part also by the "#kheaders-series:" regions of
# the kheaders files, which apply.sh resolves); its
# commit message is series/N-PART.txt (subject, blank line, body) and the
# cover letter series/0-cover-letter.txt.  apply.sh's BEGIN/END marker
# lines have no place in a patch for upstream and are left out.  The
# output is "git format-patch --cover-letter" of those commits: OUT/0000-
# cover-letter.patch, OUT/0001-*.patch, ...  The patches carry no
# Signed-off-by: the submitter adds it.
#
# Usage: series.sh KSRC OUT
#
# Also prints, for series-check.sh, OUT/parts: one line per patch, its
# part names so far (the KH_APPLY_PARTS of the tree after it).

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
die() {
	echo >&2 "series: $*"
	exit 1
}

[ $# -eq 2 ] || die "usage: series.sh KSRC OUT"
[ -d "$1" ] || die "$1: no such directory"
ksrc=$(cd "$1" && pwd)
out=$2
grep -qs '^VERSION = ' "$ksrc/Makefile" || die "$ksrc is not a kernel tree"
# a pristine tree: the series is against upstream, not against itself
! grep -qs 'BEGIN kheaders' "$ksrc/init/Kconfig" "$ksrc/kernel/Makefile" ||
	die "$ksrc has kheaders applied: give a pristine tree"
command -v git > /dev/null || die "git is needed"

work=$(mktemp -d "${TMPDIR:-/tmp}/kheaders-series.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The tree the parts are applied to: hard links to KSRC's files, which
# apply.sh replaces rather than writes into.
echo >&2 "series: linking $ksrc"
cp -al "$ksrc" "$work/tree"

msgs=$(cd "$top/series" && ls [1-9]-*.txt)
parts=
n=0
: > "$work/changed"
for msg in $msgs; do
	part=${msg#*-}
	part=${part%.txt}
	parts="${parts:+$parts }$part"
	n=$((n + 1))
	KH_APPLY_PARTS=$parts sh "$top/harness/apply.sh" "$work/tree" > "$work/apply.log" 2>&1 ||
		{ cat "$work/apply.log" >&2; die "apply.sh of '$parts' failed"; }
	sed -n 's/^  updated //p' "$work/apply.log" >> "$work/changed"
	# this step's files, without the markers
	mkdir -p "$work/step$n"
	sort -u "$work/changed" > "$work/files"
	while read -r f; do
		mkdir -p "$(dirname "$work/step$n/$f")"
		grep -vE "$KH_MARKERS" "$work/tree/$f" > "$work/step$n/$f" || true
		[ ! -x "$work/tree/$f" ] || chmod +x "$work/step$n/$f"
	done < "$work/files"
	echo "$parts" >> "$work/parts"
done
[ $n -gt 0 ] || die "no commit messages in $top/series"

# The repository: the files the series touches, as KSRC has them, then
# one commit per part.  Dates and author are fixed, so that the same
# project commit makes the same series.
git init -q "$work/git"
date=$(git -C "$top" log -1 --format=%cI 2> /dev/null || echo 2026-01-01T00:00:00Z)
export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-kheaders developers}"
export GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-kheaders@example.invalid}"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date"
g() { git -C "$work/git" -c core.autocrlf=false -c commit.gpgsign=false "$@"; }

version=$(awk '/^VERSION =/ { v = $3 } /^PATCHLEVEL =/ { p = $3 }
	/^SUBLEVEL =/ { s = $3 } END { print v "." p (s ? "." s : "") }' "$ksrc/Makefile")
while read -r f; do
	if [ -f "$ksrc/$f" ]; then
		mkdir -p "$(dirname "$work/git/$f")"
		cp -p "$ksrc/$f" "$work/git/$f"
	fi
done < "$work/files"
g add -A
g commit -q --allow-empty -m "Linux $version (the files this series touches)"
base=$(g rev-parse HEAD)

i=0
for msg in $msgs; do
	i=$((i + 1))
	(cd "$work/step$i" && find . -type f) | while read -r f; do
		mkdir -p "$(dirname "$work/git/$f")"
		cp -p "$work/step$i/$f" "$work/git/$f"
	done
	g add -A
	g diff --cached --quiet && die "$msg: the part changes nothing"
	g commit -q -F "$top/series/$msg"
done

mkdir -p "$out"
rm -f "$out"/*.patch
g format-patch -q --cover-letter --no-signature -o "$(cd "$out" && pwd)" "$base..HEAD"
cp "$work/parts" "$out/parts"

# The cover letter: series/0-cover-letter.txt in place of git's blanks,
# and the tree the series applies to (a Debian source tree carries no git
# history, so there is no upstream commit to name in base-commit:).
cover=$out/0000-cover-letter.patch
subject=$(head -n 1 "$top/series/0-cover-letter.txt")
awk -v subject="$subject" -v blurb="$top/series/0-cover-letter.txt" -v version="$version" '
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/^\*\*\* BLURB HERE \*\*\*$/ {
		getline l < blurb	# the subject
		getline l < blurb	# the blank line after it
		while ((getline l < blurb) > 0)
			print l
		print ""
		print "The series applies to Linux " version "."
		next
	}
	{ print }
' "$cover" > "$cover.new"
mv "$cover.new" "$cover"
echo >&2 "series: $i patches and a cover letter in $out"
