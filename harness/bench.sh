#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": the stock 6.12 gen_kheaders.sh of the same Debian tree and
# ours, side by side, in one run, on one prepared object tree (the
# CONFIG_IKHEADERS=m configuration of the VM suite).  Prints medians of
# several runs and the ratios ours/stock.  Only ratios measured in the same
# run mean anything on a shared machine.
#
# Usage: bench.sh [BUILD_DIR]
# Environment: KH_VERSION (default 6.12), KH_BENCH_RUNS (default 3),
# KH_BENCH_NOOP_RUNS (the no-op measurements; default 9)

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
mkdir -p "$build" && build=$(cd "$build" && pwd)
version=${KH_VERSION:-6.12}
runs=${KH_BENCH_RUNS:-3}
noop_runs=${KH_BENCH_NOOP_RUNS:-9}
XZ=${XZ:-xz}
export XZ

sh "$top/harness/deps.sh" "$version"
tree=$(sh "$top/harness/ksrc.sh" "$version" "$build")
stock_gen=$build/src/stock-$version/kernel/gen_kheaders.sh
on=$build/$version/m
off=$build/$version/off
work=$build/$version/bench
[ -f "$stock_gen" ] || { echo >&2 "bench: no stock generator at $stock_gen"; exit 1; }

echo "bench: building the =m kernel ($on) and one without kheaders ($off)"
sh "$top/harness/build-kernel.sh" "$tree" "$on" \
	"$top/configs/base.config" "$top/configs/ikheaders-m.config"
printf '# CONFIG_IKHEADERS is not set\n' > "$build/$version/ikheaders-off.config"
sh "$top/harness/build-kernel.sh" "$tree" "$off" \
	"$top/configs/base.config" "$build/$version/ikheaders-off.config"

# Each generator runs in a directory of its own that sees the object tree's
# include/, arch/, scripts/ and tools/ through symbolic links, so that
# neither touches the build's own archive and stamp.
shadow() {
	rm -rf "$1"
	mkdir -p "$1/kernel"
	for d in include arch scripts tools; do
		ln -s "$on/$d" "$1/$d"
	done
}
shadow "$work/stock"
shadow "$work/ours"
cp "$on/kernel/kheaders_tar" "$on/kernel/kheaders_module.lds" "$work/ours/kernel/"

stock_cold() {
	rm -rf "$work/stock/kernel/kheaders_data.tar.xz" "$work/stock/kernel/kheaders.md5" \
		"$work/stock/kernel/.tmp_cpio_dir"
	stock_run
}
stock_run() {
	(cd "$work/stock" && building_out_of_srctree=1 srctree="$tree" SRCARCH=x86 \
		sh "$stock_gen" kernel/kheaders_data.tar.xz > /dev/null)
}
ours_run() {
	(cd "$work/ours" && srctree="$tree" SRCARCH=x86 \
		sh "$tree/kernel/gen_kheaders.sh" kernel/kheaders_data.tar.xz \
		kernel/kheaders_tar kernel/kheaders_module.lds > /dev/null)
}
ours_cold() {
	rm -f "$work/ours/kernel/kheaders_data.tar.xz" "$work/ours/kernel/kheaders.md5"
	ours_run
}
noop_make() { make -s -C "$tree" O="$1" -j"$(nproc)" > /dev/null 2>&1; }

# cpu_ms COMMAND...: run it, print the CPU time (user + system) it and its
# children took, in milliseconds.  Less disturbed by other load than the
# wall time, though only to the clock tick.
cpu_ms() {
	perl -MPOSIX -e '
		my @a = POSIX::times();
		system(@ARGV) == 0 or exit 1;
		my @b = POSIX::times();
		printf "%d\n", ($b[3] + $b[4] - $a[3] - $a[4]) * 1000 /
			POSIX::sysconf(POSIX::_SC_CLK_TCK);' "$@"
}
untar() { tar -xJf "$1" -C "$work/x"; }

# ms COMMAND...: run it, print its wall time in milliseconds.
ms() {
	t0=$(date +%s%N)
	"$@"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# Print the median of the numbers (milliseconds) on standard input, in
# seconds.
median_of() {
	sort -n | awk '{ t[NR] = $1 } END { printf "%.3f\n", t[int((NR + 1) / 2)] / 1000 }'
}

# median [-n RUNS] FUNCTION: run it RUNS (default $runs) times, print the
# median wall time in seconds (three decimals).
median() {
	n=$runs
	if [ "$1" = -n ]; then
		n=$2
		shift 2
	fi
	i=0
	while [ $i -lt "$n" ]; do
		ms "$1"
		i=$((i + 1))
	done | median_of
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.3f\n", a / b }'
}

row() {
	printf '%-40s %14s %14s %8s\n' "$1" "$2" "$3" "$4"
}

echo "bench: cold generation $runs times each, no-op generator $noop_runs times each;"
echo "bench: extraction and no-op make $noop_runs times each, the two sides alternating"
# Warm the page cache and make both no-op builds settle once.
stock_cold
ours_cold
noop_make "$on"
noop_make "$off"

t_stock=$(median stock_cold)
t_ours=$(median ours_cold)
# with the archive and its stamp in place, as in a no-op build
n_stock=$(median -n "$noop_runs" stock_run)
n_ours=$(median -n "$noop_runs" ours_run)

# Extraction, and a no-op make of the whole kernel, vary by a good fraction of a second
# from run to run on a busy machine, far more than the difference sought:
# the two sides run alternately, many times, and the medians are compared.
# The directory extracted into is emptied outside the timing.
: > "$work/noop-on" && : > "$work/noop-off"
: > "$work/cpu-on" && : > "$work/cpu-off"
: > "$work/x-stock" && : > "$work/x-ours"
i=0
while [ $i -lt "$noop_runs" ]; do
	for side in stock ours; do
		rm -rf "$work/x" && mkdir "$work/x"
		ms untar "$work/$side/kernel/kheaders_data.tar.xz" >> "$work/x-$side"
	done
	ms noop_make "$off" >> "$work/noop-off"
	ms noop_make "$on" >> "$work/noop-on"
	cpu_ms make -s -C "$tree" O="$off" -j"$(nproc)" >> "$work/cpu-off"
	cpu_ms make -s -C "$tree" O="$on" -j"$(nproc)" >> "$work/cpu-on"
	i=$((i + 1))
done
rm -rf "$work/x"
x_stock=$(median_of < "$work/x-stock")
x_ours=$(median_of < "$work/x-ours")
t_on=$(median_of < "$work/noop-on")
t_off=$(median_of < "$work/noop-off")
c_on=$(median_of < "$work/cpu-on")
c_off=$(median_of < "$work/cpu-off")

a_stock=$work/stock/kernel/kheaders_data.tar.xz
a_ours=$work/ours/kernel/kheaders_data.tar.xz
size_stock=$(stat -c %s "$a_stock")
size_ours=$(stat -c %s "$a_ours")
raw_stock=$(xz -dc "$a_stock" | wc -c)
raw_ours=$(xz -dc "$a_ours" | wc -c)
files_stock=$(tar -tJf "$a_stock" | grep -vc '/$')
files_ours=$(tar -tJf "$a_ours" | grep -vc '/$')
mem() { xz -lvv "$1" | sed -n 's/^ *Memory needed: *//p'; }
mem_stock=$(mem "$a_stock")
mem_ours=$(mem "$a_ours")
mib() { echo "${1% MiB}"; }
ko=$(stat -c %s "$on/kernel/kheaders.ko")

echo
echo "linux-$version, x86_64, configs/base.config + ikheaders-m.config, $(nproc) CPUs;"
echo "medians of $runs runs for cold generation, of $noop_runs runs otherwise"
echo
row "" stock ours ours/stock
row "cold generation (s)" "$t_stock" "$t_ours" "$(ratio "$t_ours" "$t_stock")"
row "no-op generator run (s)" "$n_stock" "$n_ours" "$(ratio "$n_ours" "$n_stock")"
row "archive (bytes)" "$size_stock" "$size_ours" "$(ratio "$size_ours" "$size_stock")"
row "uncompressed (bytes)" "$raw_stock" "$raw_ours" "$(ratio "$raw_ours" "$raw_stock")"
row "files" "$files_stock" "$files_ours" "$(ratio "$files_ours" "$files_stock")"
row "tar -xJf (s)" "$x_stock" "$x_ours" "$(ratio "$x_ours" "$x_stock")"
row "xz decompression memory (MiB)" "$(mib "$mem_stock")" "$(mib "$mem_ours")" \
	"$(ratio "$(mib "$mem_ours")" "$(mib "$mem_stock")")"
echo
row "" "feature off" "ours on" "on - off"
row "no-op make of the kernel (s)" "$t_off" "$t_on" \
	"$(awk -v a="$t_on" -v b="$t_off" 'BEGIN { printf "%+.3f\n", a - b }')"
range() { sort -n "$1" | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.3f-%.3f", a / 1000, b / 1000 }'; }
row "  range of the runs (s)" "$(range "$work/noop-off")" "$(range "$work/noop-on")" ""
row "  CPU time, user + system (s)" "$c_off" "$c_on" \
	"$(awk -v a="$c_on" -v b="$c_off" 'BEGIN { printf "%+.3f\n", a - b }')"
echo
echo "kheaders.ko (ours): $ko bytes; the stock archive has headers only, ours also the module build files"
