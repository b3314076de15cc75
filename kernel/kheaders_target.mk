# SPDX-License-Identifier: GPL-2.0
#
# The programs that "make M=... modules" runs, built for the target of a
# cross-compiled kernel so that the kheaders archive works on the device.
# This is the Kbuild file of kernel/kheaders_target/scripts/, an external
# module directory of links to the programs' sources that kernel/Makefile
# builds with HOSTCC set to the kernel's compiler (see gen_kheaders.sh
# --target-tree).  The object lists are read from the tree's own makefiles.
#
# scripts/mod/elfconfig.h and devicetable-offsets.h, which describe the
# target, are the ones the kernel build generated; mk_elfconfig, which
# made them, is a build-host program and is not rebuilt here.

kheaders-objs = $(addprefix $(1)/,$(shell sed -n \
	's/^$(2)-objs[[:space:]]*:=//p' $(srctree)/scripts/$(1)/Makefile))

hostprogs-always-y += basic/fixdep mod/modpost
mod/modpost-objs := $(call kheaders-objs,mod,modpost)

# genksyms, unless the CRCs come from DWARF (gendwarfksyms: a stand-in,
# see gen_kheaders.sh)
ifndef CONFIG_GENDWARFKSYMS
hostprogs-always-$(CONFIG_MODVERSIONS) += genksyms/genksyms
endif
genksyms/genksyms-objs := $(call kheaders-objs,genksyms,genksyms)
HOSTCFLAGS_genksyms/parse.tab.o := -I $(src)/genksyms
HOSTCFLAGS_genksyms/lex.lex.o := -I $(src)/genksyms
$(obj)/genksyms/lex.lex.o: $(obj)/genksyms/parse.tab.h

hostprogs-always-$(BUILD_C_RECORDMCOUNT) += recordmcount

# As scripts/genksyms/Makefile does: the grammar's known conflicts are no
# news unless extra warnings were asked for.  A pattern rule, so that make
# knows one bison run makes both files: two explicit targets would be two
# rules, and "make -j" would run bison twice at once on the same output.
ifeq ($(findstring 1,$(KBUILD_EXTRA_WARN)),)
$(obj)/genksyms/pars%.tab.c $(obj)/genksyms/pars%.tab.h: $(src)/genksyms/pars%.y FORCE
	$(call if_changed,bison_quiet)
quiet_cmd_bison_quiet = $(quiet_cmd_bison)
      cmd_bison_quiet = $(cmd_bison) 2>/dev/null
endif
