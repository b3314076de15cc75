#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Job for guest-init.sh: install the modules of the kernel under test where
# modprobe finds them, and run the kheaders kselftest the way a kernel CI
# would, from an installed kselftest tree.  The "build" and "source" links
# that modules_install leaves point at the host's build tree; they go, so
# that the test can only use what /proc/kheaders.tar.xz holds.
#
# With ODIR and EXTRACTED, guest-checks.sh runs first (see there).
#
# Usage: guest-selftest.sh MODROOT KSELFTEST_DIR [ODIR EXTRACTED]

set -u
modroot=$1
kselftest=$2
rel=$(uname -r)
here=$(cd "$(dirname "$0")" && pwd)

if [ -d "$modroot/lib/modules/$rel" ]; then
	cp -a "$modroot/lib/modules/$rel" /usr/lib/modules/ || exit 1
	rm -f "/usr/lib/modules/$rel/build" "/usr/lib/modules/$rel/source"
fi
if [ $# -ge 4 ]; then
	sh "$here/guest-checks.sh" "$3" "$4"
fi
cp -a "$kselftest" /mnt/kselftest || exit 1
cd /mnt/kselftest || exit 1
./run_kselftest.sh -c kheaders
