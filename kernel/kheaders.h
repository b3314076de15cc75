/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KERNEL_KHEADERS_H
#define _KERNEL_KHEADERS_H

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/types.h>

/* The archive, in kheaders.c's .rodata */
extern const char kheaders_archive[];
extern const char kheaders_archive_end[];

/* The squashfs image, in kheaders_image.c's .rodata */
extern const u8 kheaders_image[];
extern const u8 kheaders_image_end[];

/*
 * The running kernel's Module.symvers (see module_symvers()); with no
 * loadable modules there is nothing to build against it, and it is empty.
 */
static inline void *kheaders_symvers(size_t head, size_t tail, bool in_tree,
				     size_t *len, bool *modules)
{
	void *buf;

	if (IS_ENABLED(CONFIG_MODULE_SYMVERS))
		return module_symvers(head, tail, in_tree, len, modules);
	buf = kvzalloc(head + tail + 1, GFP_KERNEL_ACCOUNT);
	*len = 0;
	if (modules)
		*modules = false;
	return buf ?: ERR_PTR(-ENOMEM);
}

/* kheaders_symvers.c: /proc/kheaders.symvers, for the image */
int kheaders_symvers_file_get(void);
void kheaders_symvers_file_put(void);

#endif /* _KERNEL_KHEADERS_H */
