#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test VM.  The root filesystem is the host's (x86_64) or an
# arm64 userland (see vm-run.sh), read-only over virtio-9p; with
# kh_host=TAG on the kernel command line the host's root is mounted
# read-only at /host.  This makes the few places a test writes to tmpfs,
# runs the job
# named by kh_job= on the kernel command line, reports its exit status on
# the console as "KH-JOB-EXIT: N" and reboots, which ends QEMU
# (-no-reboot).  If anything here dies, the kernel panics and reboots too,
# and the missing KH-JOB-EXIT line tells the host.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
# What udev would make; the kselftest runner writes to /dev/stdout.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# /mnt for scratch space, /usr/lib/modules for the modules under test
# (vm-run.sh makes sure both exist on the host).
mount -t tmpfs -o mode=1777 tmpfs /mnt
mount -t tmpfs tmpfs /usr/lib/modules
mkdir -p /mnt/tmp /mnt/home
if [ -n "${kh_host:-}" ]; then
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro \
		"$kh_host" /host
fi
export TMPDIR=/mnt/tmp HOME=/mnt/home

echo "KH-BOOTED: $(uname -r)"
if [ -n "${kh_job:-}" ] && [ -r "$kh_job" ]; then
	sh "$kh_job"
	rc=$?
else
	echo "no job: kh_job='${kh_job:-}'"
	rc=2
fi
echo "KH-JOB-EXIT: $rc"
sync
# reboot(2), LINUX_REBOOT_CMD_RESTART: no init system here to ask.
case $(uname -m) in
aarch64) nr=142 ;;
*) nr=169 ;;
esac
perl -e "syscall($nr, 0xfee1dead, 672274793, 0x01234567, 0)"
