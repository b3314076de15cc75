#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# No secret of the build in the kheaders archive (no VM).  For a 6.12
# x86_64 configuration with RANDSTRUCT by the GCC plugin, and a 7.3
# (mainline) one with clang's RANDSTRUCT (LLVM=-19), each in its own O=
# directory, prepared and kernel/kheaders.o and kheaders_image.o built:
#   - the layout seed (scripts/basic/randstruct.seed) is nowhere in the
#     archive's bytes, nor the GCC plugin that holds it; the other GCC
#     plugins are there; nor in the image of /dev/kheaders;
#   - files a build keeps private (signing keys and the like), planted
#     with a marker in the object tree, stay out when the archive is made
#     again, and so does the PIN of the PKCS#11 URI of the GCC
#     configuration's module signing key;
#   - a module build from the extracted archive stops with the message of
#     its scripts/Makefile.randstruct, naming CONFIG_RANDSTRUCT, and makes
#     no module.
# Prints TAP.
#
# Usage: secrets-checks.sh BUILD_DIR

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/harness/lib.sh"
build=$(mkdir -p "${1:?usage: secrets-checks.sh BUILD_DIR}" && cd "$1" && pwd) || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "TAP version 13"
echo "1..8"
sh "$top/harness/deps.sh" 6.12 7.3 llvm randstruct >&2 || { echo "Bail out! packages missing"; exit 1; }

# variant NAME VERSION: the four checks of configuration randstruct-NAME
# of tree VERSION
variant() {
	name=$1
	if ! tree=$(sh "$top/harness/ksrc.sh" "$2" "$build" 2> "$work/ksrc.log"); then
		tap_diag < "$work/ksrc.log"
		for c in builds seed planted module; do
			tap_result 1 "RANDSTRUCT ($name, $2): $c (no $2 tree)"
		done
		return
	fi
	kh_config "$2" "randstruct-$name"
	odir=$build/$2/randstruct-$name
	archive=$odir/kernel/kheaders_data.tar.xz
	image=$odir/kernel/kheaders_image.sqfs
	what="RANDSTRUCT ($name, $2)"

	t0=$(date +%s)
	# shellcheck disable=SC2086 # file names without blanks
	if ! KH_MAKEVARS=$makevars KH_MAKE_TARGETS=$targets \
		sh "$top/harness/build-kernel.sh" "$tree" "$odir" $frags \
		> "$work/build.log" 2>&1; then
		tap_diag < "$work/build.log"
		tap_result 1 "$what: $targets builds"
		for c in seed planted module; do
			tap_result 1 "$what: $c (not checked: no build)"
		done
		return
	fi
	tap_result 0 "$what: $targets builds ($(($(date +%s) - t0))s)"

	# 2: the seed is in no byte of the archive
	ok=0
	seed=$(cat "$odir/scripts/basic/randstruct.seed")
	[ ${#seed} -ge 32 ] || { echo "# no seed in $odir"; ok=1; }
	xz -dc "$archive" > "$work/tar" || ok=1
	if grep -qF "$seed" "$work/tar"; then
		echo "# the seed is in the archive:"
		tar -tf "$work/tar" | while read -r m; do
			tar -xOf "$work/tar" "$m" | grep -qF "$seed" && echo "#   $m"
		done
		ok=1
	fi
	tar -tf "$work/tar" > "$work/members"
	grep -E 'randstruct\.seed|randomize_layout' "$work/members" | tap_diag
	! grep -qE 'randstruct\.seed|randomize_layout' "$work/members" || ok=1
	if [ "$name" = gcc ]; then
		grep -qx scripts/gcc-plugins/latent_entropy_plugin.so "$work/members" ||
			{ echo "# the other GCC plugins are missing"; ok=1; }
	fi
	# and the image of /dev/kheaders, made of the same files
	sqfs2tar "$image" > "$work/image.tar" 2> "$work/sqfs2tar.err" ||
		{ tap_diag < "$work/sqfs2tar.err"; ok=1; }
	if grep -qF "$seed" "$work/image.tar"; then
		echo "# the seed is in the image"
		ok=1
	fi
	tar -tf "$work/image.tar" | grep -E 'randstruct\.seed|randomize_layout' | tap_diag
	! tar -tf "$work/image.tar" | grep -qE 'randstruct\.seed|randomize_layout' || ok=1
	tap_result $ok "$what: the layout seed is nowhere in the archive or the image"

	# 3: private files that a build can have, planted where it has none,
	# stay out of an archive made again
	ok=0
	marker=kheaders-secret-$$-$name
	: > "$work/planted"
	for f in certs/signing_key.pem certs/x509.genkey certs/signing_key.x509 \
		 certs/x509_certificate_list certs/extract-cert certs/private.key \
		 include/config/private.key scripts/basic/private.key; do
		[ ! -e "$odir/$f" ] || continue
		mkdir -p "$odir/${f%/*}"
		printf '%s\n' "$marker" > "$odir/$f"
		echo "$odir/$f" >> "$work/planted"
	done
	rm -f "$archive" "$odir/kernel/kheaders.md5"
	kh_make "$tree" "$odir" "$makevars" kernel/kheaders.o > "$work/again.log" 2>&1 ||
		{ tail -n 20 "$work/again.log" | tap_diag; ok=1; }
	if xz -dc "$archive" | grep -qF "$marker"; then
		echo "# a planted private file is in the archive"
		ok=1
	fi
	# the PIN of the PKCS#11 signing key (randstruct-gcc.config)
	if grep -q 'pin-value=' "$odir/include/config/auto.conf"; then
		if xz -dc "$archive" | grep -qF kheaders-pin-4711; then
			echo "# the signing key's PIN is in the archive"
			ok=1
		fi
		for f in include/config/auto.conf .config; do
			tar -xJOf "$archive" "$f" > "$work/conf"
			grep -q '^CONFIG_MODULE_SIG_KEY="\{0,1\}pkcs11:.*pin-value=removed-by-kheaders' \
				"$work/conf" || { echo "# $f has no CONFIG_MODULE_SIG_KEY without its PIN"; ok=1; }
		done
	fi
	xargs rm -f < "$work/planted"
	tap_result $ok "$what: signing keys, a PKCS#11 PIN and other private files stay out"

	# 4: a module build from the archive stops, naming the reason
	ok=0
	rm -rf "$work/x" "$work/mod"
	mkdir -p "$work/x" "$work/mod"
	tar -xJf "$archive" -C "$work/x" || ok=1
	cp "$top/tools/testing/selftests/kheaders/testmod/"* "$work/mod/"
	# shellcheck disable=SC2086 # make variables, one word each
	if make -C "$work/x" M="$work/mod" $makevars modules > "$work/mod.log" 2>&1; then
		echo "# the module build succeeded"
		ok=1
	fi
	grep -q 'CONFIG_RANDSTRUCT' "$work/mod.log" || ok=1
	grep -E 'RANDSTRUCT|rror' "$work/mod.log" | head -n 3 | tap_diag
	[ -z "$(find "$work/mod" -name '*.ko')" ] || { echo "# a module was made"; ok=1; }
	tap_result $ok "$what: a module build from the archive stops, naming CONFIG_RANDSTRUCT"
}

variant gcc 6.12
variant clang 7.3
