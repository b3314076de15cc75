#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stress /proc/kheaders.tar.xz and /sys/kernel/kheaders.tar.xz, best on a
# debug kernel (KASAN, kmemleak, lockdep, DEBUG_OBJECTS): concurrent
# readers at random offsets and lengths checked byte for byte against a
# reference copy, rmmod kheaders while the files are held open and while
# they are being read, 100 load and unload cycles, loading kheaders while
# another loop loads and unloads crc-ccitt (every load must succeed, and
# the files' size must be what a read gives), then a kmemleak scan and a
# look at the kernel log since the test started, which must hold no BUG,
# WARNING, KASAN, lockdep or kmemleak report.  Checks that need kheaders
# to be a module, crc-ccitt, kmemleak or lockdep are reported as skipped
# on kernels without them.  The test leaves kheaders loaded or not, and
# debugfs mounted or not, as it found them.
#
# Environment: KH_STRESS_READERS (default 4 per file), KH_STRESS_ROUNDS
# (default 200 reads per reader), KH_STRESS_CYCLES (default 100),
# KH_STRESS_CHURN (default 40 loads beside the module loop),
# KH_STRESS_SEED (default: the time).
#
# Exit status: 0 all passed, 1 a check failed, 4 (skip) no kheaders.

PROC=/proc/kheaders.tar.xz
SYS=/sys/kernel/kheaders.tar.xz
TESTDIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=kheaders_lib.sh
. "$TESTDIR/kheaders_lib.sh"
READ=$KHEADERS_READ
READERS=${KH_STRESS_READERS:-4}
ROUNDS=${KH_STRESS_ROUNDS:-200}
CYCLES=${KH_STRESS_CYCLES:-100}
CHURN=${KH_STRESS_CHURN:-40}
SEED=${KH_STRESS_SEED:-$(date +%s)}
KMEMLEAK=/sys/kernel/debug/kmemleak
PLAN=11

work=
modular=
was_loaded=
mounted_debugfs=
churn_pid=

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$churn_pid" ]; then
		touch "$work/stop"
		wait "$churn_pid"
	fi
	[ -n "$work" ] && rm -rf "$work"
	# leave kheaders as it was found
	if [ -n "$modular" ] && [ -z "$was_loaded" ] && is_module; then
		rmmod kheaders
	fi
	[ -z "$mounted_debugfs" ] || umount /sys/kernel/debug
}
trap cleanup EXIT

is_module() {
	grep -q '^kheaders ' /proc/modules
}

load() {
	is_module || modprobe kheaders
}

# the kernel log lines that this test must not leave
bad_log() {
	kmsg_since | grep -E -e 'BUG:|WARNING:|Oops|general protection fault|UBSAN:|KASAN:' \
		-e 'kernel BUG|suspicious RCU usage|possible (circular|recursive) locking' \
		-e 'inconsistent lock state|DEBUG_LOCKS_WARN|ODEBUG:|kmemleak: [0-9]+ new suspected'
}

echo "TAP version 13"

[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
[ -x "$READ" ] || skip_all "$READ is not built"
for tool in cmp dd dmesg tar xz; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip_all "'$tool' is not installed"
done

was_loaded=
is_module && was_loaded=1
if [ ! -e $PROC ] && command -v modprobe >/dev/null 2>&1; then
	modprobe -q kheaders 2>/dev/null
fi
[ -e $PROC ] || skip_all "no $PROC: kernel built without CONFIG_IKHEADERS?"
modular=
is_module && modular=1

echo "1..$PLAN"
log "seed $SEED, $READERS readers per file, $ROUNDS reads each"
work=$(mktemp -d) || exit "$KSFT_FAIL"
kmsg_mark

# kmemleak: forget what was found before this test
if [ ! -e "$KMEMLEAK" ] && [ -d /sys/kernel/debug ] &&
   ! grep -q ' /sys/kernel/debug debugfs ' /proc/mounts &&
   mount -t debugfs none /sys/kernel/debug 2>/dev/null; then
	mounted_debugfs=1
fi
if [ -e "$KMEMLEAK" ]; then
	echo clear > "$KMEMLEAK"
fi

# 1: the reference, and both files hold its bytes
cat $PROC > "$work/ref"
ok=0
cmp -s $PROC "$work/ref" || { log "two reads of $PROC differ"; ok=1; }
cmp -s $SYS "$work/ref" || { log "$SYS differs from $PROC"; ok=1; }
result $ok "$PROC and $SYS give the same $(stat -c %s "$work/ref") bytes"

# 2: concurrent readers of both files
"$READ" $PROC "$work/ref" "$READERS" "$ROUNDS" "$SEED" > "$work/r1" 2>&1 &
p1=$!
"$READ" $SYS "$work/ref" "$READERS" "$ROUNDS" $((SEED + 1)) > "$work/r2" 2>&1 &
p2=$!
ok=0
wait $p1 || ok=1
wait $p2 || ok=1
sed 's/^\([^#]\)/# \1/' "$work/r1" "$work/r2"
result $ok "$((2 * READERS)) concurrent readers at random offsets and lengths" \
	"see the reference's bytes"

# rmmod_holding FILE: unload kheaders while FILE is open and half read;
# the file must then read the same bytes or fail, the module must be gone
# or still working, and it is loaded again afterwards.
rmmod_holding() {
	ok=0
	exec 3< "$1"
	dd bs=1000 count=1 <&3 > "$work/held" 2>/dev/null
	if rmmod kheaders 2> "$work/rmmod.err"; then
		if [ -e $PROC ] || [ -e $SYS ]; then
			log "rmmod succeeded, files still there"
			ok=1
		fi
		log "rmmod succeeded with $1 open"
	else
		log "rmmod refused with $1 open: $(cat "$work/rmmod.err")"
		cmp -s $PROC "$work/ref" || { log "$PROC changed"; ok=1; }
	fi
	# a read of the held file: either an error or the right bytes
	if dd bs=4096 count=4 <&3 > "$work/after" 2> "$work/dd.err"; then
		cat "$work/after" >> "$work/held"
		head -c "$(stat -c %s "$work/held")" "$work/ref" |
			cmp -s - "$work/held" ||
			{ log "the held file read wrong bytes"; ok=1; }
	else
		log "read of the held file after rmmod: $(cat "$work/dd.err")"
	fi
	exec 3<&-
	load || { log "modprobe kheaders failed"; ok=1; }
	cmp -s $SYS "$work/ref" || { log "$SYS differs after reload"; ok=1; }
	return $ok
}

# 3, 4: rmmod while each file is held open
for f in $PROC $SYS; do
	if [ -n "$modular" ]; then
		rmmod_holding "$f"
		result $? "rmmod kheaders with $f open: clean, and it loads again"
	else
		skip "rmmod kheaders with $f open" "kheaders is built in"
	fi
done

# 5: rmmod while readers are reading; what they read before it must match
if [ -n "$modular" ]; then
	"$READ" -g $PROC "$work/ref" "$READERS" 100000 $((SEED + 2)) > "$work/r3" 2>&1 &
	p1=$!
	"$READ" -g $SYS "$work/ref" "$READERS" 100000 $((SEED + 3)) > "$work/r4" 2>&1 &
	p2=$!
	sleep 2
	ok=0
	rmmod kheaders || { log "rmmod kheaders failed while read"; ok=1; }
	wait $p1 || ok=1
	wait $p2 || ok=1
	sed 's/^\([^#]\)/# \1/' "$work/r3" "$work/r4"
	load || { log "modprobe kheaders failed"; ok=1; }
	result $ok "rmmod kheaders while $((2 * READERS)) readers read: no wrong byte"
else
	skip "rmmod kheaders while readers read" "kheaders is built in"
fi

# 6: load and unload cycles, the files coming and going with the module
if [ -n "$modular" ]; then
	ok=0
	tail -c 5000 "$work/ref" > "$work/ref.end"
	i=0
	while [ $i -lt "$CYCLES" ] && [ $ok -eq 0 ]; do
		i=$((i + 1))
		is_module && rmmod kheaders
		if [ -e $PROC ] || [ -e $SYS ]; then
			log "cycle $i: the files outlived the module"
			ok=1
		fi
		modprobe kheaders || { log "cycle $i: modprobe failed"; ok=1; }
		# the end of the file is the part made at run time
		if [ $((i % 2)) -eq 0 ]; then f=$PROC; else f=$SYS; fi
		tail -c 5000 $f | cmp -s - "$work/ref.end" ||
			{ log "cycle $i: the end of $f differs"; ok=1; }
	done
	result $ok "$i load and unload cycles"
else
	skip "$CYCLES load and unload cycles" "kheaders is built in"
fi

# 7: kheaders loads, with the files' size right, while modules come and
# go: the Module.symvers it makes lists crc-ccitt or not, but the walk of
# the module list takes one snapshot, and modprobe never fails
if [ -z "$modular" ]; then
	skip "$CHURN loads of kheaders beside a module load and unload loop" "kheaders is built in"
elif ! modprobe -q -n crc-ccitt 2>/dev/null; then
	skip "$CHURN loads of kheaders beside a module load and unload loop" \
		"no crc-ccitt module (CONFIG_CRC_CCITT=m)"
else
	crc_was_loaded=
	grep -q '^crc_ccitt ' /proc/modules && crc_was_loaded=1
	(
		while [ ! -e "$work/stop" ]; do
			modprobe crc-ccitt 2>/dev/null
			modprobe -r crc-ccitt 2>/dev/null
		done
	) &
	churn_pid=$!
	ok=0
	listed=0
	i=0
	while [ $i -lt "$CHURN" ] && [ $ok -eq 0 ]; do
		i=$((i + 1))
		rmmod kheaders || { log "load $i: rmmod kheaders failed"; ok=1; }
		if ! modprobe kheaders 2> "$work/modprobe.err"; then
			log "load $i: modprobe kheaders failed: $(cat "$work/modprobe.err")"
			ok=1
			break
		fi
		cat $PROC > "$work/churn"
		size=$(stat -c %s $PROC)
		[ "$(wc -c < "$work/churn")" -eq "$size" ] ||
			{ log "load $i: stat gives $size bytes," \
				"a read $(wc -c < "$work/churn")"; ok=1; }
		# the stream made at load time is stored, not compressed
		! grep -q '	crc_ccitt	crc_ccitt	' "$work/churn" ||
			listed=$((listed + 1))
	done
	# the last one unpacks, with its Module.symvers
	xz -dc < "$work/churn" | tar -xOf - Module.symvers > "$work/symvers"
	if ! grep -q '	vmlinux	' "$work/symvers"; then
		log "the file of the last load does not unpack to a Module.symvers"
		ok=1
	fi
	touch "$work/stop"
	wait "$churn_pid"
	churn_pid=
	rm -f "$work/stop"
	if [ -n "$crc_was_loaded" ]; then
		modprobe crc-ccitt
	else
		modprobe -r crc-ccitt 2>/dev/null
	fi
	# loaded again with the modules of the start, whose exports the
	# reference lists
	if ! rmmod kheaders || ! modprobe kheaders; then
		log "kheaders did not load again after the loop"
		ok=1
	fi
	log "crc-ccitt listed in $listed of $i loads"
	result $ok "$i loads of kheaders beside a module load and unload loop:" \
		"none failed, right size"
fi

# 8: the reference still holds after all that
cmp -s $PROC "$work/ref" && cmp -s $SYS "$work/ref"
result $? "both files still give the reference's bytes"

# 9: kmemleak finds nothing (objects must be 5 s old to be reported)
if [ -e "$KMEMLEAK" ]; then
	sleep 6
	echo scan > "$KMEMLEAK"
	sleep 1
	echo scan > "$KMEMLEAK"
	cat "$KMEMLEAK" > "$work/leaks"
	[ ! -s "$work/leaks" ]
	rc=$?
	head -n 60 "$work/leaks" | sed 's/^/# /'
	result $rc "kmemleak reports no leak"
else
	skip "kmemleak reports no leak" "no $KMEMLEAK (CONFIG_DEBUG_KMEMLEAK off)"
fi

# 10: lockdep is still watching (it turns itself off after a report)
if [ -r /proc/lockdep_stats ]; then
	grep -q 'debug_locks: *1$' /proc/lockdep_stats
	result $? "lockdep still enabled (debug_locks 1)"
else
	skip "lockdep still enabled" "no /proc/lockdep_stats (CONFIG_LOCKDEP off)"
fi

# 11: nothing in the kernel log since the test started
bad_log > "$work/bad"
[ ! -s "$work/bad" ]
rc=$?
head -n 40 "$work/bad" | sed 's/^/# /'
result $rc "kernel log since the test started has no BUG, WARNING, KASAN," \
	"lockdep or kmemleak report"

finish
