#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Checks in the guest of the tools that look for the running kernel's
# build tree at /lib/modules/$(uname -r)/build, none of them told about
# kheaders, with /dev/kheaders (CONFIG_IKHEADERS_IMAGE) mounted there:
#   - DKMS: "dkms build" and "dkms install" of a DKMS source tree, then
#     modprobe of the installed module;
#   - bcc (python3-bpfcc) compiles a program that uses the kernel's
#     structures and checks, at compile time, that the headers are the
#     running kernel's;
#   - bpftrace compiles such a program (--emit-elf: a dry run, nothing is
#     loaded).
# The host's root is read-only here: DKMS keeps its tree on tmpfs
# (--dkmstree); /lib/modules (a tmpfs, see guest-init.sh) takes what
# "dkms install" writes.  bcc and bpftrace need a kernel with
# CONFIG_BPF_SYSCALL (bcc's helpers.h refuses others): without it they are
# skipped, saying so.  Prints TAP (guest-selftest.sh prefixes it
# "KH-CHECK: ").
#
# Usage: guest-image.sh MODULE_SOURCE_DIR

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
src=$1
rel=$(uname -r)
build=/lib/modules/$rel/build
work=$(mktemp -d)

echo "TAP version 13"
[ -b /dev/kheaders ] || modprobe kheaders_image
i=0
while [ ! -b /dev/kheaders ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkdir -p "$build"
if ! mount -t squashfs -o ro /dev/kheaders "$build"; then
	echo "Bail out! cannot mount /dev/kheaders at $build"
	exit 1
fi
version=$(sed -n 's/^#define LINUX_VERSION_CODE \([0-9]*\)$/\1/p' \
	"$build/include/generated/uapi/linux/version.h")

# DKMS
mkdir -p "$work/src/kh_hello-1.0" "$work/dkms"
cp "$src"/* "$work/src/kh_hello-1.0/"
cat > "$work/src/kh_hello-1.0/dkms.conf" <<-EOF
	PACKAGE_NAME="kh_hello"
	PACKAGE_VERSION="1.0"
	BUILT_MODULE_NAME[0]="kh_hello"
	DEST_MODULE_LOCATION[0]="/updates/dkms"
	AUTOINSTALL="no"
EOF
dkms() {
	command dkms --dkmstree "$work/dkms" --sourcetree "$work/src" "$@" -k "$rel"
}
if command -v dkms > /dev/null; then
	ok=0
	dkms build kh_hello/1.0 > "$work/dkms.log" 2>&1 || ok=1
	dkms install kh_hello/1.0 >> "$work/dkms.log" 2>&1 || ok=1
	case $(modinfo -n kh_hello 2>&1) in
	*/updates/dkms/kh_hello.ko*) ;;
	*) echo "# modinfo -n kh_hello: $(modinfo -n kh_hello 2>&1)"; ok=1 ;;
	esac
	if modprobe kh_hello; then
		dmesg | grep -q "kh_hello: hello from a module built" || ok=1
		rmmod kh_hello || ok=1
	else
		ok=1
	fi
	[ $ok -eq 0 ] || tail -n 25 "$work/dkms.log" | tap_diag
	tap_result $ok "dkms build and dkms install against $build, then modprobe kh_hello"
else
	tap_result 1 "dkms build and install (dkms is not installed)"
fi

# the program bcc and bpftrace compile: the running kernel's headers, or
# a compile-time error
cat > "$work/prog.h" <<-EOF
	#include <linux/version.h>
	#include <linux/sched.h>
	#if LINUX_VERSION_CODE != $version
	#error not the running kernel's headers
	#endif
EOF
bpf=
grep -q '^CONFIG_BPF_SYSCALL=y' "$build/include/config/auto.conf" && bpf=1

if [ -z "$bpf" ]; then
	tap_skip "bcc compiles against $build" "the kernel has no CONFIG_BPF_SYSCALL"
elif python3 -c 'import bcc' 2> /dev/null; then
	ok=0
	python3 - "$work/prog.h" > "$work/bcc.log" 2>&1 <<-'EOF' || ok=1
		import sys
		from bcc import BPF
		text = open(sys.argv[1]).read() + """
		int kh_probe(struct pt_regs *ctx)
		{
			struct task_struct *t = (struct task_struct *)bpf_get_current_task();
			int pid = 0;

			bpf_probe_read_kernel(&pid, sizeof(pid), &t->pid);
			return pid;
		}
		"""
		BPF(text=text)
		print("compiled")
	EOF
	[ $ok -eq 0 ] || grep -E 'error|Exception' "$work/bcc.log" | head -n 10 | tap_diag
	tap_result $ok "bcc compiles a program using struct task_struct against $build"
else
	tap_result 1 "bcc compiles against $build (python3-bpfcc is not installed)"
fi

if [ -z "$bpf" ]; then
	tap_skip "bpftrace compiles against $build" "the kernel has no CONFIG_BPF_SYSCALL"
elif command -v bpftrace > /dev/null; then
	ok=0
	{
		cat "$work/prog.h"
		printf '%s\n' 'BEGIN { printf("%d\n", ((struct task_struct *)curtask)->pid); exit(); }'
	} > "$work/prog.bt"
	bpftrace --emit-elf "$work/prog.elf" "$work/prog.bt" > "$work/bt.log" 2>&1 || ok=1
	[ -s "$work/prog.elf" ] || ok=1
	[ $ok -eq 0 ] || head -n 10 "$work/bt.log" | tap_diag
	tap_result $ok "bpftrace compiles a program using struct task_struct against $build"
else
	tap_result 1 "bpftrace compiles against $build (bpftrace is not installed)"
fi

umount "$build"
rm -rf "$work"
tap_done
