// SPDX-License-Identifier: GPL-2.0
/*
 * The tree that /proc/kheaders.tar.xz holds, as a read-only block device,
 * /dev/kheaders, holding a squashfs image made at build time by
 * kernel/gen_kheaders.sh.  Mounted where tools look for the running
 * kernel's build tree, it needs no unpacking:
 *
 *   mount -t squashfs -o ro /dev/kheaders /lib/modules/$(uname -r)/build
 *
 * The image stays compressed in kernel memory; squashfs decompresses what
 * is read into the page cache, which the kernel can reclaim.  Its
 * Module.symvers is a symbolic link to /proc/kheaders.symvers, which lists
 * the exports of the running kernel when it is opened
 * (kheaders_symvers.c).  While the device is open (mounted), the module
 * cannot be unloaded.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>

#include "kheaders.h"

/*
 * The image, padded by its maker to a multiple of 4096 bytes.  ".incbin"
 * is followed by a space, as in configs.c, so that compiler caches do not
 * cache this object, which they could not know to depend on the image.
 */
asm(".pushsection .rodata, \"a\"\n"
	"	.balign	8\n"
	"	.global	kheaders_image\n"
	"kheaders_image:\n"
	"	.incbin \"kernel/kheaders_image.sqfs\"\n"
	"	.global	kheaders_image_end\n"
	"kheaders_image_end:\n"
	"	.popsection\n");

static struct gendisk *kheaders_disk;

static size_t image_len(void)
{
	return kheaders_image_end - kheaders_image;
}

static void kheaders_image_submit_bio(struct bio *bio)
{
	loff_t pos = (loff_t)bio->bi_iter.bi_sector << SECTOR_SHIFT;
	struct bvec_iter iter;
	struct bio_vec bv;

	/* read-only: the block layer only warns about writes */
	if (bio_op(bio) != REQ_OP_READ) {
		bio_io_error(bio);
		return;
	}
	bio_for_each_segment(bv, bio, iter) {
		if (pos + bv.bv_len > image_len()) {
			bio_io_error(bio);
			return;
		}
		memcpy_to_bvec(&bv, kheaders_image + pos);
		pos += bv.bv_len;
	}
	bio_endio(bio);
}

static const struct block_device_operations kheaders_image_fops = {
	.owner		= THIS_MODULE,
	.submit_bio	= kheaders_image_submit_bio,
};

static int __init kheaders_image_init(void)
{
	struct gendisk *disk;
	int ret;

	if (!image_len() || image_len() % SECTOR_SIZE) {
		pr_err("the image is %zu bytes, not whole sectors\n",
		       image_len());
		return -EINVAL;
	}
	ret = kheaders_symvers_file_get();
	if (ret)
		return ret;

	disk = blk_alloc_disk(NULL, NUMA_NO_NODE);
	if (IS_ERR(disk)) {
		ret = PTR_ERR(disk);
		goto out_symvers;
	}
	disk->fops = &kheaders_image_fops;
	disk->flags |= GENHD_FL_NO_PART;
	strscpy(disk->disk_name, "kheaders", DISK_NAME_LEN);
	set_capacity(disk, image_len() >> SECTOR_SHIFT);
	set_disk_ro(disk, true);
	ret = add_disk(disk);
	if (ret)
		goto out_disk;
	kheaders_disk = disk;
	return 0;

out_disk:
	put_disk(disk);
out_symvers:
	kheaders_symvers_file_put();
	return ret;
}

static void __exit kheaders_image_exit(void)
{
	del_gendisk(kheaders_disk);
	put_disk(kheaders_disk);
	kheaders_symvers_file_put();
}

module_init(kheaders_image_init);
module_exit(kheaders_image_exit);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("KHEADERS");
MODULE_DESCRIPTION("Kernel headers and module build files as a read-only block device");
