/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KERNEL_KHEADERS_H
#define _KERNEL_KHEADERS_H

#include <linux/types.h>

/* The archive, in kheaders.c's .rodata */
extern const char kheaders_archive[];
extern const char kheaders_archive_end[];

/* The squashfs image, in kheaders_image.c's .rodata */
extern const u8 kheaders_image[];
extern const u8 kheaders_image_end[];

/**
 * struct kheaders_symvers - the running kernel's Module.symvers
 * @buf: @head bytes of room, the text, then zeroes up to @size
 * @head: bytes of room before the text
 * @len: length of the text
 * @size: size of @buf, at least @head + @len + the slack asked for
 * @slack: zeroes asked for after the text
 * @with_modules: list the exports of in-tree modules as well as vmlinux's
 * @has_modules: some module's exports were listed
 */
struct kheaders_symvers {
	u8 *buf;
	size_t head;
	size_t len;
	size_t size;
	size_t slack;
	bool with_modules;
	bool has_modules;
};

/* kheaders_symvers.c, in the KHEADERS symbol namespace */
int kheaders_symvers_make(struct kheaders_symvers *sv, size_t head,
			  size_t slack, bool with_modules);
void kheaders_symvers_free(struct kheaders_symvers *sv);
int kheaders_symvers_file_get(void);
void kheaders_symvers_file_put(void);

#endif /* _KERNEL_KHEADERS_H */
