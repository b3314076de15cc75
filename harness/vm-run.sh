#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU (TCG; no KVM needed) with the host's root
# filesystem read-only over virtio-9p, run a job script in it, and exit
# with the job's exit status.  The console goes to standard output and to
# LOG.  A guest that panics, hangs or never reports is a failure: exit 124
# on timeout, 125 when the job's status never came back.
#
# Usage: vm-run.sh BZIMAGE JOB LOG [TIMEOUT_SECONDS]

set -eu

bzimage=$1
job=$2
log=$3
limit=${4:-900}
here=$(cd "$(dirname "$0")" && pwd)

[ -f "$bzimage" ] || { echo >&2 "vm-run: no kernel image $bzimage"; exit 2; }
[ -f "$job" ] || { echo >&2 "vm-run: no job script $job"; exit 2; }
command -v qemu-system-x86_64 >/dev/null ||
	{ echo >&2 "vm-run: qemu-system-x86_64 not found (apt-get install qemu-system-x86)"; exit 2; }

# Mount points the guest needs on the read-only root.  /usr/lib/modules is
# the standard place for modules; a minimal host may not have it yet.
mkdir -p /usr/lib/modules /mnt

job=$(cd "$(dirname "$job")" && pwd)/$(basename "$job")
set +e
timeout -k 10 "$limit" qemu-system-x86_64 \
	-m 3072 -smp 2,sockets=2,cores=1,threads=1 \
	-display none -monitor none -serial stdio -no-reboot \
	-kernel "$bzimage" \
	-append "console=ttyS0 panic=-1 root=hostroot rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro init=$here/guest-init.sh kh_job=$job" \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	< /dev/null 2>&1 | tr -d '\r' | tee "$log"
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
