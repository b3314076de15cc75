// SPDX-License-Identifier: GPL-2.0
/*
 * kheaders_tar - write the tar stream behind /proc/kheaders.tar.xz
 *
 * Usage: kheaders_tar [--end] [--order SRCARCH] SRCTREE MTIME
 *                     [NAME=PATH | NAME->TARGET...] < list > archive.tar
 *
 * The list on standard input holds NUL-terminated paths, each either below
 * SRCTREE (stored without that prefix) or relative to the object tree, the
 * current directory.  NAME=PATH arguments add the file at PATH as NAME,
 * NAME->TARGET a symbolic link NAME to TARGET.  The members are written in
 * byte order of their names with owner 0, group 0, mode 0644 or 0755
 * (links 0777) and modification time MTIME, so that the same files always
 * give the same bytes.  Comments are removed from headers, except those
 * that carry an SPDX license identifier.
 *
 * Without --end, the stream ends without the two zero blocks that mark the
 * end of a tar archive: the kernel appends Module.symvers and that marker
 * when it serves the archive (see kernel/kheaders.c).
 *
 * With --order SRCARCH (for the image that /dev/kheaders serves), the
 * members come in the order a module build reads them instead: the files
 * that are not headers (makefiles, configuration, programs), then the
 * headers in the order the preprocessor first opens them, starting from
 * those every module includes, then the other headers.  SquashFS packs
 * small files together in blocks that it decompresses whole and keeps only
 * three of: in name order, nearly every header a compiler opens costs a
 * block's decompression; in this order, headers read one after the other
 * share blocks.
 *
 * One process does the work that would otherwise take a process per header.
 *
 * kheaders_tar --sig PREFIX < list
 *
 * prints a 64-bit FNV-1a hash of PREFIX and, for every path in the
 * NUL-terminated list, of its name and: for a file, its device, inode,
 * size, modification and change times; for a directory, the names in it.
 * gen_kheaders.sh lists every file the archive is made of and every
 * directory it searched: while the hash is the same, nothing was written,
 * added or removed, and a no-op build reads no file.  Directories are
 * hashed by their entries, not their times, because Kbuild creates and
 * removes temporary files in include/generated on every build.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK		512
#define NAME_LEN	100
#define PREFIX_LEN	155

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct member {
	const char *name;	/* as stored in the archive */
	const char *path;	/* where to read it */
	const char *link;	/* or the target of a symbolic link */
	size_t *inc;		/* --order: the members it includes */
	size_t ninc;
	int seen;
};

struct buf {
	char *data;
	size_t len;
	size_t size;
};

static const char *prog = "kheaders_tar";

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p)
		die("out of memory");
	return p;
}

static void buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more <= b->size)
		return;
	while (b->len + more > b->size)
		b->size = b->size ? b->size * 2 : 65536;
	b->data = xrealloc(b->data, b->size);
}

static void buf_add(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
}

/* Append all that can be read from fd to b; name is for the error. */
static void read_all(int fd, const char *name, struct buf *b)
{
	ssize_t n;

	for (;;) {
		buf_reserve(b, 65536);
		n = read(fd, b->data + b->len, b->size - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: %s", name, strerror(errno));
		if (n == 0)
			break;
		b->len += n;
	}
}

static void read_file(const char *path, struct buf *b, mode_t *mode)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("%s: not a regular file", path);
	*mode = st.st_mode;
	b->len = 0;
	buf_reserve(b, st.st_size + 1);
	read_all(fd, path, b);
	close(fd);
}

/*
 * End an output line: drop its leading and trailing blanks, and drop the
 * line altogether if nothing is left of it.  A line that continues the one
 * before it (which ends with a backslash) keeps its leading blanks, as they
 * may be inside a string literal, and is kept even when empty, because it
 * ends that continued line (a macro definition, say); removing it would
 * splice the next line into the macro.  Elsewhere leading blanks separate
 * no tokens: C, the preprocessor and the assembler read the line the same.
 */
static void end_line(struct buf *out, size_t line_start)
{
	int continued = line_start >= 2 && out->data[line_start - 2] == '\\';
	size_t lead = line_start;

	while (out->len > line_start &&
	       (out->data[out->len - 1] == ' ' || out->data[out->len - 1] == '\t'))
		out->len--;
	if (!continued) {
		while (lead < out->len &&
		       (out->data[lead] == ' ' || out->data[lead] == '\t'))
			lead++;
		memmove(out->data + line_start, out->data + lead, out->len - lead);
		out->len -= lead - line_start;
	}
	if (out->len == line_start && !continued)
		return;
	buf_addc(out, '\n');
}

static int is_spdx(const char *s, size_t n)
{
	static const char tag[] = "SPDX-License-Identifier";
	size_t len = sizeof(tag) - 1;
	size_t i;

	for (i = 0; i + len <= n; i++)
		if (!memcmp(s + i, tag, len))
			return 1;
	return 0;
}

/*
 * The length of the line splice (a backslash, optional blanks, a newline)
 * at s[i], or 0 if there is none.  Like GCC, blanks between the backslash
 * and the newline are accepted.
 */
static size_t splice_len(const char *s, size_t n, size_t i)
{
	size_t j;

	if (i >= n || s[i] != '\\')
		return 0;
	for (j = i + 1; j < n && s[j] && strchr(" \t\f\v\r", s[j]); j++)
		;
	return j < n && s[j] == '\n' ? j + 1 - i : 0;
}

/* The index of the character after s[i], past any line splices. */
static size_t next(const char *s, size_t n, size_t i)
{
	size_t len;

	for (i++; (len = splice_len(s, n, i)); i += len)
		;
	return i < n ? i : n;
}

/*
 * Remove the comments of a C header the way the C compiler does: a comment
 * becomes one space, so that the tokens around it, and the lines of a
 * directive it spans, stay as they were.  Line splices are honoured first,
 * as in translation phase 2: a backslash-newline may split the "/" and "*"
 * of a comment's delimiters, continues a // comment onto the next line and
 * continues a literal.  String and character literals are copied untouched;
 * like the compiler, an unterminated literal ends at the end of its line.
 * Comments holding an SPDX license identifier are kept as they are.  Blank
 * lines and indentation go too (see end_line()).
 */
static void strip_comments(const char *s, size_t n, struct buf *out)
{
	size_t line_start = out->len;
	size_t i = 0, j, k, len;
	char c;

	while (i < n) {
		c = s[i];
		k = next(s, n, i);
		len = splice_len(s, n, i);

		if (c == '\n') {
			end_line(out, line_start);
			line_start = out->len;
			i++;
		} else if (c == '"' || c == '\'') {
			j = k;
			while (j < n && s[j] != c && s[j] != '\n') {
				if (s[j] == '\\')	/* to the escaped character */
					j = next(s, n, j);
				if (j < n)
					j = next(s, n, j);
			}
			if (j < n && s[j] == c)
				j++;
			buf_add(out, s + i, j - i);
			i = j;
		} else if (c == '/' && k < n && s[k] == '*') {
			/* the comment ends after the "/" of the first "*" "/" */
			j = next(s, n, k);
			while (j < n && !(s[j] == '*' && next(s, n, j) < n &&
					  s[next(s, n, j)] == '/'))
				j = next(s, n, j);
			j = j < n ? next(s, n, j) + 1 : n;
			if (is_spdx(s + i, j - i))
				buf_add(out, s + i, j - i);
			else
				buf_addc(out, ' ');
			i = j;
		} else if (c == '/' && k < n && s[k] == '/') {
			/* up to the newline that no splice absorbs */
			for (j = next(s, n, k); j < n && s[j] != '\n'; j = next(s, n, j))
				;
			if (is_spdx(s + i, j - i))
				buf_add(out, s + i, j - i);
			else
				buf_addc(out, ' ');
			i = j;
		} else if (len) {
			/* a splice in code: keep it, without the blanks */
			buf_addc(out, '\\');
			i += len - 1;
		} else {
			buf_addc(out, c);
			i++;
		}
	}
	if (out->len > line_start)
		end_line(out, line_start);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

static void octal(char *field, size_t width, unsigned long long v)
{
	/* width - 1 digits and a NUL, as ustar wants */
	if (snprintf(field, width, "%0*llo", (int)width - 1, v) >= (int)width)
		die("value %llu does not fit a tar header field", v);
}

static void write_all(const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n) {
		w = write(STDOUT_FILENO, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write: %s", w < 0 ? strerror(errno) : "short write");
		c += w;
		n -= w;
	}
}

/* A file with @size bytes of @data, or with @link a symbolic link. */
static void write_member(const char *name, mode_t mode, unsigned long long mtime,
			 const char *data, size_t size, const char *link)
{
	static const char zeros[BLOCK];
	char h[BLOCK];
	size_t len = strlen(name), split;
	unsigned int sum = 0;
	int i;

	memset(h, 0, sizeof(h));
	if (len <= NAME_LEN) {
		memcpy(h, name, len);
	} else {
		/* ustar: prefix + '/' + name; split at a slash that fits both */
		split = len - NAME_LEN - 1;
		while (split < len && name[split] != '/')
			split++;
		if (split >= len || split > PREFIX_LEN)
			die("%s: name too long for a ustar header", name);
		memcpy(h + 345, name, split);
		memcpy(h, name + split + 1, len - split - 1);
	}
	octal(h + 100, 8, link ? 0777 : (mode & 0111) ? 0755 : 0644);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, mtime);
	h[156] = link ? '2' : '0';
	if (link) {
		if (strlen(link) > NAME_LEN)
			die("%s: link target too long for a ustar header", name);
		memcpy(h + 157, link, strlen(link));
	}
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < BLOCK; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);

	write_all(h, BLOCK);
	write_all(data, size);
	if (size % BLOCK)
		write_all(zeros, BLOCK - size % BLOCK);
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name,
		      ((const struct member *)b)->name);
}

/* Read the NUL-terminated list of paths on standard input. */
static void read_list(struct buf *list)
{
	read_all(STDIN_FILENO, "reading the file list", list);
	if (list->len && list->data[list->len - 1] != '\0')
		die("the file list must end with a NUL");
}

static unsigned long long fnv1a(unsigned long long h, const char *s, size_t n)
{
	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int cmp_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static unsigned long long hash_dir(unsigned long long h, const char *path)
{
	struct dirent **names;
	char line[32];
	int i, n;

	n = scandir(path, &names, NULL, cmp_name);
	if (n < 0) {
		snprintf(line, sizeof(line), "error %d", errno);
		return fnv1a(h, line, strlen(line) + 1);
	}
	h = fnv1a(h, "dir", 4);
	for (i = 0; i < n; i++) {
		h = fnv1a(h, names[i]->d_name, strlen(names[i]->d_name) + 1);
		free(names[i]);
	}
	free(names);
	return h;
}

static int signature(const char *prefix)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	struct buf list = { 0 };
	struct stat st;
	char line[160];
	char *p;

	read_list(&list);
	h = fnv1a(h, prefix, strlen(prefix) + 1);
	for (p = list.data; p < list.data + list.len; p += strlen(p) + 1) {
		h = fnv1a(h, p, strlen(p) + 1);
		if (stat(p, &st)) {
			snprintf(line, sizeof(line), "error %d", errno);
		} else if (S_ISDIR(st.st_mode)) {
			h = hash_dir(h, p);
			continue;
		} else {
			snprintf(line, sizeof(line),
				 "%llu %llu %lld %lld.%09ld %lld.%09ld",
				 (unsigned long long)st.st_dev,
				 (unsigned long long)st.st_ino,
				 (long long)st.st_size,
				 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
				 (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
		}
		h = fnv1a(h, line, strlen(line) + 1);
	}
	printf("%016llx\n", h);
	return fflush(stdout) || ferror(stdout);
}

/*
 * --order: the headers that every module build reads first, in the order
 * Kbuild's command line and a module's source name them: the headers that
 * c_flags includes with -include, then <linux/module.h>.
 */
static const char *const order_roots[] = {
	"include/linux/compiler-version.h",
	"include/linux/kconfig.h",
	"include/linux/compiler_types.h",
	"include/linux/module.h",
};

/*
 * The directories of Kbuild's -I options (LINUXINCLUDE), in their order:
 * below arch/SRCARCH/ or not.
 */
static const struct {
	int arch;
	const char *dir;
} order_dirs[] = {
	{ 1, "include/" },
	{ 1, "include/generated/" },
	{ 0, "include/" },
	{ 1, "include/uapi/" },
	{ 1, "include/generated/uapi/" },
	{ 0, "include/uapi/" },
	{ 0, "include/generated/uapi/" },
};

struct members {
	struct member *m;
	size_t count;
	const char *arch;	/* --order SRCARCH */
	struct buf name;	/* resolve()'s */
};

static struct member *find_member(struct members *ms, const char *name)
{
	struct member key = { .name = name };

	return bsearch(&key, ms->m, ms->count, sizeof(key), cmp_member);
}

/*
 * @len bytes of @file after @dirlen of @dir (which end with a slash) in
 * ms->name, with its "." and ".." components resolved: 0 if nothing is
 * left or it would leave the archive.
 */
static int join_name(struct members *ms, const char *dir, size_t dirlen,
		     const char *file, size_t len)
{
	struct buf *b = &ms->name;
	size_t i = 0, out = 0, n;
	int last;

	b->len = 0;
	buf_add(b, dir, dirlen);
	buf_add(b, file, len);
	buf_addc(b, '\0');
	/* one component at a time, rewritten in place */
	do {
		n = strcspn(b->data + i, "/");
		last = !b->data[i + n];
		if (n == 2 && !strncmp(b->data + i, "..", 2)) {
			if (!out)
				return 0;
			for (out--; out && b->data[out - 1] != '/'; out--)
				;
		} else if (n && !(n == 1 && b->data[i] == '.')) {
			memmove(b->data + out, b->data + i, n);
			out += n;
			if (!last)
				b->data[out++] = '/';
		}
		i += n + 1;
	} while (!last);
	b->data[out] = '\0';
	return out > 0;
}

/*
 * The member that member @from opens with "#include" of the @len bytes of
 * @file, or NULL if the archive has none: between quotes (@quoted), in the
 * directory of @from first; then in Kbuild's -I directories.
 */
static struct member *resolve(struct members *ms, const struct member *from,
			      const char *file, size_t len, int quoted)
{
	const char *slash = strrchr(from->name, '/');
	struct member *found;
	char dir[64];
	size_t i;
	int n;

	if (quoted && join_name(ms, from->name, slash ? slash + 1 - from->name : 0,
				file, len)) {
		found = find_member(ms, ms->name.data);
		if (found)
			return found;
	}
	for (i = 0; i < ARRAY_SIZE(order_dirs); i++) {
		if (order_dirs[i].arch)
			n = snprintf(dir, sizeof(dir), "arch/%s/%s", ms->arch,
				     order_dirs[i].dir);
		else
			n = snprintf(dir, sizeof(dir), "%s", order_dirs[i].dir);
		if (n < 0 || n >= (int)sizeof(dir))
			die("%s: SRCARCH too long", ms->arch);
		if (!join_name(ms, dir, n, file, len))
			continue;
		found = find_member(ms, ms->name.data);
		if (found)
			return found;
	}
	return NULL;
}

/*
 * The members that header @h names in its #include directives, those in
 * comments or in blocks that the preprocessor skips included: this is
 * only an order.
 */
static void find_includes(struct members *ms, struct member *h,
			  struct buf *text)
{
	const char *s, *line, *end, *close;
	struct member *inc;
	mode_t mode;

	read_file(h->path, text, &mode);
	for (line = text->data; line < text->data + text->len; line = end + 1) {
		end = memchr(line, '\n', text->data + text->len - line);
		if (!end)
			end = text->data + text->len;
		s = line + strspn(line, " \t");
		if (s >= end || *s != '#')
			continue;
		s += 1 + strspn(s + 1, " \t");
		if (end - s < 9 || strncmp(s, "include", 7))
			continue;
		s += 7 + strspn(s + 7, " \t");
		if (s >= end || (*s != '<' && *s != '"'))
			continue;
		close = memchr(s + 1, *s == '<' ? '>' : '"', end - s - 1);
		if (!close)
			continue;
		inc = resolve(ms, h, s + 1, close - s - 1, *s == '"');
		if (!inc || inc == h)
			continue;
		h->inc = xrealloc(h->inc, (h->ninc + 1) * sizeof(*h->inc));
		h->inc[h->ninc++] = inc - ms->m;
	}
}

/* Member @i, then what it includes, depth first, each once, to @order. */
static void visit(struct members *ms, size_t i, size_t *order, size_t *n)
{
	struct member *mi = &ms->m[i];
	size_t j;

	if (mi->seen)
		return;
	mi->seen = 1;
	order[(*n)++] = i;
	for (j = 0; j < mi->ninc; j++)
		visit(ms, mi->inc[j], order, n);
}

/* --order: the order described at the top of this file, in @order. */
static void read_order(struct members *ms, size_t *order)
{
	struct buf text = { 0 };
	struct member *root;
	size_t i, n = 0;

	for (i = 0; i < ms->count; i++)
		if (!ms->m[i].link && has_suffix(ms->m[i].name, ".h"))
			find_includes(ms, &ms->m[i], &text);
	free(text.data);
	for (i = 0; i < ms->count; i++)
		if (!has_suffix(ms->m[i].name, ".h"))
			visit(ms, i, order, &n);
	for (i = 0; i < ARRAY_SIZE(order_roots); i++) {
		root = find_member(ms, order_roots[i]);
		if (root)
			visit(ms, root - ms->m, order, &n);
	}
	for (i = 0; i < ms->count; i++)
		visit(ms, i, order, &n);
}

int main(int argc, char **argv)
{
	struct buf list = { 0 }, in = { 0 }, out = { 0 };
	struct members ms = { 0 };
	struct member *m = NULL;
	size_t count = 0, i, prefix_len, *order;
	unsigned long long mtime;
	char *p, *end;
	int end_marker = 0;
	mode_t mode;

	if (argc == 3 && !strcmp(argv[1], "--sig"))
		return signature(argv[2]);
	for (;;) {
		if (argc > 1 && !strcmp(argv[1], "--end")) {
			end_marker = 1;
		} else if (argc > 2 && !strcmp(argv[1], "--order")) {
			ms.arch = argv[2];
			argv++;
			argc--;
		} else {
			break;
		}
		argv++;
		argc--;
	}
	if (argc < 3 || (ms.arch && (!*ms.arch || strchr(ms.arch, '/'))))
		die("usage: %s [--end] [--order SRCARCH] SRCTREE MTIME\n"
		    "           [NAME=PATH | NAME->TARGET...] < list > archive.tar\n"
		    "       %s --sig PREFIX < list", prog, prog);
	errno = 0;
	mtime = strtoull(argv[2], &end, 10);
	if (errno || end == argv[2] || *end)
		die("bad modification time '%s'", argv[2]);
	prefix_len = strlen(argv[1]);

	read_list(&list);

	for (p = list.data; p < list.data + list.len; p += strlen(p) + 1) {
		if (!*p)
			die("empty name in the file list");
		m = xrealloc(m, (count + 1) * sizeof(*m));
		m[count] = (struct member){ .name = p, .path = p };
		if (!strncmp(p, argv[1], prefix_len) && p[prefix_len] == '/')
			m[count].name = p + prefix_len + 1;
		while (!strncmp(m[count].name, "./", 2))
			m[count].name += 2;
		if (m[count].name[0] == '/' || !strncmp(m[count].name, "../", 3))
			die("%s: outside the source and object trees", p);
		count++;
	}
	for (i = 3; i < (size_t)argc; i++) {
		m = xrealloc(m, (count + 1) * sizeof(*m));
		m[count] = (struct member){ .name = argv[i] };
		p = strstr(argv[i], "->");
		if (p && p != argv[i] && p[2]) {
			*p = '\0';
			m[count].path = p + 2;
			m[count].link = p + 2;
		} else {
			p = strchr(argv[i], '=');
			if (!p || p == argv[i] || !p[1])
				die("'%s' is neither NAME=PATH nor NAME->TARGET",
				    argv[i]);
			*p = '\0';
			m[count].path = p + 1;
		}
		count++;
	}
	if (!count)
		die("no files to archive");

	qsort(m, count, sizeof(*m), cmp_member);
	for (i = 1; i < count; i++)
		if (!strcmp(m[i - 1].name, m[i].name))
			die("%s: listed twice (%s and %s)", m[i].name,
			    m[i - 1].path, m[i].path);

	order = xrealloc(NULL, count * sizeof(*order));
	for (i = 0; i < count; i++)
		order[i] = i;
	if (ms.arch) {
		ms.m = m;
		ms.count = count;
		read_order(&ms, order);
	}

	for (i = 0; i < count; i++) {
		const struct member *mi = &m[order[i]];

		if (mi->link) {
			write_member(mi->name, 0, mtime, NULL, 0, mi->link);
			continue;
		}
		read_file(mi->path, &in, &mode);
		if (has_suffix(mi->name, ".h")) {
			out.len = 0;
			strip_comments(in.data, in.len, &out);
			write_member(mi->name, mode, mtime, out.data, out.len,
				     NULL);
		} else {
			write_member(mi->name, mode, mtime, in.data, in.len,
				     NULL);
		}
	}
	if (end_marker) {
		static const char zeros[2 * BLOCK];

		write_all(zeros, sizeof(zeros));
	}
	return 0;
}
