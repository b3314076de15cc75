#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU (TCG; no KVM needed), run a job script in it, and
# exit with the job's exit status.  The console goes to standard output and
# to LOG.  A guest that panics, hangs or never reports is a failure: exit
# 124 on timeout, 125 when the job's status never came back.
#
# x86_64 (the default): the host's root filesystem is the guest's, read-only
# over virtio-9p, and JOB runs at its own path.
#
# arm64 (KH_GUEST_ARCH=arm64, KH_GUEST_ROOT=an arm64 userland made by
# arm64-root.sh): qemu-system-aarch64 -M virt boots with that userland as
# its read-only 9p root and the host's root read-only at /host, so JOB runs
# as /host/JOB and must name host files with that prefix (guest_path
# below).  harness/guest-init.sh is copied into the userland as its init.
#
# Usage: vm-run.sh IMAGE JOB LOG [TIMEOUT_SECONDS]
# KH_VM_APPEND: more kernel parameters ("quiet" for make demo)
# KH_VM_CPUS: the x86_64 guest's CPUs (default 2)

set -eu

image=$1
job=$2
log=$3
limit=${4:-900}
here=$(cd "$(dirname "$0")" && pwd)
arch=${KH_GUEST_ARCH:-x86_64}

[ -f "$image" ] || { echo >&2 "vm-run: no kernel image $image"; exit 2; }
[ -f "$job" ] || { echo >&2 "vm-run: no job script $job"; exit 2; }
job=$(cd "$(dirname "$job")" && pwd)/$(basename "$job")

ninep="rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro"
fsdev="security_model=none,readonly=on,multidevs=remap"

case $arch in
x86_64)
	qemu="qemu-system-x86_64"
	# Mount points the guest needs on the read-only root.
	# /usr/lib/modules is the standard place for modules; a minimal host
	# may not have it yet.
	mkdir -p /usr/lib/modules /mnt
	set -- -m 3072 -smp "${KH_VM_CPUS:-2},sockets=${KH_VM_CPUS:-2},cores=1,threads=1" \
		-append "console=ttyS0 panic=-1 ${KH_VM_APPEND:-} root=hostroot $ninep init=$here/guest-init.sh kh_job=$job" \
		-fsdev "local,id=hostroot,path=/,$fsdev" \
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	;;
arm64)
	qemu="qemu-system-aarch64"
	root=${KH_GUEST_ROOT:?names the arm64 userland (harness/arm64-root.sh)}
	[ -x "$root/usr/bin/make" ] || { echo >&2 "vm-run: $root is no arm64 userland"; exit 2; }
	cp "$here/guest-init.sh" "$root/kh-init.sh"
	set -- -M virt -cpu cortex-a72 -m 3072 -smp 2 \
		-append "console=ttyAMA0 panic=-1 ${KH_VM_APPEND:-} root=guestroot $ninep init=/kh-init.sh kh_host=hostroot kh_job=/host$job" \
		-fsdev "local,id=guestroot,path=$root,$fsdev" \
		-device virtio-9p-pci,fsdev=guestroot,mount_tag=guestroot \
		-fsdev "local,id=hostroot,path=/,$fsdev" \
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	;;
*)
	echo >&2 "vm-run: unknown KH_GUEST_ARCH '$arch' (x86_64 or arm64)"
	exit 2
	;;
esac
command -v "$qemu" >/dev/null ||
	{ echo >&2 "vm-run: $qemu not found (apt-get install qemu-system-x86 qemu-system-arm)"; exit 2; }

set +e
# tr line-buffered: the log follows the console as it comes
timeout -k 10 "$limit" "$qemu" "$@" \
	-display none -monitor none -serial stdio -no-reboot \
	-kernel "$image" \
	< /dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$log"
set -e
# the pipeline's status is tee's; the log says how the guest ended
status=$(sed -n 's/^KH-JOB-EXIT: \([0-9]*\)$/\1/p' "$log" | tail -n 1)
if [ -z "$status" ]; then
	if grep -q 'Kernel panic' "$log"; then
		echo >&2 "vm-run: the guest kernel panicked (see $log)"
	else
		echo >&2 "vm-run: no result from the guest within ${limit}s (see $log)"
	fi
	exit 125
fi
exit "$status"
