#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: a distribution's configuration.  Debian's own 6.12 amd64
# config (package linux-config-6.12, config.amd64_none_amd64), with its
# trusted-key file names cleared (as a build outside Debian's packaging
# must) and both forms as modules: olddefconfig keeps them and what they
# select; "make prepare kernel/kheaders.o kernel/kheaders_image.o" builds;
# the archive and the image hold the same tree and no key, certificate or
# seed of the build.  Prints the archive's and the image's bytes and file
# count.  Its O= directory is BUILD_DIR/6.12/debian.
#
# Usage: sh harness/fast/debian.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"
kh_ccache "$build"

dodir=$build/$version/debian
image=kernel/kheaders_image.sqfs

# configured: Debian's config, keys cleared, both forms =m, olddefconfig
test_debian_config() {
	kh_debian_config "$version" "$tree" "$dodir" || return 1
	for want in IKHEADERS=m IKHEADERS_IMAGE=m MODULE_SYMVERS=y MODVERSIONS=y \
		MODULE_SIG=y SQUASHFS=m; do
		grep -qx "CONFIG_$want" "$dodir/.config" ||
			fail "CONFIG_$want did not take: $(grep "CONFIG_${want%=*}[= ]" "$dodir/.config")" ||
			return 1
	done
	echo "$(grep -c '=[ym]$' "$dodir/.config") options on"
}

# builds: prepare and both objects, with Debian's options
test_debian_build() {
	[ -f "$dodir/.config" ] || fail "not configured" || return 1
	kh_run "fast/debian: make prepare kernel/kheaders.o kernel/kheaders_image.o" \
		"$dodir/build.log" kh_make "$tree" "$dodir" "" \
		prepare kernel/kheaders.o kernel/kheaders_image.o ||
		fail "the build failed: $(tail -n 10 "$dodir/build.log")" || return 1
	for f in kernel/kheaders.o kernel/kheaders_image.o "$archive" "$image"; do
		[ -s "$dodir/$f" ] || fail "$f missing" || return 1
	done
	echo "archive $(stat -c %s "$dodir/$archive") bytes ($(tar -tJf "$dodir/$archive" | wc -l) entries), image $(stat -c %s "$dodir/$image") bytes"
}

# the same tree in both, and nothing secret in either
test_debian_contents() {
	[ -s "$dodir/$image" ] || fail "not built" || return 1
	mkdir -p "$scratch/tar" "$scratch/img" || return 1
	tar -xJf "$dodir/$archive" -C "$scratch/tar" || return 1
	sqfs2tar "$dodir/$image" 2> /dev/null | tar -xf - -C "$scratch/img" || return 1
	rm -f "$scratch/img/Module.symvers"
	diff -r "$scratch/tar" "$scratch/img" > "$scratch/diff" 2>&1 ||
		fail "archive and image differ: $(head -n 5 "$scratch/diff")" || return 1
	secret=$(cd "$scratch/tar" && find . | grep -E '\.(pem|priv|key|x509)$|/signing_key|randstruct\.seed|randomize_layout_seed' |
		head -n 5)
	[ -z "$secret" ] || fail "secrets in the archive: $secret" || return 1
	echo "$(cd "$scratch/tar" && find . -type f | wc -l) files in both"
}

fast_test "Debian's 6.12 amd64 config, keys cleared, both forms =m: olddefconfig keeps them" test_debian_config
fast_test "with it, make prepare kernel/kheaders.o kernel/kheaders_image.o builds" test_debian_build
fast_test "its archive and image hold the same tree, byte for byte, and no key, certificate or seed" test_debian_contents
tap_done
