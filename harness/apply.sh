#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Apply kheaders to a kernel tree: copy the overlay files, put the two
# fragments into init/Kconfig and kernel/Makefile in place of the stock
# IKHEADERS entry and rules (or of what an earlier run put there), add
# module_symvers() to the module code (kernel/module/symvers.c, built
# with MODULE_SYMVERS, its declaration at the end of
# include/linux/module.h; kernel_symbol_name() and kernel_symbol_namespace()
# move from main.c to internal.h for it), the selftest to
# tools/testing/selftests/Makefile and the documentation page to
# Documentation/admin-guide/index.rst.
#
# Usage: apply.sh KSRC
#
# Running it again changes nothing.  A tree that does not look like a kernel
# tree with a known IKHEADERS entry is left untouched, with an error.
#
# KH_APPLY_PARTS (for series.sh, on a pristine tree): apply only these
# parts, the patches of "make series", of: symbols module kheaders target
# image selftests docs (part_of() says which file is in which; "symbols"
# is the move of the two functions, which no file of the overlay holds;
# "target", the programs built for the target of a cross-compiled kernel,
# is also the regions of the kheaders files between "#kheaders-series:
# target" and "#kheaders-series: end", in place of their "#kheaders-series:
# else" lines: see series_filter in harness/apply/blocks.sh).

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

# shellcheck source=harness/apply/blocks.sh
. "$top/harness/apply/blocks.sh"
# shellcheck source=harness/apply/backports.sh
. "$top/harness/apply/backports.sh"

[ -n "$ksrc" ] || die "usage: apply.sh KSRC (a Linux kernel source tree)"
[ -d "$ksrc" ] || die "$ksrc: no such directory"
ksrc=$(cd "$ksrc" && pwd)

parts=${KH_APPLY_PARTS:-symbols module kheaders target image selftests docs}

# part_of FILE: the part (the patch of "make series") that FILE of this
# project is in
part_of() {
	case $1 in
	kernel/module/* | include/*) echo module ;;
	kernel/kheaders_target.mk) echo target ;;
	*.image.fragment | kernel/kheaders_image.c | kernel/kheaders_symvers.c) echo image ;;
	tools/testing/selftests/*) echo selftests ;;
	Documentation/*) echo docs ;;
	*) echo kheaders ;;
	esac
}

# has_part PART: PART is being applied
has_part() {
	case " $parts " in
	*" $1 "*) return 0 ;;
	*) return 1 ;;
	esac
}

# in_parts FILE...: each FILE is in a part being applied
in_parts() {
	for f; do
		has_part "$(part_of "$f")" || return 1
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
	 kernel/module/internal.h kernel/module/Makefile \
	 kernel/module/Kconfig include/linux/module.h \
	 tools/testing/selftests/Makefile scripts/Kbuild.include; do
	[ -f "$ksrc/$f" ] || die "$ksrc is not a kernel tree: no $f"
done
grep -q '^VERSION = ' "$ksrc/Makefile" ||
	die "$ksrc/Makefile is not a kernel top Makefile"

# What stands in init/Kconfig and kernel/Makefile now: our block from an
# earlier run, or the stock entry of Linux 5.2 and later.
has_block "$ksrc/init/Kconfig" || grep -qx 'config IKHEADERS' "$ksrc/init/Kconfig" ||
	die "init/Kconfig has neither an IKHEADERS entry nor an applied kheaders block"
# shellcheck disable=SC2016 # a make variable, literally
has_block "$ksrc/kernel/Makefile" ||
	grep -qx 'obj-$(CONFIG_IKHEADERS) += kheaders.o' "$ksrc/kernel/Makefile" ||
	die "kernel/Makefile has neither the stock kheaders rules nor an applied kheaders block"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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
			series_filter "$top/$f" ||
				die "$f: a #kheaders-series: marker unclosed or out of place"
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

# Every file of the overlay as this tree takes it, under $tmp/overlay
for f in $overlay; do
	backport "$f"
	mkdir -p "$(dirname "$tmp/overlay/$f")"
	mv "$tmp/cur" "$tmp/overlay/$f"
	# made by a redirection: the mode is the overlay's
	if [ -x "$top/$f" ]; then
		chmod +x "$tmp/overlay/$f"
	fi
done

# kernel/module/main.c: the block an earlier version of this overlay
# added at its end (module_symvers(), now in symvers.c) taken out
awk -v begin="$cbegin" -v end="$cend" '
	$0 == begin { inblock = 1; next }
	inblock { if ($0 == end) inblock = 0; next }
	{ print }
' "$ksrc/kernel/module/main.c" > "$tmp/main.c"
cp "$ksrc/kernel/module/internal.h" "$tmp/internal.h"

# "symbols": kernel_symbol_name() and kernel_symbol_namespace() move from
# main.c to internal.h, static inline beside kernel_symbol_value(), so
# that symvers.c reads a symbol as main.c does.  They are taken from the
# tree's own main.c, as they stand there.
value_line='static inline unsigned long kernel_symbol_value(const struct kernel_symbol *sym)'
if has_part symbols; then
	if symbol_helpers take "$tmp/main.c" > "$tmp/helpers"; then
		grep -qxF "$value_line" "$tmp/internal.h" ||
			die "kernel/module/internal.h has no kernel_symbol_value(); nothing changed"
		symbol_helpers drop "$tmp/main.c" > "$tmp/next"
		mv "$tmp/next" "$tmp/main.c"
		insert_block "$ksrc/kernel/module/internal.h" "$tmp/helpers" '' \
			"$cbegin" "$cend" "$value_line" > "$tmp/internal.h"
	elif ! grep -qxF "$cbegin" "$tmp/internal.h"; then
		die "kernel/module/main.c: no kernel_symbol_name() and kernel_symbol_namespace() to move; nothing changed"
	fi
fi

if in_parts kernel/module/symvers.c; then
	# kernel/module/Makefile: symvers.o, built with MODULE_SYMVERS
	insert_block "$ksrc/kernel/module/Makefile" "$top/kernel/module/Makefile.fragment" '' \
		"$begin" "$end" > "$tmp/module.mk"
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
	cp "$ksrc/kernel/module/Makefile" "$tmp/module.mk"
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
install_file "$tmp/internal.h" "$ksrc/kernel/module/internal.h" kernel/module/internal.h
install_file "$tmp/module.mk" "$ksrc/kernel/module/Makefile" kernel/module/Makefile
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
