#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Job for guest-init.sh: install the modules of the kernel under test where
# modprobe finds them, and run the kheaders kselftest the way a kernel CI
# would, from an installed kselftest tree.  The "build" and "source" links
# that modules_install leaves point at the host's build tree; they go, so
# that the test can only use what /proc/kheaders.tar.xz holds.
#
# With ODIR and EXTRACTED, guest-checks.sh runs first (see there), and
# guest-image.sh when the kernel has CONFIG_IKHEADERS_IMAGE (unless
# KH_TOOLS is 0).  With
# KSRC, the kselftests also run the two other ways a kernel CI starts
# them, from the kernel tree: "make -C tools/testing/selftests
# TARGETS=kheaders run_tests", in the tree and with O=DIR.  Those two
# ways prove that lib.mk builds and finds what the tests use, so they
# run one kselftest, kheaders_stress.sh (it reads the files with
# kheaders_read, the program lib.mk builds), with a few rounds, and not
# again the long ones the first way ran.  The tree is read-only here: an overlayfs on tmpfs
# over its tools/ takes what those builds write.  Each way starts with a
# line "KH-WAY: NAME".
#
# Usage: guest-selftest.sh MODROOT KSELFTEST_DIR [ODIR EXTRACTED [KSRC]]
# Environment: KH_SELFTESTS, the kselftests the first way runs (default:
#   all of the collection); KH_TOOLS=0: no guest-image.sh

set -u
modroot=$1
kselftest=$2
ksrc=${5:-}
rel=$(uname -r)
here=$(cd "$(dirname "$0")" && pwd)

if [ -d "$modroot/lib/modules/$rel" ]; then
	cp -a "$modroot/lib/modules/$rel" /usr/lib/modules/ || exit 1
	rm -f "/usr/lib/modules/$rel/build" "/usr/lib/modules/$rel/source"
fi
if [ $# -ge 4 ]; then
	sh "$here/guest-checks.sh" "$3" "$4" | sed 's/^/KH-CHECK: /'
	# the tools that look in /lib/modules/$(uname -r)/build
	if [ "${KH_TOOLS:-1}" != 0 ] && grep -q '^CONFIG_IKHEADERS_IMAGE=[ym]' "$3/.config"; then
		sh "$here/guest-image.sh" "$here/demo-module" | sed 's/^/KH-CHECK: /'
	fi
fi
echo "KH-WAY: install + run_kselftest.sh"
cp -a "$kselftest" /mnt/kselftest || exit 1
select="-c kheaders"
for t in ${KH_SELFTESTS:-}; do
	[ "$select" = "-c kheaders" ] && select=
	select="$select -t kheaders:$t"
done
# shellcheck disable=SC2086 # options, one word each
(cd /mnt/kselftest && ./run_kselftest.sh $select)
rc=$?
[ -n "$ksrc" ] || exit $rc

mkdir -p /mnt/overlay/upper /mnt/overlay/work /mnt/ksft-out
mount -t overlay overlay -o "lowerdir=$ksrc/tools,upperdir=/mnt/overlay/upper,workdir=/mnt/overlay/work" \
	"$ksrc/tools" || exit 1
# the first way ran the stress test in full: these two, a few rounds
KH_STRESS_ROUNDS=20 KH_STRESS_CYCLES=5 KH_STRESS_CHURN=5
export KH_STRESS_ROUNDS KH_STRESS_CYCLES KH_STRESS_CHURN
echo "KH-WAY: make run_tests in the tree"
make -C "$ksrc/tools/testing/selftests" TARGETS=kheaders TEST_PROGS=kheaders_stress.sh \
	run_tests || rc=1
echo "KH-WAY: make O=DIR run_tests"
make -C "$ksrc/tools/testing/selftests" TARGETS=kheaders TEST_PROGS=kheaders_stress.sh \
	O=/mnt/ksft-out run_tests || rc=1
exit $rc
