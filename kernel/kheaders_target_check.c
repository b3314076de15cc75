// SPDX-License-Identifier: GPL-2.0
/*
 * Built by Kconfig (IKHEADERS_TARGET_PROGS) with the kernel's compiler
 * and statically linked, to learn whether the target's C library has what
 * fixdep, modpost and genksyms need, so that a kernel built for another
 * machine gets them built for it.  Never part of the kernel.
 */
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	printf("%d\n", errno);
	return 0;
}
