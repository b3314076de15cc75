# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2154 # top (and frags) are set by lib.sh's caller and configs.sh
#
# harness/lib: the kernel configurations the harness builds (sourced by
# lib.sh).

# --- configurations -----------------------------------------------------------

# kh_configs VERSION: the configurations make test builds of that tree
kh_configs() {
	case $1 in
	6.12) echo "arm64 llvm-arm64 arm64-nolibc i386-prep i686-prep armhf-prep ppc64le-prep" ;;
	# 7.3 (mainline): the debugging kernel built with clang,
	# MODVERSIONS from DWARF, and arm64 cross-built as on 6.12
	7.*) echo "debug dwarf arm64" ;;
	# 6.1: one booted kernel, the archive built in and the image a
	# module (6.12 boots the other way round), which also runs the
	# kselftests through make
	*) echo "ym arm64-prep" ;;
	esac
}

# kh_config VERSION CFG: the configuration CFG of tree VERSION, as
#   frags     its config fragments (configs/), in order
#   makevars  the make variables choosing target and tools
#   targets   what is built ("prepare kernel/kheaders.o": checked on the
#             host, not booted; empty: the kernel and its modules)
#   hide      a directory hidden during configuration and build
#   garch     the target's architecture, image its boot image
#   ways      how many ways the guest runs the kselftests (the first
#             runs them all, each further one kheaders_stress.sh)
#   selftests the kselftests the guest runs the first way (empty: all)
#   tools     1 (default): a guest of a kernel with the image also runs
#             DKMS, bcc and bpftrace against it (guest-image.sh); 0: not
# Returns 1 for an unknown CFG.
# shellcheck disable=SC2034 # the variables are the caller's
kh_config() {
	makevars=
	targets=
	hide=
	ways=1
	tools=1
	selftests=
	garch=x86_64
	image=arch/x86/boot/bzImage
	frags="$top/configs/base.config"
	[ ! -f "$top/configs/linux-$1.config" ] || frags="$frags $top/configs/linux-$1.config"
	arm64_frags="$top/configs/arch-arm64.config $top/configs/ikheaders-arm64.config"
	image_m="$top/configs/image-m.config"
	case $2 in
	y | off)
		# "off": no kheaders, for the benchmark
		frags="$frags $top/configs/ikheaders-$2.config"
		;;
	ym)
		# the archive built in, the image a module; the guest runs
		# the kselftests but the stress test, which the debug kernel
		# runs in full, then the stress test through make, in the tree
		# and with O= (with an overlayfs over the read-only tree), a
		# few rounds each; DKMS, bcc and bpftrace against the mounted
		# image (BPF_SYSCALL), on a kernel without debugging options
		ways=3
		selftests="kheaders_test.sh kheaders_symvers.sh kheaders_symvers_file.sh kheaders_image.sh"
		frags="$frags $top/configs/ikheaders-y.config $image_m"
		frags="$frags $top/configs/overlay.config $top/configs/bpf.config"
		;;
	m)
		# the archive and the image, each a module
		frags="$frags $top/configs/ikheaders-m.config $image_m"
		;;
	dwarf)
		# both modules, MODVERSIONS with gendwarfksyms (6.14 and
		# later); every kselftest, DKMS, bcc and bpftrace against the
		# mounted image (BPF_SYSCALL)
		frags="$frags $top/configs/ikheaders-m.config $image_m"
		frags="$frags $top/configs/gendwarfksyms.config $top/configs/bpf.config"
		;;
	debug)
		# built with clang (LLVM=1) on a KFENCE, lockdep, kmemleak
		# kernel: the archive a module, the image built in; its guest
		# runs the kselftests of the kernel code that reads and
		# serves (the archive's with an LLVM module build, the
		# stress test, Module.symvers under concurrent and
		# unprivileged use with an LLVM module build from the
		# mounted image); what a kernel with debugging options runs
		# twice as slowly and adds nothing to, the arm64 and 6.1
		# guests run (kheaders_symvers.sh, kheaders_image.sh; on 6.1
		# the kselftests through make, DKMS, bcc and bpftrace)
		makevars="LLVM=1"
		# mainline needs clang 17 or later: Debian 12's clang-19
		case $1 in 6.* | 5.*) ;; *) makevars="LLVM=-19" ;; esac
		tools=0
		selftests="kheaders_test.sh kheaders_symvers_file.sh kheaders_stress.sh"
		frags="$frags $top/configs/ikheaders-debug.config $top/configs/image-y.config"
		;;
	llvm)
		# built in, archive and image, with clang; the guest also runs
		# the kselftests through make, in the tree and with O=
		makevars="LLVM=1"
		ways=3
		frags="$frags $top/configs/llvm.config $top/configs/image-y.config"
		;;
	arm64)
		# the kselftests of what differs by architecture: the target
		# programs of the archive, the CRCs of Module.symvers, the
		# image; those of concurrency (the stress test, Module.symvers
		# under concurrent and unprivileged use) run on the debug
		# kernel, under lockdep and kmemleak, and on 6.1, and DKMS,
		# bcc and bpftrace, which no architecture changes, on 6.1
		makevars="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
		tools=0
		garch=arm64
		image=arch/arm64/boot/Image
		selftests="kheaders_test.sh kheaders_symvers.sh kheaders_image.sh"
		# 6.12's also Module.symvers under concurrent and unprivileged
		# use, which the debug kernel runs on 7.3 and ym on 6.1
		[ "$1" != 6.12 ] || selftests="$selftests kheaders_symvers_file.sh"
		frags="$frags $arm64_frags $image_m"
		;;
	arm64-prep | arm64-nolibc | llvm-arm64)
		makevars="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
		targets="prepare kernel/kheaders.o kernel/kheaders_image.o"
		garch=arm64
		frags="$frags $arm64_frags $image_m"
		# configured and built without the target's C library
		[ "$2" != arm64-nolibc ] || hide=/usr/aarch64-linux-gnu/lib
		# cross-built with clang alone
		[ "$2" != llvm-arm64 ] || makevars="ARCH=arm64 LLVM=1"
		;;
	i386-prep | i686-prep | armhf-prep | ppc64le-prep)
		case $2 in
		i386-prep) makevars="ARCH=i386" ;;
		i686-prep) makevars="ARCH=i386 CROSS_COMPILE=i686-linux-gnu-" ;;
		armhf-prep) makevars="ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf-" ;;
		ppc64le-prep) makevars="ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-" ;;
		esac
		targets="prepare kernel/kheaders.o"
		garch=${2%-prep}
		[ "$garch" != i686 ] || garch=i386
		frags="$top/configs/cross-prep.config $top/configs/arch-$garch.config"
		;;
	randstruct-gcc | randstruct-clang)
		# RANDSTRUCT by the GCC plugin, and by clang (16 for 6.x,
		# 19 for mainline, which needs 17 or later); the image too
		targets="prepare kernel/kheaders.o kernel/kheaders_image.o"
		if [ "$2" = randstruct-clang ]; then
			case $1 in 6.* | 5.*) makevars="LLVM=-16" ;; *) makevars="LLVM=-19" ;; esac
		fi
		frags="$top/configs/$2.config $image_m"
		;;
	*)
		return 1
		;;
	esac
	# 6.15 and later: MODVERSIONS writes the version table that modules
	# carry only with BASIC_MODVERSIONS (or EXTENDED_MODVERSIONS), which
	# has a prompt that allnoconfig answers n; without it no module loads
	case $1 in
	6.1 | 6.1[0-4] | 6.[2-9] | 5.*) ;;
	*)
		# shellcheck disable=SC2086 # one word per fragment
		! grep -qx 'CONFIG_MODVERSIONS=y' $frags ||
			frags="$frags $top/configs/basic-modversions.config"
		;;
	esac
}

# kh_debian_config VERSION TREE ODIR: ODIR/.config is Debian's own amd64
# configuration of VERSION (package linux-config-VERSION), with the
# trusted-key file names cleared, as a build outside Debian's packaging
# must, both forms of kheaders =m (where TREE has them), olddefconfig'd;
# its log is ODIR/config.log
kh_debian_config() {
	kh_dc=$(kh_usr_src "linux-config-$1")/config.amd64_none_amd64.xz
	[ -f "$kh_dc" ] || { echo "$kh_dc missing (harness/deps.sh $1 installs it)"; return 1; }
	mkdir -p "$3" && xz -dc "$kh_dc" > "$3/.config" || return 1
	"$2/scripts/config" --file "$3/.config" \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
		--module IKHEADERS --module IKHEADERS_IMAGE || return 1
	kh_make "$2" "$3" "" olddefconfig > "$3/config.log" 2>&1 ||
		{ echo "olddefconfig failed: $(tail -n 5 "$3/config.log")"; return 1; }
}
