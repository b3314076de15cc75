#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The job "make demo" runs in the guest: what a user of a device without a
# linux-headers package does, with the archive, then with the image
# mounted as the build tree.  Every command is echoed before it runs.
#
# Usage: demo-guest.sh MODROOT MODULE_SOURCE_DIR

set -eu
modroot=$1
module_src=$2
rel=$(uname -r)

# The kernel's own modules where modprobe looks; no "build" link, so the
# module below can only be built from the archive.
cp -a "$modroot/lib/modules/$rel" /usr/lib/modules/
rm -f "/usr/lib/modules/$rel/build" "/usr/lib/modules/$rel/source"
cp -a "$module_src" /mnt/hello

set -x
uname -rm
modprobe kheaders
ls -l /proc/kheaders.tar.xz /sys/kernel/kheaders.tar.xz
mkdir /mnt/kheaders
tar -xf /proc/kheaders.tar.xz -C /mnt/kheaders
ls /mnt/kheaders
file /mnt/kheaders/scripts/basic/fixdep /mnt/kheaders/scripts/mod/modpost
make -C /mnt/kheaders M=/mnt/hello modules
insmod /mnt/hello/kh_hello.ko
dmesg | grep kh_hello
lsmod
rmmod kh_hello
rmmod kheaders
ls /proc/kheaders.tar.xz /sys/kernel/kheaders.tar.xz 2>&1 || true

# the same tree mounted as the build tree, where tools look: nothing unpacked
rm -rf /mnt/hello && cp -a "$module_src" /mnt/hello
modprobe kheaders_image
mkdir -p "/lib/modules/$rel/build"
mount -t squashfs -o ro /dev/kheaders "/lib/modules/$rel/build"
ls -l "/lib/modules/$rel/build"
make -C "/lib/modules/$rel/build" M=/mnt/hello modules
insmod /mnt/hello/kh_hello.ko
rmmod kh_hello
umount "/lib/modules/$rel/build"
rmmod kheaders_image
