# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# harness/lib: long steps with progress, kernel trees and Kbuild's make
# (sourced by lib.sh).

# --- progress -----------------------------------------------------------------

# kh_wait LABEL LOG PID: wait for PID; meanwhile, every minute, how long
# it has run and the last line of LOG (a build's: its last Kbuild target).
# Returns PID's status.
kh_wait() {
	(
		t0=$(date +%s)
		next=60
		while kill -0 "$3" 2>/dev/null; do
			sleep 5
			s=$(($(date +%s) - t0))
			[ "$s" -ge "$next" ] || continue
			next=$((next + 60))
			last=$(tail -n 5 "$2" 2>/dev/null | tr -d '\r' | grep . | tail -n 1 |
				sed 's/^ *//; s/  */ /g' | cut -c 1-100)
			echo >&2 "$1: $((s / 60)) min${last:+, last: $last}"
		done
	) &
	kh_ticker=$!
	# (each status kept, also under "set -e": the ticker's is that of
	# its kill)
	kh_rc=0
	wait "$3" || kh_rc=$?
	kill "$kh_ticker" 2>/dev/null
	wait "$kh_ticker" 2>/dev/null || true
	return $kh_rc
}

# kh_run LABEL LOG COMMAND...: run COMMAND with its output in LOG, saying
# so on standard error, with kh_wait's progress lines
kh_run() {
	kh_run_label=$1
	kh_run_log=$2
	shift 2
	echo >&2 "$kh_run_label: log $kh_run_log"
	"$@" > "$kh_run_log" 2>&1 &
	kh_wait "$kh_run_label" "$kh_run_log" $!
}

# --- trees --------------------------------------------------------------------

# Packages of another suite than the machine's, unpacked by harness/debs.sh
KH_DEBS=${KH_DEBS:-$top/build/debs}

# kh_suite VERSION: the Debian suite that has linux-source-VERSION, when it
# is not the machine's own release (empty then): mainline's 7.3 is in
# trixie-backports
kh_suite() {
	case $1 in
	7.*) echo trixie-backports ;;
	esac
}

# kh_usr_src NAME: /usr/src/NAME as a package installed it, or as
# harness/debs.sh unpacked it (a package of another suite)
kh_usr_src() {
	if [ -n "$(kh_suite "${1#linux-*-}")" ] && [ ! -e "/usr/src/$1" ]; then
		echo "$KH_DEBS/root/usr/src/$1"
	else
		echo "/usr/src/$1"
	fi
}

# KH_MARKERS: an extended regular expression matching the lines that
# apply.sh puts around its blocks in the kernel's own files (marker lines
# that a patch for upstream leaves out)
# shellcheck disable=SC2034 # used by the scripts that source lib.sh
KH_MARKERS='^(# |/\* )(BEGIN kheaders: managed by kheaders apply\.sh, do not edit|END kheaders)( \*/)?$'

# kh_unpack VERSION DIR: Debian's linux-source-VERSION unpacked as DIR,
# once: a marker DIR.unpacked says it is complete and newer than the
# tarball
kh_unpack() {
	kh_tarball=$(kh_usr_src "linux-source-$1.tar.xz")
	[ -f "$kh_tarball" ] ||
		{ echo >&2 "$kh_tarball missing (harness/deps.sh $1 fetches it)"; return 1; }
	if [ -f "$2.unpacked" ] && [ -z "$(find "$kh_tarball" -newer "$2.unpacked")" ]; then
		return 0
	fi
	echo >&2 "unpacking $kh_tarball as $2"
	rm -rf "$2" "$2.tmp" "$2.unpacked"
	mkdir -p "$2.tmp"
	tar -xf "$kh_tarball" -C "$2.tmp" &&
		mv "$2.tmp/linux-source-$1" "$2" &&
		rmdir "$2.tmp" &&
		touch "$2.unpacked"
}

# --- make ---------------------------------------------------------------------

# kh_ccache_cold: succeeds when ccache is installed and its cache holds no
# file, so that every compile of this run would miss.  A miss costs ccache
# a preprocessor run besides the compiler's: 6.12's mm/ for arm64 (40
# files, -j2) took 53.5 s without ccache and 73.8 s through an empty one.
kh_ccache_cold() {
	[ -d /usr/lib/ccache ] &&
		[ "$(ccache --print-stats 2>/dev/null | awk '$1 == "files_in_cache" { print $2 }')" = 0 ]
}

# kh_ccache BUILD_DIR: compile through ccache when it is installed and
# KH_CCACHE is not 0, with the paths below BUILD_DIR hashed the same in any
# checkout
kh_ccache() {
	[ -d /usr/lib/ccache ] && [ "${KH_CCACHE:-1}" != 0 ] || return 0
	case :$PATH: in
	*:/usr/lib/ccache:*) ;;
	*) PATH=/usr/lib/ccache:$PATH ;;
	esac
	CCACHE_BASEDIR=$1
	export PATH CCACHE_BASEDIR
}

# kh_make TREE ODIR "MAKE VARIABLES" ARGUMENT...: Kbuild's make in ODIR,
# one job per CPU
kh_make() {
	kh_make_tree=$1
	kh_make_odir=$2
	kh_make_vars=$3
	shift 3
	# shellcheck disable=SC2086 # make variables, one word each
	make -C "$kh_make_tree" O="$kh_make_odir" -j"$(nproc)" $kh_make_vars "$@"
}
