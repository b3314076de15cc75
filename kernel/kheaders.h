/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KERNEL_KHEADERS_H
#define _KERNEL_KHEADERS_H

/* The archive, in kheaders.c's .rodata */
extern const char kheaders_archive[];
extern const char kheaders_archive_end[];

#endif /* _KERNEL_KHEADERS_H */
