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

# The overlay: every file under these folders of this project goes to the
# same path in the kernel tree.
overlay=$(cd "$top" && find kernel tools/testing/selftests/kheaders \
	Documentation scripts -type f ! -name '*.fragment' 2>/dev/null | sort)

# --- recognise the tree before touching anything ----------------------------

for f in Makefile init/Kconfig kernel/Makefile kernel/module/main.c \
	 include/linux/module.h tools/testing/selftests/Makefile \
	 scripts/Kbuild.include; do
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
if has_block "$ksrc/init/Kconfig"; then hb=1; else hb=; fi
splice "$ksrc/init/Kconfig" "$top/init/Kconfig.fragment" "$kconfig_stock" "$hb" \
	> "$tmp/Kconfig"
leftover "$tmp/Kconfig" >&2 &&
	die "init/Kconfig: IKHEADERS entry in an unknown form; nothing changed"

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
if has_block "$ksrc/kernel/Makefile"; then hb=1; else hb=; fi
# (7.3's rules end the file: the blank line before them goes too)
splice "$ksrc/kernel/Makefile" "$top/kernel/Makefile.fragment" "$makefile_stock" "$hb" |
	awk '/^$/ { blank++; next } { while (blank) { print ""; blank-- } print }' \
	> "$tmp/Makefile"
leftover "$tmp/Makefile" >&2 &&
	die "kernel/Makefile: kheaders rules in an unknown form; nothing changed"

# insert_block FILE FRAGMENT LAST_LINE: print FILE with FRAGMENT between
# the C markers, in place of the block of an earlier run, else before the
# last line when it is LAST_LINE, else at the end when LAST_LINE is empty
insert_block() {
	awk -v begin="$cbegin" -v end="$cend" -v frag="$2" -v last="$3" "$awk_block"'
		{ lines[NR] = $0 }
		END {
			n = NR
			if (last != "" && lines[n] != last)
				exit 1
			for (i = 1; i <= n; i++) {
				if (lines[i] == begin) {
					inblock = 1
					block()
					continue
				}
				if (inblock) {
					if (lines[i] == end)
						inblock = 0
					continue
				}
				if (i == n && last != "" && !done)
					block()
				print lines[i]
			}
			if (!done)
				block()
		}
	' "$1"
}
insert_block "$ksrc/kernel/module/main.c" "$top/kernel/module/main.c.fragment" '' \
	> "$tmp/main.c"
insert_block "$ksrc/include/linux/module.h" "$top/include/linux/module.h.fragment" \
	'#endif /* _LINUX_MODULE_H */' > "$tmp/module.h" ||
	die "include/linux/module.h does not end with '#endif /* _LINUX_MODULE_H */'; nothing changed"

# tools/testing/selftests/Makefile: one TARGETS line, in order.
if grep -qx 'TARGETS += kheaders' "$ksrc/tools/testing/selftests/Makefile"; then
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
if [ -f "$ksrc/$docindex" ]; then
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
		cp "$1" "$2"
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

# The backport to trees before 6.9, whose blk_alloc_disk() takes no queue
# limits and returns NULL on failure: the one call of kheaders_image.c.
backport() {
	if [ "$1" = kernel/kheaders_image.c ] &&
	   grep -qs '^#define blk_alloc_disk(node_id)' "$ksrc/include/linux/blkdev.h"; then
		sed 's/blk_alloc_disk(NULL, NUMA_NO_NODE)/(blk_alloc_disk(NUMA_NO_NODE) ?: ERR_PTR(-ENOMEM))/' \
			"$top/$1" > "$tmp/backport"
		grep -q 'blk_alloc_disk(NUMA_NO_NODE)' "$tmp/backport" ||
			die "$1: no blk_alloc_disk() call to backport"
		echo "$tmp/backport"
	else
		echo "$top/$1"
	fi
}
for f in $overlay; do
	src=$(backport "$f") || exit 1
	install_file "$src" "$ksrc/$f" "$f"
done
install_file "$tmp/Kconfig" "$ksrc/init/Kconfig" init/Kconfig
install_file "$tmp/Makefile" "$ksrc/kernel/Makefile" kernel/Makefile
install_file "$tmp/main.c" "$ksrc/kernel/module/main.c" kernel/module/main.c
install_file "$tmp/module.h" "$ksrc/include/linux/module.h" include/linux/module.h
install_file "$tmp/selftests.mk" "$ksrc/tools/testing/selftests/Makefile" \
	tools/testing/selftests/Makefile
if [ -f "$tmp/docindex" ]; then
	install_file "$tmp/docindex" "$ksrc/$docindex" "$docindex"
fi

if [ $changed -eq 0 ]; then
	echo "apply: $ksrc already has kheaders applied; nothing changed"
else
	echo "apply: $changed change(s) to $ksrc"
fi
