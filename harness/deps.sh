#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install, from Debian's packages, what building and testing kheaders needs.
# Does nothing when all of it is there already.
#
# Usage: deps.sh [KERNEL_VERSION...]   (default: 6.12)

set -eu

versions=${*:-6.12}
pkgs="gcc libc6-dev make flex bison bc libelf-dev libssl-dev pkg-config
	cpio kmod xz-utils bzip2 lz4 lzop zstd perl rsync ccache shellcheck qemu-system-x86
	util-linux coreutils findutils"
for v in $versions; do
	pkgs="$pkgs linux-source-$v"
done

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo >&2 "deps: missing packages:$missing; run as root to install them"
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # one word per package
apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null
