#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make lint": the project's code as a maintainer would check it, in
# seconds (no kernel build; the 6.12 tree is unpacked once, for its
# checkpatch.pl and the stock module code):
#   - checkpatch: checkpatch.pl --strict on every C file git knows (the
#     fixtures aside, and the backports: fragments of symvers.c, without
#     a file's SPDX line, checked in the 6.12 module code patch) and on
#     the patch apply.sh makes to the stock module code of 6.12
#     (kernel/module/main.c, internal.h, Makefile, include/linux/module.h);
#   - shellcheck: "shellcheck -x" on every shell script;
#   - series: checkpatch.pl --strict on every patch of "make series"
#     against the pristine 7.3 tree (BUILD_DIR/src/pristine-7.3), but for
#     two warnings a maintainer is told about in the cover letter and the
#     code: FILE_PATH_CHANGES (kheaders has no MAINTAINERS entry to
#     update) and CONST_STRUCT (the sysfs attribute's size is known only
#     at init, as in the stock kheaders.c);
#   - kerneldoc: scripts/kernel-doc -Wall on the kernel-doc comments of
#     the kernel code, no warning;
#   - rst: the documentation pages (Documentation/**/*.rst) parsed by
#     docutils, the reStructuredText parser under Sphinx, no warning (the
#     pages use no Sphinx-only markup, so this is what "make htmldocs"
#     would say of their syntax).
# Prints TAP.
#
# Usage: lint.sh BUILD_DIR [CHECK...]   (default: all four)
# KH_LINT_TREE: a 6.12 tree with kheaders applied to use instead of
# BUILD_DIR/src/linux-6.12.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
build=$(mkdir -p "${1:?usage: lint.sh BUILD_DIR [checkpatch] [shellcheck]}" && cd "$1" && pwd) ||
	exit 1
shift
[ $# -gt 0 ] || set -- checkpatch shellcheck series kerneldoc rst
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "TAP version 13"
echo "1..$#"
tree=${KH_LINT_TREE:-}
if [ -z "$tree" ]; then
	tree=$(sh "$top/harness/ksrc.sh" 6.12 "$build" 2> "$work/ksrc.log") ||
		{ tap_diag < "$work/ksrc.log"; echo "Bail out! no 6.12 tree"; exit 1; }
fi
stock=$build/src/stock-6.12
pristine=$build/src/pristine-7.3

# pristine_tree: the pristine 7.3 tree is there, else a failed TAP result
# DESCRIPTION
pristine_tree() {
	kh_unpack 7.3 "$pristine" > "$work/unpack.log" 2>&1 && return 0
	tap_diag < "$work/unpack.log"
	tap_result 1 "$1 (no pristine 7.3 tree; harness/deps.sh 7.3 fetches it)"
	return 1
}

checkpatch() {
	ok=0
	# shellcheck disable=SC2046 # file names without blanks
	(cd "$top" && perl "$tree/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types -f $(git ls-files '*.c' '*.h' ':!harness/fixtures' ':!harness/apply/symvers-gpl-tables.c')) \
		> "$work/files.out" 2>&1
	grep -E 'ERROR|WARNING|CHECK' "$work/files.out" | tap_diag
	! grep -qE 'ERROR|WARNING|CHECK' "$work/files.out" || ok=1
	for f in kernel/module/main.c kernel/module/internal.h kernel/module/Makefile \
		 include/linux/module.h kernel/module/symvers.c; do
		diff -uN --label "a/$f" --label "b/$f" "$stock/$f" "$tree/$f"
	done > "$work/module.patch"
	[ -s "$work/module.patch" ] || { echo "# apply.sh changed no module code"; ok=1; }
	perl "$tree/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--no-signoff --ignore COMMIT_MESSAGE "$work/module.patch" > "$work/patch.out" 2>&1
	grep -E 'ERROR|WARNING|CHECK' "$work/patch.out" | tap_diag
	! grep -qE 'ERROR|WARNING|CHECK' "$work/patch.out" || ok=1
	tap_result $ok "checkpatch.pl --strict: every C file, and the module code patch"
}

shellcheck_all() {
	if ! command -v shellcheck > /dev/null; then
		tap_result 1 "shellcheck is not installed"
		return
	fi
	# shellcheck disable=SC2046 # file names without blanks
	(cd "$top" && shellcheck -x scripts/extract-ikheaders $(git ls-files '*.sh' .ci/run)) \
		> "$work/sc.out" 2>&1
	rc=$?
	tap_diag < "$work/sc.out"
	tap_result $rc "shellcheck -x: every shell script"
}

series() {
	what="checkpatch.pl --strict: every patch of make series"
	pristine_tree "$what" || return 0
	if ! sh "$top/harness/series.sh" "$pristine" "$work/series" > "$work/series.log" 2>&1; then
		tap_diag < "$work/series.log"
		tap_result 1 "$what (series.sh failed)"
		return
	fi
	for p in "$work/series"/000[1-9]*.patch; do
		perl "$pristine/scripts/checkpatch.pl" --strict --terse --show-types \
			--no-signoff --ignore FILE_PATH_CHANGES,CONST_STRUCT "$p"
	done > "$work/series.out" 2>&1
	grep -E 'ERROR|WARNING|CHECK' "$work/series.out" | sed 's|.*/||' | tap_diag
	! grep -qE 'ERROR|WARNING|CHECK' "$work/series.out"
	tap_result $? "$what ($(wc -l < "$work/series/parts") patches)"
}

kerneldoc() {
	what="scripts/kernel-doc -Wall: the kernel-doc of the kernel code"
	pristine_tree "$what" || return 0
	# shellcheck disable=SC2046 # file names without blanks
	(cd "$top" && "$pristine/scripts/kernel-doc" -none -Wall \
		$(git ls-files 'kernel/*.c')) > "$work/kdoc.out" 2>&1
	rc=$?
	tap_diag < "$work/kdoc.out"
	[ $rc -eq 0 ] && ! grep -qi 'warning\|error' "$work/kdoc.out"
	tap_result $? "$what"
}

rst() {
	what="docutils: the documentation pages parse with no warning"
	if ! python3 -c 'import docutils' 2> /dev/null; then
		tap_result 1 "$what (python3-docutils is not installed)"
		return
	fi
	: > "$work/rst.out"
	for f in $(cd "$top" && git ls-files 'Documentation/*.rst'); do
		python3 - "$top/$f" >> "$work/rst.out" 2>&1 <<-'EOF'
		import sys
		import docutils.core
		path = sys.argv[1]
		with open(path, encoding="utf-8") as f:
		    text = f.read()
		# every message of level 1 (info) and up, printed, none fatal
		docutils.core.publish_doctree(text, source_path=path, settings_overrides={
		    "report_level": 1, "halt_level": 5, "warning_stream": sys.stdout})
		EOF
	done
	tap_diag < "$work/rst.out"
	[ ! -s "$work/rst.out" ]
	tap_result $? "$what ($(cd "$top" && git ls-files 'Documentation/*.rst' | wc -l) pages)"
}

for check; do
	case $check in
	checkpatch) checkpatch ;;
	shellcheck) shellcheck_all ;;
	series) series ;;
	kerneldoc) kerneldoc ;;
	rst) rst ;;
	*) tap_result 1 "no check '$check'" ;;
	esac
done
