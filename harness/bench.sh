#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": the stock kheaders of one of Debian's trees (7.3 unless
# KH_VERSIONS says) and ours, side by side, in one run, each measured the
# way a kernel build runs it: two finished object trees of the same
# configuration (configs/base.config + ikheaders-m.config), one of the
# pristine tree, one of the tree with kheaders applied, and "make O=<tree>
# kernel/kheaders.o" after the archive and its stamp are removed (cold) or
# with everything in place (no-op). The runs of the two sides alternate.
# Every time is shown as wall and CPU (user + system of make and all it
# started), with the median, the range of the runs and the load average
# before them. A ratio is printed only when the runs of both sides lie
# within KH_BENCH_SPREAD percent of their median (of five runs or more, all
# but the fastest and the slowest); otherwise the bench says so. The same
# cold runs on Debian's own amd64 configuration of the tree (prepare and
# kheaders.o of each side), with the sizes of its archive and image and the
# Module.symvers its kernel would serve, counted from Debian's own build
# (its linux-headers package, fetched with apt-get download:
# bench-symvers.sh). Last, the guest's side (bench-guest.sh). Run it with
# nothing else busy: on a loaded machine the stock generator, which starts
# a process per header, slows far more than ours.
#
# Usage: bench.sh [BUILD_DIR]
# Environment: KH_VERSIONS (the one tree, default 7.3), KH_BENCH_RUNS (cold
# runs per side, default 5), KH_BENCH_NOOP_RUNS (default 9),
# KH_BENCH_SETTLE (the longest wait, in seconds, for the load to fall below
# 0.5; default 300), KH_BENCH_SPREAD (default 10), KH_BENCH_BUILD_ONLY
# (set: build the kernels and prepare the trees, measure nothing)

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
# shellcheck source=harness/lib/timing.sh
. "$top/harness/lib/timing.sh"
build=${1:-$top/build}
mkdir -p "$build" && build=$(cd "$build" && pwd)
version=${KH_VERSIONS:-7.3}
case $version in
*" "*) echo >&2 "bench: one tree at a time (KH_VERSIONS='$version')"; exit 2 ;;
esac
runs=${KH_BENCH_RUNS:-5}
noop_runs=${KH_BENCH_NOOP_RUNS:-9}
spread=${KH_BENCH_SPREAD:-10}
jobs=$(nproc)

sh "$top/harness/deps.sh" "$version"
tree=$(sh "$top/harness/ksrc.sh" "$version" "$build")
pristine=$build/src/pristine-$version
on=$build/$version/m
stock=$build/$version/stock-m
off=$build/$version/off
deb_stock=$build/$version/debian-stock
deb_on=$build/$version/debian-ours
work=$build/$version/bench
mkdir -p "$work"

# The pristine tree: Debian's, as unpacked, with its own kheaders.
kh_unpack "$version" "$pristine"

echo "bench: building the =m kernels, stock ($stock) and ours ($on), and one without kheaders ($off)"
kh_config "$version" m
m_frags=$(echo "$frags" | sed "s,$top/,,g")
# the stock tree has no image: its kernel is the same less that
# shellcheck disable=SC2086 # one word per file
stock_frags=$(printf '%s\n' $frags | grep -v '/image-m\.config$')
# ours can choose SquashFS' decompressors at mount time, and boots with
# 64 CPUs, for the guest
frags="$frags $top/configs/squashfs-by-mount.config $top/configs/bench-cpus.config"
# shellcheck disable=SC2086 # file names without blanks
sh "$top/harness/build-kernel.sh" "$pristine" "$stock" $stock_frags
# shellcheck disable=SC2086
sh "$top/harness/build-kernel.sh" "$tree" "$on" $frags
kh_config "$version" off
# shellcheck disable=SC2086
sh "$top/harness/build-kernel.sh" "$tree" "$off" $frags "$top/configs/bench-cpus.config"

# The build tools, as the builds found them (ccache included).
kh_ccache "$build"

# A distribution's configuration: Debian's own amd64 config of this
# version, prepared for kheaders.o (ours also for kheaders_image.o) on
# both sides
for side in stock ours; do
	if [ $side = stock ]; then
		d=$deb_stock src=$pristine objs=kernel/kheaders.o
	else
		d=$deb_on src=$tree objs="kernel/kheaders.o kernel/kheaders_image.o"
	fi
	kh_debian_config "$version" "$src" "$d" >&2
	# shellcheck disable=SC2086 # two targets
	kh_run "bench: Debian's config, $side: make prepare $objs" "$d/build.log" \
		kh_make "$src" "$d" "" prepare $objs
done

# kmake SIDE [TARGET...]: make in the object tree of SIDE (stock, ours, off)
kmake() {
	case $1 in
	stock | deb-stock) src=$pristine ;;
	*) src=$tree ;;
	esac
	obj=$(odir_of "$1")
	shift
	kh_make "$src" "$obj" "" -s "$@" > /dev/null 2>&1
}
odir_of() {
	case $1 in
	stock) echo "$stock" ;;
	ours) echo "$on" ;;
	off) echo "$off" ;;
	deb-stock) echo "$deb_stock" ;;
	deb-ours) echo "$deb_on" ;;
	esac
}
cold() { # SIDE: the archive as a build makes it from nothing
	d=$(odir_of "$1")
	rm -f "$d/kernel/kheaders_data.tar.xz" "$d/kernel/kheaders.md5"
	kmake "$1" kernel/kheaders.o
}
cold_image() { # ours: the image alone
	rm -f "$on/kernel/kheaders_image.sqfs" "$on/kernel/kheaders_image.md5"
	kmake ours kernel/kheaders_image.o
}
cold_both() { # ours: the archive and the image, as one make -j builds them
	rm -f "$on/kernel/kheaders_data.tar.xz" "$on/kernel/kheaders.md5" \
	      "$on/kernel/kheaders_image.sqfs" "$on/kernel/kheaders_image.md5"
	kmake ours kernel/kheaders.o kernel/kheaders_image.o
}
noop_gen() { kmake "$1" kernel/kheaders.o; }
noop_all() { kmake "$1"; }
# untar SIDE: extract into $work/x, which fresh_x empties outside the timing
untar() { tar -xJf "$(odir_of "$1")/kernel/kheaders_data.tar.xz" -C "$work/x"; }
fresh_x() { rm -rf "$work/x" && mkdir "$work/x"; }

if [ -n "${KH_BENCH_BUILD_ONLY:-}" ]; then
	echo "bench: kernels and trees built; no runs (KH_BENCH_BUILD_ONLY)"
	exit 0
fi

# Let the builds' load die down: the 1-minute load average below 0.5,
# waiting at most KH_BENCH_SETTLE seconds.
settle=${KH_BENCH_SETTLE:-300}
while [ "$settle" -gt 0 ] && awk '{ exit !($1 >= 0.5) }' /proc/loadavg; do
	sleep 10
	settle=$((settle - 10))
done
echo "bench: load average before the runs: $(load)"
# Warm the page cache and settle both trees once.
for side in stock ours off; do noop_all $side; done
cold stock; cold ours; cold_image
cold deb-stock; cold deb-ours

: > "$work/loads"
for f in cold-stock cold-ours cold-image cold-both noop-stock noop-ours x-stock x-ours \
	 all-off all-ours cold-deb-stock cold-deb-ours; do
	: > "$work/$f"
done
i=0
while [ $i -lt "$runs" ]; do
	load >> "$work/loads"
	measure "$work/cold-stock" cold stock
	measure "$work/cold-ours" cold ours
	measure "$work/cold-image" cold_image
	measure "$work/cold-both" cold_both
	measure "$work/cold-deb-stock" cold deb-stock
	measure "$work/cold-deb-ours" cold deb-ours
	i=$((i + 1))
done
i=0
while [ $i -lt "$noop_runs" ]; do
	measure "$work/noop-stock" noop_gen stock
	measure "$work/noop-ours" noop_gen ours
	fresh_x
	measure "$work/x-stock" untar stock
	fresh_x
	measure "$work/x-ours" untar ours
	measure "$work/all-off" noop_all off
	measure "$work/all-ours" noop_all ours
	i=$((i + 1))
done
rm -rf "$work/x"

a_stock=$stock/kernel/kheaders_data.tar.xz
a_ours=$on/kernel/kheaders_data.tar.xz
num() { # NAME STOCK OURS
	printf '%-44s %22s %22s %.3f\n' "$1" "$2" "$3" "$(echo "$2 $3" | awk '{ print $2 / $1 }')"
}
mem() { xz -lvv "$1" | sed -n 's/^ *Memory needed: *\([0-9]*\) MiB.*/\1/p'; }

echo
echo "linux-$version, x86_64, the =m configuration ($m_frags), $jobs CPUs, $(uname -r) host"
echo "load average (1, 5, 15 min) before each cold pair: $(paste -sd '/' "$work/loads")"
echo "times: median (min-max) of $runs cold runs, $noop_runs otherwise; a ratio only when both"
echo "sides' runs lie within $spread% of their median (of 5 runs or more: all but the fastest and slowest)"
echo
printf '%-44s %22s %22s %s\n' "" "stock" "ours" "ours/stock"
row "cold make O= kernel/kheaders.o" "$work/cold-stock" "$work/cold-ours"
row "cold, the image alone (kheaders_image.o)" "$work/cold-stock" "$work/cold-image"
row "cold, archive and image (make -j$jobs)" "$work/cold-stock" "$work/cold-both"
row "no-op make O= kernel/kheaders.o" "$work/noop-stock" "$work/noop-ours"
row "tar -xJf" "$work/x-stock" "$work/x-ours"
num "archive (bytes)" "$(stat -c %s "$a_stock")" "$(stat -c %s "$a_ours")"
num "uncompressed (bytes)" "$(xz -dc "$a_stock" | wc -c)" "$(xz -dc "$a_ours" | wc -c)"
num "files" "$(tar -tJf "$a_stock" | grep -vc '/$')" "$(tar -tJf "$a_ours" | grep -vc '/$')"
num "xz decompression memory (MiB)" "$(mem "$a_stock")" "$(mem "$a_ours")"
num "kheaders.ko (bytes)" "$(stat -c %s "$stock/kernel/kheaders.ko")" "$(stat -c %s "$on/kernel/kheaders.ko")"
echo
printf '%-44s %22s %22s %s\n' "" "ours: archive" "ours: image" "image/archive"
num "archive, image (bytes)" "$(stat -c %s "$a_ours")" "$(stat -c %s "$on/kernel/kheaders_image.sqfs")"
num "kheaders.ko, kheaders_image.ko (bytes)" "$(stat -c %s "$on/kernel/kheaders.ko")" \
	"$(stat -c %s "$on/kernel/kheaders_image.ko")"
echo
printf '%-44s %22s %22s %s\n' "" "feature off" "ours on" "on/off"
row "no-op make of the whole kernel" "$work/all-off" "$work/all-ours"
echo
echo "stock's archive holds headers only; ours also the module build files and programs"

# Debian's configuration: the generation, the sizes, and the Module.symvers
# its kernel would serve, counted from Debian's own build of it (the
# linux-headers package of the same version)
echo
echo "Debian's amd64 config of linux-$version (linux-config-$version), trusted keys cleared, kheaders =m"
printf '%-44s %22s %22s %s\n' "" "stock" "ours" "ours/stock"
row "cold make O= kernel/kheaders.o" "$work/cold-deb-stock" "$work/cold-deb-ours"
a_dstock=$deb_stock/kernel/kheaders_data.tar.xz
a_dours=$deb_on/kernel/kheaders_data.tar.xz
num "archive (bytes)" "$(stat -c %s "$a_dstock")" "$(stat -c %s "$a_dours")"
num "files" "$(tar -tJf "$a_dstock" | grep -vc '/$')" "$(tar -tJf "$a_dours" | grep -vc '/$')"
printf '%-44s %22s %22s %.3f\n' "ours: image (bytes), image/archive" "" \
	"$(stat -c %s "$deb_on/kernel/kheaders_image.sqfs")" \
	"$(echo "$(stat -c %s "$a_dours") $(stat -c %s "$deb_on/kernel/kheaders_image.sqfs")" |
		awk '{ print $2 / $1 }')"
sh "$top/harness/bench-symvers.sh" "$version" "$pristine" "$work"

# In the guest: the two forms of the =m kernel side by side (bench-guest.sh)
echo
echo "bench: booting the =m kernel for the guest's side of the bench (log $work/guest.log)"
printf 'sh %s %s %s %s\n' "$top/harness/bench-guest.sh" "$on/modroot" \
	"$top/harness/demo-module" "$(stat -c %s "$on/kernel/kheaders_image.sqfs")" \
	> "$work/guest-job.sh"
# guest JOB LOG CPUS: run JOB in the =m kernel's guest of CPUS CPUs, print
# its table
guest() {
	if KH_VM_CPUS=$3 sh "$top/harness/vm-run.sh" "$on/arch/x86/boot/bzImage" "$1" \
		"$2" 1800 > /dev/null 2>&1; then
		sed -n 's/^KH-BENCH: //p' "$2"
	else
		tail -n 20 "$2"
		echo >&2 "bench: the guest's side failed (log $2)"
		exit 1
	fi
}
guest "$work/guest-job.sh" "$work/guest.log" 2
# SquashFS' per-CPU decompressors are made for every possible CPU: for
# the mount's memory alone, a guest of one CPU and one of 64, as a server
# has
sed 's/$/ memory/' "$work/guest-job.sh" > "$work/guest-memory-job.sh"
for cpus in 1 64; do
	echo
	echo "bench: booting it with $cpus CPUs (log $work/guest-$cpus.log)"
	guest "$work/guest-memory-job.sh" "$work/guest-$cpus.log" $cpus
done
