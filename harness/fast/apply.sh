#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: apply.sh, the tool that puts kheaders into a kernel tree:
# applied twice it changes nothing the second time; on a small tree made
# of the stock files it edits it replaces the stock kheaders and changes
# nothing else; it refuses an empty directory and stock rules in a form it
# does not know, writing nothing.
#
# Usage: sh harness/fast/apply.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

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
	for f in include/linux/module.h kernel/module/internal.h; do
		[ "$(grep -c '^/\* BEGIN kheaders' "$scratch/t/$f")" = 1 ] ||
			fail "$f: not one kheaders block" || return 1
		awk '/^\/\* BEGIN kheaders/ { b = 1 } !b { print } /^\/\* END kheaders/ { b = 0 }' \
			"$scratch/t/$f" | diff "$stock/$f" - || fail "$f changed outside the block" ||
			return 1
	done
	grep -q 'EXPORT_SYMBOL_NS_GPL(module_symvers' "$scratch/t/kernel/module/symvers.c" ||
		fail "module_symvers() not added" || return 1
	# kernel_symbol_name() and kernel_symbol_namespace() moved: what main.c
	# lost is what internal.h gained, less "inline"
	diff "$stock/kernel/module/main.c" "$scratch/t/kernel/module/main.c" |
		sed -n 's/^< //p' > "$scratch/moved"
	sed -n '/^\/\* BEGIN kheaders/,/^\/\* END kheaders/p' "$scratch/t/kernel/module/internal.h" |
		sed '1d;$d;s/^static inline /static /' | diff "$scratch/moved" - ||
		fail "main.c lost other lines than the functions internal.h gained" || return 1
	[ "$(grep -c '^static const char \*kernel_symbol_name(' "$scratch/moved")" = 1 ] ||
		fail "kernel_symbol_name() not moved" || return 1
	# kernel/module/Makefile: symvers.o in one block at its end
	f=kernel/module/Makefile
	awk '/^# BEGIN kheaders/ { b = 1 } !b { print } /^# END kheaders/ { b = 0 }' \
		"$scratch/t/$f" | diff "$stock/$f" - || fail "$f changed outside the block" ||
		return 1
	# shellcheck disable=SC2016 # a make variable, literally
	sed -n '/^# BEGIN kheaders/,/^# END kheaders/p' "$scratch/t/$f" |
		grep -qxF 'obj-$(CONFIG_MODULE_SYMVERS) += symvers.o' || fail "$f: no symvers.o" ||
		return 1
	# kernel/module/Kconfig: MODULE_SYMVERS in one block, inside "if
	# MODULES", the rest as it was
	f=kernel/module/Kconfig
	[ "$(grep -c '^# BEGIN kheaders' "$scratch/t/$f")" = 1 ] ||
		fail "$f: not one kheaders block" || return 1
	awk '/^# BEGIN kheaders/ { b = 1 } !b { print } /^# END kheaders/ { b = 0 }' \
		"$scratch/t/$f" | diff "$stock/$f" - || fail "$f changed outside the block" ||
		return 1
	sed -n '/^# BEGIN kheaders/,/^# END kheaders/p' "$scratch/t/$f" |
		grep -qx 'config MODULE_SYMVERS' || fail "$f: no MODULE_SYMVERS" || return 1
	[ "$(tail -n 1 "$scratch/t/$f")" = 'endif # MODULES' ] ||
		fail "$f: the block is not inside if MODULES"
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

# Mainline as Debian ships it (the pristine 7.3 tree that make series
# starts from): apply twice, the second run changes nothing, the scripts
# are executable; with its kheaders rules in a form apply.sh does not
# know, a refusal that writes nothing.
test_apply_mainline() {
	pristine=$build/src/pristine-7.3
	kh_unpack 7.3 "$pristine" > "$scratch/unpack.log" 2>&1 ||
		{ cat "$scratch/unpack.log"; return 1; }
	cp -al "$pristine" "$scratch/m"
	out=$(sh "$top/harness/apply.sh" "$scratch/m" 2>&1) || fail "$out" || return 1
	case $out in *"nothing changed"*) fail "first apply: $out" || return 1 ;; esac
	# the overlay's scripts are executable in the tree as in the overlay
	for f in $(cd "$top" && find kernel scripts tools -type f -perm -u+x); do
		[ -x "$scratch/m/$f" ] || fail "$f: not executable in the tree" || return 1
	done
	out=$(sh "$top/harness/apply.sh" "$scratch/m" 2>&1) || fail "$out" || return 1
	case $out in *"nothing changed"*) ;; *) fail "second apply: $out" || return 1 ;; esac
	rm -rf "$scratch/m"
	cp -al "$pristine" "$scratch/m"
	# (a new file for sed -i: the tree is hard links to the pristine one)
	sed -i 's/^# kheaders_data.tar.xz$/# kheaders data/' "$scratch/m/kernel/Makefile"
	before=$(cd "$scratch/m" && find kernel init include -type f -newer "$pristine/Makefile" | sort)
	out=$(sh "$top/harness/apply.sh" "$scratch/m" 2>&1) && fail "accepted unknown rules: $out" && return 1
	case $out in *"unknown form"*) ;; *) fail "message: $out" || return 1 ;; esac
	[ "$before" = "$(cd "$scratch/m" && find kernel init include -type f -newer "$pristine/Makefile" | sort)" ] ||
		fail "tree changed"
}

fast_test "apply.sh twice changes nothing the second time" test_apply_idempotent
fast_test "apply.sh on pristine 7.3: twice, the second changes nothing, scripts executable; unknown rules refused" \
	test_apply_mainline
fast_test "apply.sh on the stock files replaces the stock entry" test_apply_stock_files
fast_test "apply.sh refuses unknown trees and leaves them untouched" test_apply_rejects_unknown
tap_done
