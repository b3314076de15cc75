#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Checks in the guest that need the host's build tree (read-only over 9p),
# which the kselftest cannot have:
#   - Module.symvers in /proc/kheaders.tar.xz is what the build wrote for
#     vmlinux (the same symbols, CRCs, export types and namespaces), and,
#     with crc-ccitt loaded before kheaders, for crc-ccitt.ko (with the
#     module's name where the build has its path); a built-in kheaders
#     lists vmlinux alone;
#   - what scripts/extract-ikheaders wrote on the host from the kernel image
#     or kheaders.ko is the start of /proc/kheaders.tar.xz and of
#     /sys/kernel/kheaders.tar.xz, and the rest of them is the stream the
#     kernel adds, holding Module.symvers alone.
# Prints TAP (guest-selftest.sh prefixes it "KH-CHECK: " on the console).
#
# Usage: guest-checks.sh ODIR EXTRACTED

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
odir=$1
extracted=$2
work=$(mktemp -d)
loaded=


# crc-ccitt first, so that a modular kheaders lists its exports
modprobe crc_ccitt || echo "# modprobe crc_ccitt failed"
if [ ! -e /proc/kheaders.tar.xz ] && modprobe kheaders; then
	loaded=1
fi

# Module.symvers against the build's
tar -xOf /proc/kheaders.tar.xz Module.symvers 2> "$work/err" | LC_ALL=C sort > "$work/all"
awk -F '\t' '$3 == "vmlinux"' "$work/all" > "$work/served"
# vmlinux.symvers since 6.2; before, vmlinux's lines of Module.symvers
if [ -f "$odir/vmlinux.symvers" ]; then
	LC_ALL=C sort "$odir/vmlinux.symvers"
else
	awk -F '\t' '$3 == "vmlinux"' "$odir/Module.symvers" | LC_ALL=C sort
fi > "$work/built"
ok=0
[ -s "$work/built" ] || { echo "# no vmlinux symbols in the symvers of $odir"; ok=1; }
if ! cmp -s "$work/served" "$work/built"; then
	sed 's/^/# /' "$work/err"
	diff "$work/built" "$work/served" | head -n 20 | sed 's/^/# /'
	ok=1
fi
tap_result $ok "Module.symvers served equals the build's for vmlinux ($(wc -l < "$work/built") symbols)"

# the modules' lines: those the build wrote for the modules loaded, with
# the module's name (crc_ccitt) where the build wrote its path
# (lib/crc-ccitt); none for a built-in kheaders, made before any module
awk -F '\t' '$3 != "vmlinux"' "$work/all" > "$work/served"
if [ -n "$loaded" ]; then
	cut -d ' ' -f1 /proc/modules > "$work/loaded"
	awk -F '\t' -v OFS='\t' 'NR == FNR { live[$1] = 1; next }
		$3 != "vmlinux" {
			n = split($3, p, "/"); name = p[n]; gsub("-", "_", name)
			if (name in live) { $3 = name; print }
		}' "$work/loaded" "$odir/Module.symvers" | LC_ALL=C sort > "$work/built"
	what="the build's for the modules loaded"
else
	: > "$work/built"
	what="nothing for modules (built-in kheaders)"
fi
ok=0
if [ -n "$loaded" ] && ! grep -q '	crc_ccitt	crc_ccitt	' "$work/built"; then
	echo "# the build has no crc_ccitt line for a loaded crc_ccitt"
	ok=1
fi
if ! cmp -s "$work/served" "$work/built"; then
	diff "$work/built" "$work/served" | head -n 20 | sed 's/^/# /'
	ok=1
fi
tap_result $ok "Module.symvers served lists $what ($(wc -l < "$work/built") symbols)"

# extract-ikheaders' output against what the kernel serves
size=$(stat -c %s "$extracted")
for f in /proc/kheaders.tar.xz /sys/kernel/kheaders.tar.xz; do
	head -c "$size" "$f" | cmp -s - "$extracted"
	tap_result $? "extract-ikheaders wrote the first $size bytes of $f"
done
tail -c +$((size + 1)) /proc/kheaders.tar.xz > "$work/rest"
ok=0
xz -t "$work/rest" 2>/dev/null || { echo "# the rest is not an xz stream"; ok=1; }
members=$(xz -dc "$work/rest" | tar -tf - 2>&1)
[ "$members" = Module.symvers ] || { echo "# the rest holds: $members"; ok=1; }
tap_result $ok "the rest of /proc/kheaders.tar.xz is one xz stream holding Module.symvers"

[ -n "$loaded" ] && rmmod kheaders
rmmod crc_ccitt
rm -rf "$work"
tap_done
