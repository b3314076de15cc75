// SPDX-License-Identifier: GPL-2.0
/*
 * A module built by kheaders_symvers.sh against nothing but the tree
 * extracted from /proc/kheaders.tar.xz, which calls a function exported by
 * an in-tree module, crc_ccitt() of crc-ccitt.ko: modpost finds it, and on
 * a MODVERSIONS kernel its CRC, only in that tree's Module.symvers.  It
 * loads only if the call gives the check value of the CRC.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc-ccitt.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

/* CRC-16/KERMIT, which crc_ccitt() computes from 0, of "123456789" */
#define KERMIT_CHECK	0x2189

static int __init kheaders_crcmod_init(void)
{
	static const u8 digits[] = "123456789";
	u16 crc = crc_ccitt(0, digits, sizeof(digits) - 1);

	if (crc != KERMIT_CHECK) {
		pr_err("crc_ccitt() gave 0x%04x, not 0x%04x\n", crc, KERMIT_CHECK);
		return -EINVAL;
	}
	pr_info("crc_ccitt() gave 0x%04x\n", crc);
	return 0;
}

static void __exit kheaders_crcmod_exit(void)
{
}

module_init(kheaders_crcmod_init);
module_exit(kheaders_crcmod_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test module using an in-tree module's export, built from /proc/kheaders.tar.xz");
