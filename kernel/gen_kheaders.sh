#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Make the archive served at /proc/kheaders.tar.xz: the kernel headers and
# the files that "make -C <tree> M=<dir> modules" needs, with the comments
# of the headers removed, as a reproducible xz-compressed tar.  Or, when
# ARCHIVE ends in .sqfs, the same tree as the squashfs image that
# /dev/kheaders serves (CONFIG_IKHEADERS_IMAGE), made by tar2sqfs with
# xz compression, where Module.symvers is a symbolic link to
# /proc/kheaders.symvers and the tar ends as tar archives do.  Each has
# its stamp: kheaders.md5, kheaders_image.md5.
#
# Usage: gen_kheaders.sh ARCHIVE TAR_TOOL MODULE_LDS
#kheaders-series: target
#        gen_kheaders.sh --target-tree DIR CC LDFLAGS
#kheaders-series: end
#
# Run by kernel/Makefile from the object tree, with srctree, SRCARCH, XZ and
# STRIP from Kbuild.  KBUILD_BUILD_TIMESTAMP, when set, is the modification
# time of every file in the archive; otherwise that time is 0.
#
#kheaders-series: target
# When the kernel is built for another machine than the build host's
# (CONFIG_IKHEADERS_CROSS), the programs that "make M=" runs (fixdep,
# modpost, genksyms, recordmcount) must run on the target: with
# CONFIG_IKHEADERS_TARGET_PROGS, kernel/Makefile builds them with the
# kernel's compiler, statically linked, in an external module directory
# DIR (see kheaders_target.mk), and KHEADERS_TARGET_PROGS=DIR tells this
# script to archive those instead of the build host's.  --target-tree
# makes DIR: links to the programs' sources and to the target's generated
# scripts/mod headers, and a check that CC LDFLAGS can link a static
# program at all, so that a C library removed since the kernel was
# configured is named rather than left to a linker error.  A program that
# the target cannot have (all of them without CONFIG_IKHEADERS_TARGET_PROGS;
# objtool always) is archived as a script that stops the module build with
# a message saying why; so is gendwarfksyms (CONFIG_GENDWARFKSYMS), for
# want of static libdw and libelf for the target.
#kheaders-series: else
# When the kernel is built for another machine than the build host's
# (CONFIG_IKHEADERS_CROSS), the programs that "make M=" runs (fixdep,
# modpost, genksyms, recordmcount, objtool, gendwarfksyms) would not run
# on the target: each is archived as a script that stops the module build
# with a message saying why, under the program's name, rather than as a
# program of the build host's.
#kheaders-series: end
#
# Secrets of the build stay out: with CONFIG_RANDSTRUCT, the layout seed
# (scripts/basic/randstruct.seed, and the GCC plugin that carries it) is
# left out, and scripts/Makefile.randstruct is replaced by one that stops
# a module build with a message, as the module would not have the
# kernel's structure layout.  A PIN in a PKCS#11 URI of the configuration
# (CONFIG_MODULE_SIG_KEY) is replaced.  Nothing else private is among the
# files archived: no signing key (certs/), no object of the build but the
# programs named below.
#
# Nothing is written when the files, the configuration, this script and the
# tools are what the last archive was made of: the md5 of all of them, kept
# in kheaders.md5 next to the archive, decides.  So that a no-op build
# neither searches the trees nor reads a file, the stamp also keeps the
# list of those files and of the directories searched for them, and a hash
# of the files' sizes, inodes and modification and change times and of the
# names in the directories ("kheaders_tar --sig"): while that is the same,
# nothing was written, added or removed.  A write changes the change time,
# which nothing can set back.
#
# Module.symvers cannot be in the archive (vmlinux is linked after it is
# made); the kernel appends it when the archive is read.

set -eu

die() {
	echo >&2 "$0: $*"
	exit 1
}

#kheaders-series: target
# --target-tree DIR CC LDFLAGS
target_tree() {
	dir=$1
	cc=$2
	ldflags=$3
	src=$(cd "${srctree:?is not set (this script is run by kernel/Makefile)}" && pwd)

	mkdir -p "$dir/scripts"
	printf 'int main(void)\n{\n\treturn 0;\n}\n' > "$dir/static-check.c"
	# shellcheck disable=SC2086 # the compiler and its flags, one word each
	if ! $cc $ldflags -o "$dir/static-check" "$dir/static-check.c" \
		> "$dir/static-check.log" 2>&1; then
		sed 's/^/  /' "$dir/static-check.log" >&2
		die "'$cc $ldflags' cannot link a static program for the target," \
		    "although it could when the kernel was configured (IKHEADERS_TARGET_PROGS)." \
		    "The kheaders archive of a cross-compiled kernel carries fixdep, modpost" \
		    "and genksyms built for the target and statically linked: install the" \
		    "target C library's static part (libc.a; on Debian libc6-dev-<arch>-cross)," \
		    "or run 'make olddefconfig' to build the archive without them"
	fi
	rm -f "$dir/static-check" "$dir/static-check.c" "$dir/static-check.log"

	# Links to the sources; "../../include/linux/..." in scripts/mod
	# resolves through the link to include/.
	links=$(cd "$src" && find scripts/basic scripts/mod scripts/genksyms \
		-maxdepth 1 -type f \( -name '*.[chly]' -o -name Makefile \) \
		! -name elfconfig.h ! -name devicetable-offsets.h | LC_ALL=C sort)
	links="$links scripts/recordmcount.c scripts/recordmcount.h include"
	# the first word changes when the layout of DIR does
	want="links-2 $src $(pwd) $links"
	if [ "$(cat "$dir/links" 2>/dev/null)" != "$want" ]; then
		for f in $links; do
			case $f in */*) mkdir -p "$dir/${f%/*}" ;; esac
			rm -rf "${dir:?}/$f"
			ln -s "$src/$f" "$dir/$f"
		done
		# what the kernel build generated for the target
		for f in scripts/mod/elfconfig.h scripts/mod/devicetable-offsets.h; do
			[ -f "$f" ] || die "$f is missing; it is made before this runs"
			ln -sfn "$(pwd)/$f" "$dir/$f"
		done
		printf 'subdir-y := scripts\n' > "$dir/Kbuild"
		# shellcheck disable=SC2016 # a make variable
		printf 'include $(srctree)/kernel/kheaders_target.mk\n' \
			> "$dir/scripts/Kbuild"
		printf '%s\n' "$want" > "$dir/links"
	fi
}

if [ "${1:-}" = --target-tree ]; then
	[ $# -eq 4 ] || die "usage: $0 --target-tree DIR CC LDFLAGS"
	target_tree "$2" "$3" "$4"
	exit 0
fi

#kheaders-series: end
archive=$1
tar_tool=$2
module_lds=$3
srctree=${srctree:?is not set (this script is run by kernel/Makefile)}
SRCARCH=${SRCARCH:?is not set (this script is run by kernel/Makefile)}
XZ=${XZ:-xz}
TAR2SQFS=${TAR2SQFS:-tar2sqfs}
case $archive in
*.sqfs)
	image=1
	stamp=${archive%.sqfs}.md5
	compressor=$TAR2SQFS
	;;
*)
	image=
	stamp=${archive%/*}/kheaders.md5
	compressor=$XZ
	;;
esac
tmp=$archive.tmp$$

STRIP=${STRIP:-strip}
#kheaders-series: target
target_progs=${KHEADERS_TARGET_PROGS:-}
#kheaders-series: end

for tool in find md5sum sort stat "${STRIP%% *}" xargs "${compressor%% *}"; do
	command -v "$tool" >/dev/null 2>&1 && continue
	[ "$tool" != "${TAR2SQFS%% *}" ] ||
		die "'$tool' is needed to build the kheaders image (CONFIG_IKHEADERS_IMAGE)" \
		    "but could not be found: install squashfs-tools-ng"
	die "'$tool' is needed to build kheaders but could not be found"
done

mtime=0
if [ -n "${KBUILD_BUILD_TIMESTAMP:-}" ]; then
	mtime=$(date -d "$KBUILD_BUILD_TIMESTAMP" +%s 2>/dev/null) ||
		die "cannot parse KBUILD_BUILD_TIMESTAMP '$KBUILD_BUILD_TIMESTAMP'"
fi

# The fast path of a no-op build: the stamp's hash of what the last archive
# was made of, and the archive's own identity, are unchanged.
sigprefix="kheaders-sig-3 $0 $tar_tool $module_lds srctree=$srctree arch=$SRCARCH"
#kheaders-series: target
sigprefix="$sigprefix compressor=$compressor strip=$STRIP target=$target_progs mtime=$mtime"
#kheaders-series: else
sigprefix="$sigprefix compressor=$compressor strip=$STRIP mtime=$mtime"
#kheaders-series: end
archive_stat() {
	stat -c '%s %i %.9Y %.9Z' "$archive"
}
old_digest='' old_sig='' old_stat=''
if [ -f "$archive" ] && [ -f "$stamp" ]; then
	{ read -r old_digest && read -r old_sig && read -r old_stat; } < "$stamp" ||
		:
	if [ -n "$old_sig" ] && [ "$old_stat" = "$(archive_stat)" ] &&
	   [ "$old_sig" = "$(tail -n +4 "$stamp" | "$tar_tool" --sig "$sigprefix")" ]; then
		exit 0
	fi
fi

is_enabled() {
	grep -q "^$1=y" include/config/auto.conf
}

trap 'rm -rf "$tmp" "$tmp".*' EXIT
trap 'exit 1' HUP INT TERM

# The file list, NUL-terminated: sources as "$srctree/...", generated files
# relative to the object tree.  kheaders_tar sorts it and refuses duplicates.
# The directories searched go to $tmp.dirs: a file added to or removed from
# any of them changes the names it holds.
{
	find "$srctree/include" \
		\( -path "$srctree/include/config" -o \
		   -path "$srctree/include/generated" \) -prune -o \
		-type d -fprint0 "$tmp.dirs.1" -o \
		-name '*.h' -xtype f -print0
	find "$srctree/arch/$SRCARCH" \
		-path "$srctree/arch/$SRCARCH/include/generated" -prune -o \
		-type d -fprint0 "$tmp.dirs.2" -o \
		-path '*/include/*' -name '*.h' -xtype f -print0 -o \
		-path "$srctree/arch/$SRCARCH/Makefile*" -type f -print0 -o \
		\( -name Kbuild.platforms -o -name Platform \) -type f -print0
	find "$srctree/scripts" -maxdepth 1 -type f \
		! -name Makefile.randstruct \
		\( -name 'Makefile.*' -o -name Kbuild.include -o \
		   -name subarch.include -o -name check-local-export -o \
		   -name module-common.c -o -name modules-check.sh -o \
		   -name depmod.sh -o -name pahole-version.sh \) -print0
	printf '%s\0' "$srctree/Makefile"

	# Generated in the object tree by "make prepare".  utsversion.h and
	# compile.h are made later, while vmlinux is linked; modules do not
	# use them.
	find include/generated "arch/$SRCARCH/include/generated" \
		-type d -fprint0 "$tmp.dirs.3" -o \
		-name '*.h' -type f ! -name utsversion.h ! -name compile.h \
		! -path include/generated/autoconf.h \
		-print0
	printf '%s\0' include/config/kernel.release
	# randomize_layout_plugin.so holds the RANDSTRUCT seed
	if is_enabled CONFIG_GCC_PLUGINS; then
		find scripts/gcc-plugins -type d -fprint0 "$tmp.dirs.4" -o \
			-name '*.so' ! -name randomize_layout_plugin.so \
			-type f -print0
	fi
} > "$tmp.list"
{
	cat "$tmp".dirs.*
	printf '%s\0' "$srctree/scripts"
} > "$tmp.dirs"

# The host programs that "make M=" runs go in without their symbols and
# debugging information (objtool shrinks from about 900 KB to 200 KB), and
# without their build ID, which hashes the debugging information and with
# it the paths of the build: the same sources give the same bytes in any
# directory.
#
#kheaders-series: target
# A kernel built for another machine gets them built for the target (from
# $target_progs), or, without them, stand-ins (see stand_in below); their
# names in the archive are the same.
cross=
! is_enabled CONFIG_IKHEADERS_CROSS || cross=1
[ -z "$target_progs" ] || [ -n "$cross" ] ||
	die "KHEADERS_TARGET_PROGS is set but CONFIG_IKHEADERS_CROSS is not"
#kheaders-series: else
# A kernel built for another machine gets stand-ins (see stand_in below)
# under the same names.
cross=
! is_enabled CONFIG_IKHEADERS_CROSS || cross=1
#kheaders-series: end
# The configuration, as .config (which DKMS reads to find the kernel's
# compiler), auto.conf and autoconf.h, added below: a PKCS#11 URI may hold
# the PIN of the module signing key (CONFIG_MODULE_SIG_KEY
# "pkcs11:...;pin-value=..."), which the archive carries without it.
configfiles=".config include/config/auto.conf include/generated/autoconf.h"
# The configuration as rustc's --cfg flags, where Kconfig writes it (6.1
# and later): 7.3's top Makefile refuses an external module build
# without it.
[ ! -f include/generated/rustc_cfg ] ||
	configfiles="$configfiles include/generated/rustc_cfg"

hostprogs="scripts/basic/fixdep scripts/mod/modpost"
# The CRCs of MODVERSIONS come from genksyms, or, with
# CONFIG_GENDWARFKSYMS (6.14 and later), from the debugging information
# of each object, read by gendwarfksyms (linked with libdw, libelf and
# zlib).
dwarfksyms=
if is_enabled CONFIG_GENDWARFKSYMS; then
	dwarfksyms=scripts/gendwarfksyms/gendwarfksyms
	hostprogs="$hostprogs $dwarfksyms"
elif is_enabled CONFIG_MODVERSIONS; then
	hostprogs="$hostprogs scripts/genksyms/genksyms"
fi
# Kbuild runs recordmcount on every object when the compiler cannot record
# the mcount call sites itself: the C program when the tree built it,
# else the perl script.  An external module build does not need their
# sources (scripts/Makefile.build).
if is_enabled CONFIG_FTRACE_MCOUNT_USE_RECORDMCOUNT; then
	if [ -f scripts/recordmcount ]; then
		hostprogs="$hostprogs scripts/recordmcount"
	else
		printf '%s\0' "$srctree/scripts/recordmcount.pl" >> "$tmp.list"
	fi
fi
#kheaders-series: target
standins=
if [ -n "$cross" ] && [ -z "$target_progs" ]; then
	standins=$hostprogs
	hostprogs=
elif [ -n "$cross" ] && [ -n "$dwarfksyms" ]; then
	# no static libdw for the target to build it with
	standins=$dwarfksyms
	kept=
	for prog in $hostprogs; do
		[ "$prog" = "$dwarfksyms" ] || kept="$kept $prog"
	done
	hostprogs=$kept
fi
#kheaders-series: else
standins=
if [ -n "$cross" ]; then
	standins=$hostprogs
	hostprogs=
fi
#kheaders-series: end
if is_enabled CONFIG_OBJTOOL; then
	if [ -n "$cross" ]; then
		standins="$standins tools/objtool/objtool"
	else
		hostprogs="$hostprogs tools/objtool/objtool"
	fi
fi
progfiles=
for prog in $hostprogs; do
#kheaders-series: target
	file=${target_progs:+$target_progs/}$prog
#kheaders-series: else
	file=$prog
#kheaders-series: end
	[ -f "$file" ] || die "$file is missing; it is built before this runs"
	progfiles="$progfiles $file"
done

# Every file the archive is made of, in a fixed order, then the directories.
# shellcheck disable=SC2086 # paths without blanks
printf '%s\0' "$0" "$tar_tool" "$module_lds" $progfiles $configfiles |
	cat - "$tmp.list" | LC_ALL=C sort -z > "$tmp.files"
cat "$tmp.files" "$tmp.dirs" > "$tmp.inputs"

# Taken before any file is read: a file written while this runs makes the
# next run read them all again.
sig=$("$tar_tool" --sig "$sigprefix" < "$tmp.inputs")

# write_stamp ARCHIVE_MD5: the stamp is the content digest and the
# archive's md5, the hash of the inputs' metadata, the archive's identity
# and the list of inputs the hash covers.
write_stamp() {
	{
		printf '%s\n%s\n%s\n' "$digest $1" "$sig" "$(archive_stat)"
		cat "$tmp.inputs"
	} > "$tmp"
	mv -f "$tmp" "$stamp"
}

# What the archive is made of, and how.
digest=$(
	{
		printf 'compressor=%s strip=%s mtime=%s\n' "$compressor" "$STRIP" "$mtime"
		xargs -0 md5sum < "$tmp.files"
	} | md5sum
)

if [ -n "$old_digest" ] && [ -f "$archive" ]; then
	archive_md5=$(md5sum < "$archive")
	if [ "$old_digest" = "$digest $archive_md5" ]; then
		# the same contents, touched: remember the new times
		write_stamp "$archive_md5"
		exit 0
	fi
fi

echo "  GEN     $archive"

# A later build must not take a half-made archive for a finished one.
rm -f "$stamp"

# Chosen by measurement on a 6.12 x86_64 tree: a 16 MiB dictionary holds
# the whole of include/linux and its look-alikes in arch/, and literal
# coding tuned for text gains another 1%.  Decompression takes 17 MiB
# instead of the default's 9.
# The archive is compressed in blocks of 17 MiB (a dictionary's worth) by
# two threads: about half the wall time for about 1% more bytes.  The
# bytes depend on the block size, not on the number of threads or of CPUs;
# --no-adjust makes xz fail rather than fall back to its single-threaded
# encoder (which writes other bytes) when memory is limited.  Compressing
# takes about 480 MiB.
xz_filter=preset=6,dict=16MiB,lc=4,pb=0,nice=128
xz_blocks="--threads=2 --no-adjust --block-size=17MiB"

set -- "scripts/module.lds=$module_lds"
mkdir "$tmp.bin"

# stand_in PROG WHY...: a script in place of PROG that stops the module
# build, saying why the archive has no PROG for this machine
stand_in() {
	name=${1##*/}
	file=$tmp.bin/$name
	shift
	{
		echo '#!/bin/sh'
		echo "echo >&2 \"\$0: a stand-in: the kheaders archive of Linux" \
			"$(cat include/config/kernel.release) has no $name that runs here:\""
		for line in "$@"; do
			echo "echo >&2 \"  $line\""
		done
		echo 'exit 1'
	} > "$file"
	chmod 755 "$file"
}
for prog in $standins; do
	if [ "$prog" = tools/objtool/objtool ]; then
		stand_in "$prog" \
			"the kernel was built for another machine than the build host's, and" \
			"objtool, which this configuration runs on every object (CONFIG_OBJTOOL)," \
			"is not built for the target.  Build modules for this kernel in its" \
			"build tree."
		set -- "$@" "$prog=$tmp.bin/${prog##*/}"
		continue
	fi
#kheaders-series: target
	if [ "$prog" = "$dwarfksyms" ] && [ -n "$target_progs" ]; then
		stand_in "$prog" \
			"the kernel was built for another machine than the build host's," \
			"and gendwarfksyms, which makes the CRCs of MODVERSIONS" \
			"(CONFIG_GENDWARFKSYMS), is linked with libdw, libelf and zlib," \
			"which the build host has no static libraries of for the target." \
			"Build modules for this kernel in its build tree, or configure it" \
			"without CONFIG_GENDWARFKSYMS (genksyms makes the CRCs then)."
	else
		stand_in "$prog" \
			"the kernel was built for another machine than the build host's, which" \
			"had no C library to build static programs for the target with, so the" \
			"programs that a module build runs were not built for it" \
			"(CONFIG_IKHEADERS_TARGET_PROGS).  The headers are there; build modules" \
			"for this kernel in its build tree."
	fi
#kheaders-series: else
	stand_in "$prog" \
		"the kernel was built for another machine than the build host's, and" \
		"the programs that a module build runs are not built for it.  The" \
		"headers are there; build modules for this kernel in its build tree."
#kheaders-series: end
	set -- "$@" "$prog=$tmp.bin/${prog##*/}"
done
for f in $configfiles; do
	if grep -q 'pin-value=' "$f"; then
		sed 's/pin-value=[^;"]*/pin-value=removed-by-kheaders/g' "$f" \
			> "$tmp.bin/${f##*/}"
		set -- "$@" "$f=$tmp.bin/${f##*/}"
	else
		set -- "$@" "$f=$f"
	fi
done
if is_enabled CONFIG_RANDSTRUCT; then
	{
		# (the tag's name in two parts, not to be taken for this
		# file's own)
		printf '# %s: GPL-2.0\n' SPDX-License-Identifier
		echo '# Written by the kheaders generator in place of the randstruct rules.'
		# shellcheck disable=SC2016 # a make function, literally
		echo '$(error This kernel randomizes the layout of structures' \
			'(CONFIG_RANDSTRUCT), and its kheaders archive leaves out the' \
			'secret seed of that layout, so a module built from it would not' \
			'match the kernel: build modules for it in its build tree)'
	} > "$tmp.bin/Makefile.randstruct"
	set -- "$@" "scripts/Makefile.randstruct=$tmp.bin/Makefile.randstruct"
fi
for prog in $hostprogs; do
#kheaders-series: target
	file=${target_progs:+$target_progs/}$prog
#kheaders-series: else
	file=$prog
#kheaders-series: end
	stripped=$tmp.bin/${prog##*/}
	# shellcheck disable=SC2086 # STRIP may carry options
	$STRIP --remove-section=.note.gnu.build-id -o "$stripped" "$file" ||
		die "cannot strip $file with $STRIP"
	set -- "$@" "$prog=$stripped"
done

if [ -n "$image" ]; then
	# Blocks of 64 KiB, an xz dictionary of 32 KiB.  A mount keeps
	# squashfs' caches (three fragment blocks, a data block for every
	# decompressor, 64 KiB of metadata) and its decompressors, each with
	# its dictionary and 28 KiB of state: with one decompressor, about
	# 0.4 MiB beside the image; with SQUASHFS_DECOMP_MULTI_PERCPU, one
	# for every possible CPU, 0.12 MiB more per CPU.  The image is then
	# 1.2 times the archive's bytes; 128 KiB blocks would make it 1.15
	# times but cost 0.22 MiB per CPU (3.7 times the image at 64 CPUs,
	# against 2.5), and 1 MiB blocks 1.05 times but 1.2 MiB per CPU.
	# The files are in the order a module build reads them, so that
	# the headers it reads one after the other share blocks (see
	# kheaders_tar.c).
	# shellcheck disable=SC2086 # TAR2SQFS may carry options
	{
		"$tar_tool" --end --order "$SRCARCH" "$srctree" "$mtime" "$@" \
			"Module.symvers->/proc/kheaders.symvers" < "$tmp.list" ||
			echo failed > "$tmp.failed"
	} | SOURCE_DATE_EPOCH=$mtime $TAR2SQFS --quiet --force --no-xattr \
		--compressor xz --block-size 65536 --comp-extra dictsize=32K,lc=4,pb=0 \
		--defaults uid=0,gid=0,mode=0755,mtime="$mtime" --num-jobs 2 \
		"$tmp" > "$tmp.log" 2>&1 ||
		{ sed 's/^/  /' "$tmp.log" >&2; die "$TAR2SQFS could not make the image"; }
else
	# shellcheck disable=SC2086 # XZ may carry options; xz_blocks is several
	{
		"$tar_tool" "$srctree" "$mtime" "$@" < "$tmp.list" ||
			echo failed > "$tmp.failed"
	} | $XZ --check=crc32 $xz_blocks --lzma2=$xz_filter > "$tmp" ||
		die "$XZ could not compress the archive"
fi
[ ! -e "$tmp.failed" ] || die "could not write the archive"

mv -f "$tmp" "$archive"
write_stamp "$(md5sum < "$archive")"
