// SPDX-License-Identifier: GPL-2.0
/*
 * Module.symvers of the running kernel, for kheaders.
 *
 * modpost needs the exports of vmlinux, and their CRCs on a kernel with
 * CONFIG_MODVERSIONS, to build an external module.  kernel/kheaders.o is
 * compiled long before vmlinux is linked and those are known, for
 * CONFIG_IKHEADERS=m as much as for =y, so the archive cannot carry them.
 * The export tables of the running kernel hold exactly what modpost would
 * have written, and kheaders formats them when the archive is read.
 *
 * This part is always built in: only vmlinux can see its export tables.
 */

#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/module.h>

#include "kheaders.h"
#include "module/internal.h"

static const char *ksym_name(const struct kernel_symbol *sym)
{
#ifdef CONFIG_HAVE_ARCH_PREL32_RELOCATIONS
	return offset_to_ptr(&sym->name_offset);
#else
	return sym->name;
#endif
}

static const char *ksym_namespace(const struct kernel_symbol *sym)
{
#ifdef CONFIG_HAVE_ARCH_PREL32_RELOCATIONS
	if (!sym->namespace_offset)
		return "";
	return offset_to_ptr(&sym->namespace_offset);
#else
	return sym->namespace ?: "";
#endif
}

static size_t format_table(char *buf, size_t size, size_t pos,
			   const struct kernel_symbol *start,
			   const struct kernel_symbol *stop,
			   const s32 *crcs, bool gpl)
{
	const struct kernel_symbol *sym;
	u32 crc;

	for (sym = start; sym < stop; sym++) {
		crc = IS_ENABLED(CONFIG_MODVERSIONS) ? crcs[sym - start] : 0;
		/* the line format of modpost's write_dump() */
		pos += snprintf(buf ? buf + pos : NULL, buf ? size - pos : 0,
				"0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL%s\t%s\n",
				crc, ksym_name(sym), gpl ? "_GPL" : "",
				ksym_namespace(sym));
	}
	return pos;
}

/**
 * kheaders_symvers - format Module.symvers for the exports of vmlinux
 * @buf: where to write it, or NULL to learn the length only
 * @size: bytes at @buf, at least one more than the length
 *
 * Return: the length of the text, without the terminating NUL.
 */
size_t kheaders_symvers(char *buf, size_t size)
{
	size_t len;

	len = format_table(buf, size, 0, __start___ksymtab, __stop___ksymtab,
			   __start___kcrctab, false);
	return format_table(buf, size, len, __start___ksymtab_gpl,
			    __stop___ksymtab_gpl, __start___kcrctab_gpl, true);
}

#if IS_MODULE(CONFIG_IKHEADERS)
EXPORT_SYMBOL_GPL(kheaders_symvers);
#endif
