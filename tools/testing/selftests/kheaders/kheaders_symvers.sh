#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module.symvers in /proc/kheaders.tar.xz lists the exports of the in-tree
# modules loaded when kheaders is loaded, with their CRCs, so that a module
# that uses one (here: crc_ccitt() of crc-ccitt.ko) builds from the
# extracted archive alone, without modpost warnings, and loads once its
# dependency is loaded, without forcing.  The files do not change while
# kheaders is loaded: readers see the same bytes, of the size stat
# reports, while modules load and unload.  A built-in kheaders is made at
# boot, before any module, and lists vmlinux alone.
#
# Needs crc-ccitt as a module (CONFIG_CRC_CCITT=m).  Leaves kheaders and
# crc-ccitt loaded or not, as it found them.
#
# Exit status: 0 all passed, 1 a check failed, 4 (skip) this kernel or this
# system cannot run the test.

FILE=/proc/kheaders.tar.xz
SYSFILE=/sys/kernel/kheaders.tar.xz
TESTDIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=kheaders_lib.sh
. "$TESTDIR/kheaders_lib.sh"
READ=$KHEADERS_READ
DEP=crc_ccitt
MOD=kheaders_crcmod

work=
kh_was=
dep_was=

loaded() {
	grep -q "^$1 " /proc/modules
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -n "$work" ] && rm -rf "$work"
	loaded "$MOD" && rmmod "$MOD"
	# as found: kheaders first, as it may be what was loaded after crc_ccitt
	if [ -n "$modular" ]; then
		if [ -z "$kh_was" ]; then
			loaded kheaders && rmmod kheaders
		else
			loaded kheaders || modprobe kheaders
		fi
	fi
	if [ -z "$dep_was" ]; then
		loaded "$DEP" && rmmod "$DEP"
	else
		loaded "$DEP" || modprobe "$DEP"
	fi
}

# reload_kheaders: a new kheaders, listing the modules loaded now
reload_kheaders() {
	if loaded kheaders; then
		rmmod kheaders || return 1
	fi
	modprobe kheaders
}

# module_lines FILE: the lines of Module.symvers FILE for modules
module_lines() {
	awk -F '\t' '$3 != "vmlinux"' "$1"
}

echo "TAP version 13"

[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
for tool in tar xz insmod rmmod modprobe modinfo dmesg cmp; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip_all "'$tool' is not installed"
done
[ -x "$READ" ] || skip_all "$READ is not built"

loaded kheaders && kh_was=1
loaded "$DEP" && dep_was=1
modular=
if [ -e $FILE ] && ! loaded kheaders; then
	modular=
elif modinfo kheaders > /dev/null 2>&1; then
	modular=1
fi
[ -e $FILE ] || [ -n "$modular" ] ||
	skip_all "no $FILE: kernel built without CONFIG_IKHEADERS?"
case $(modinfo -F filename "$DEP" 2>/dev/null) in
"") skip_all "no $DEP module: CONFIG_CRC_CCITT=m is needed" ;;
"(builtin)") skip_all "$DEP is built in: CONFIG_CRC_CCITT=m is needed" ;;
esac
trap cleanup EXIT

# a built-in kheaders lists no module: tests 3 to 8 are one skip there
if [ -n "$modular" ]; then
	echo "1..8"
else
	echo "1..3"
fi
work=$(mktemp -d) || exit "$KSFT_FAIL"
how="kheaders is built in"
[ -n "$modular" ] && how="kheaders is a module"
log "$how"

# 1: what Module.symvers lists once crc_ccitt is loaded before kheaders
ok=0
modprobe "$DEP" || { log "modprobe $DEP failed"; ok=1; }
if [ -n "$modular" ]; then
	reload_kheaders || { log "could not load kheaders anew"; ok=1; }
fi
mkdir "$work/tree"
tar -xf $FILE -C "$work/tree" || ok=1
symvers=$work/tree/Module.symvers
module_lines "$symvers" > "$work/modlines"
modversions=
grep -q '^CONFIG_MODVERSIONS=y' "$work/tree/include/config/auto.conf" &&
	modversions=1
if [ -n "$modular" ]; then
	line=$(grep "	crc_ccitt	$DEP	" "$symvers")
	case $line in
	0x00000000*) [ -z "$modversions" ] || { log "no CRC: $line"; ok=1; } ;;
	0x*"	EXPORT_SYMBOL	") ;;
	*) log "crc_ccitt's line: '$line'"; ok=1 ;;
	esac
	# every module listed is loaded and in-tree
	cut -f3 "$work/modlines" | sort -u > "$work/listed"
	while read -r m; do
		if ! loaded "$m"; then
			log "$m is listed, not loaded"
			ok=1
		elif grep -q O "/sys/module/$m/taint" 2>/dev/null; then
			log "$m is listed, but built out of tree"
			ok=1
		fi
	done < "$work/listed"
	result $ok "Module.symvers lists $DEP, loaded before kheaders" \
		"($(wc -l < "$work/modlines") module exports)"
else
	[ ! -s "$work/modlines" ] || { log "module lines: $(head -n 3 "$work/modlines")"; ok=1; }
	result $ok "Module.symvers of a built-in kheaders lists vmlinux alone, $DEP loaded or not"
fi

# 2: the files stay as they are while modules load and unload: the size
# stat reports, and the bytes that readers at any offset see
ok=0
cat $FILE > "$work/ref"
size=$(stat -c %s "$work/ref")
"$READ" $FILE "$work/ref" 2 100 "$(date +%s)" > "$work/r1" 2>&1 &
p1=$!
"$READ" $SYSFILE "$work/ref" 2 100 "$(($(date +%s) + 1))" > "$work/r2" 2>&1 &
p2=$!
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	rmmod "$DEP" || { log "rmmod $DEP failed"; ok=1; break; }
	modprobe "$DEP" || { log "modprobe $DEP failed"; ok=1; break; }
done
wait $p1 || ok=1
wait $p2 || ok=1
sed 's/^\([^#]\)/# \1/' "$work/r1" "$work/r2"
for f in $FILE $SYSFILE; do
	[ "$(stat -c %s "$f")" -eq "$size" ] ||
		{ log "$f: stat size $(stat -c %s "$f"), read $size"; ok=1; }
	cmp -s "$f" "$work/ref" || { log "$f changed"; ok=1; }
done
result $ok "$i unloads and loads of $DEP: both files keep their $size bytes and size," \
	"for readers at any offset"

# The rest needs a Module.symvers that lists crc_ccitt
if [ -z "$modular" ]; then
	skip "a module using $DEP, built from the archive, loads without forcing" \
		"$how: its Module.symvers lists vmlinux alone"
	finish
fi

# 3: the module builds with crc_ccitt not loaded, from the archive alone,
# and modpost finds everything it uses
ok=0
rmmod "$DEP" || { log "rmmod $DEP failed"; ok=1; }
conf=$work/tree/include/config/auto.conf
for tool in $(kbuild_tools "$conf"); do
	command -v "$tool" >/dev/null 2>&1 ||
		{ log "'$tool' is not installed; the kernel's compiler needs it"; ok=1; }
done
mkdir "$work/mod"
cp "$TESTDIR/crcmod/Makefile" "$TESTDIR/crcmod/$MOD.c" "$work/mod/"
if [ $ok -eq 0 ]; then
	kbuild_make "$work/tree" M="$work/mod" modules > "$work/build.log" 2>&1 || ok=1
	[ -f "$work/mod/$MOD.ko" ] || ok=1
	# no "WARNING: modpost: ..." (an undefined symbol is an error, and no
	# .ko); make's "warning: the compiler differs" (the kernel was built
	# by a cross compiler) is not modpost's
	grep -q 'WARNING:' "$work/build.log" && ok=1
	[ $ok -eq 0 ] || sed 's/^/# /' "$work/build.log" | tail -n 30
fi
result $ok "module using $DEP builds from the archive, no modpost warning"

# 4: with MODVERSIONS, it carries crc_ccitt's CRC as Module.symvers has it
if [ -n "$modversions" ]; then
	want=$(grep "	crc_ccitt	$DEP	" "$symvers" | cut -f1)
	modprobe --dump-modversions "$work/mod/$MOD.ko" > "$work/vers" 2>&1
	grep -q "^$want	crc_ccitt\$" "$work/vers"
	rc=$?
	[ $rc -eq 0 ] || sed 's/^/# /' "$work/vers" | grep crc
	result $rc "MODVERSIONS: the module has $DEP's CRC ($want)"
else
	skip "MODVERSIONS: the module has $DEP's CRC" "CONFIG_MODVERSIONS is off"
fi

# 5: without crc_ccitt loaded, the module does not load
ok=0
if insmod "$work/mod/$MOD.ko" 2> "$work/insmod.err"; then
	log "loaded without $DEP"
	ok=1
	rmmod "$MOD"
fi
result $ok "module does not load without $DEP ($(tr '\n' ' ' < "$work/insmod.err"))"

# 6: once crc_ccitt is loaded, it loads, without forcing, and the call works
ok=0
dmesg > "$work/dmesg.before"
modprobe "$DEP" || { log "modprobe $DEP failed"; ok=1; }
if insmod "$work/mod/$MOD.ko"; then
	case $(cat /sys/module/$MOD/taint 2>/dev/null) in
	*F*) log "loaded by force"; ok=1 ;;
	esac
	[ -e "/sys/module/$DEP/holders/$MOD" ] || { log "$DEP does not hold $MOD"; ok=1; }
else
	ok=1
fi
dmesg | tail -n +$(($(wc -l < "$work/dmesg.before") + 1)) > "$work/dmesg.new"
grep -q "$MOD: crc_ccitt() gave 0x2189" "$work/dmesg.new" || ok=1
if grep -E 'disagrees about version|no symbol version|Unknown symbol' "$work/dmesg.new"; then
	ok=1
fi
[ $ok -eq 0 ] || sed 's/^/# /' "$work/dmesg.new" | tail -n 10
result $ok "module loads once $DEP is loaded, without forcing"

# 7: and unloads, and then crc_ccitt does
ok=0
rmmod "$MOD" || ok=1
rmmod "$DEP" || ok=1
result $ok "module unloads, then $DEP"

# 8: Module.symvers is that of the kheaders loaded: a module loaded after it
# is not listed until kheaders is loaded again
ok=0
t0=$(date +%s%N)
reload_kheaders || { log "could not load kheaders anew"; ok=1; }
t1=$(date +%s%N)
modprobe "$DEP" || ok=1
tar -xOf $FILE Module.symvers > "$work/after" || ok=1
alone=$(stat -c %s $FILE)
if grep -q "	$DEP	" "$work/after"; then
	log "$DEP listed, loaded after kheaders"
	ok=1
fi
t2=$(date +%s%N)
reload_kheaders || { log "could not load kheaders anew"; ok=1; }
t3=$(date +%s%N)
tar -xOf $FILE Module.symvers > "$work/again" || ok=1
grep -q "	crc_ccitt	$DEP	" "$work/again" ||
	{ log "$DEP not listed after reload"; ok=1; }
listed=$(stat -c %s $FILE)
log "$FILE: $alone bytes listing vmlinux alone, $listed with $DEP too"
log "rmmod + modprobe kheaders: $(((t1 - t0) / 1000000)) ms listing vmlinux alone" \
	"(made on first read), $(((t3 - t2) / 1000000)) ms with $DEP (made as it loads)"
result $ok "a module loaded after kheaders is listed once kheaders is loaded again"

finish
