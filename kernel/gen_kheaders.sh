#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Make the archive served at /proc/kheaders.tar.xz: the kernel headers and
# the files that "make -C <tree> M=<dir> modules" needs, with the comments
# of the headers removed, as a reproducible xz-compressed tar.
#
# Usage: gen_kheaders.sh ARCHIVE TAR_TOOL MODULE_LDS
#
# Run by kernel/Makefile from the object tree, with srctree, SRCARCH and XZ
# from Kbuild.  KBUILD_BUILD_TIMESTAMP, when set, is the modification time
# of every file in the archive; otherwise that time is 0.
#
# Nothing is written when the files, the configuration, this script and the
# tools are what the last archive was made of: the md5 of all of them, kept
# in kheaders.md5 next to the archive, decides.  So that a no-op build does
# not read every file, the stamp also keeps a digest of their names, sizes,
# inodes and modification and change times: while that is the same, no file
# can have been written to, and the contents are not read again.  Module.symvers cannot be in
# the archive (vmlinux is linked after it is made); the kernel appends it
# when the archive is read.

set -eu

archive=$1
tar_tool=$2
module_lds=$3
srctree=${srctree:?is not set (this script is run by kernel/Makefile)}
SRCARCH=${SRCARCH:?is not set (this script is run by kernel/Makefile)}
XZ=${XZ:-xz}
stamp=${archive%/*}/kheaders.md5
tmp=$archive.tmp$$

die() {
	echo >&2 "$0: $*"
	exit 1
}

for tool in find md5sum sort xargs strip "${XZ%% *}"; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "'$tool' is needed to build kheaders but could not be found"
done

mtime=0
if [ -n "${KBUILD_BUILD_TIMESTAMP:-}" ]; then
	mtime=$(date -d "$KBUILD_BUILD_TIMESTAMP" +%s 2>/dev/null) ||
		die "cannot parse KBUILD_BUILD_TIMESTAMP '$KBUILD_BUILD_TIMESTAMP'"
fi

is_enabled() {
	grep -q "^$1=y" include/config/auto.conf
}

trap 'rm -rf "$tmp" "$tmp.list" "$tmp.failed" "$tmp.bin"' EXIT
trap 'exit 1' HUP INT TERM

# The file list, NUL-terminated: sources as "$srctree/...", generated files
# relative to the object tree.  kheaders_tar sorts it and refuses duplicates.
{
	find "$srctree/include" \
		\( -path "$srctree/include/config" -o \
		   -path "$srctree/include/generated" \) -prune -o \
		-name '*.h' -type f -print0
	find "$srctree/arch/$SRCARCH" \
		-path "$srctree/arch/$SRCARCH/include/generated" -prune -o \
		-path '*/include/*' -name '*.h' -type f -print0 -o \
		-path "$srctree/arch/$SRCARCH/Makefile*" -type f -print0 -o \
		\( -name Kbuild.platforms -o -name Platform \) -type f -print0
	find "$srctree/scripts" -maxdepth 1 -type f \
		\( -name 'Makefile.*' -o -name Kbuild.include -o \
		   -name subarch.include -o -name check-local-export -o \
		   -name module-common.c -o -name modules-check.sh -o \
		   -name depmod.sh \) -print0
	printf '%s\0' "$srctree/Makefile"

	# Generated in the object tree by "make prepare".  utsversion.h and
	# compile.h are made later, while vmlinux is linked; modules do not
	# use them.
	find include/generated "arch/$SRCARCH/include/generated" \
		-name '*.h' -type f ! -name utsversion.h ! -name compile.h \
		-print0
	printf '%s\0' include/config/auto.conf include/config/kernel.release
	if is_enabled CONFIG_GCC_PLUGINS; then
		find scripts/gcc-plugins -name '*.so' -type f -print0
	fi
} > "$tmp.list"

# The host programs that "make M=" runs go in without their symbols and
# debugging information (objtool shrinks from about 900 KB to 200 KB).
hostprogs="scripts/basic/fixdep scripts/mod/modpost"
if is_enabled CONFIG_OBJTOOL; then
	hostprogs="$hostprogs tools/objtool/objtool"
fi
if is_enabled CONFIG_MODVERSIONS; then
	hostprogs="$hostprogs scripts/genksyms/genksyms"
fi
for prog in $hostprogs; do
	[ -f "$prog" ] || die "$prog is missing; it is built before this runs"
done

# every_file COMMAND: run COMMAND on each file the archive is made of, in
# a fixed order.
every_file() {
	# shellcheck disable=SC2086 # paths without blanks
	printf '%s\0' "$0" "$tar_tool" "$module_lds" $hostprogs |
		cat - "$tmp.list" | LC_ALL=C sort -z | xargs -0 "$@"
}

# Any write to a file changes its change time, which nothing can set back.
# Taken before the files are read: a file written while this runs makes the
# next run read them all again.
statsig=$(
	{
		printf 'xz=%s mtime=%s\n' "$XZ" "$mtime"
		every_file stat -c '%n %s %i %.9Y %.9Z'
	} | md5sum
)
archive_stat() {
	stat -c '%s %i %.9Y %.9Z' "$archive"
}
if [ -f "$archive" ] && [ -f "$stamp" ] &&
   [ "$(sed -n 2,3p "$stamp")" = "$statsig
$(archive_stat)" ]; then
	exit 0
fi

# What the archive is made of, and how.
digest=$(
	{
		printf 'xz=%s mtime=%s\n' "$XZ" "$mtime"
		every_file md5sum
	} | md5sum
)

if [ -f "$archive" ] && [ -f "$stamp" ] &&
   [ "$(sed -n 1p "$stamp")" = "$digest $(md5sum < "$archive")" ]; then
	# the same contents, touched: remember the new times
	printf '%s\n%s\n%s\n' "$digest $(md5sum < "$archive")" "$statsig" \
		"$(archive_stat)" > "$tmp"
	mv -f "$tmp" "$stamp"
	exit 0
fi

echo "  GEN     $archive"

# A later build must not take a half-made archive for a finished one.
rm -f "$stamp"

set -- "scripts/module.lds=$module_lds"
mkdir "$tmp.bin"
for prog in $hostprogs; do
	stripped=$tmp.bin/${prog##*/}
	strip -o "$stripped" "$prog" || die "cannot strip $prog"
	set -- "$@" "$prog=$stripped"
done

{
	"$tar_tool" "$srctree" "$mtime" "$@" < "$tmp.list" ||
		echo failed > "$tmp.failed"
} | $XZ --check=crc32 > "$tmp"
[ ! -e "$tmp.failed" ] || die "could not write the archive"

mv -f "$tmp" "$archive"
printf '%s\n%s\n%s\n' "$digest $(md5sum < "$archive")" "$statsig" \
	"$(archive_stat)" > "$tmp"
mv -f "$tmp" "$stamp"
