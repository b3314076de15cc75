#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's side of "make bench": the two forms of kheaders of one =m
# kernel, side by side, each from a dropped page cache:
#   - archive: modprobe kheaders, then tar -xf /proc/kheaders.tar.xz into
#     a tmpfs (/mnt), as a user without a headers package does;
#   - image: modprobe kheaders_image, then mount /dev/kheaders at
#     /lib/modules/$(uname -r)/build.
# For each: the time from modprobe to a tree a module can be built from,
# the time of that module build, the memory it holds (page cache and
# tmpfs, from /proc/meminfo, over what was there before) after the build
# and after drop_caches, and the module's kernel memory (/proc/modules);
# for the image, the memory the mount itself takes (squashfs' caches).
# Prints its table as lines "KH-BENCH: ...".
#
# Usage: bench-guest.sh MODROOT MODULE_SOURCE_DIR

# shellcheck disable=SC2154 # side() sets its results with eval
set -eu
modroot=$1
module_src=$2
rel=$(uname -r)
build=/lib/modules/$rel/build

cp -a "$modroot/lib/modules/$rel" /usr/lib/modules/
rm -f "/usr/lib/modules/$rel/build" "/usr/lib/modules/$rel/source"

ms() { echo $(($(date +%s%N) / 1000000)); }
kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
modsize() { awk -v m="$1" '$1 == m { print $2 }' /proc/modules; }

# side NAME: measure one form, leaving its results in NAME_*
side() {
	rm -rf /mnt/hello
	cp -a "$module_src" /mnt/hello
	drop
	cached0=$(kb Cached)
	shmem0=$(kb Shmem)
	t0=$(ms)
	if [ "$1" = archive ]; then
		modprobe kheaders
		mkdir /mnt/x
		tar -xf /proc/kheaders.tar.xz -C /mnt/x
		tree=/mnt/x
		mod=kheaders
	else
		modprobe kheaders_image
		while [ ! -b /dev/kheaders ]; do sleep 0.1; done
		mkdir -p "$build"
		free0=$(kb MemFree)
		mount -t squashfs -o ro /dev/kheaders "$build"
		mount_cost=$((free0 - $(kb MemFree)))
		tree=$build
		mod=kheaders_image
	fi
	t1=$(ms)
	make -s -C "$tree" M=/mnt/hello modules > /dev/null
	t2=$(ms)
	rm -rf /mnt/hello
	eval "$1_ready=$((t1 - t0)) $1_make=$((t2 - t1))"
	eval "$1_cached=$(($(kb Cached) - cached0)) $1_shmem=$(($(kb Shmem) - shmem0))"
	drop
	eval "$1_cached_dropped=$(($(kb Cached) - cached0)) $1_shmem_dropped=$(($(kb Shmem) - shmem0))"
	eval "$1_kernel=$(modsize $mod)"
	if [ "$1" = archive ]; then
		rm -rf /mnt/x
	else
		umount "$build"
	fi
	rmmod $mod
}

side archive
side image
# both loaded at once
modprobe kheaders
modprobe kheaders_image
both=$(($(modsize kheaders) + $(modsize kheaders_image) + $(modsize kheaders_symvers)))
symvers=$(modsize kheaders_symvers)
rmmod kheaders kheaders_image

row() {
	printf 'KH-BENCH: %-52s %14s %14s\n' "$1" "$2" "$3"
}
row "linux $rel in the guest (TCG), page cache dropped" "archive" "image"
row "modprobe to a usable tree (ms)" "$archive_ready" "$image_ready"
row "module build from it (ms)" "$archive_make" "$image_make"
row "page cache + tmpfs held after the build (KiB)" "$archive_cached" "$image_cached"
row "  of which tmpfs (KiB)" "$archive_shmem" "$image_shmem"
row "held after drop_caches (KiB)" "$archive_cached_dropped" "$image_cached_dropped"
row "kernel memory of the module (/proc/modules, bytes)" "$archive_kernel" "$image_kernel"
row "memory the mount itself takes (MemFree, KiB)" "" "$mount_cost"
row "both loaded, with kheaders_symvers ($symvers) (bytes)" "$both" ""
