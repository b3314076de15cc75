/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KERNEL_KHEADERS_H
#define _KERNEL_KHEADERS_H

#include <linux/types.h>

/* The archive, in kheaders.c's .rodata */
extern const char kheaders_archive[];
extern const char kheaders_archive_end[];

#ifdef CONFIG_IKHEADERS_SYMVERS
size_t kheaders_symvers(char *buf, size_t size, bool with_modules);
#else
static inline size_t kheaders_symvers(char *buf, size_t size,
				      bool with_modules)
{
	return 0;
}
#endif

#endif /* _KERNEL_KHEADERS_H */
