# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2154 # work and spread are the caller's
#
# make bench's timing: runs measured as wall and CPU time, their median and
# range, and two sides compared only when their runs are steady.  Sourced
# by harness/bench.sh, which sets work (where the "times" snapshots go) and
# spread (KH_BENCH_SPREAD).

# measure FILE COMMAND...: run it once (a shell function: in this shell);
# append "WALL_MS CPU_MS" to FILE.  CPU is the user and system time of all
# the processes it started, from the shell's "times" before and after
# (run in this shell and written to a file: in a command substitution it
# would report a new process's times).
measure() {
	out=$1
	shift
	times > "$work/times0"
	t0=$(date +%s%N)
	"$@" || { echo >&2 "bench: $* failed"; exit 1; }
	t1=$(date +%s%N)
	times > "$work/times1"
	c0=$(children_ms "$work/times0")
	c1=$(children_ms "$work/times1")
	echo "$(((t1 - t0) / 1000000)) $((c1 - c0))" >> "$out"
}
# children_ms FILE: user + system time of the children in "times" output
children_ms() {
	awk 'NR == 2 { n = 0
		for (i = 1; i <= 2; i++) {
			split($i, p, "m"); sub("s", "", p[2]); n += p[1] * 60 + p[2]
		}
		printf "%d\n", n * 1000 }' "$1"
}

# stats FILE COLUMN: "median min max" of that column, in seconds
stats() {
	awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '
		{ t[NR] = $1 }
		END { printf "%.2f %.2f %.2f\n", t[int((NR + 1) / 2)] / 1000, t[1] / 1000, t[NR] / 1000 }'
}
# steady FILE COLUMN: the runs lie within $spread % of their median; of
# five runs or more, the fastest and the slowest are left out first
steady() {
	awk -v c="$2" '{ print $c }' "$1" | sort -n | awk -v s="$spread" '
		{ t[NR] = $1 }
		END {
			lo = 1; hi = NR
			if (NR >= 5) { lo = 2; hi = NR - 1 }
			m = t[int((NR + 1) / 2)]
			exit !(m > 0 && (t[hi] - t[lo]) / m * 100 <= s)
		}'
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

# row NAME FILE_A FILE_B: wall and CPU rows for two sides, with B/A
row() {
	name=$1
	for col in 1 2; do
		if [ $col = 1 ]; then what="$name, wall (s)"; else what="$name, CPU (s)"; fi
		a=$(stats "$2" $col)
		b=$(stats "$3" $col)
		if steady "$2" $col && steady "$3" $col; then
			r=$(echo "$a $b" | awk '{ printf "%.3f", $4 / $1 }')
		else
			r="none: spread > $spread%"
		fi
		printf '%-44s %22s %22s %s\n' "$what" \
			"$(echo "$a" | awk '{ printf "%s (%s-%s)", $1, $2, $3 }')" \
			"$(echo "$b" | awk '{ printf "%s (%s-%s)", $1, $2, $3 }')" "$r"
	done
}
