#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /proc/kheaders.symvers, the Module.symvers of the /dev/kheaders tree,
# under concurrent and unprivileged use.  modpost reads the file with
# fstat() for its size, then read()s that many bytes: a size that is not
# what the open file reads makes a module build hang or fail.
#
#   1, 2  two opens with a module load (then an unload) between them: each
#         open's fstat() size is what it reads, while either is open and
#         after; once both are closed, a new open lists the change;
#   3     a module builds from the mounted tree, and loads, while other
#         processes loop opening and reading the file and loading and
#         unloading an in-tree module with exports;
#   4     1000 opens held by an unprivileged user (uid 65534) cost at most
#         4 MiB of MemAvailable in all (the median of three rounds);
#   5     modprobe and rmmod work while an unprivileged user loops opening
#         and reading the file (their times are printed beside those
#         without it).
#
# Needs /dev/kheaders (CONFIG_IKHEADERS_IMAGE), squashfs, crc-ccitt as a
# module (CONFIG_CRC_CCITT=m), perl and setpriv.  Leaves kheaders_image
# and crc_ccitt loaded or not, as it found them.
#
# Exit status: 0 all passed, 1 a check failed, 4 (skip) this kernel or this
# system cannot run the test.

DEV=/dev/kheaders
SYMVERS=/proc/kheaders.symvers
DEP=crc_ccitt
NOBODY=65534
HOLD=1000
TESTDIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=kheaders_lib.sh
. "$TESTDIR/kheaders_lib.sh"

image_loaded=
dep_was=
mnt=
work=
bg=

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	for p in $bg; do
		kill "$p" 2>/dev/null
	done
	wait
	[ -z "$mnt" ] || ! mountpoint -q "$mnt" || umount "$mnt"
	! module_loaded kheaders_testmod || rmmod kheaders_testmod
	if [ -n "$dep_was" ]; then
		module_loaded "$DEP" || modprobe "$DEP"
	else
		! module_loaded "$DEP" || rmmod "$DEP"
	fi
	[ -z "$image_loaded" ] || ! module_loaded kheaders_image || rmmod kheaders_image
	[ -z "$work" ] || rm -rf "$work"
}
trap cleanup EXIT

# Perl, as modpost reads the file: each open's fstat() size and the bytes
# it reads.
#
# opens FILE CMD...: open A, run CMD, open B; print "A-at-open
# A-after-B A-read B-at-open B-read same|differ"
# shellcheck disable=SC2016 # perl's own variables
OPENS='my $f = shift;
	open(my $a, "<", $f) or die "$f: $!\n";
	my $a0 = (stat($a))[7];
	system(@ARGV) == 0 or die "@ARGV failed\n";
	open(my $b, "<", $f) or die "$f: $!\n";
	my $a1 = (stat($a))[7];
	my $b0 = (stat($b))[7];
	local $/;
	my $ta = <$a>;
	my $tb = <$b>;
	print join(" ", $a0, $a1, length($ta), $b0, length($tb),
		   $ta eq $tb ? "same" : "differ"), "\n";'
# readloop FILE STOP: open, fstat, read and close FILE every 10 ms (so as
# to leave the build and the module loads some CPU) until the file STOP
# exists; print "OPENS MISMATCHES"
# shellcheck disable=SC2016
READLOOP='my ($f, $stop) = @ARGV;
	my ($n, $bad) = (0, 0);
	until (-e $stop) {
		open(my $h, "<", $f) or die "$f: $!\n";
		my $size = (stat($h))[7];
		local $/;
		my $t = <$h>;
		close($h);
		$bad++ if $size != length($t);
		$n++;
		select(undef, undef, undef, 0.01);
	}
	print "$n $bad\n";'
# hold FILE: read counts from stdin; open or close FILE until that many
# opens are held, and print "held N" each time
# shellcheck disable=SC2016
HOLDER='$| = 1;
	my @fh;
	while (my $want = <STDIN>) {
		while (@fh < $want) {
			open(my $h, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
			push @fh, $h;
		}
		close(pop @fh) while @fh > $want;
		print "held ", scalar(@fh), "\n";
	}'

echo "TAP version 13"

[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
for tool in mount umount mountpoint modprobe rmmod insmod modinfo perl setpriv mkfifo timeout; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip_all "'$tool' is not installed"
done
case $(modinfo -F filename "$DEP" 2>/dev/null) in
"") skip_all "no $DEP module: CONFIG_CRC_CCITT=m is needed" ;;
"(builtin)") skip_all "$DEP is built in: CONFIG_CRC_CCITT=m is needed" ;;
esac
need_image $DEV
[ -e $SYMVERS ] || skip_all "no $SYMVERS"
module_loaded "$DEP" && dep_was=1

echo "1..5"
work=$(mktemp -d) || exit "$KSFT_FAIL"
chmod 755 "$work"

# listed: whether a new open of the file lists crc_ccitt of DEP
listed() {
	grep -q "	crc_ccitt	$DEP	" $SYMVERS
}

# check_opens OUTPUT: the line of OPENS, each open's size its bytes
check_opens() {
	# shellcheck disable=SC2086 # six words
	set -- $1
	log "A: fstat $1 at open, $2 once B was open, read $3; B: fstat $4, read $5; $6"
	[ $# -eq 6 ] && [ "$1" = "$3" ] && [ "$2" = "$3" ] && [ "$4" = "$5" ]
}

# 1: two opens with a load between
ok=0
! module_loaded "$DEP" || rmmod "$DEP" || { log "rmmod $DEP failed"; ok=1; }
out=$(perl -e "$OPENS" $SYMVERS modprobe "$DEP") || ok=1
check_opens "$out" || ok=1
listed || { log "a new open does not list $DEP, loaded"; ok=1; }
result $ok "opens before and after loading $DEP: each fstat size is the bytes" \
	"that open reads; a new open lists $DEP"

# 2: and with an unload between
ok=0
module_loaded "$DEP" || modprobe "$DEP" || { log "modprobe $DEP failed"; ok=1; }
out=$(perl -e "$OPENS" $SYMVERS rmmod "$DEP") || ok=1
check_opens "$out" || ok=1
! listed || { log "a new open lists $DEP, unloaded"; ok=1; }
result $ok "opens before and after unloading $DEP: each fstat size is the bytes" \
	"that open reads; a new open leaves $DEP out"

# 3: a module build from the mount while others open the file and load and
# unload a module with exports
ok=0
mnt=$work/build
mkdir "$mnt" "$work/mod"
mount -t squashfs -o ro $DEV "$mnt" || { log "mount failed"; ok=1; }
cp "$TESTDIR/testmod/Makefile" "$TESTDIR/testmod/kheaders_testmod.c" "$work/mod/"
stop=$work/stop
perl -e "$READLOOP" $SYMVERS "$stop" > "$work/reads" 2>&1 &
bg="$bg $!"
(
	n=0
	until [ -e "$stop" ]; do
		if ! modprobe "$DEP" || ! rmmod "$DEP"; then
			echo "failed"
			break
		fi
		n=$((n + 1))
		sleep 0.1
	done
	echo "$n"
) > "$work/churn" 2>&1 &
bg="$bg $!"
t0=$(date +%s)
if [ $ok -eq 0 ]; then
	KB_TIMEOUT=900 kbuild_make "$mnt" M="$work/mod" modules > "$work/build.log" 2>&1 ||
		{ log "the build failed or took over 900 s"; ok=1; }
fi
t1=$(date +%s)
touch "$stop"
wait
bg=
if [ $ok -eq 0 ]; then
	insmod "$work/mod/kheaders_testmod.ko" token=$$ && rmmod kheaders_testmod || ok=1
fi
grep -q 'WARNING: modpost\|ERROR: modpost' "$work/build.log" && ok=1
[ $ok -eq 0 ] || tail -n 20 "$work/build.log" | sed 's/^/# /'
read -r opens bad < "$work/reads"
read -r churns < "$work/churn"
log "build $((t1 - t0)) s; meanwhile $opens opens ($bad with fstat size other" \
	"than their bytes) and $churns loads and unloads of $DEP"
[ "${bad:-x}" = 0 ] || ok=1
case $churns in
"" | *[!0-9]*) log "the module churn stopped: '$churns'"; ok=1 ;;
esac
umount "$mnt" || ok=1
result $ok "a module builds from the mount and loads while the file is opened" \
	"and $DEP loaded and unloaded"

# MemAvailable in kB
memavail() {
	awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo
}

# wait_held N: until the holder says it holds N opens
wait_held() {
	i=0
	until [ "$(tail -n 1 "$work/held" 2>/dev/null)" = "held $1" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$holder" 2>/dev/null; then
			log "the holder: $(tail -n 3 "$work/held" | tr '\n' ' ')"
			return 1
		fi
		sleep 0.1
	done
}

# 4: HOLD opens held by an unprivileged user.  MemAvailable moves by a few
# MB on its own (per-CPU page lists, the page cache of what runs), so
# three rounds of 1 open, then HOLD, and their median cost.
ok=0
mkfifo "$work/ctl"
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
	perl -e "$HOLDER" $SYMVERS < "$work/ctl" > "$work/held" 2>&1 &
holder=$!
bg="$bg $holder"
exec 3> "$work/ctl"
costs=
for round in 1 2 3; do
	echo 1 >&3
	wait_held 1 || { ok=1; break; }
	sync
	echo 3 > /proc/sys/vm/drop_caches
	m0=$(memavail)
	echo $HOLD >&3
	wait_held $HOLD || { ok=1; break; }
	echo 3 > /proc/sys/vm/drop_caches
	m1=$(memavail)
	log "round $round: MemAvailable $m0 kB with 1 open held by uid $NOBODY," \
		"$m1 kB with $HOLD ($((m0 - m1)) kB)"
	costs="$costs $((m0 - m1))"
done
exec 3>&-
wait "$holder"
bg=
# shellcheck disable=SC2086 # one word per round
cost=$(printf '%s\n' $costs | sort -n | sed -n 2p)
log "a listing is $(($(stat -c %s $SYMVERS) / 1024)) kB"
[ $ok -eq 0 ] && [ -n "$cost" ] && [ "$cost" -le 4096 ] || ok=1
result $ok "$HOLD opens held by uid $NOBODY cost ${cost:-?} kB of MemAvailable" \
	"(median of 3 rounds), at most 4096"

# 5: modprobe while an unprivileged user loops opening the file
# churn N: N loads and unloads of DEP; print the milliseconds they took
churn() {
	c0=$(date +%s%N)
	i=0
	while [ $i -lt "$1" ]; do
		modprobe "$DEP" || return 1
		rmmod "$DEP" || return 1
		i=$((i + 1))
	done
	echo $((($(date +%s%N) - c0) / 1000000))
}
ok=0
alone=$(churn 5) || ok=1
rm -f "$stop"
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
	perl -e "$READLOOP" $SYMVERS "$stop" > "$work/reads" 2>&1 &
bg="$bg $!"
sleep 1
beside=$(churn 5) || ok=1
touch "$stop"
wait
bg=
read -r opens bad < "$work/reads"
log "5 loads and unloads of $DEP: $alone ms alone, $beside ms beside uid $NOBODY's" \
	"$opens opens ($bad with fstat size other than their bytes)"
[ "${bad:-x}" = 0 ] && [ "${opens:-0}" -gt 0 ] || ok=1
result $ok "modprobe and rmmod of $DEP work while uid $NOBODY loops opening $SYMVERS"

finish
