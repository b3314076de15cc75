// SPDX-License-Identifier: GPL-2.0
/*
 * A module built by the kheaders selftest against nothing but the tree
 * extracted from /proc/kheaders.tar.xz.  It says the token it was given
 * when it is loaded and unloaded, so that the test can find exactly its
 * own lines in the kernel log.  It exports a function, so that a
 * MODVERSIONS build also versions an export.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/utsname.h>

static char *token = "none";
module_param(token, charp, 0444);
MODULE_PARM_DESC(token, "word to print when loaded and unloaded");

/*
 * An export: on a MODVERSIONS kernel, its CRC is computed by genksyms from
 * the archive.  (No other module uses it, so no header declares it.)
 */
const char *kheaders_testmod_token(void);

const char *kheaders_testmod_token(void)
{
	return token;
}
EXPORT_SYMBOL_GPL(kheaders_testmod_token);

static int __init kheaders_testmod_init(void)
{
	pr_info("loaded on %s, token %s\n", init_utsname()->release, token);
	return 0;
}

static void __exit kheaders_testmod_exit(void)
{
	pr_info("unloaded, token %s\n", token);
}

module_init(kheaders_testmod_init);
module_exit(kheaders_testmod_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test module built from /proc/kheaders.tar.xz");
