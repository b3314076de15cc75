// SPDX-License-Identifier: GPL-2.0
/*
 * The Module.symvers of the running kernel, for both forms of kheaders:
 * kheaders.c appends it to the archive at /proc/kheaders.tar.xz, and
 * kheaders_image.c, whose read-only tree cannot hold it, has its
 * Module.symvers be a symbolic link to /proc/kheaders.symvers, made here.
 * It is a module of its own so that each form can be loaded without the
 * other.
 *
 * Each open of /proc/kheaders.symvers lists the exports of vmlinux and of
 * the in-tree modules loaded at that moment, and sets the size that stat
 * reports on the open file to that listing's, as modpost reads the file
 * through fstat() (a stat by name gives the size of the last open).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "kheaders.h"

static int kheaders_symvers_grow(struct kheaders_symvers *sv, size_t need)
{
	size_t size = max3(2 * sv->size, need, (size_t)SZ_64K);
	u8 *buf;

	buf = kvzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (sv->buf)
		memcpy(buf, sv->buf, sv->head + sv->len);
	kvfree(sv->buf);
	sv->buf = buf;
	sv->size = size;
	return 0;
}

static int kheaders_symvers_add(void *data, const struct module_export *exp)
{
	struct kheaders_symvers *sv = data;
	const char *owner = "vmlinux";
	size_t at, room, n;

	if (exp->owner) {
		/*
		 * What a distribution's Module.symvers lists: the modules of
		 * the kernel's own tree, not those built out of it, such as
		 * modules built from kheaders.  modpost writes the path of
		 * the module in the build tree, which the kernel does not
		 * know; it reads the field only to name the module in
		 * messages and in the "depends" of the modules it builds.
		 */
		if (!sv->with_modules ||
		    test_bit(TAINT_OOT_MODULE, &exp->owner->taints))
			return 0;
		owner = exp->owner->name;
		sv->has_modules = true;
	}
	for (;;) {
		at = sv->head + sv->len;
		room = sv->size - sv->slack - at;
		/* the line format of modpost's write_dump() */
		n = snprintf(sv->buf + at, room,
			     "0x%08x\t%s\t%s\tEXPORT_SYMBOL%s\t%s\n",
			     exp->crc, exp->name, owner,
			     exp->gpl_only ? "_GPL" : "", exp->namespace);
		if (n < room)
			break;
		if (kheaders_symvers_grow(sv, at + n + 1 + sv->slack))
			return -ENOMEM;
	}
	sv->len += n;
	return 0;
}

/**
 * kheaders_symvers_make() - list the exports of the running kernel
 * @sv: where to list them
 * @head: bytes of room to leave before the text
 * @slack: bytes of zeroes to leave after the text
 * @with_modules: list the exports of the in-tree modules loaded now too
 *
 * Writes the exports, in one walk of the module list, as modpost writes
 * Module.symvers.  Free @sv with kheaders_symvers_free().
 *
 * Return: 0, or -ENOMEM.
 */
int kheaders_symvers_make(struct kheaders_symvers *sv, size_t head,
			  size_t slack, bool with_modules)
{
	int ret;

	*sv = (struct kheaders_symvers) {
		.head = head,
		.slack = slack + 1,	/* and snprintf()'s NUL */
		.with_modules = with_modules,
	};
	ret = kheaders_symvers_grow(sv, head + sv->slack);
	if (!ret)
		ret = module_walk_exports(kheaders_symvers_add, sv);
	if (ret)
		kheaders_symvers_free(sv);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kheaders_symvers_make, KHEADERS);

/**
 * kheaders_symvers_free() - free what kheaders_symvers_make() made
 * @sv: the listing
 */
void kheaders_symvers_free(struct kheaders_symvers *sv)
{
	kvfree(sv->buf);
	sv->buf = NULL;
}
EXPORT_SYMBOL_NS_GPL(kheaders_symvers_free, KHEADERS);

static int kheaders_symvers_open(struct inode *inode, struct file *file)
{
	struct kheaders_symvers *sv;
	int ret;

	sv = kmalloc(sizeof(*sv), GFP_KERNEL);
	if (!sv)
		return -ENOMEM;
	ret = kheaders_symvers_make(sv, 0, 0, true);
	if (ret) {
		kfree(sv);
		return ret;
	}
	/* as /proc/kcore does: the size is that of what this open reads */
	inode_lock(inode);
	i_size_write(inode, sv->len);
	inode_unlock(inode);
	file->private_data = sv;
	return 0;
}

static ssize_t kheaders_symvers_read(struct file *file, char __user *buf,
				     size_t count, loff_t *ppos)
{
	struct kheaders_symvers *sv = file->private_data;

	return simple_read_from_buffer(buf, count, ppos, sv->buf, sv->len);
}

static int kheaders_symvers_release(struct inode *inode, struct file *file)
{
	struct kheaders_symvers *sv = file->private_data;

	kheaders_symvers_free(sv);
	kfree(sv);
	return 0;
}

static const struct proc_ops kheaders_symvers_proc_ops = {
	.proc_open	= kheaders_symvers_open,
	.proc_read	= kheaders_symvers_read,
	.proc_lseek	= default_llseek,
	.proc_release	= kheaders_symvers_release,
};

static DEFINE_MUTEX(kheaders_symvers_file_lock);
static unsigned int kheaders_symvers_file_users;

/**
 * kheaders_symvers_file_get() - make /proc/kheaders.symvers exist
 *
 * The file stays while there is a user: pair each successful call with
 * kheaders_symvers_file_put().
 *
 * Return: 0, or -ENOMEM.
 */
int kheaders_symvers_file_get(void)
{
	int ret = 0;

	mutex_lock(&kheaders_symvers_file_lock);
	if (!kheaders_symvers_file_users &&
	    !proc_create("kheaders.symvers", 0444, NULL,
			 &kheaders_symvers_proc_ops))
		ret = -ENOMEM;
	if (!ret)
		kheaders_symvers_file_users++;
	mutex_unlock(&kheaders_symvers_file_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kheaders_symvers_file_get, KHEADERS);

/**
 * kheaders_symvers_file_put() - let /proc/kheaders.symvers go
 */
void kheaders_symvers_file_put(void)
{
	mutex_lock(&kheaders_symvers_file_lock);
	if (!--kheaders_symvers_file_users)
		remove_proc_entry("kheaders.symvers", NULL);
	mutex_unlock(&kheaders_symvers_file_lock);
}
EXPORT_SYMBOL_NS_GPL(kheaders_symvers_file_put, KHEADERS);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(MODULE_EXPORT_WALK);
MODULE_DESCRIPTION("Module.symvers of the running kernel, for kheaders");
