// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kheaders.symvers: the Module.symvers of the running kernel, the
 * target of the symbolic link Module.symvers in the tree of
 * /dev/kheaders (kheaders_image.c), whose read-only image cannot hold it.
 * It lists the exports of vmlinux and of the in-tree modules loaded, so
 * that a module built from the mounted tree against an in-tree module
 * loaded after the mount builds and loads.
 *
 * modpost reads the file as much as fstat() says it holds, and a proc
 * file's size is that of its inode, which every open file shares.  So
 * every open file reads one shared listing: the listing is made again
 * only when no file is open, at an open after a module went live or
 * away.  Files open at once read the same bytes, of the size stat
 * reports, whatever loads and unloads meanwhile; a module loaded while
 * the file is held open is listed from the first open after the last of
 * them is closed.  An open costs no memory of its own, and opens while
 * the module list does not change do not list the exports again.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/proc_fs.h>

#include "kheaders.h"

/*
 * kheaders_symvers_lock guards the listing, its users and the proc entry.
 * Open files read the listing without it: it does not change while any
 * file is open.
 */
struct kheaders_listing {
	char *text;
	size_t len;
	unsigned int modules_gen;
};

static DEFINE_MUTEX(kheaders_symvers_lock);
static struct kheaders_listing kheaders_listing;
static unsigned int kheaders_listing_users;
static struct proc_dir_entry *kheaders_symvers_entry;

/* counts modules that went live or away: a listing of before is stale */
static atomic_t kheaders_modules_gen = ATOMIC_INIT(0);

static int kheaders_module_notify(struct notifier_block *nb,
				  unsigned long state, void *data)
{
	if (state == MODULE_STATE_LIVE || state == MODULE_STATE_GOING)
		atomic_inc(&kheaders_modules_gen);
	return NOTIFY_DONE;
}

static struct notifier_block kheaders_module_nb = {
	.notifier_call = kheaders_module_notify,
};

/* Make the listing again if it is stale; kheaders_symvers_lock held. */
static int kheaders_listing_update(void)
{
	struct kheaders_listing *l = &kheaders_listing;
	unsigned int gen = atomic_read(&kheaders_modules_gen);
	struct proc_dir_entry *entry;
	size_t len;
	char *text;

	if (l->text && l->modules_gen == gen)
		return 0;
	text = kheaders_symvers(0, 0, true, &len, NULL);
	if (IS_ERR(text))
		return PTR_ERR(text);
	kvfree(l->text);
	*l = (struct kheaders_listing) {
		.text = text,
		.len = len,
		.modules_gen = gen,
	};
	/* the size of the inodes that procfs makes from now on */
	entry = READ_ONCE(kheaders_symvers_entry);
	if (entry)
		proc_set_size(entry, len);
	return 0;
}

static int kheaders_symvers_open(struct inode *inode, struct file *file)
{
	int ret = 0;

	mutex_lock(&kheaders_symvers_lock);
	if (!kheaders_listing_users)
		ret = kheaders_listing_update();
	if (!ret) {
		kheaders_listing_users++;
		/*
		 * Each mount of procfs has an inode of its own, made with the
		 * entry's size at that time: give it the listing's.
		 */
		inode_lock(inode);
		i_size_write(inode, kheaders_listing.len);
		inode_unlock(inode);
	}
	mutex_unlock(&kheaders_symvers_lock);
	return ret;
}

static ssize_t kheaders_symvers_read(struct file *file, char __user *buf,
				     size_t count, loff_t *ppos)
{
	return simple_read_from_buffer(buf, count, ppos, kheaders_listing.text,
				       kheaders_listing.len);
}

static int kheaders_symvers_release(struct inode *inode, struct file *file)
{
	mutex_lock(&kheaders_symvers_lock);
	kheaders_listing_users--;
	mutex_unlock(&kheaders_symvers_lock);
	return 0;
}

static const struct proc_ops kheaders_symvers_proc_ops = {
	.proc_open	= kheaders_symvers_open,
	.proc_read	= kheaders_symvers_read,
	.proc_lseek	= default_llseek,
	.proc_release	= kheaders_symvers_release,
};

/*
 * Not kheaders_symvers_lock: removing the entry closes the files still
 * open, and so takes that lock.
 */
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
	struct proc_dir_entry *entry;
	int ret = 0;

	mutex_lock(&kheaders_symvers_file_lock);
	if (!kheaders_symvers_file_users) {
		entry = proc_create("kheaders.symvers", 0444, NULL,
				    &kheaders_symvers_proc_ops);
		if (entry)
			WRITE_ONCE(kheaders_symvers_entry, entry);
		else
			ret = -ENOMEM;
	}
	if (!ret)
		kheaders_symvers_file_users++;
	mutex_unlock(&kheaders_symvers_file_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kheaders_symvers_file_get, "KHEADERS");

/**
 * kheaders_symvers_file_put() - let /proc/kheaders.symvers go
 *
 * With the last user, the file goes, and so does the listing.
 */
void kheaders_symvers_file_put(void)
{
	mutex_lock(&kheaders_symvers_file_lock);
	if (!--kheaders_symvers_file_users) {
		remove_proc_entry("kheaders.symvers", NULL);
		WRITE_ONCE(kheaders_symvers_entry, NULL);
		mutex_lock(&kheaders_symvers_lock);
		kvfree(kheaders_listing.text);
		kheaders_listing = (struct kheaders_listing) { };
		mutex_unlock(&kheaders_symvers_lock);
	}
	mutex_unlock(&kheaders_symvers_file_lock);
}
EXPORT_SYMBOL_NS_GPL(kheaders_symvers_file_put, "KHEADERS");

static int __init kheaders_symvers_init(void)
{
	return register_module_notifier(&kheaders_module_nb);
}

static void __exit kheaders_symvers_exit(void)
{
	unregister_module_notifier(&kheaders_module_nb);
}

module_init(kheaders_symvers_init);
module_exit(kheaders_symvers_exit);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("MODULE_SYMVERS");
MODULE_DESCRIPTION("/proc/kheaders.symvers, the Module.symvers of the running kernel, for kheaders_image");
