# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2154 # top (and frags) are set by lib.sh's caller and configs.sh
#
# harness/lib: the fast suite's tree and the generator helpers its files
# share (sourced by lib.sh).

# --- the fast suite -------------------------------------------------------------
#
# Its files (harness/fast/*.sh) work on one prepared object tree: make
# prepare and kernel/kheaders.o of the =m configuration of 6.12, in
# BUILD_DIR/6.12/check, from a source tree of its own
# (BUILD_DIR/src/linux-6.12-fast), which they touch and add files to.
# Each file leaves both as it found them.

# fast_setup BUILD_DIR: $tree, $odir, $stock and a fresh $scratch (removed
# on exit), the tree prepared unless KH_FAST_READY says it is
# shellcheck disable=SC2034 # the variables are the caller's
fast_setup() {
	build=$(mkdir -p "$1" && cd "$1" && pwd) || exit 1
	version=6.12
	odir=$build/$version/check
	stock=$build/src/stock-$version
	archive=kernel/kheaders_data.tar.xz
	stamp=kernel/kheaders.md5
	XZ=${XZ:-xz}
	export XZ
	mkdir -p "$build/$version"
	echo "TAP version 13"
	tree=$(sh "$top/harness/ksrc.sh" "$version" "$build" "linux-$version-fast" \
		2> "$build/$version/check-ksrc.log") ||
		fast_bail "$build/$version/check-ksrc.log" "cannot prepare the $version tree"
	if [ -z "${KH_FAST_READY:-}" ] && ! fast_prepare > "$build/$version/check-setup.log" 2>&1; then
		fast_bail "$build/$version/check-setup.log" "cannot prepare $odir"
	fi
	fast_tmpdir "$build/$version/fast-scratch"
	scratch_top=$fast_tmp
	scratch=$scratch_top/s
}

# fast_bail LOG WHAT: a fast file that cannot start ends here: the tail
# of LOG as TAP diagnostics, then "Bail out! WHAT"
fast_bail() {
	tail -n 30 "$1" | tap_diag
	echo "Bail out! $2"
	exit 1
}

# fast_tmpdir PREFIX: fast_tmp is a new directory PREFIX.XXXXXX, removed
# when the shell exits
fast_tmpdir() {
	fast_tmp=$(mktemp -d "$1.XXXXXX") || exit 1
	# shellcheck disable=SC2064 # the path, now
	trap "rm -rf '$fast_tmp'" EXIT
}

# fast_prepare: make prepare kernel/kheaders.o in $odir
fast_prepare() {
	kh_config "$version" m
	# shellcheck disable=SC2086 # file names without blanks
	KH_MAKE_TARGETS="prepare kernel/kheaders.o" \
		sh "$top/harness/build-kernel.sh" "$tree" "$odir" $frags
}

# fast_test DESCRIPTION FUNCTION: tap_test with an empty $scratch
fast_test() {
	rm -rf "$scratch" && mkdir -p "$scratch"
	tap_test "$@"
}

# gen [VAR=value...]: run the generator the way kernel/Makefile does, for
# $archive (the archive, or the image); GEN_RUN is a command to run it
# under, GEN the generator, GEN_ARCHIVE another output, GEN_ODIR and
# GEN_TREE another object and source tree
gen() {
	# shellcheck disable=SC2086 # GEN_RUN is a command and its arguments
	(cd "${GEN_ODIR:-$odir}" && env srctree="${GEN_TREE:-$tree}" SRCARCH=x86 "$@" \
		${GEN_RUN:-} sh "${GEN:-$tree/kernel/gen_kheaders.sh}" "${GEN_ARCHIVE:-$archive}" \
		kernel/kheaders_tar kernel/kheaders_module.lds)
}

# ident, stamp_ident: inode and modification time, which change when the
# archive (its stamp) is rewritten
ident() {
	stat -c '%i %.9Y' "$odir/$archive"
}
stamp_ident() {
	stat -c '%i %.9Y' "$odir/$stamp"
}

members() {
	tar -tJf "$odir/$archive"
}

# expect_regen [VAR=value...]: the generator runs, says GEN and writes a
# new archive
expect_regen() {
	before=$(ident)
	out=$(gen "$@") || fail "generator failed: $out" || return 1
	case $out in *GEN*) ;; *) fail "did not regenerate: $out" || return 1 ;; esac
	[ "$(ident)" != "$before" ] || fail "archive not rewritten"
}

# expect_noop [VAR=value...]: the generator says nothing, writes nothing
expect_noop() {
	before=$(ident)
	out=$(gen "$@") || fail "generator failed: $out" || return 1
	[ -z "$out" ] || fail "expected no output, got: $out" || return 1
	[ "$(ident)" = "$before" ] || fail "archive was rewritten"
}

# expect_fast_noop: expect_noop without even reading the files again (the
# stamp is rewritten when they had to be read to be found unchanged)
expect_fast_noop() {
	st=$(stamp_ident)
	expect_noop "$@" || return 1
	[ "$(stamp_ident)" = "$st" ] || fail "contents were read again (stamp rewritten)"
}

# saved NAME: the generator's output made (if it was not), and copied,
# with its stamp, to $scratch/NAME and $scratch/NAME.stamp
saved() {
	gen > /dev/null || return 1
	cp "$odir/$archive" "$scratch/$1" && cp "$odir/$stamp" "$scratch/$1.stamp"
}

# expect_make_noop OBJECT: "make OBJECT" in $odir, with OBJECT made
# already, remakes nothing: no GEN line for $archive, which stays as it
# was with its stamp (the files were not even read), nor OBJECT
expect_make_noop() {
	before=$(ident)
	st=$(stamp_ident)
	obj=$(stat -c '%.9Y' "$odir/$1")
	out=$(kh_make "$tree" "$odir" "" "$1" 2>&1) || fail "$out" || return 1
	case $out in *"GEN     ${archive%%.*}"*) fail "regenerated: $out" || return 1 ;; esac
	[ "$(ident)" = "$before" ] || fail "$archive rewritten" || return 1
	[ "$(stamp_ident)" = "$st" ] || fail "stamp rewritten: a no-op build read the files" || return 1
	[ "$(stat -c '%.9Y' "$odir/$1")" = "$obj" ] || fail "$1 rebuilt"
}
