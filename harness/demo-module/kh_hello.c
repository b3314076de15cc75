// SPDX-License-Identifier: GPL-2.0
/*
 * The module "make demo" builds inside the booted kernel from the tree
 * extracted from /proc/kheaders.tar.xz.
 */

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/utsname.h>

static int __init kh_hello_init(void)
{
	pr_info("kh_hello: hello from a module built from /proc/kheaders.tar.xz on %s\n",
		init_utsname()->release);
	return 0;
}

static void __exit kh_hello_exit(void)
{
	pr_info("kh_hello: goodbye\n");
}

module_init(kh_hello_init);
module_exit(kh_hello_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Hello world built from the running kernel's kheaders");
