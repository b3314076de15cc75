#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Apply kheaders to a kernel tree: copy the overlay files, put the two
# fragments into init/Kconfig and kernel/Makefile in place of the stock
# IKHEADERS entry and rules (or of what an earlier run put there), add
# module_symvers() to the module code (the end of
# kernel/module/main.c, and its declaration at the end of
# include/linux/module.h), the selftest to tools/testing/selftests/Makefile
# and the documentation page to Documentation/admin-guide/index.rst.
#
# Usage: apply.sh KSRC
#
# Running it again changes nothing.  A tree that does not look like a kernel
# tree with a known IKHEADERS entry is left untouched, with an error.
#
# KH_APPLY_PARTS (for series.sh, on a pristine tree): apply only these
# parts, the patches of "make series", of: module kheaders image selftests
# docs (part_of() says which file is in which).

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=${1:-}
begin='# BEGIN kheaders: managed by kheaders apply.sh, do not edit'
end='# END kheaders'
cbegin='/* BEGIN kheaders: managed by kheaders apply.sh, do not edit */'
cend='/* END kheaders */'

die() {
	echo >&2 "apply: $*"
	exit 1
}

[ -n "$ksrc" ] || die "usage: apply.sh KSRC (a Linux kernel source tree)"
[ -d "$ksrc" ] || die "$ksrc: no such directory"
ksrc=$(cd "$ksrc" && pwd)

parts=${KH_APPLY_PARTS:-module kheaders image selftests docs}

# part_of FILE: the part (the patch of "make series") that FILE of this
# project is in
part_of() {
	case $1 in
	kernel/module/* | include/*) echo module ;;
	*.image.fragment | kernel/kheaders_image.c | kernel/kheaders_symvers.c) echo image ;;
	tools/testing/selftests/*) echo selftests ;;
	Documentation/*) echo docs ;;
	*) echo kheaders ;;
	esac
}

# in_parts FILE...: each FILE is in a part being applied
in_parts() {
	for f; do
		case " $parts " in
		*" $(part_of "$f") "*) ;;
		*) return 1 ;;
		esac
	done
}

# The overlay: every file under these folders of this project goes to the
# same path in the kernel tree.
overlay=
for f in $(cd "$top" && find kernel tools/testing/selftests/kheaders \
	   Documentation scripts -type f ! -name '*.fragment' 2>/dev/null | sort); do
	! in_parts "$f" || overlay="$overlay $f"
done

# --- recognise the tree before touching anything ----------------------------

for f in Makefile init/Kconfig kernel/Makefile kernel/module/main.c \
	 kernel/module/Kconfig include/linux/module.h \
	 tools/testing/selftests/Makefile scripts/Kbuild.include; do
	[ -f "$ksrc/$f" ] || die "$ksrc is not a kernel tree: no $f"
done
grep -q '^VERSION = ' "$ksrc/Makefile" ||
	die "$ksrc/Makefile is not a kernel top Makefile"

# What stands in init/Kconfig and kernel/Makefile now: our block from an
# earlier run, or the stock entry of Linux 5.2 and later.
has_block() {
	grep -qxF "$begin" "$1" && grep -qxF "$end" "$1"
}
has_block "$ksrc/init/Kconfig" || grep -qx 'config IKHEADERS' "$ksrc/init/Kconfig" ||
	die "init/Kconfig has neither an IKHEADERS entry nor an applied kheaders block"
# shellcheck disable=SC2016 # a make variable, literally
has_block "$ksrc/kernel/Makefile" ||
	grep -qx 'obj-$(CONFIG_IKHEADERS) += kheaders.o' "$ksrc/kernel/Makefile" ||
	die "kernel/Makefile has neither the stock kheaders rules nor an applied kheaders block"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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

# init/Kconfig: the stock entry runs from "config IKHEADERS" to the next
# entry.
# shellcheck disable=SC2016 # awk programs, literally
kconfig_stock='
	if ($0 == "config IKHEADERS")
		stock = 1
	else if (stock && /^(config|menuconfig|menu|endmenu|choice|if|endif|source|comment)/)
		stock = 0'
# fragments FILE...: print the fragments of the parts being applied, of
# these, in order; fail if there is none
fragments() {
	n=0
	for f; do
		if in_parts "$f"; then
			cat "$top/$f"
			n=$((n + 1))
		fi
	done
	[ $n -gt 0 ]
}

# (a blank line after the entries, as between any two)
if fragments init/Kconfig.fragment init/Kconfig.image.fragment > "$tmp/Kconfig.frag"; then
	echo >> "$tmp/Kconfig.frag"
	if has_block "$ksrc/init/Kconfig"; then hb=1; else hb=; fi
	splice "$ksrc/init/Kconfig" "$tmp/Kconfig.frag" "$kconfig_stock" "$hb" \
		> "$tmp/Kconfig"
	leftover "$tmp/Kconfig" >&2 &&
		die "init/Kconfig: IKHEADERS entry in an unknown form; nothing changed"
else
	cp "$ksrc/init/Kconfig" "$tmp/Kconfig"
fi

# kernel/Makefile: the stock obj- line, and the rules from the kheaders.o
# dependency (or 7.3's comment before it) to the clean-files line naming
# the archive (6.1, 6.12) or the file lists (7.3).
# shellcheck disable=SC2016 # awk programs, literally
makefile_stock='
	if (rules && /^clean-files .*kheaders/)
		last = 1
	stock = rules || $0 == "obj-$(CONFIG_IKHEADERS) += kheaders.o"
	# the rules start at their comment (7.3) or at the kheaders.o line
	if (/^\$\(obj\)\/kheaders\.o: / || $0 == "# kheaders_data.tar.xz")
		stock = rules = 1
	if (last)
		rules = last = 0'
# (the rules between blank lines)
if { echo; fragments kernel/Makefile.fragment kernel/Makefile.image.fragment; } > "$tmp/Makefile.frag"; then
	echo >> "$tmp/Makefile.frag"
	if has_block "$ksrc/kernel/Makefile"; then hb=1; else hb=; fi
	# (7.3's rules end the file: the blank line before them goes too)
	splice "$ksrc/kernel/Makefile" "$tmp/Makefile.frag" "$makefile_stock" "$hb" |
		awk '/^$/ { blank++; next } { while (blank) { print ""; blank-- } print }' \
		> "$tmp/Makefile"
	leftover "$tmp/Makefile" >&2 &&
		die "kernel/Makefile: kheaders rules in an unknown form; nothing changed"
else
	cp "$ksrc/kernel/Makefile" "$tmp/Makefile"
fi

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

# The overlay is written for mainline; older trees get it through these
# backports, each chosen by what the tree declares (never by its version
# number), each checked to have changed what it must.
#
# sed_backport FILE SCRIPT WHAT: FILE (the current text, in $tmp/cur)
# through sed SCRIPT, which must change it
sed_backport() {
	sed "$2" "$tmp/cur" > "$tmp/next"
	! cmp -s "$tmp/cur" "$tmp/next" || die "$1: nothing to backport for $3"
	mv "$tmp/next" "$tmp/cur"
}

# tree_has FILE PATTERN: the tree's FILE has a line matching PATTERN (grep -E)
tree_has() {
	grep -Eqs "$2" "$ksrc/$1"
}

# backport FILE: $tmp/cur is FILE's text for this tree
backport() {
	cp "$top/$1" "$tmp/cur"
	case $1 in
	*.c | *.fragment)
		# before 6.13 a symbol namespace is a bare word, which the
		# macros turn into a string
		if tree_has include/linux/export.h '__stringify\(ns\)' &&
		   grep -Eq '(EXPORT_SYMBOL_NS(_GPL)?|MODULE_IMPORT_NS)\(' "$tmp/cur"; then
			sed_backport "$1" 's/\(EXPORT_SYMBOL_NS\(_GPL\)\{0,1\}([A-Za-z0-9_]*, \)"\([A-Z0-9_]*\)")/\1\3)/
				s/MODULE_IMPORT_NS("\([A-Z0-9_]*\)")/MODULE_IMPORT_NS(\1)/' "symbol namespaces"
		fi
		;;
	esac
	case $1 in
	kernel/kheaders.c)
		# before 6.13's const sysfs binary attributes
		if tree_has include/linux/sysfs.h '\(\*read\)\(struct file \*, struct kobject \*, struct bin_attribute \*'; then
			sed_backport "$1" 's/const struct bin_attribute \*attr/struct bin_attribute *attr/' \
				"a const bin_attribute"
		fi
		;;
	kernel/kheaders_image.c)
		# before 6.9, blk_alloc_disk() takes no queue limits and
		# returns NULL on failure
		if tree_has include/linux/blkdev.h '^#define blk_alloc_disk\(node_id\)'; then
			sed_backport "$1" 's/blk_alloc_disk(NULL, NUMA_NO_NODE)/(blk_alloc_disk(NUMA_NO_NODE) ?: ERR_PTR(-ENOMEM))/' \
				"blk_alloc_disk()"
		fi
		;;
	kernel/module/main.c.fragment)
		# before mainline's one export table with per-symbol flags
		# (__kflagstab): a table for EXPORT_SYMBOL_GPL() apart
		if ! tree_has kernel/module/internal.h '__start___kflagstab'; then
			awk -v with="$top/harness/backport/symvers-gpl-tables.c" '
				$0 == "struct symvers_table {" { skip = 1; found++
					while ((getline l < with) > 0) print l }
				!skip { print }
				skip && /^#define SYMVERS_TABLES/ { skip = 0; found++ }
				END { exit found != 2 }
			' "$tmp/cur" > "$tmp/next" || die "$1: no export tables to backport"
			mv "$tmp/next" "$tmp/cur"
		fi
		;;
	esac
}

# Every file of the overlay as this tree takes it, under $tmp/overlay
for f in $overlay; do
	backport "$f"
	mkdir -p "$(dirname "$tmp/overlay/$f")"
	mv "$tmp/cur" "$tmp/overlay/$f"
done

if in_parts kernel/module/main.c.fragment; then
	backport kernel/module/main.c.fragment
	insert_block "$ksrc/kernel/module/main.c" "$tmp/cur" '' > "$tmp/main.c"
	# (before the cleanup helpers where there are any, with the module
	# declarations)
	insert_block "$ksrc/include/linux/module.h" "$top/include/linux/module.h.fragment" \
		'#endif /* _LINUX_MODULE_H */' "$cbegin" "$cend" \
		'/* Define __free(module_put) macro for struct module *. */' > "$tmp/module.h" ||
		die "include/linux/module.h does not end with '#endif /* _LINUX_MODULE_H */'; nothing changed"
	# kernel/module/Kconfig: MODULE_SYMVERS, inside its "if MODULES"
	insert_block "$ksrc/kernel/module/Kconfig" "$top/kernel/module/Kconfig.fragment" \
		'endif # MODULES' "$begin" "$end" > "$tmp/module.Kconfig" ||
		die "kernel/module/Kconfig does not end with 'endif # MODULES'; nothing changed"
else
	cp "$ksrc/kernel/module/main.c" "$tmp/main.c"
	cp "$ksrc/include/linux/module.h" "$tmp/module.h"
	cp "$ksrc/kernel/module/Kconfig" "$tmp/module.Kconfig"
fi

# tools/testing/selftests/Makefile: one TARGETS line, in order.
if ! in_parts tools/testing/selftests/kheaders ||
   grep -qx 'TARGETS += kheaders' "$ksrc/tools/testing/selftests/Makefile"; then
	cp "$ksrc/tools/testing/selftests/Makefile" "$tmp/selftests.mk"
else
	awk '
		!done && /^TARGETS \+= / && $3 > "kheaders" {
			print "TARGETS += kheaders"; done = 1
		}
		{ print }
		END { if (!done) exit 1 }
	' "$ksrc/tools/testing/selftests/Makefile" > "$tmp/selftests.mk" ||
		die "tools/testing/selftests/Makefile: no TARGETS list found"
fi

# Documentation/admin-guide/index.rst: list the new page next to its
# alphabetical neighbour.
docindex=Documentation/admin-guide/index.rst
if [ -f "$ksrc/$docindex" ] && in_parts "$docindex"; then
	if grep -qx '   kheaders' "$ksrc/$docindex"; then
		cp "$ksrc/$docindex" "$tmp/docindex"
	elif grep -qx '   kernel-per-CPU-kthreads' "$ksrc/$docindex"; then
		sed '/^   kernel-per-CPU-kthreads$/a\
   kheaders' "$ksrc/$docindex" > "$tmp/docindex"
	else
		echo >&2 "apply: warning: $docindex has no 'kernel-per-CPU-kthreads' entry; add 'kheaders' to a toctree by hand"
	fi
fi

# --- all checks passed: write, reporting what changed ------------------------

changed=0
install_file() {
	if ! cmp -s "$1" "$2" 2>/dev/null; then
		mkdir -p "$(dirname "$2")"
		# a new file in its place, never a write into the old one,
		# which may be a hard link into another tree (series.sh)
		cp "$1" "$2.kh-new"
		mv -f "$2.kh-new" "$2"
		echo "  updated $3"
		changed=$((changed + 1))
	fi
	# executable scripts keep their mode
	if [ -x "$1" ] && [ ! -x "$2" ]; then
		chmod +x "$2"
		echo "  chmod +x $3"
		changed=$((changed + 1))
	fi
}

for f in $overlay; do
	install_file "$tmp/overlay/$f" "$ksrc/$f" "$f"
done
install_file "$tmp/Kconfig" "$ksrc/init/Kconfig" init/Kconfig
install_file "$tmp/Makefile" "$ksrc/kernel/Makefile" kernel/Makefile
install_file "$tmp/main.c" "$ksrc/kernel/module/main.c" kernel/module/main.c
install_file "$tmp/module.h" "$ksrc/include/linux/module.h" include/linux/module.h
install_file "$tmp/module.Kconfig" "$ksrc/kernel/module/Kconfig" kernel/module/Kconfig
install_file "$tmp/selftests.mk" "$ksrc/tools/testing/selftests/Makefile" \
	tools/testing/selftests/Makefile
if [ -f "$tmp/docindex" ]; then
	install_file "$tmp/docindex" "$ksrc/$docindex" "$docindex"
fi

# files of the overlay that earlier versions of it installed and this one
# no longer has
obsolete="kernel/kheaders_target_check.c"
for f in $obsolete; do
	if [ -f "$ksrc/$f" ]; then
		rm -f "$ksrc/$f"
		echo "  removed $f"
		changed=$((changed + 1))
	fi
done

if [ $changed -eq 0 ]; then
	echo "apply: $ksrc already has kheaders applied; nothing changed"
else
	echo "apply: $changed change(s) to $ksrc"
fi
