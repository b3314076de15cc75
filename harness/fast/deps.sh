#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fast suite: deps.sh offline (stub apt-get and dpkg-query): a missing
# optional package stops nothing, a missing required one does.
#
# Usage: sh harness/fast/deps.sh [BUILD_DIR]   (TAP; fast_setup: harness/lib/fast.sh)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
fast_setup "${1:-$top/build}"

# deps.sh offline (apt-get fails): a missing optional package (lzop) is
# reported and stops nothing; a missing required one (gcc) stops it.
test_deps_offline() {
	mkdir -p "$scratch/bin"
	# shellcheck disable=SC2016 # the stubs' own variables
	printf '#!/bin/sh\nfor a; do p=$a; done\ncase " $KH_MISSING " in *" $p "*) exit 1 ;; esac\necho "install ok installed"\n' \
		> "$scratch/bin/dpkg-query"
	printf '#!/bin/sh\necho "E: offline" >&2\nexit 100\n' > "$scratch/bin/apt-get"
	chmod +x "$scratch/bin/dpkg-query" "$scratch/bin/apt-get"
	out=$(KH_MISSING=lzop PATH=$scratch/bin:$PATH sh "$top/harness/deps.sh" 6.12 2>&1) ||
		fail "lzop missing, offline: deps.sh failed: $out" || return 1
	case $out in *"could not install lzop"*) ;; *) fail "no word of lzop: $out" || return 1 ;; esac
	out=$(KH_MISSING="gcc lzop" PATH=$scratch/bin:$PATH sh "$top/harness/deps.sh" 6.12 2>&1) &&
		fail "gcc missing, offline: deps.sh succeeded: $out" && return 1
	case $out in *"could not install gcc"*) ;; *) fail "no word of gcc: $out" || return 1 ;; esac
}

fast_test "deps.sh offline: a missing optional package stops nothing, a required one does" test_deps_offline
tap_done
