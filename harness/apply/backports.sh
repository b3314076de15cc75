# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2154 # top, ksrc, tmp: apply.sh's
#
# harness/apply: the backports of the overlay to older trees (sourced by
# apply.sh, which defines die()).
#
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
	series_filter "$top/$1" > "$tmp/cur" ||
		die "$1: a #kheaders-series: marker unclosed or out of place"
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
	kernel/module/symvers.c)
		# before mainline's one export table with per-symbol flags
		# (__kflagstab): a table for EXPORT_SYMBOL_GPL() apart, and
		# no KSYM_FLAG_* (nor, before 6.2, <linux/module_symbol.h>)
		if ! tree_has kernel/module/internal.h '__start___kflagstab'; then
			awk -v with="$top/harness/apply/symvers-gpl-tables.c" '
				$0 == "#include <linux/module_symbol.h>" { next }
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
