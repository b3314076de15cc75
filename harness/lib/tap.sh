# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# harness/lib: TAP output and the ledger of results (sourced by lib.sh).

# --- TAP ----------------------------------------------------------------------

tap_n=0
tap_passed=0
tap_failed=0
tap_skipped=0

# tap_result STATUS DESCRIPTION: the next result, "ok" when STATUS is 0
tap_result() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		tap_passed=$((tap_passed + 1))
		echo "ok $tap_n $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n $2"
	fi
}

# tap_skip DESCRIPTION REASON
tap_skip() {
	tap_n=$((tap_n + 1))
	tap_skipped=$((tap_skipped + 1))
	echo "ok $tap_n $1 # SKIP $2"
}

# tap_diag: standard input as TAP diagnostics
tap_diag() {
	sed 's/^/# /'
}

# tap_test DESCRIPTION COMMAND...: a result, passed when COMMAND (a shell
# function, run in a subshell) returns 0; the last of what it printed is
# shown when it fails
tap_test() {
	tap_desc=$1
	shift
	if tap_out=$("$@" 2>&1); then
		tap_result 0 "$tap_desc"
	else
		tap_result 1 "$tap_desc"
		printf '%s\n' "$tap_out" | tail -n 25 | tap_diag
	fi
}

# tap_done: the plan and the count; returns non-zero when anything failed
tap_done() {
	echo "1..$tap_n"
	echo "$tap_passed passed, $tap_failed failed, $tap_skipped skipped"
	[ "$tap_failed" -eq 0 ]
}

# fail MESSAGE: print it and return 1 (in a test: fail "why" || return 1)
fail() {
	echo "$*"
	return 1
}

# --- results: the ledger ----------------------------------------------------
#
# The runners (run-tests.sh, fast-tests.sh) put every result in a ledger,
# $KH_LEDGER, one line each: LABEL <tab> pass|fail|skip|time <tab> WHAT.
# Steps that run at the same time (the fast suite beside the VM suite)
# append to it; kh_table sums it up.

# kh_ledger BUILD_DIR: use $KH_LEDGER, or start one in BUILD_DIR and set
# kh_ledger_own (the caller then prints the table)
# shellcheck disable=SC2034 # kh_ledger_own is the caller's
kh_ledger() {
	kh_ledger_own=
	[ -z "${KH_LEDGER:-}" ] || [ ! -f "$KH_LEDGER" ] || return 0
	kh_ledger_own=1
	KH_LEDGER=$1/results.ledger
	export KH_LEDGER
	: > "$KH_LEDGER"
}

# kh_record LABEL STATUS WHAT: one result of a runner's own, passed when
# STATUS is 0; returns 1 when it failed
kh_record() {
	if [ "$2" -eq 0 ]; then
		echo "$1: ok - $3"
		printf '%s\tpass\t%s\n' "$1" "$3" >> "$KH_LEDGER"
	else
		echo "$1: not ok - $3"
		printf '%s\tfail\t%s\n' "$1" "$3" >> "$KH_LEDGER"
		return 1
	fi
}

# kh_time LABEL SECONDS [CPU_SECONDS]: time spent on LABEL, and the CPU
# time its processes used (each added up by kh_table)
kh_time() {
	printf '%s\ttime\t%s\n' "$1" "$2" >> "$KH_LEDGER"
	[ -z "${3:-}" ] || printf '%s\tcpu\t%s\n' "$1" "$3" >> "$KH_LEDGER"
}

# kh_cpu: kh_cpu_s is the CPU time (user and system, whole seconds) of
# this shell's children that have ended and been waited for, and of
# theirs.  From the shell's own "times", written to a file and read back
# without a subshell, which would count only its own children.
kh_cpu() {
	kh_cpu_f=${TMPDIR:-/tmp}/kh-cpu.$$
	times > "$kh_cpu_f"
	{ read -r _ _ && read -r kh_cpu_u kh_cpu_y; } < "$kh_cpu_f"
	rm -f "$kh_cpu_f"
	kh_cpu_s=0
	for kh_cpu_t in "$kh_cpu_u" "$kh_cpu_y"; do
		kh_cpu_m=${kh_cpu_t%%m*}
		kh_cpu_t=${kh_cpu_t#*m}
		kh_cpu_s=$((kh_cpu_s + kh_cpu_m * 60 + ${kh_cpu_t%%[.s]*}))
	done
}

# kh_tally LABEL: TAP on standard input, shown line by line as it comes as
# "LABEL: LINE", its results put in the ledger.  A stream without its plan
# ("1..N"; several streams one after the other: each with its plan), or
# with another number of results than the plans add up to, is one
# more failure.
kh_tally() {
	kh_n=0
	kh_plan=0
	kh_planned=
	kh_bail=
	while IFS= read -r kh_line; do
		echo "$1: $kh_line"
		case $kh_line in
		1..*)
			kh_num=${kh_line#1..}
			kh_num=${kh_num%%[!0-9]*}
			kh_plan=$((kh_plan + ${kh_num:-0}))
			kh_planned=1
			;;
		"not ok" | "not ok "*) kh_put "$1" fail "$kh_line" ;;
		"ok "*"# SKIP"* | "ok "*"#SKIP"*) kh_put "$1" skip "$kh_line" ;;
		ok | "ok "*) kh_put "$1" pass "$kh_line" ;;
		"Bail out!"*) kh_bail=$kh_line ;;
		esac
	done
	[ -z "$kh_planned" ] || [ "$kh_plan" -ne "$kh_n" ] || return 0
	if [ -n "$kh_planned" ]; then
		kh_why="planned $kh_plan results, gave $kh_n"
	else
		kh_why="ended without its plan"
	fi
	kh_record "$1" 1 "$kh_why${kh_bail:+, $kh_bail}"
}

# kh_put LABEL STATUS LINE: a result line of kh_tally's in the ledger
kh_put() {
	kh_n=$((kh_n + 1))
	printf '%s\t%s\t%s\n' "$1" "$2" \
		"$(printf '%s\n' "$3" | sed 's/^\(not \)\{0,1\}ok *[0-9]* *-\{0,1\} *//')" >> "$KH_LEDGER"
}

# kh_tap LABEL COMMAND...: run COMMAND, which prints TAP, tally it under
# LABEL and record its time and CPU time
kh_tap() {
	kh_tap_label=$1
	shift
	kh_tap_t0=$(date +%s)
	kh_cpu
	kh_tap_c0=$kh_cpu_s
	"$@" 2>&1 | kh_tally "$kh_tap_label"
	kh_cpu
	kh_time "$kh_tap_label" $(($(date +%s) - kh_tap_t0)) $((kh_cpu_s - kh_tap_c0))
}

# kh_table: per label, results and time, the failures by name; last the
# line "N passed, N failed, N skipped".  Returns non-zero when anything
# failed.
kh_table() {
	awk -F '\t' '
	!($1 in seen) { seen[$1] = 1; order[++n] = $1 }
	$2 == "time" { t[$1] += $3; next }
	$2 == "cpu" { cpu[$1] += $3; next }
	{ c[$1, $2]++; total[$2]++ }
	$2 == "fail" { bad[++nb] = $1 ": " $3 }
	function mmss(s) { return sprintf("%dm%02ds", s / 60, s % 60) }
	END {
		printf "\n%-24s %7s %7s %8s %9s %9s\n", "", "passed", "failed", "skipped", "time", "CPU time"
		for (i = 1; i <= n; i++) {
			l = order[i]
			printf "%-24s %7d %7d %8d %9s %9s\n", l, c[l, "pass"], c[l, "fail"],
				c[l, "skip"], (l in t) ? mmss(t[l]) : "-", (l in cpu) ? mmss(cpu[l]) : "-"
		}
		for (i = 1; i <= nb; i++)
			print "failed: " bad[i]
		printf "%d passed, %d failed, %d skipped\n", total["pass"], total["fail"], total["skip"]
		exit total["fail"] > 0
	}' "$KH_LEDGER"
}
