// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exports of the running kernel as the lines of a Module.symvers, for
 * kheaders, which serves them to external module builds.
 *
 * vmlinux's exports never change and are formatted without a lock.  Those
 * of modules are first copied, with module_mutex held, into a compact list
 * (names and namespaces as strings, CRC and GPL flag as numbers), then
 * formatted with no lock held, so that loading and unloading modules waits
 * only for the copy.  Nothing outside kernel/module/ sees a struct module.
 */

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/module_symbol.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "internal.h"

/* "0x%08x\t<name>\t<owner>\tEXPORT_SYMBOL[_GPL]\t<namespace>\n" */
#define SYMVERS_FIXED_LEN	(10 + 1 + 1 + 1 + 13 + 1 + 1)
#define SYMVERS_GPL_LEN		4

struct symvers_export {
	u32 crc;
	bool gpl_only;
	u32 name;		/* offsets in the string area of the copy */
	u32 namespace;
	u32 owner;
};

struct symvers_copy {
	struct symvers_export *exports;
	char *strings;
	unsigned int count;
	size_t strings_len;
};

static size_t symvers_line_len(const char *name, const char *namespace,
			       size_t owner_len, bool gpl_only)
{
	return SYMVERS_FIXED_LEN + strlen(name) + strlen(namespace) +
	       owner_len + (gpl_only ? SYMVERS_GPL_LEN : 0);
}

static char *symvers_line(char *p, char *end, u32 crc, const char *name,
			  const char *owner, bool gpl_only,
			  const char *namespace)
{
	/* the line format of modpost's write_dump() */
	return p + scnprintf(p, end - p, "0x%08x\t%s\t%s\tEXPORT_SYMBOL%s\t%s\n",
			     crc, name, owner, gpl_only ? "_GPL" : "",
			     namespace);
}

/* A table of exports, vmlinux's or a module's */
struct symvers_table {
	const struct kernel_symbol *syms;
	const u32 *crcs;
	const u8 *flags;	/* KSYM_FLAG_* of each symbol */
	unsigned int count;
};

static bool symvers_gpl_only(const struct symvers_table *t, unsigned int i)
{
	return t->flags[i] & KSYM_FLAG_GPL_ONLY;
}

/* Fill @t with the tables of vmlinux; return how many. */
static unsigned int symvers_vmlinux_tables(struct symvers_table *t)
{
	t[0] = (struct symvers_table) {
		.syms	= __start___ksymtab,
		.crcs	= __start___kcrctab,
		.flags	= __start___kflagstab,
		.count	= __stop___ksymtab - __start___ksymtab,
	};
	return 1;
}

/* Fill @t with the tables of @mod; return how many. */
static unsigned int symvers_module_tables(const struct module *mod,
					  struct symvers_table *t)
{
	t[0] = (struct symvers_table) {
		.syms	= mod->syms,
		.crcs	= mod->crcs,
		.flags	= mod->flagstab,
		.count	= mod->num_syms,
	};
	return 1;
}

/* at most this many tables from symvers_*_tables() */
#define SYMVERS_TABLES		1

static u32 symvers_crc(const struct symvers_table *t, unsigned int i)
{
	return IS_ENABLED(CONFIG_MODVERSIONS) && t->crcs ? t->crcs[i] : 0;
}

static size_t symvers_table_len(const struct symvers_table *t,
				size_t owner_len)
{
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < t->count; i++)
		len += symvers_line_len(kernel_symbol_name(&t->syms[i]),
					kernel_symbol_namespace(&t->syms[i]) ?: "",
					owner_len, symvers_gpl_only(t, i));
	return len;
}

static char *symvers_table_lines(char *p, char *end,
				 const struct symvers_table *t)
{
	unsigned int i;

	for (i = 0; i < t->count; i++)
		p = symvers_line(p, end, symvers_crc(t, i),
				 kernel_symbol_name(&t->syms[i]), "vmlinux",
				 symvers_gpl_only(t, i),
				 kernel_symbol_namespace(&t->syms[i]) ?: "");
	return p;
}

/*
 * The modules whose exports a Module.symvers lists: the live modules of
 * the kernel's own tree, as a distribution's Module.symvers lists them,
 * not those built out of it.  MODULE_STATE_LIVE is set without
 * module_mutex, so a module that goes live during a copy may or may not
 * be in it; it is in the next one.
 */
static bool symvers_lists(const struct module *mod)
{
	return READ_ONCE(mod->state) == MODULE_STATE_LIVE &&
	       !test_bit(TAINT_OOT_MODULE, &mod->taints);
}

static size_t symvers_strings_len(const struct symvers_table *t)
{
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < t->count; i++)
		len += strlen(kernel_symbol_name(&t->syms[i])) + 1 +
		       strlen(kernel_symbol_namespace(&t->syms[i]) ?: "") + 1;
	return len;
}

/* Bytes of a copy of the modules' exports; module_mutex held. */
static size_t symvers_copy_size(unsigned int *count)
{
	struct symvers_table t[SYMVERS_TABLES];
	struct module *mod;
	unsigned int i, n;
	size_t len = 0;

	*count = 0;
	list_for_each_entry(mod, &modules, list) {
		if (!symvers_lists(mod))
			continue;
		len += strlen(mod->name) + 1;
		n = symvers_module_tables(mod, t);
		for (i = 0; i < n; i++) {
			*count += t[i].count;
			len += symvers_strings_len(&t[i]);
		}
	}
	return array_size(*count, sizeof(struct symvers_export)) + len;
}

static u32 symvers_copy_string(struct symvers_copy *c, const char *s)
{
	size_t n = strlen(s) + 1;
	u32 at = c->strings_len;

	memcpy(c->strings + at, s, n);
	c->strings_len += n;
	return at;
}

static void symvers_copy_table(struct symvers_copy *c, u32 owner,
			       const struct symvers_table *t)
{
	struct symvers_export *exp;
	const char *ns;
	unsigned int i;

	for (i = 0; i < t->count; i++) {
		exp = &c->exports[c->count++];
		ns = kernel_symbol_namespace(&t->syms[i]) ?: "";
		exp->crc = symvers_crc(t, i);
		exp->gpl_only = symvers_gpl_only(t, i);
		exp->owner = owner;
		exp->name = symvers_copy_string(c, kernel_symbol_name(&t->syms[i]));
		exp->namespace = symvers_copy_string(c, ns);
	}
}

/*
 * Copy the exports of the modules listed into memory from kvmalloc(), in
 * *@c; kvfree(c->exports) frees it.  The size is measured with
 * module_mutex held, the memory allocated without it, and the copy made
 * once the memory is large enough for the modules live then.
 */
static int symvers_copy_modules(struct symvers_copy *c)
{
	struct symvers_table t[SYMVERS_TABLES];
	size_t need, have = 0;
	unsigned int count, i, n;
	struct module *mod;
	void *mem = NULL;
	u32 owner;

	for (;;) {
		mutex_lock(&module_mutex);
		need = symvers_copy_size(&count);
		if (need <= have)
			break;
		mutex_unlock(&module_mutex);
		kvfree(mem);
		/* room for a module or two loading meanwhile */
		have = size_add(need, need / 8);
		mem = kvmalloc(have, GFP_KERNEL_ACCOUNT);
		if (!mem)
			return -ENOMEM;
	}
	*c = (struct symvers_copy) {
		.exports = mem,
		.strings = (char *)mem + count * sizeof(struct symvers_export),
	};
	list_for_each_entry(mod, &modules, list) {
		if (!symvers_lists(mod))
			continue;
		owner = symvers_copy_string(c, mod->name);
		n = symvers_module_tables(mod, t);
		for (i = 0; i < n; i++)
			symvers_copy_table(c, owner, &t[i]);
	}
	mutex_unlock(&module_mutex);
	return 0;
}

/**
 * module_symvers() - the exports of the running kernel, as Module.symvers
 *	lists them
 * @head: bytes to leave before the text, for the caller
 * @tail: bytes of zeroes to leave after the text
 * @in_tree: list the exports of the live in-tree modules after those of
 *	vmlinux; without it, vmlinux's alone, which never change
 * @len: set to the length of the text
 * @modules: unless NULL, set to whether a module's exports are listed
 *
 * The text is what modpost writes to Module.symvers for the same
 * symbols, so that modpost, building an external module, finds the
 * symbols it uses and their CRCs.  modpost writes the path of a module in
 * the build tree as its owner; the kernel knows only its name, which is
 * what modpost uses the field for.  The modules are listed as they were
 * at one moment: their exports are copied with module_mutex held, and
 * the text is formatted after the mutex is released.  Memory is charged
 * to the caller's memory cgroup.
 *
 * Return: the buffer, from kvmalloc(): @head bytes, the text, @tail
 * zeroes, or ERR_PTR(-ENOMEM).
 */
void *module_symvers(size_t head, size_t tail, bool in_tree, size_t *len,
		     bool *modules)
{
	struct symvers_table vmlinux[SYMVERS_TABLES];
	unsigned int tables = symvers_vmlinux_tables(vmlinux);
	struct symvers_copy c = { };
	struct symvers_export *exp;
	size_t size = 0, i;
	char *buf, *p, *end;

	if (in_tree && symvers_copy_modules(&c))
		return ERR_PTR(-ENOMEM);

	for (i = 0; i < tables; i++)
		size += symvers_table_len(&vmlinux[i], sizeof("vmlinux") - 1);
	for (i = 0; i < c.count; i++) {
		exp = &c.exports[i];
		size += symvers_line_len(c.strings + exp->name,
					 c.strings + exp->namespace,
					 strlen(c.strings + exp->owner),
					 exp->gpl_only);
	}
	/* and scnprintf()'s NUL, which the tail's first zero may be */
	buf = kvmalloc(size_add(size_add(head, size), tail + 1),
		       GFP_KERNEL_ACCOUNT);
	if (!buf)
		goto out;

	/* the end for scnprintf(), which leaves room for its NUL */
	end = buf + head + size + 1;
	p = buf + head;
	for (i = 0; i < tables; i++)
		p = symvers_table_lines(p, end, &vmlinux[i]);
	for (i = 0; i < c.count; i++) {
		exp = &c.exports[i];
		p = symvers_line(p, end, exp->crc, c.strings + exp->name,
				 c.strings + exp->owner, exp->gpl_only,
				 c.strings + exp->namespace);
	}
	WARN_ON_ONCE(p != end - 1);
	memset(p, 0, buf + head + size + tail + 1 - p);
	*len = p - (buf + head);
	if (modules)
		*modules = c.count > 0;
out:
	kvfree(c.exports);
	return buf ?: ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_NS_GPL(module_symvers, "MODULE_SYMVERS");
