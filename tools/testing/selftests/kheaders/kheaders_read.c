// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrent readers for the kheaders stress test.  Each reader reads FILE
 * at random offsets and with random lengths, through pread() or lseek()
 * and read(), reopening it now and then, and compares every byte with REF,
 * a copy of the file read before.
 *
 * Usage: kheaders_read [-g] FILE REF READERS ROUNDS SEED
 *
 *   -g  the file may go away while it is read (kheaders is unloaded): a
 *       reader whose read or open then fails with EIO, ENODEV or ENOENT
 *       stops there; what it read before must still match.
 *
 * Exit status: 0 every byte matched, 1 a mismatch or another error,
 * 2 a usage error.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LEN		(192 * 1024)
#define PAST_END	8192

static const char *path;
static int may_go;

static int went_away(int err)
{
	return may_go && (err == EIO || err == ENODEV || err == ENOENT);
}

static unsigned long long rnd(unsigned long long *state)
{
	/* xorshift64*: enough for offsets, and the same on every libc */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

/* Read up to @len bytes at @off as the kernel gives them; -1 on error. */
static ssize_t read_at(int fd, unsigned char *buf, size_t len, off_t off,
		       int use_pread)
{
	size_t done = 0;
	ssize_t n;

	if (!use_pread && lseek(fd, off, SEEK_SET) != off) {
		/* proc answers lseek on a removed entry with EINVAL */
		if (may_go && errno == EINVAL)
			errno = ENODEV;
		return -1;
	}
	while (done < len) {
		if (use_pread)
			n = pread(fd, buf + done, len - done, off + done);
		else
			n = read(fd, buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -1;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

static int run_reader(int id, const unsigned char *ref, size_t size,
		      unsigned long rounds, unsigned long long seed)
{
	unsigned long long state = seed * 0x9e3779b97f4a7c15ULL + id + 1;
	unsigned long long bytes = 0;
	unsigned char *buf;
	unsigned long r;
	size_t len, want;
	ssize_t got;
	off_t off;
	int fd = -1;

	buf = malloc(MAX_LEN);
	if (!buf) {
		perror("malloc");
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		if (fd < 0 || rnd(&state) % 32 == 0) {
			if (fd >= 0)
				close(fd);
			fd = open(path, O_RDONLY);
			if (fd < 0) {
				if (went_away(errno))
					break;
				fprintf(stderr, "reader %d: open %s: %s\n", id,
					path, strerror(errno));
				return 1;
			}
		}
		off = rnd(&state) % (size + PAST_END);
		if (rnd(&state) % 4 == 0)
			len = 1 + rnd(&state) % 64;
		else
			len = 1 + rnd(&state) % MAX_LEN;
		got = read_at(fd, buf, len, off, rnd(&state) % 2);
		if (got < 0) {
			if (went_away(errno))
				break;
			fprintf(stderr, "reader %d: read %zu at %lld: %s\n", id,
				len, (long long)off, strerror(errno));
			return 1;
		}
		want = (size_t)off >= size ? 0 : size - off;
		if (want > len)
			want = len;
		if ((size_t)got != want && !(may_go && (size_t)got < want)) {
			fprintf(stderr, "reader %d: read %zu at %lld gave %zd bytes, not %zu\n",
				id, len, (long long)off, got, want);
			return 1;
		}
		if (got && memcmp(buf, ref + off, got)) {
			size_t i = 0;

			while (buf[i] == ref[off + i])
				i++;
			fprintf(stderr, "reader %d: byte %lld differs from the reference\n",
				id, (long long)off + (long long)i);
			return 1;
		}
		bytes += got;
	}
	printf("# reader %d: %lu reads, %llu bytes compared\n", id, r, bytes);
	if (fd >= 0)
		close(fd);
	free(buf);
	return 0;
}

static unsigned char *slurp(const char *name, size_t *size)
{
	unsigned char *data;
	struct stat st;
	size_t done = 0;
	ssize_t n;
	int fd;

	fd = open(name, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(name);
		exit(1);
	}
	data = malloc(st.st_size + 1);
	if (!data) {
		perror("malloc");
		exit(1);
	}
	while ((n = read(fd, data + done, st.st_size - done)) > 0)
		done += n;
	if (n < 0 || done != (size_t)st.st_size) {
		fprintf(stderr, "%s: short read\n", name);
		exit(1);
	}
	close(fd);
	*size = done;
	return data;
}

int main(int argc, char **argv)
{
	unsigned long readers, rounds, i;
	unsigned long long seed;
	unsigned char *ref;
	int status, failed = 0;
	size_t size;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "-g")) {
		may_go = 1;
		argv++;
		argc--;
	}
	if (argc != 6) {
		fprintf(stderr, "usage: kheaders_read [-g] FILE REF READERS ROUNDS SEED\n");
		return 2;
	}
	path = argv[1];
	readers = strtoul(argv[3], NULL, 0);
	rounds = strtoul(argv[4], NULL, 0);
	seed = strtoull(argv[5], NULL, 0);
	if (!readers || !rounds) {
		fprintf(stderr, "kheaders_read: READERS and ROUNDS must be positive\n");
		return 2;
	}
	ref = slurp(argv[2], &size);
	if (!size) {
		fprintf(stderr, "kheaders_read: %s is empty\n", argv[2]);
		return 1;
	}

	fflush(stdout);
	for (i = 0; i < readers; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			failed = 1;
			break;
		}
		if (pid == 0)
			exit(run_reader(i, ref, size, rounds, seed));
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	return failed;
}
