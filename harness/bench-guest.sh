#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's side of "make bench": the two forms of kheaders of one =m
# kernel, side by side, each from a dropped page cache:
#   - archive: modprobe kheaders, then tar -xf /proc/kheaders.tar.xz into
#     a tmpfs (/mnt), as a user without a headers package does;
#   - image: modprobe kheaders_image, then mount /dev/kheaders at
#     /lib/modules/$(uname -r)/build, with one decompressor
#     (threads=single, SquashFS' default and Android's) and with one per
#     possible CPU (threads=percpu, what SQUASHFS_DECOMP_MULTI_PERCPU
#     builds, as Debian's amd64 configuration does).
# For each: the time from modprobe to a tree a module can be built from,
# the time of that module build (the median of KH_BENCH_GUEST_BUILDS, the
# forms taking turns), the memory it holds (page cache and tmpfs, from
# /proc/meminfo, over what was there before) after the builds and after
# drop_caches, and the module's kernel memory (/proc/modules); for the
# image, everything the mounted tree holds after the builds and
# drop_caches, the image included, over the image's bytes: the memory that
# umount and rmmod then free (free pages, those on the per-CPU lists
# included, before and after), with the part of it that is the module,
# vmalloc (the decompressors' dictionaries), slab (SquashFS' caches) and
# per-CPU memory.  Prints its table as lines "KH-BENCH: ...".  With
# "memory", only what the mounted tree holds, one decompressor against one
# per possible CPU (for a guest of many CPUs).
#
# Usage: bench-guest.sh MODROOT MODULE_SOURCE_DIR IMAGE_BYTES [memory]

# shellcheck disable=SC2154 # side() sets its results with eval
set -eu
modroot=$1
module_src=$2
image_bytes=$3
only=${4:-}
builds=${KH_BENCH_GUEST_BUILDS:-3}
rel=$(uname -r)
build=/lib/modules/$rel/build

cp -a "$modroot/lib/modules/$rel" /usr/lib/modules/
rm -f "/usr/lib/modules/$rel/build" "/usr/lib/modules/$rel/source"

ms() { echo $(($(date +%s%N) / 1000000)); }
kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# free memory (KiB): MemFree leaves out the pages on the per-CPU lists,
# which hold what was freed last, up to megabytes
page_kb=$(($(getconf PAGESIZE) / 1024))
free_kb() {
	echo $(($(kb MemFree) + page_kb * $(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)))
}
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
modsize() { awk -v m="$1" '$1 == m { print $2 }' /proc/modules; }
median() { tr ' ' '\n' | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }

# make_tree NAME: make the tree of form NAME (archive, single, percpu)
# from nothing, leaving $tree and $mod; its time in NAME_ready, the
# memory it then holds in NAME_mount (KiB)
make_tree() {
	drop
	free0=$(free_kb)
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
		mount -t squashfs -o "ro,threads=$1" /dev/kheaders "$build"
		tree=$build
		mod=kheaders_image
	fi
	t1=$(ms)
	eval "$1_ready=$((t1 - t0)) $1_mount=$((free0 - $(free_kb)))"
}

drop_tree() {
	if [ "$mod" = kheaders ]; then
		rm -rf /mnt/x
	else
		umount "$build"
	fi
	rmmod "$mod"
}

# build_once NAME: one module build from the tree of NAME, its time added
# to NAME_makes
build_once() {
	rm -rf /mnt/hello
	cp -a "$module_src" /mnt/hello
	t0=$(ms)
	make -s -C "$tree" M=/mnt/hello modules > /dev/null
	t1=$(ms)
	rm -rf /mnt/hello
	eval "$1_makes=\"\${$1_makes:-} $((t1 - t0))\""
}

# snapshot: the free memory and the kinds of kernel memory that the
# tree's may be of, as s_free, s_vmalloc, s_slab, s_percpu (KiB)
snapshot() {
	drop
	s_free=$(free_kb)
	s_vmalloc=$(kb VmallocUsed)
	s_slab=$(kb Slab)
	s_percpu=$(kb Percpu)
}

# measure NAME: the first build from a dropped page cache, its memory;
# then what tearing the tree down frees, as NAME_held, NAME_vmalloc,
# NAME_slab and NAME_percpu (KiB)
measure() {
	cached0=$(kb Cached)
	shmem0=$(kb Shmem)
	make_tree "$1"
	build_once "$1"
	eval "$1_cached=$(($(kb Cached) - cached0)) $1_shmem=$(($(kb Shmem) - shmem0))"
	drop
	eval "$1_cached_dropped=$(($(kb Cached) - cached0)) $1_shmem_dropped=$(($(kb Shmem) - shmem0))"
	eval "$1_kernel=$(modsize "$mod")"
	snapshot
	free1=$s_free vmalloc1=$s_vmalloc slab1=$s_slab percpu1=$s_percpu
	drop_tree
	snapshot
	eval "$1_held=$((s_free - free1)) $1_vmalloc=$((vmalloc1 - s_vmalloc))"
	eval "$1_slab=$((slab1 - s_slab)) $1_percpu=$((percpu1 - s_percpu))"
}

ratio() { echo "$1 $2" | awk '{ printf "%.2fx", $1 / $2 }'; }
row() {
	printf 'KH-BENCH: %-56s %14s %14s %14s\n' "$1" "$2" "${3:-}" "${4:-}"
}
cpus=$(grep -c '^processor' /proc/cpuinfo)
possible=$(cat /sys/devices/system/cpu/possible)
# print_mount: the table of what the mounted tree holds
print_mount() {
	row "the mounted tree, image $image_bytes bytes" "threads=single" "threads=percpu" "per CPU"
	row "taken by modprobe and mount (KiB)" "$single_mount" "$percpu_mount"
	row "held after a build and drop_caches, image included:" "" ""
	row "  freed by umount and rmmod (KiB)" "$single_held" "$percpu_held"
	row "  over the image's bytes" "$(ratio $((single_held * 1024)) "$image_bytes")" \
		"$(ratio $((percpu_held * 1024)) "$image_bytes")"
	row "  of it the module (KiB)" "$((single_kernel / 1024))" "$((percpu_kernel / 1024))"
	row "  of it vmalloc, module excluded (KiB)" "$((single_vmalloc - single_kernel / 1024))" \
		"$((percpu_vmalloc - percpu_kernel / 1024))"
	row "  of it slab (KiB)" "$single_slab" "$percpu_slab"
	row "  of it per-CPU memory (KiB)" "$single_percpu" "$percpu_percpu"
	n=$(($(echo "$possible" | sed 's/.*-//') + 1))
	if [ "$n" -gt 1 ]; then
		row "  one decompressor more (KiB, from $n possible CPUs)" "" "" \
			"$(((percpu_held - single_held) / (n - 1)))"
	fi
}

measure single
measure percpu
if [ "$only" = memory ]; then
	row "linux $rel, guest (TCG), $cpus CPUs online, possible $possible" "" ""
	print_mount
	exit 0
fi
measure archive
# more builds, each form in turn, from a dropped page cache each time
i=1
while [ $i -lt "$builds" ]; do
	for form in archive single; do
		make_tree $form
		build_once $form
		drop_tree
	done
	i=$((i + 1))
done
archive_make=$(echo "$archive_makes" | median)
single_make=$(echo "$single_makes" | median)

# both forms loaded at once
modprobe kheaders
modprobe kheaders_image
both=$(($(modsize kheaders) + $(modsize kheaders_image) + $(modsize kheaders_symvers)))
symvers=$(modsize kheaders_symvers)
rmmod kheaders kheaders_image

row "linux $rel, guest (TCG), $cpus CPUs online, possible $possible" \
	"archive" "image" "image/archive"
row "modprobe to a usable tree (ms)" "$archive_ready" "$single_ready"
row "module build from it, median of $builds (ms)" "$archive_make" "$single_make" \
	"$(ratio "$single_make" "$archive_make")"
list() { echo "$1" | sed 's/^ *//; s/ /,/g'; }
row "  each build (ms)" "$(list "$archive_makes")" "$(list "$single_makes")"
row "page cache + tmpfs held after the build (KiB)" "$archive_cached" "$single_cached"
row "  of which tmpfs (KiB)" "$archive_shmem" "$single_shmem"
row "held after drop_caches (KiB)" "$archive_cached_dropped" "$single_cached_dropped"
row "kernel memory of the module (/proc/modules, bytes)" "$archive_kernel" "$single_kernel"
row "both loaded, with kheaders_symvers ($symvers) (bytes)" "$both"
echo "KH-BENCH:"
print_mount
row "the archive's tree: freed by rm -rf and rmmod (KiB)" "$archive_held"
