#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Part of "make bench": the Module.symvers that a kernel of Debian's own
# amd64 configuration would serve, counted from Debian's build of it: the
# Module.symvers of its linux-headers package of the tree's version
# (fetched with apt-get download, or by debs.sh for a tree of another
# Debian release).  Prints the number of exports, of vmlinux and of the
# modules, and the bytes of /proc/kheaders.symvers with vmlinux alone and
# with every module loaded; or that the package could not be fetched.
#
# Usage: bench-symvers.sh VERSION PRISTINE_TREE WORK_DIR

set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
version=$1
pristine=$2
work=$3

# (the version of the tree, as the package names it: 6.12.57, 7.3.4)
upstream=$(awk '/^VERSION =/ { v = $3 } /^PATCHLEVEL =/ { p = $3 }
	/^SUBLEVEL =/ { s = $3 } END { print v "." p "." s }' "$pristine/Makefile")
suite=$(kh_suite "$version")
# headers_names: the packages named linux-headers-VERSION+..., from the
# machine's apt or, for a tree of another suite, debs.sh's lists
headers_names() {
	if [ -n "$suite" ]; then
		sh "$top/harness/debs.sh" --names "$suite" "$KH_DEBS" "linux-headers-$upstream+"
	else
		apt-cache pkgnames "linux-headers-$upstream+"
	fi
}
headers=$(headers_names 2> "$work/deb.log" | grep -- '-amd64$' |
	grep -v -- '-rt-\|-cloud-' | head -n 1)
rm -rf "$work/deb"
mkdir -p "$work/deb"
# fetch_symvers: Module.symvers of package $headers under $work/deb
fetch_symvers() {
	if [ -n "$suite" ]; then
		sh "$top/harness/debs.sh" "$suite" "$KH_DEBS" "$headers" &&
			cp "$KH_DEBS/root/usr/src/$headers/Module.symvers" "$work/deb/"
	else
		(cd "$work/deb" && apt-get download -q "$headers") &&
			dpkg-deb --fsys-tarfile "$work"/deb/*.deb |
			tar -xf - -C "$work/deb" --wildcards '*/Module.symvers'
	fi
}
if [ -n "$headers" ] && fetch_symvers >> "$work/deb.log" 2>&1; then
	symvers=$(find "$work/deb" -name Module.symvers | head -n 1)
	awk -F '\t' -v pkg="$headers" '
		{ n++; b += length($0) + 1; m[$3] = 1 }
		$3 == "vmlinux" { v++; vb += length($0) + 1 }
		END {
			for (k in m) mods++
			printf "Module.symvers of %s (Debian'"'"'s build of that config):\n", pkg
			printf "  %d exports, %d of vmlinux and %d of %d modules\n", n, v, n - v, mods - 1
			printf "  /proc/kheaders.symvers: %d bytes with vmlinux alone, %d with every module loaded\n", vb, b
		}' "$symvers"
else
	echo "Module.symvers of Debian's build: ${headers:-no linux-headers-$upstream+*-amd64 package} could not be fetched (log $work/deb.log)"
fi
