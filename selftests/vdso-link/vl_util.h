/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the vdso-link tests: paths from VLIBC_BUILD/VLIBC_SRC, running
 * a program with its output captured (fork + exec, no shell), whole-file
 * I/O and a scratch directory per test.
 */
#ifndef _VL_UTIL_H
#define _VL_UTIL_H

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define VL_PAGE		4096UL

/* "$VLIBC_BUILD/<fmt...>" (or VLIBC_SRC), malloc'd; NULL if unset. */
static inline char *vl_path(const char *env, const char *fmt, ...)
{
	const char *base = getenv(env);
	char *rel, *out;
	va_list ap;

	if (!base || !*base)
		return NULL;
	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		rel = NULL;
	va_end(ap);
	if (!rel || asprintf(&out, "%s/%s", base, rel) < 0)
		out = NULL;
	free(rel);
	return out;
}

#define vl_build(...)	vl_path("VLIBC_BUILD", __VA_ARGS__)
#define vl_src(...)	vl_path("VLIBC_SRC", __VA_ARGS__)

/*
 * Run argv[0] (searched in PATH when it has no slash) with stdout and
 * stderr captured together into *@out (malloc'd, NUL-terminated).  Returns
 * the wait status, or -1 if the program could not be started at all.
 */
static inline int vl_run(char *const argv[], char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	int pfd[2], status;
	pid_t pid;
	ssize_t n;

	*out = NULL;
	if (!buf || pipe2(pfd, O_CLOEXEC)) {
		free(buf);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		free(buf);
		return -1;
	}
	if (!pid) {
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		if (len + 1 >= cap) {
			char *b = realloc(buf, cap * 2);

			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	*out = buf;
	return status;
}

/* Exit code of a wait status; 128 + signal when killed; -1 if unknown. */
static inline int vl_exit_code(int status)
{
	if (status == -1)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

static inline unsigned char *vl_read_file(const char *path, size_t *size)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		goto out;
	buf = malloc(st.st_size + 1);
	while (buf && done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n <= 0) {
			free(buf);
			buf = NULL;
			break;
		}
		done += n;
	}
	*size = done;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

static inline int vl_write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += n;
	}
	return close(fd);
}

/* A fresh directory under $TMPDIR (or /tmp), malloc'd path. */
static inline char *vl_mkdtemp(void)
{
	const char *t = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/vlibc-vdso-link.XXXXXX", t && *t ? t : "/tmp") < 0)
		return NULL;
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static inline void vl_rm_rf(const char *dir)
{
	char *argv[] = { "rm", "-rf", "--", (char *)dir, NULL };
	char *out;

	if (dir && vl_run(argv, &out) != -1)
		free(out);
}

/* Number of entries in @dir other than . and .., or -1. */
static inline int vl_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

#endif /* _VL_UTIL_H */
