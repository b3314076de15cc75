#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: "make series", the overlay as the patch series for upstream,
# against Debian's pristine 7.3 tree (BUILD_DIR/src/pristine-7.3):
#   - it leaves the tree as it was and writes a cover letter and a patch
#     per part, without Signed-off-by;
#   - "git am" of the series onto the pristine files gives the tree that
#     apply.sh gives, apart from apply.sh's BEGIN/END marker lines;
#   - bisect: the tree after each patch that changes kernel code builds
#     (prepare and the objects of that step, x86_64, base.config and
#     linux-7.3.config with the step's options on), one O= directory for
#     all steps, as a bisection would build them.
# checkpatch on each patch is in lint.sh.
#
# Usage: sh harness/fast/series.sh [BUILD_DIR]   (TAP)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
build=$(mkdir -p "${1:-$top/build}" && cd "${1:-$top/build}" && pwd) || exit 1
version=7.3
pristine=$build/src/pristine-$version
echo "TAP version 13"
kh_unpack "$version" "$pristine" > "$build/series-unpack.log" 2>&1 ||
	fast_bail "$build/series-unpack.log" \
		"no pristine $version tree (harness/deps.sh $version fetches it)"
fast_tmpdir "$build/series-test"
work=$fast_tmp
out=$work/series

# the files the patches touch
touched() {
	sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$out"/000[1-9]*.patch | sort -u
}

test_series_made() {
	touch "$work/stamp"
	sh "$top/harness/series.sh" "$pristine" "$out" > "$work/series.log" 2>&1 ||
		{ cat "$work/series.log"; return 1; }
	changed=$(find "$pristine" -newer "$work/stamp" | head -n 5)
	[ -z "$changed" ] || fail "series.sh changed the pristine tree: $changed" || return 1
	n=$(wc -l < "$out/parts")
	[ -f "$out/0000-cover-letter.patch" ] || fail "no cover letter" || return 1
	[ "$(find "$out" -name '000[1-9]*.patch' | wc -l)" -eq "$n" ] ||
		fail "not one patch per part: $(ls "$out")" || return 1
	! grep -l '^Signed-off-by:' "$out"/*.patch || fail "a Signed-off-by: in the series" ||
		return 1
	! grep -qE '\*\*\* (SUBJECT|BLURB) HERE' "$out/0000-cover-letter.patch" ||
		fail "the cover letter has git's blanks"
}

test_series_is_apply() {
	[ -f "$out/parts" ] || fail "no series" || return 1
	# the pristine files the series touches, in a repository of their own
	mkdir "$work/am"
	touched > "$work/touched"
	while read -r f; do
		[ ! -f "$pristine/$f" ] || { mkdir -p "$(dirname "$work/am/$f")" &&
			cp -p "$pristine/$f" "$work/am/$f"; }
	done < "$work/touched"
	(cd "$work/am" && git init -q && git add -A &&
		git -c user.name=t -c user.email=t@t.invalid commit -qm base &&
		git -c user.name=t -c user.email=t@t.invalid am -q "$out"/000[1-9]*.patch) \
		> "$work/am.log" 2>&1 || { cat "$work/am.log"; return 1; }
	# make apply's tree
	cp -al "$pristine" "$work/applied"
	sh "$top/harness/apply.sh" "$work/applied" > "$work/apply.log" 2>&1 ||
		{ cat "$work/apply.log"; return 1; }
	sed -n 's/^  updated //p' "$work/apply.log" | sort > "$work/updated"
	diff "$work/touched" "$work/updated" ||
		fail "the series and apply.sh change different files" || return 1
	bad=0
	while read -r f; do
		grep -vE "$KH_MARKERS" "$work/applied/$f" | cmp -s - "$work/am/$f" ||
			{ echo "$f differs"; bad=1; }
		[ "$(stat -c %A "$work/applied/$f")" = "$(stat -c %A "$work/am/$f")" ] ||
			{ echo "$f: mode differs"; bad=1; }
	done < "$work/touched"
	return $bad
}

# step_frags PARTS: the configuration of the tree with PARTS applied
step_frags() {
	printf 'CONFIG_MODULES=y\nCONFIG_MODULE_UNLOAD=y\nCONFIG_MODVERSIONS=y\n' \
		> "$work/modules.config"
	f="$top/configs/base.config $top/configs/linux-$version.config $work/modules.config"
	case " $1 " in *" kheaders "*) f="$f $top/configs/ikheaders-m.config" ;; esac
	case " $1 " in *" image "*) f="$f $top/configs/image-m.config" ;; esac
	echo "$f"
}

# step_targets PARTS
step_targets() {
	t="prepare kernel/module/"
	case " $1 " in *" kheaders "*) t="$t kernel/kheaders.o" ;; esac
	case " $1 " in *" image "*) t="$t kernel/kheaders_image.o kernel/kheaders_symvers.o" ;; esac
	echo "$t"
}

test_series_bisect() {
	[ -f "$out/parts" ] || fail "no series" || return 1
	cp -al "$pristine" "$work/bisect"
	i=0
	for p in "$out"/000[1-9]*.patch; do
		i=$((i + 1))
		parts=$(sed -n "${i}p" "$out/parts")
		# (git apply in a folder of a git work tree, such as the
		# project's own build/, would apply only what lies under that
		# folder's path in the repository, which is nothing: the
		# ceiling keeps git from finding that repository)
		(cd "$work/bisect" && GIT_CEILING_DIRECTORIES=$work git apply "$p") ||
			fail "patch $i does not apply" || return 1
		if ! sed -n 's|^diff --git a/\([^ ]*\) .*|\1|p' "$p" |
		     grep -qE '^(kernel|init|include|scripts)/'; then
			echo "patch $i: no kernel code, not built"
			continue
		fi
		# (its progress lines and, when it fails, the log's tail on
		# standard error as it runs)
		# shellcheck disable=SC2046 # file names without blanks
		KH_LABEL="series: patch $i" KH_MAKE_TARGETS=$(step_targets "$parts") \
			sh "$top/harness/build-kernel.sh" "$work/bisect" "$work/o" \
			$(step_frags "$parts") 2>&3 ||
			fail "patch $i ($parts): the build failed" || return 1
		echo "patch $i ($parts): $(step_targets "$parts") built"
	done
}

exec 3>&2
tap_test "make series: the pristine tree as it was, a cover letter and a patch per part" \
	test_series_made
tap_test "git am of the series gives apply.sh's tree, markers aside" test_series_is_apply
tap_test "bisect: the tree after each patch builds with that step's options" \
	test_series_bisect
tap_done
