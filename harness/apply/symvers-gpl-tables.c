struct symvers_table {
	const struct kernel_symbol *syms;
	const s32 *crcs;
	bool gpl_only;		/* the table of EXPORT_SYMBOL_GPL() */
	unsigned int count;
};

static bool symvers_gpl_only(const struct symvers_table *t, unsigned int i)
{
	return t->gpl_only;
}

/* Fill @t with the tables of vmlinux; return how many. */
static unsigned int symvers_vmlinux_tables(struct symvers_table *t)
{
	t[0] = (struct symvers_table) {
		.syms	= __start___ksymtab,
		.crcs	= __start___kcrctab,
		.count	= __stop___ksymtab - __start___ksymtab,
	};
	t[1] = (struct symvers_table) {
		.syms	  = __start___ksymtab_gpl,
		.crcs	  = __start___kcrctab_gpl,
		.gpl_only = true,
		.count	  = __stop___ksymtab_gpl - __start___ksymtab_gpl,
	};
	return 2;
}

/* Fill @t with the tables of @mod; return how many. */
static unsigned int symvers_module_tables(const struct module *mod,
					  struct symvers_table *t)
{
	t[0] = (struct symvers_table) {
		.syms	= mod->syms,
		.crcs	= mod->crcs,
		.count	= mod->num_syms,
	};
	t[1] = (struct symvers_table) {
		.syms	  = mod->gpl_syms,
		.crcs	  = mod->gpl_crcs,
		.gpl_only = true,
		.count	  = mod->num_gpl_syms,
	};
	return 2;
}

/* at most this many tables from symvers_*_tables() */
#define SYMVERS_TABLES		2
