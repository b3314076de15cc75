#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Test /proc/kheaders.tar.xz and /sys/kernel/kheaders.tar.xz end to end:
# the files behave like files and hold the same bytes, the archive
# extracts, and an external module builds against the extracted tree
# alone, with symbol versions on a MODVERSIONS kernel, loads and unloads.
# Loads kheaders first when it is a module that is not loaded, and unloads
# it again at the end.
#
# The module is built with the kernel's own compiler (clang and LLVM=1,
# or LLVM=-N for the kernel's clang-N, when auto.conf says
# CONFIG_CC_IS_CLANG; gcc otherwise) and without any
# of the make variables of whatever started this test, so that it gives
# the same answer run by hand, by run_kselftest.sh or by "make run_tests"
# with O=.  The programs the build runs must run on this machine; a
# cross-compiled kernel's archive has them statically linked.
#
# Exit status: 0 all passed, 1 a check failed, 4 (skip) this kernel or this
# system cannot run the test.

FILE=/proc/kheaders.tar.xz
SYSFILE=/sys/kernel/kheaders.tar.xz
TESTDIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=kheaders_lib.sh
. "$TESTDIR/kheaders_lib.sh"
PLAN=13

loaded=
work=

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -n "$work" ] && rm -rf "$work"
	if [ -n "$loaded" ] && grep -q '^kheaders ' /proc/modules 2>/dev/null; then
		rmmod kheaders 2>/dev/null
	fi
}
trap cleanup EXIT

echo "TAP version 13"

[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
for tool in tar xz insmod rmmod dmesg; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip_all "'$tool' is not installed"
done

if [ ! -e $FILE ] && command -v modprobe >/dev/null 2>&1 &&
   modprobe -q kheaders 2>/dev/null; then
	loaded=1
fi
[ -e $FILE ] || skip_all "no $FILE: kernel built without CONFIG_IKHEADERS?"

echo "1..$PLAN"
[ -n "$loaded" ] && log "loaded kheaders.ko"

work=$(mktemp -d) || exit "$KSFT_FAIL"

# 1: read-only for everyone
mode=$(stat -c %a $FILE)
[ "$mode" = 444 ]
result $? "mode is 0444 ($mode)"

# 2: the size stat reports is the size read
cat $FILE > "$work/copy.tar.xz"
size=$(stat -c %s $FILE)
bytes=$(stat -c %s "$work/copy.tar.xz")
[ "$size" -gt 0 ] && [ "$size" -eq "$bytes" ]
result $? "stat size $size equals bytes read $bytes"

# 3: reads at any offset and length see the same bytes; past the end, none
ok=0
for range in 0:1 1:511 4095:8193 $((size / 2)):100000 $((size - 3)):3 \
	     $((size - 1)):4096; do
	off=${range%:*}
	len=${range#*:}
	dd if=$FILE of="$work/part" iflag=skip_bytes,count_bytes \
		skip="$off" count="$len" bs=3001 2>/dev/null
	tail -c +$((off + 1)) "$work/copy.tar.xz" | head -c "$len" > "$work/want"
	cmp -s "$work/part" "$work/want" || { log "differs at $off+$len"; ok=1; }
done
past=$(dd if=$FILE iflag=skip_bytes skip=$((size + 10)) bs=4096 2>/dev/null |
	wc -c)
[ "$past" -eq 0 ] || { log "read past the end gave $past bytes"; ok=1; }
result $ok "reads at offsets, and past the end"

# 4: the same bytes in sysfs, where bcc and bpftrace look
ok=0
if [ ! -e $SYSFILE ]; then
	log "no $SYSFILE"
	ok=1
else
	[ "$(stat -c %a $SYSFILE)" = 444 ] || { log "$SYSFILE mode $(stat -c %a $SYSFILE)"; ok=1; }
	[ "$(stat -c %s $SYSFILE)" -eq "$size" ] ||
		{ log "$SYSFILE size $(stat -c %s $SYSFILE)"; ok=1; }
	cmp $SYSFILE "$work/copy.tar.xz" | sed 's/^/# /'
	cmp -s $SYSFILE "$work/copy.tar.xz" || ok=1
fi
result $ok "$SYSFILE: mode 0444, same size and bytes"

# 5: the archive extracts and holds what a module build needs
mkdir "$work/tree"
ok=0
tar -xf $FILE -C "$work/tree" || ok=1
for f in Makefile include/linux/module.h include/generated/autoconf.h \
	 include/config/auto.conf scripts/Makefile.build scripts/basic/fixdep \
	 scripts/mod/modpost scripts/module.lds Module.symvers; do
	[ -s "$work/tree/$f" ] || { log "missing from the archive: $f"; ok=1; }
done
result $ok "archive extracts with headers, build files and Module.symvers"

# 6: it is the running kernel's
release=$(cat "$work/tree/include/config/kernel.release" 2>/dev/null)
[ "$release" = "$(uname -r)" ]
result $? "kernel.release '$release' is the running kernel's"

# 7: an external module builds against the extracted tree alone, with
# the kernel's compiler
conf=$work/tree/include/config/auto.conf
mkdir "$work/mod"
cp "$TESTDIR/testmod/Makefile" "$TESTDIR/testmod/kheaders_testmod.c" "$work/mod/"
rc=0
for tool in $(kbuild_tools "$conf"); do
	command -v "$tool" >/dev/null 2>&1 ||
		{ log "'$tool' is not installed; the kernel's compiler needs it"; rc=1; }
done
if [ $rc -eq 0 ]; then
	t0=$(date +%s)
	kbuild_make "$work/tree" -s M="$work/mod" modules > "$work/build.log" 2>&1
	rc=$?
	log "module build took $(($(date +%s) - t0)) s"
	if [ $rc -ne 0 ] || [ ! -f "$work/mod/kheaders_testmod.ko" ]; then
		rc=1
		sed 's/^/# /' "$work/build.log" | tail -n 30
	fi
fi
how=$(kbuild_llvm "$conf")
how=${how:-gcc}
result $rc "module builds with make -C <extracted tree> M=<dir> modules ($how)"

# 8: with MODVERSIONS, the module carries the CRCs of what it uses and of
# what it exports (genksyms from the archive)
if grep -q '^CONFIG_MODVERSIONS=y' "$work/tree/include/config/auto.conf"; then
	ok=0
	vers=$(modprobe --dump-modversions "$work/mod/kheaders_testmod.ko" 2>&1) ||
		{ log "modprobe --dump-modversions: $vers"; ok=1; }
	printf '%s\n' "$vers" | grep -q '	_printk$' ||
		{ log "no symbol version for _printk"; ok=1; }
	want=$(grep '	_printk	' "$work/tree/Module.symvers" | cut -f1)
	printf '%s\n' "$vers" | grep -q "^$want	_printk$" ||
		{ log "_printk version is not Module.symvers' $want"; ok=1; }
	crc=$(grep '	kheaders_testmod_token	' "$work/mod/Module.symvers" | cut -f1)
	case $crc in
	0x00000000|"") log "export without a CRC: '$crc'"; ok=1 ;;
	esac
	result $ok "MODVERSIONS: CRCs from Module.symvers, export versioned ($crc)"
else
	skip "MODVERSIONS: CRCs from Module.symvers" "CONFIG_MODVERSIONS is off"
fi

# 9, 10: it loads (without forcing: no taint F) and unloads, and says so in the kernel log
token=kh$$x$(date +%s)
ok=1
if insmod "$work/mod/kheaders_testmod.ko" token="$token"; then
	dmesg | grep -q "kheaders_testmod: loaded on $(uname -r), token $token" &&
		ok=0
	taint=$(cat /sys/module/kheaders_testmod/taint 2>/dev/null)
	case $taint in
	*F*) log "module taint '$taint': loaded by force"; ok=1 ;;
	esac
fi
result $ok "module loads and logs its token"
ok=1
if rmmod kheaders_testmod; then
	dmesg | grep -q "kheaders_testmod: unloaded, token $token" && ok=0
fi
result $ok "module unloads"

# 11: /proc/kheaders.tar.xz holds what the kernel exports, CRCs and all
ok=0
lines=$(wc -l < "$work/tree/Module.symvers")
[ "$lines" -gt 100 ] || { log "Module.symvers has $lines lines"; ok=1; }
grep -q '^0x[0-9a-f]\{8\}	_printk	vmlinux	EXPORT_SYMBOL	' "$work/tree/Module.symvers" ||
	{ log "no _printk line in Module.symvers"; ok=1; }
if grep -q '^CONFIG_MODVERSIONS=y' "$work/tree/include/config/auto.conf"; then
	zero=$(grep -c '^0x00000000	' "$work/tree/Module.symvers")
	[ "$zero" -lt $((lines / 100 + 1)) ] || { log "$zero of $lines CRCs are 0"; ok=1; }
fi
result $ok "Module.symvers lists the exports of vmlinux ($lines)"

# 12: the programs a module build runs are for this machine; a
# cross-compiled kernel's are statically linked, for any userland
ok=0
cross=
grep -q '^CONFIG_IKHEADERS_TARGET_PROGS=y' "$conf" && cross=1
progs=0
find "$work/tree/scripts" "$work/tree/tools" -type f -perm -u+x > "$work/progs" 2>/dev/null
while read -r f; do
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	progs=$((progs + 1))
	name=${f#"$work/tree/"}
	"$f" --kheaders-probe < /dev/null > /dev/null 2>&1
	case $? in
	126|127) log "$name does not run here"; ok=1 ;;
	esac
	if [ -n "$cross" ]; then
		if ! command -v file > /dev/null 2>&1; then
			log "no 'file' to tell whether $name is statically linked"
			ok=1
		else
			case $(file -b "$f") in
			*"statically linked"*|*"static-pie linked"*) ;;
			*) log "$name is not statically linked: $(file -b "$f")"; ok=1 ;;
			esac
		fi
	fi
done < "$work/progs"
[ $progs -ge 2 ] || { log "only $progs programs in the archive"; ok=1; }
name="the archive's $progs programs run here"
[ -z "$cross" ] || name="$name, statically linked (cross-compiled kernel)"
result $ok "$name"

# 13: unloading kheaders removes both files
if [ -n "$loaded" ]; then
	ok=0
	rmmod kheaders || ok=1
	loaded=
	[ ! -e $FILE ] || { log "$FILE still there"; ok=1; }
	[ ! -e $SYSFILE ] || { log "$SYSFILE still there"; ok=1; }
	result $ok "rmmod kheaders removes $FILE and $SYSFILE"
else
	skip "rmmod kheaders removes $FILE and $SYSFILE" \
		"kheaders is built in or was already loaded"
fi

finish
