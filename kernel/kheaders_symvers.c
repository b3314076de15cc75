// SPDX-License-Identifier: GPL-2.0
/*
 * Module.symvers of the running kernel, for kheaders.
 *
 * modpost needs the exports of vmlinux and of the in-tree modules, and
 * their CRCs on a kernel with CONFIG_MODVERSIONS, to build an external
 * module.  kernel/kheaders.o is compiled long before vmlinux is linked and
 * modpost has run, for CONFIG_IKHEADERS=m as much as for =y, so the archive
 * cannot carry them.  The export tables of the running kernel and of its
 * loaded modules hold exactly what modpost would have written, and
 * kheaders formats them.
 *
 * This part is always built in: only vmlinux can see its export tables
 * and the list of modules.
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

/*
 * Add the lines of @count symbols at @syms, exported by @owner, at @pos of
 * @buf.  Past @size only the length is counted.
 */
static size_t format_table(char *buf, size_t size, size_t pos,
			   const struct kernel_symbol *syms, unsigned int count,
			   const s32 *crcs, bool gpl, const char *owner)
{
	unsigned int i;
	char *at;
	u32 crc;

	for (i = 0; i < count; i++) {
		crc = IS_ENABLED(CONFIG_MODVERSIONS) && crcs ? crcs[i] : 0;
		at = buf && pos < size ? buf + pos : NULL;
		/* the line format of modpost's write_dump() */
		pos += snprintf(at, at ? size - pos : 0,
				"0x%08x\t%s\t%s\tEXPORT_SYMBOL%s\t%s\n",
				crc, ksym_name(&syms[i]), owner,
				gpl ? "_GPL" : "", ksym_namespace(&syms[i]));
	}
	return pos;
}

/*
 * What a distribution's Module.symvers lists: the modules of the kernel's
 * own tree (not those built out of it, such as modules built from the
 * archive), once loaded, and not while they go away.
 */
static bool module_listed(const struct module *mod)
{
	return mod->state == MODULE_STATE_LIVE &&
	       !test_bit(TAINT_OOT_MODULE, &mod->taints);
}

static size_t format_modules(char *buf, size_t size, size_t pos)
{
	struct module *mod;

	mutex_lock(&module_mutex);
	list_for_each_entry_rcu(mod, &modules, list,
				lockdep_is_held(&module_mutex)) {
		if (!module_listed(mod))
			continue;
		pos = format_table(buf, size, pos, mod->syms, mod->num_syms,
				   mod->crcs, false, mod->name);
		pos = format_table(buf, size, pos, mod->gpl_syms,
				   mod->num_gpl_syms, mod->gpl_crcs, true,
				   mod->name);
	}
	mutex_unlock(&module_mutex);
	return pos;
}

/**
 * kheaders_symvers - format Module.symvers for the running kernel
 * @buf: where to write it, or NULL to learn the length only
 * @size: bytes at @buf; the text is complete and NUL-terminated when the
 *	length returned is less than @size
 * @with_modules: list the exports of the loaded in-tree modules too, after
 *	those of vmlinux
 *
 * Modules come and go between two calls: the caller compares the lengths.
 * The third field of a module's lines is its name, where modpost writes
 * its path in the build tree; modpost reads it only to name the module in
 * messages and in the "depends" of the modules it builds.
 *
 * Return: the length of the text, without the terminating NUL.
 */
size_t kheaders_symvers(char *buf, size_t size, bool with_modules)
{
	size_t len;

	len = format_table(buf, size, 0, __start___ksymtab,
			   __stop___ksymtab - __start___ksymtab,
			   __start___kcrctab, false, "vmlinux");
	len = format_table(buf, size, len, __start___ksymtab_gpl,
			   __stop___ksymtab_gpl - __start___ksymtab_gpl,
			   __start___kcrctab_gpl, true, "vmlinux");
	if (with_modules)
		len = format_modules(buf, size, len);
	return len;
}

#if IS_MODULE(CONFIG_IKHEADERS)
EXPORT_SYMBOL_GPL(kheaders_symvers);
#endif
