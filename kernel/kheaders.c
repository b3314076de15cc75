// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's headers and the files needed to build external modules
 * against it, at /proc/kheaders.tar.xz and /sys/kernel/kheaders.tar.xz
 * (where bcc and bpftrace look); both files hold the same bytes.
 *
 * The file is the xz-compressed tar archive made at build time by
 * kernel/gen_kheaders.sh, followed by a second, small xz stream made here.
 * That stream holds a tar member with the Module.symvers of the running
 * kernel (from module_symvers()) and the two zero blocks that end a tar
 * archive; the build-time archive leaves them out.  xz decodes
 * concatenated streams as one, so tar sees a single archive.  The kernel
 * has no xz encoder, so the second stream stores its data in uncompressed
 * LZMA2 chunks.
 *
 * The build-time archive is bounded by the markers IKHD_ST and IKHD_ED, so
 * that scripts can find it in a kernel image or in kheaders.ko.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/proc_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include "kheaders.h"

/*
 * The archive, between markers by which it can be found in the vmlinux or
 * kheaders.ko image.  ".incbin" is followed by a space, as in configs.c:
 * compiler caches such as ccache then refuse to cache this object, which
 * they could not know to depend on the archive.
 */
asm(".pushsection .rodata, \"a\"\n"
	"	.ascii	\"IKHD_ST\"\n"
	"	.global	kheaders_archive\n"
	"kheaders_archive:\n"
	"	.incbin \"kernel/kheaders_data.tar.xz\"\n"
	"	.global	kheaders_archive_end\n"
	"kheaders_archive_end:\n"
	"	.ascii	\"IKHD_ED\"\n"
	"	.popsection\n");

#define TAR_BLOCK		512
#define TAR_END_LEN		(2 * TAR_BLOCK)

static const u8 xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

#define XZ_HEADER_LEN		12	/* stream header and footer alike */
#define XZ_BLOCK_HEADER_LEN	12
#define XZ_CHECK_CRC32		0x01
#define XZ_FILTER_LZMA2		0x21
#define XZ_LZMA2_DICT_64K	8	/* encodes 2 << (8 / 2 + 11) bytes */
#define XZ_CHUNK_MAX		65536	/* of an uncompressed LZMA2 chunk */
#define XZ_CHUNK_RESET		0x01	/* uncompressed, dictionary reset */
#define XZ_CHUNK_STORED		0x02	/* uncompressed */

struct kheaders_tail {
	size_t len;
	u8 data[];
};

static size_t tail_len;		/* bytes of the stream after the archive */

static size_t archive_len(void)
{
	return kheaders_archive_end - kheaders_archive;
}

static u8 *put_le32(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
	return p + 4;
}

static size_t vli_len(u64 v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static u8 *put_vli(u8 *p, u64 v)
{
	while (v >= 0x80) {
		*p++ = v | 0x80;
		v >>= 7;
	}
	*p++ = v;
	return p;
}

static u8 *pad4(u8 *start, u8 *p)
{
	while ((p - start) % 4)
		*p++ = 0;
	return p;
}

static u32 xz_crc32(const u8 *p, size_t len)
{
	return ~crc32_le(~0U, p, len);
}

/*
 * Bytes of the tar data after the archive: a Module.symvers of @len bytes
 * and the end.
 */
static size_t tail_tar_len(size_t len)
{
	if (!len)
		return TAR_END_LEN;
	return TAR_BLOCK + ALIGN(len, TAR_BLOCK) + TAR_END_LEN;
}

/* Bytes of the xz stream that xz_store() makes of @n bytes. */
static size_t xz_stored_len(size_t n)
{
	size_t data = DIV_ROUND_UP(n, XZ_CHUNK_MAX) * 3 + n + 1;
	size_t unpadded = XZ_BLOCK_HEADER_LEN + data + 4;
	size_t index = 1 + vli_len(1) + vli_len(unpadded) + vli_len(n);

	return XZ_HEADER_LEN + ALIGN(XZ_BLOCK_HEADER_LEN + data, 4) + 4 +
	       ALIGN(index, 4) + 4 + XZ_HEADER_LEN;
}

/*
 * Write @n bytes at @in as a complete xz stream with one block of
 * uncompressed LZMA2 chunks and a CRC32 check, the layout of
 * https://tukaani.org/xz/xz-file-format.txt.  Return its length.
 */
static size_t xz_store(u8 *out, const u8 *in, size_t n)
{
	u8 *p = out, *block, *index;
	size_t done, chunk, unpadded;

	memcpy(p, xz_magic, sizeof(xz_magic));
	p[6] = 0;
	p[7] = XZ_CHECK_CRC32;
	p = put_le32(p + 8, xz_crc32(p + 6, 2));

	block = p;
	*p++ = XZ_BLOCK_HEADER_LEN / 4 - 1;
	*p++ = 0;			/* one filter, sizes not given */
	*p++ = XZ_FILTER_LZMA2;
	*p++ = 1;			/* size of the filter properties */
	*p++ = XZ_LZMA2_DICT_64K;
	p = pad4(block, p);
	p = put_le32(p, xz_crc32(block, p - block));

	for (done = 0; done < n; done += chunk) {
		chunk = min_t(size_t, n - done, XZ_CHUNK_MAX);
		*p++ = done ? XZ_CHUNK_STORED : XZ_CHUNK_RESET;
		*p++ = (chunk - 1) >> 8;
		*p++ = (chunk - 1) & 0xff;
		memcpy(p, in + done, chunk);
		p += chunk;
	}
	*p++ = 0;			/* end of the LZMA2 data */
	unpadded = p - block + 4;
	p = pad4(block, p);
	p = put_le32(p, xz_crc32(in, n));

	index = p;
	*p++ = 0;			/* index indicator */
	p = put_vli(p, 1);		/* one block, */
	p = put_vli(p, unpadded);	/* its size without padding, */
	p = put_vli(p, n);		/* and its uncompressed size */
	p = pad4(index, p);
	p = put_le32(p, xz_crc32(index, p - index));

	put_le32(p + 4, (p - index) / 4 - 1);	/* backward size */
	p[8] = 0;
	p[9] = XZ_CHECK_CRC32;
	put_le32(p, xz_crc32(p + 4, 6));
	p[10] = 'Y';
	p[11] = 'Z';
	p += XZ_HEADER_LEN;

	return p - out;
}

/* A ustar header for a regular file owned by root, mode 0644, mtime 0. */
static void tar_header(u8 *h, const char *name, unsigned int size)
{
	char *c = (char *)h;
	unsigned int sum = 0;
	int i;

	memset(h, 0, TAR_BLOCK);
	strscpy(c, name, 100);
	snprintf(c + 100, 8, "%07o", 0644);
	snprintf(c + 108, 8, "%07o", 0);
	snprintf(c + 116, 8, "%07o", 0);
	snprintf(c + 124, 12, "%011o", size);
	snprintf(c + 136, 12, "%011o", 0);
	c[156] = '0';
	memcpy(c + 257, "ustar", 6);
	memcpy(c + 263, "00", 2);
	memset(c + 148, ' ', 8);
	for (i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	snprintf(c + 148, 8, "%06o", sum);
}

/*
 * The stream after the archive, listing the exports of vmlinux and, with
 * @with_modules, those of the in-tree modules loaded now, all taken at
 * one moment.  *@has_modules tells whether any module was
 * listed.
 */
static struct kheaders_tail *kheaders_tail_make(bool with_modules,
						bool *has_modules)
{
	struct kheaders_tail *tail;
	size_t len, start, tar_len;
	u8 *buf;

	/* room for the tar header before the text, and its end after */
	buf = kheaders_symvers(TAR_BLOCK, TAR_BLOCK + TAR_END_LEN,
			       with_modules, &len, has_modules);
	if (IS_ERR(buf))
		return ERR_CAST(buf);

	/* with no text, the tar data is the end of the archive alone */
	start = len ? 0 : TAR_BLOCK;
	tar_len = tail_tar_len(len);
	if (len)
		tar_header(buf, "Module.symvers", len);

	tail = kvmalloc(struct_size(tail, data, xz_stored_len(tar_len)),
			GFP_KERNEL_ACCOUNT);
	if (tail)
		tail->len = xz_store(tail->data, buf + start, tar_len);
	kvfree(buf);
	return tail ?: ERR_PTR(-ENOMEM);
}

/*
 * The stream after the archive never changes while the files exist, so
 * that every reader sees the same bytes, of the size that stat reports,
 * whatever modules load and unload meanwhile; readers use it without the
 * lock.  When in-tree modules with exports are loaded as kheaders starts,
 * it is made then, as those modules may be gone by the first read; else
 * it lists vmlinux alone, whose exports never change, and is made by
 * whichever of the two files is read first.  It is kept until the module
 * is unloaded: sysfs has no open or release to tie it to a reader.
 */
static DEFINE_MUTEX(kheaders_tail_lock);
static struct kheaders_tail *kheaders_tail;

static struct kheaders_tail *kheaders_tail_get(void)
{
	struct kheaders_tail *tail;

	mutex_lock(&kheaders_tail_lock);
	tail = kheaders_tail;
	if (!tail) {
		tail = kheaders_tail_make(false, NULL);
		if (!IS_ERR(tail) && tail->len != tail_len) {
			/* vmlinux's exports are those it had at init */
			pr_err("Module.symvers of vmlinux changed size\n");
			kvfree(tail);
			tail = ERR_PTR(-EIO);
		}
		if (!IS_ERR(tail))
			kheaders_tail = tail;
	}
	mutex_unlock(&kheaders_tail_lock);
	return tail;
}

/*
 * Where the bytes at @pos of the file are: return a pointer to them and
 * set *@avail to how many follow there in one piece; 0 at or past the end.
 */
static const u8 *kheaders_at(const struct kheaders_tail *tail, loff_t pos,
			     size_t *avail)
{
	size_t head = archive_len();

	if (pos < 0 || pos >= head + tail->len) {
		*avail = 0;
		return NULL;
	}
	if (pos < head) {
		*avail = head - pos;
		return (const u8 *)kheaders_archive + pos;
	}
	*avail = head + tail->len - pos;
	return tail->data + (pos - head);
}

static int kheaders_proc_open(struct inode *inode, struct file *file)
{
	struct kheaders_tail *tail = kheaders_tail_get();

	if (IS_ERR(tail))
		return PTR_ERR(tail);
	file->private_data = tail;
	return 0;
}

static ssize_t kheaders_proc_read(struct kiocb *iocb, struct iov_iter *to)
{
	const struct kheaders_tail *tail = iocb->ki_filp->private_data;
	const u8 *src;
	size_t avail, n, done = 0;

	while (iov_iter_count(to)) {
		src = kheaders_at(tail, iocb->ki_pos, &avail);
		if (!avail)
			break;
		n = copy_to_iter(src, min(avail, iov_iter_count(to)), to);
		if (!n)
			return done ? done : -EFAULT;
		iocb->ki_pos += n;
		done += n;
	}
	return done;
}

static const struct proc_ops kheaders_proc_ops = {
	.proc_open	= kheaders_proc_open,
	.proc_read_iter	= kheaders_proc_read,
	.proc_lseek	= default_llseek,
};

/* sysfs hands out a page at a time, and stops at the size given below */
static ssize_t kheaders_sysfs_read(struct file *file, struct kobject *kobj,
				   const struct bin_attribute *attr, char *buf,
				   loff_t pos, size_t len)
{
	const struct kheaders_tail *tail = kheaders_tail_get();
	const u8 *src;
	size_t avail, done = 0;

	if (IS_ERR(tail))
		return PTR_ERR(tail);
	while (done < len) {
		src = kheaders_at(tail, pos + done, &avail);
		if (!avail)
			break;
		avail = min(avail, len - done);
		memcpy(buf + done, src, avail);
		done += avail;
	}
	return done;
}

static struct bin_attribute kheaders_attr __ro_after_init = {
	.attr	= { .name = "kheaders.tar.xz", .mode = 0444 },
	.read	= kheaders_sysfs_read,
};

/* Decide what follows the archive, and so the size of the files. */
static int __init kheaders_tail_init(void)
{
	struct kheaders_tail *tail;
	bool has_modules;

	tail = kheaders_tail_make(true, &has_modules);
	if (IS_ERR(tail))
		return PTR_ERR(tail);
	tail_len = tail->len;
	if (has_modules)
		kheaders_tail = tail;
	else
		kvfree(tail);	/* vmlinux alone: made again when read */
	return 0;
}

static int __init kheaders_init(void)
{
	struct proc_dir_entry *entry;
	size_t size;
	int ret;

	ret = kheaders_tail_init();
	if (ret)
		return ret;
	size = archive_len() + tail_len;

	if (IS_ENABLED(CONFIG_PROC_FS)) {
		entry = proc_create("kheaders.tar.xz", 0444, NULL,
				    &kheaders_proc_ops);
		if (!entry) {
			ret = -ENOMEM;
			goto out_tail;
		}
		proc_set_size(entry, size);
	}
	if (IS_ENABLED(CONFIG_SYSFS)) {
		kheaders_attr.size = size;
		ret = sysfs_create_bin_file(kernel_kobj, &kheaders_attr);
		if (ret)
			goto out_proc;
	}
	return 0;

out_proc:
	if (IS_ENABLED(CONFIG_PROC_FS))
		remove_proc_entry("kheaders.tar.xz", NULL);
out_tail:
	kvfree(kheaders_tail);
	kheaders_tail = NULL;
	return ret;
}

static void __exit kheaders_exit(void)
{
	/* both wait for readers inside a read; later reads get an error */
	if (IS_ENABLED(CONFIG_SYSFS))
		sysfs_remove_bin_file(kernel_kobj, &kheaders_attr);
	if (IS_ENABLED(CONFIG_PROC_FS))
		remove_proc_entry("kheaders.tar.xz", NULL);
	kvfree(kheaders_tail);
}

module_init(kheaders_init);
module_exit(kheaders_exit);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("MODULE_SYMVERS");
MODULE_DESCRIPTION("Kernel headers and module build files at /proc and /sys/kernel/kheaders.tar.xz");
