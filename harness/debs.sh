#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian packages of another suite than the machine's (linux-source-7.3
# and linux-config-7.3 come from trixie-backports) and unpack them, without
# installing them or changing the machine's apt:
#   - the mirror is the one the machine's own apt sources name for its
#     release (deb822 .sources files or sources.list), never a host name
#     of this script's;
#   - apt runs with a private configuration under DEST/apt (its own sources
#     list naming SUITE only, its own lists and cache), checked against
#     Debian's archive keyring, and only downloads ("apt-get download");
#   - each package is unpacked (dpkg-deb -x) into DEST/root, where
#     harness/lib (kh_usr_src) finds its /usr/src; DEST/PACKAGE.done holds
#     the version unpacked, and a package already there is not fetched
#     again.
#
# Usage: debs.sh SUITE DEST PACKAGE...
#        debs.sh --names SUITE DEST PREFIX: print the names of SUITE's
#        packages that start with PREFIX, from the same private lists

set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"

prefix=
if [ "${1:-}" = --names ]; then
	prefix=${4:?usage: debs.sh --names SUITE DEST PREFIX}
	shift
fi
suite=${1:?usage: debs.sh SUITE DEST PACKAGE...}
dest=${2:?usage: debs.sh SUITE DEST PACKAGE...}
shift 2
mkdir -p "$dest" && dest=$(cd "$dest" && pwd)

todo=
if [ -z "$prefix" ]; then
	for p in "$@"; do
		[ -f "$dest/$p.done" ] || todo="$todo $p"
	done
	[ -n "$todo" ] || exit 0
fi

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || { echo >&2 "debs: $keyring missing (apt-get install debian-archive-keyring)"; exit 1; }

# The machine's mirror: the first URI of an entry for its own release.
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || { echo >&2 "debs: no VERSION_CODENAME in /etc/os-release"; exit 1; }
uri=
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	# deb822 stanzas: the URIs of one whose Suites has the release itself
	uri=$(awk -v want="$codename" '
		/^[ \t]*$/ { if (ok && u != "") { print u; exit } ok = 0; u = ""; next }
		tolower($1) == "uris:" { u = $2 }
		tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) ok = 1 }
		END { if (ok && u != "") print u }' "$f" | head -n 1)
	[ -z "$uri" ] || break
done
if [ -z "$uri" ]; then
	# one-line sources: "deb [options] URI SUITE COMPONENT..."
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		sed -n 's/^deb[ \t][ \t]*\(\[[^]]*\][ \t]*\)\{0,1\}//p' |
		awk -v want="$codename" '$2 == want { print $1; exit }')
fi
[ -n "$uri" ] || { echo >&2 "debs: no apt source for $codename in /etc/apt to take the mirror from"; exit 1; }

apt=$dest/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/download"
echo "deb [signed-by=$keyring] $uri $suite main" > "$apt/sources.list"
: > "$apt/status"
# The machine's apt configuration stays as it is: every path apt writes
# or reads for this suite is the private one.
set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=- \
	-o Dir::State::Lists="$apt/lists" -o Dir::State::status="$apt/status" \
	-o Dir::Cache="$apt/cache" -o Dir::Etc::Preferences=- -o Dir::Etc::PreferencesParts=- \
	-o APT::Get::List-Cleanup=false -q
if [ -n "$prefix" ]; then
	# the lists of an earlier run will do; else they are fetched
	ls "$apt/lists/"*_Packages* > /dev/null 2>&1 ||
		apt-get "$@" update > "$apt/update.log" 2>&1 ||
		{ echo >&2 "debs: apt-get update of $suite failed (log: $apt/update.log)"; exit 1; }
	apt-cache "$@" pkgnames "$prefix"
	exit
fi
echo >&2 "debs: fetching$todo from $suite ($uri)"
if ! apt-get "$@" update > "$apt/update.log" 2>&1; then
	tail -n 10 "$apt/update.log" >&2
	echo >&2 "debs: apt-get update of $suite failed (log: $apt/update.log)"
	exit 1
fi
for p in $todo; do
	rm -f "$apt/download/$p"_*.deb
	if ! (cd "$apt/download" && apt-get "$@" download "$p") > "$apt/download.log" 2>&1; then
		tail -n 10 "$apt/download.log" >&2
		echo >&2 "debs: apt-get download $p from $suite failed"
		exit 1
	fi
	deb=$(ls "$apt/download/$p"_*.deb)
	dpkg-deb -x "$deb" "$dest/root"
	dpkg-deb -f "$deb" Version > "$dest/$p.done"
	rm -f "$deb"
	echo >&2 "debs: $p $(cat "$dest/$p.done") unpacked in $dest/root"
done
