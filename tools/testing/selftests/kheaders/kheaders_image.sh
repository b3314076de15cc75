#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test /dev/kheaders (CONFIG_IKHEADERS_IMAGE): the read-only block device
# holding the kernel's headers and module build files as a squashfs image,
# mounted where tools look for the running kernel's build tree,
# /lib/modules/$(uname -r)/build (in a directory of this test's instead
# when something is there already).  Loads kheaders_image first when it is
# a module that is not loaded, and unloads it again at the end.
#
#   - the device is read-only, whole 4 KiB blocks, and writes fail;
#   - it mounts as squashfs, and holds what /proc/kheaders.tar.xz holds
#     (when kheaders.ko is there to compare with);
#   - its Module.symvers is a link to /proc/kheaders.symvers, whose size
#     on an open file is what a read of it gives, as modpost wants;
#   - an external module builds from the mounted tree alone, with symbol
#     versions on a MODVERSIONS kernel, loads and unloads;
#   - a module loaded after the mount (crc_ccitt) is in Module.symvers,
#     and a module using it builds and loads without forcing;
#   - concurrent readers of the whole tree, with the page cache dropped,
#     read the same bytes;
#   - kheaders_image cannot be unloaded while mounted; after umount it
#     can, and the device and /proc/kheaders.symvers go;
#   - the image costs at most 1.25 times the kernel memory of the archive
#     (kheaders.ko and the Module.symvers stream it keeps for its files):
#     squashfs compresses blocks of 64 KiB, which a mount reads cheaply,
#     where the archive is one xz stream of 17 MiB blocks.
#
# Exit status: 0 all passed, 1 a check failed, 4 (skip) this kernel or this
# system cannot run the test.

DEV=/dev/kheaders
SYMVERS=/proc/kheaders.symvers
DEP=crc_ccitt
TESTDIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=kheaders_lib.sh
. "$TESTDIR/kheaders_lib.sh"
PLAN=10

image_loaded=
loaded_archive=
loaded_dep=
reload_dep=
archive_size=
tail_size=0
mnt=
made_mnt=
work=

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -z "$mnt" ] || ! mountpoint -q "$mnt" || umount "$mnt"
	[ -z "$made_mnt" ] || rmdir "$mnt" 2>/dev/null
	[ -z "$work" ] || rm -rf "$work"
	for m in kheaders_crcmod kheaders_testmod; do
		! module_loaded "$m" || rmmod "$m"
	done
	[ -z "$loaded_dep" ] || ! module_loaded "$DEP" || rmmod "$DEP"
	[ -z "$reload_dep" ] || module_loaded "$DEP" || modprobe "$DEP"
	[ -z "$loaded_archive" ] || ! module_loaded kheaders || rmmod kheaders
	[ -z "$image_loaded" ] || ! module_loaded kheaders_image || rmmod kheaders_image
}
trap cleanup EXIT

echo "TAP version 13"

[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
for tool in mount umount mountpoint insmod rmmod modprobe tar xz cmp perl; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip_all "'$tool' is not installed"
done

need_image $DEV

echo "1..$PLAN"
[ -n "$image_loaded" ] && log "loaded kheaders_image.ko"
image_size=$(awk '$1 == "kheaders_image" { print $2 }' /proc/modules)
work=$(mktemp -d) || exit "$KSFT_FAIL"

# 1: read-only, whole 4 KiB blocks; a write fails
ok=0
ro=$(cat /sys/block/kheaders/ro)
sectors=$(cat /sys/block/kheaders/size)
[ "$ro" = 1 ] || { log "ro is '$ro'"; ok=1; }
if [ "$sectors" -eq 0 ] || [ $((sectors % 8)) -ne 0 ]; then
	log "$sectors sectors"
	ok=1
fi
if dd if=/dev/zero of=$DEV bs=4096 count=1 conv=notrunc 2>/dev/null; then
	log "a write to $DEV succeeded"
	ok=1
fi
result $ok "$DEV: read-only, $((sectors * 512)) bytes in whole 4 KiB blocks, writes fail"

# 2: mounted read-only where tools look, or here when that is taken
mnt=/lib/modules/$(uname -r)/build
if [ -e "$mnt" ] && { [ ! -d "$mnt" ] || [ -L "$mnt" ] || [ -n "$(ls -A "$mnt")" ]; }; then
	log "$mnt is there already: mounting in a directory of this test"
	mnt=$work/build
fi
if [ ! -d "$mnt" ]; then
	mkdir -p "$mnt" && made_mnt=1
fi
ok=0
mount -t squashfs -o ro $DEV "$mnt" || ok=1
real=$(cd "$mnt" && pwd -P)
awk -v m="$real" '$2 == m && $3 == "squashfs" && $4 ~ /^ro(,|$)/ { found = 1 }
	END { exit !found }' /proc/mounts ||
	{ log "not in /proc/mounts as a read-only squashfs"; ok=1; }
[ -f "$mnt/include/linux/kconfig.h" ] || { log "no include/linux/kconfig.h"; ok=1; }
result $ok "$DEV mounts read-only as squashfs at $mnt"
[ $ok -eq 0 ] || finish

# 3: what /proc/kheaders.tar.xz holds, Module.symvers aside
if [ ! -e /proc/kheaders.tar.xz ] && modprobe -q kheaders 2>/dev/null; then
	loaded_archive=1
fi
if [ -e /proc/kheaders.tar.xz ]; then
	ok=0
	mkdir "$work/x"
	tar -xf /proc/kheaders.tar.xz -C "$work/x" || ok=1
	rm -f "$work/x/Module.symvers"
	(cd "$work/x" && find . ! -name . | LC_ALL=C sort) > "$work/archive.list"
	(cd "$mnt" && find . ! -name . ! -name Module.symvers | LC_ALL=C sort) > "$work/image.list"
	if ! cmp -s "$work/archive.list" "$work/image.list"; then
		diff "$work/archive.list" "$work/image.list" | head -n 10 | sed 's/^/# /'
		ok=1
	fi
	diff -r "$work/x" "$mnt" 2>&1 | grep -v 'Only in .*: Module.symvers' |
		head -n 10 > "$work/diff"
	[ ! -s "$work/diff" ] || { sed 's/^/# /' "$work/diff"; ok=1; }
	nfiles=$(wc -l < "$work/image.list")
	result $ok "the image holds the archive's $nfiles files and directories, byte for byte"
	rm -rf "$work/x"
	archive_size=$(awk '$1 == "kheaders" { print $2 }' /proc/modules)
	# and the stream with Module.symvers that kheaders keeps for its files
	tail_size=$(xz --robot --list --verbose /proc/kheaders.tar.xz |
		awk -F '\t' '$1 == "stream" && $2 > 1 { n += $6 } END { print n + 0 }')
else
	skip "the image holds what the archive holds" "no /proc/kheaders.tar.xz to compare with"
fi

# 4: Module.symvers through the link: the size on the open file is what
# a read gives (modpost reads the file with fstat())
ok=0
link=$(readlink "$mnt/Module.symvers")
[ "$link" = $SYMVERS ] || { log "Module.symvers -> '$link'"; ok=1; }
# shellcheck disable=SC2016 # perl's own variables
sizes=$(perl -e 'open(my $f, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
	my $size = (stat($f))[7]; local $/; my $text = <$f>;
	print "$size ", length($text), "\n"' "$mnt/Module.symvers") || ok=1
# shellcheck disable=SC2086 # two numbers
set -- $sizes
[ "${1:-x}" = "${2:-y}" ] || { log "fstat size ${1:-?}, read ${2:-?} bytes"; ok=1; }
grep -q '	vmlinux	EXPORT_SYMBOL' "$mnt/Module.symvers" || { log "no vmlinux exports"; ok=1; }
nsyms=$(grep -c . "$mnt/Module.symvers")
result $ok "Module.symvers -> $SYMVERS: $nsyms exports, fstat size = bytes read (${2:-?})"

# 5, 6: one build from the mounted tree alone of two modules: one that
# uses vmlinux, and one that uses crc_ccitt of $DEP, loaded after the
# mount, which Module.symvers must list by then
if module_loaded $DEP && rmmod $DEP 2>/dev/null; then
	reload_dep=1
fi
if ! module_loaded $DEP && modprobe -q $DEP 2>/dev/null; then
	loaded_dep=1
fi
mkdir "$work/mod"
cp "$TESTDIR/testmod/kheaders_testmod.c" "$work/mod/"
cat "$TESTDIR/testmod/Makefile" > "$work/mod/Makefile"
if [ -n "$loaded_dep" ]; then
	cp "$TESTDIR/crcmod/kheaders_crcmod.c" "$work/mod/"
	grep '^obj-m' "$TESTDIR/crcmod/Makefile" | sed 's/:=/+=/' >> "$work/mod/Makefile"
fi
built=0
kbuild_make "$mnt" -j"$(nproc)" M="$work/mod" modules > "$work/build.log" 2>&1 || built=1

ok=1
token=$$
if [ $built -eq 0 ] &&
   insmod "$work/mod/kheaders_testmod.ko" token="$token" &&
   dmesg | grep -q "kheaders_testmod: loaded on $(uname -r), token $token" &&
   [ "$(cat /sys/module/kheaders_testmod/taint)" = O ] &&
   rmmod kheaders_testmod; then
	ok=0
fi
[ $ok -eq 0 ] || sed 's/^/# /' "$work/build.log" | tail -n 20
result $ok "a module built with make -C $mnt M=<dir> modules loads without forcing and unloads"

if [ -n "$loaded_dep" ]; then
	ok=$built
	grep -q "	crc_ccitt	$DEP	EXPORT_SYMBOL" "$mnt/Module.symvers" ||
		{ log "Module.symvers does not list crc_ccitt of $DEP"; ok=1; }
	if grep -q 'WARNING: modpost' "$work/build.log"; then
		grep 'WARNING: modpost' "$work/build.log" | sed 's/^/# /'
		ok=1
	fi
	[ $ok -ne 0 ] || insmod "$work/mod/kheaders_crcmod.ko" || ok=1
	module_loaded kheaders_crcmod && rmmod kheaders_crcmod
	[ $ok -eq 0 ] || tail -n 20 "$work/build.log" | sed 's/^/# /'
	result $ok "$DEP loaded after the mount: in Module.symvers;" \
		"a module using it builds without warning and loads"
else
	skip "a module loaded after the mount is in Module.symvers" "no $DEP module to load"
fi

# 7: concurrent readers of the whole tree, the page cache dropped
tree_md5() {
	(cd "$mnt" && find . -type f | LC_ALL=C sort | xargs cat) | md5sum
}
ok=0
ref=$(tree_md5)
sync
echo 3 > /proc/sys/vm/drop_caches
for i in 1 2 3 4; do
	tree_md5 > "$work/reader$i" &
done
wait
for i in 1 2 3 4; do
	[ "$(cat "$work/reader$i")" = "$ref" ] ||
		{ log "reader $i: $(cat "$work/reader$i")"; ok=1; }
done
result $ok "4 concurrent readers of the whole tree, page cache dropped, read the same bytes"

# 8, 9: no unloading while mounted; after umount, unloading removes all
if module_loaded kheaders_image; then
	ok=0
	if rmmod kheaders_image 2>/dev/null; then
		log "rmmod kheaders_image succeeded while mounted"
		ok=1
	fi
	[ -b $DEV ] && [ -f "$mnt/Makefile" ] && head -c 1 "$mnt/Makefile" > /dev/null || ok=1
	result $ok "rmmod kheaders_image is refused while $DEV is mounted"
	ok=0
	umount "$mnt" || ok=1
	rmmod kheaders_image || ok=1
	[ ! -e $DEV ] || { log "$DEV is still there"; ok=1; }
	if [ -e $SYMVERS ] && ! module_loaded kheaders_image; then
		log "$SYMVERS is still there"
		ok=1
	fi
	image_loaded=
	result $ok "after umount, rmmod kheaders_image removes $DEV and $SYMVERS"
else
	skip "rmmod kheaders_image is refused while mounted" "kheaders_image is built in"
	skip "after umount, rmmod kheaders_image removes $DEV" "kheaders_image is built in"
fi

# 10: the image's memory against the archive's: kheaders.ko and the
# Module.symvers stream it keeps once its files are read
# (kheaders_image's Module.symvers lives only while it is read)
if [ -n "$archive_size" ] && [ -n "$image_size" ]; then
	ok=0
	archive_cost=$((archive_size + tail_size))
	[ $((image_size * 100)) -le $((archive_cost * 125)) ] || ok=1
	result $ok "kheaders_image costs $image_size bytes," \
		"the archive $archive_size + $tail_size: at most 1.25 times"
else
	skip "the image costs at most 1.25 times the archive" \
		"kheaders and kheaders_image are not both modules"
fi

finish
