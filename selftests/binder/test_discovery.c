// SPDX-License-Identifier: GPL-2.0
/*
 * Where the binder finds the image, when it falls back to glibc, and what
 * the environment toggles do.  Every case runs the probe with the binder
 * preloaded and an environment given in full.
 */
#include <elf.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include "kselftest_harness.h"
#include <sys/stat.h>
#include "binder_test.h"
#include <vlibc/abi.h>


/* The image file discovery steps only run without a kernel image. */
#define SKIP_IF_KERNEL_IMAGE()						\
	do {								\
		if (kernel_gives_image())				\
			SKIP(return, "the kernel maps the image (AT_VLIBC)"); \
	} while (0)

static int run_probe(struct vt_result *r, char **env, const char *mode,
		     const char *arg)
{
	char *argv[] = { build_files()->probe, (char *)mode, (char *)arg, NULL };

	return vt_run(r, argv, env);
}

/*
 * Torn down in the parent: an ASSERT in the test process skips the
 * harness's in-process teardown, which would leak the directories.
 */
FIXTURE(discovery) {
	char	tmp[PATH_MAX];
	int	made_lib_modules;	/* mkdir /lib/modules here */
};

FIXTURE_SETUP(discovery)
{
	char *tmp = vt_mkdtemp(NULL);

	ASSERT_NE(NULL, tmp);
	snprintf(self->tmp, sizeof(self->tmp), "%s", tmp);
	free(tmp);
	self->made_lib_modules = 0;
}

/* The tmpfs went with the test's mount namespace. */
FIXTURE_TEARDOWN_PARENT(discovery)
{
	if (self->made_lib_modules)
		rmdir("/lib/modules");
	vt_rm_rf(self->tmp);
}

/* A copy of the binder alone in @dir: nothing beside it. */
static char *lone_binder(struct __test_metadata *_metadata, const char *dir)
{
	char *path = vt_strf("%s/libvlibc.so", dir);

	ASSERT_EQ(0, vt_copy_file(build_files()->binder, path, 0755));
	return path;
}

TEST_F(discovery, build_tree)
{
	struct vt_result r;

	SKIP_IF_KERNEL_IMAGE();
	if (installed_image_exists())
		SKIP(return, "an installed image takes precedence");
	run_probe(&r, probe_env(build_files()->binder, NULL), NULL, NULL);
	check_probe(_metadata, &r, build_files()->image, "vlibc");
	vt_result_free(&r);
}

TEST_F(discovery, env_image)
{
	char *copy = vt_strf("%s/some-image.so", self->tmp);
	char *var = vt_strf("VLIBC_IMAGE=%s", copy);
	struct vt_result r;

	SKIP_IF_KERNEL_IMAGE();
	ASSERT_EQ(0, vt_copy_file(build_files()->image, copy, 0644));
	run_probe(&r, probe_env(build_files()->binder, var, NULL), NULL, NULL);
	check_probe(_metadata, &r, copy, "vlibc");
	vt_result_free(&r);
}

/* A VLIBC_IMAGE that names nothing is not replaced by another image. */
TEST_F(discovery, env_image_missing)
{
	char *var = vt_strf("VLIBC_IMAGE=%s/absent.so", self->tmp);
	struct vt_result r;

	SKIP_IF_KERNEL_IMAGE();
	run_probe(&r, probe_env(build_files()->binder, var, "VLIBC_DEBUG=1",
				NULL), NULL, NULL);
	check_probe(_metadata, &r, "none", "glibc");
	ASSERT_NE(NULL, strstr(r.err, "vlibc: no image:")) TH_LOG("%s", r.err);
	vt_result_free(&r);
}

/* A FIFO where the image should be: refused at once, never a hang. */
TEST_F(discovery, env_image_fifo)
{
	char *fifo = vt_strf("%s/fifo.so", self->tmp);
	char *var = vt_strf("VLIBC_IMAGE=%s", fifo);
	struct vt_result r;

	SKIP_IF_KERNEL_IMAGE();
	ASSERT_EQ(0, mkfifo(fifo, 0600));
	run_probe(&r, probe_env(build_files()->binder, var, "VLIBC_DEBUG=1",
				NULL), NULL, NULL);
	check_probe(_metadata, &r, "none", "glibc");
	ASSERT_NE(NULL, strstr(r.err, "vlibc: no image:")) TH_LOG("%s", r.err);
	vt_result_free(&r);
}

/* An image beside a binder whose folder makes a path of over 256 bytes. */
TEST_F(discovery, long_path_beside_binder)
{
	char *dir = vt_strf("%s/%0200d/%0100d", self->tmp, 0, 0);
	char *binder = vt_strf("%s/libvlibc.so", dir);
	char *image = vt_strf("%s/linux-vlibc.so.1", dir);
	struct vt_result r;

	SKIP_IF_KERNEL_IMAGE();
	ASSERT_EQ(0, mkdir(vt_strf("%s/%0200d", self->tmp, 0), 0755));
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, vt_copy_file(build_files()->binder, binder, 0755));
	ASSERT_EQ(0, vt_copy_file(build_files()->image, image, 0644));
	run_probe(&r, probe_env(binder, NULL), NULL, NULL);
	check_probe(_metadata, &r, image, "vlibc");
	vt_result_free(&r);
}

/* Copy the image to /lib/modules/$(uname -r)/vdso on a private tmpfs. */
static void install_privately(struct __test_metadata *_metadata,
			      FIXTURE_DATA(discovery) *self, const char *path)
{
	char *vdso = vt_strf("%.*s", (int)(strrchr(path, '/') - path), path);
	char *release = vt_strf("%.*s", (int)(strrchr(vdso, '/') - vdso), vdso);

	if (mkdir("/lib/modules", 0755) == 0)
		self->made_lib_modules = 1;
	else
		ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(0, mount("vlibc-test", "/lib/modules", "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mkdir(release, 0755));
	ASSERT_EQ(0, mkdir(vdso, 0755));
	ASSERT_EQ(0, vt_copy_file(build_files()->image, path, 0644));
	free(release);
	free(vdso);
}

TEST_F(discovery, installed)
{
	char *path = installed_image_path(), *real;
	struct vt_result r;

	SKIP_IF_KERNEL_IMAGE();
	if (geteuid())
		SKIP(return, "needs root for a private /lib/modules");
	if (unshare(CLONE_NEWNS))
		SKIP(return, "unshare(CLONE_NEWNS): %s", strerror(errno));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	install_privately(_metadata, self, path);
	real = realpath(path, NULL);	/* /lib may be a link to usr/lib */
	ASSERT_NE(NULL, real);
	run_probe(&r, probe_env(lone_binder(_metadata, self->tmp), NULL),
		  NULL, NULL);
	check_probe(_metadata, &r, real, "vlibc");
	vt_result_free(&r);
}

TEST_F(discovery, binder_alone)
{
	struct vt_result r;

	SKIP_IF_KERNEL_IMAGE();
	if (installed_image_exists())
		SKIP(return, "an installed image would be found");
	run_probe(&r, probe_env(lone_binder(_metadata, self->tmp), NULL),
		  NULL, NULL);
	check_probe(_metadata, &r, "none", "glibc");
	vt_result_free(&r);
}

/* A broken image beside the binder ends the search: glibc. */
TEST_F(discovery, bad_image_beside_binder)
{
	char *bad = vt_strf("%s/linux-vlibc.so.1", self->tmp);
	struct vt_result r;

	SKIP_IF_KERNEL_IMAGE();
	if (installed_image_exists())
		SKIP(return, "an installed image would be found");
	ASSERT_EQ(0, vt_write_file(bad, "\177ELF garbage", 12, 0644));
	run_probe(&r, probe_env(lone_binder(_metadata, self->tmp),
				"VLIBC_DEBUG=1", NULL), NULL, NULL);
	check_probe(_metadata, &r, "none", "glibc");
	ASSERT_NE(NULL, strstr(r.err, "vlibc: no image:")) TH_LOG("%s", r.err);
	vt_result_free(&r);
}

TEST_F(discovery, off)
{
	struct vt_result r;

	run_probe(&r, probe_env(build_files()->binder, "VLIBC=off", NULL),
		  NULL, NULL);
	check_probe(_metadata, &r, kernel_gives_image() ? NULL : "none", "glibc");
	vt_result_free(&r);
}

TEST_F(discovery, run_off)
{
	char *argv[] = { build_files()->run, "--off", build_files()->probe, NULL };
	struct vt_result r;

	vt_run(&r, argv, probe_env(NULL, NULL));
	check_probe(_metadata, &r, kernel_gives_image() ? NULL : "none", "glibc");
	vt_result_free(&r);
}

TEST_F(discovery, run_debug)
{
	char *argv[] = { build_files()->run, "--debug", build_files()->probe, NULL };
	char *image = default_image();
	char *line = vt_strf("vlibc: image %s (file) at 0x", image);
	struct vt_result r;

	SKIP_IF_KERNEL_IMAGE();
	vt_run(&r, argv, probe_env(NULL, NULL));
	check_probe(_metadata, &r, image, "vlibc");
	ASSERT_NE(NULL, strstr(r.err, line)) TH_LOG("stderr:\n%s", r.err);
	ASSERT_NE(NULL, strstr(r.err, "vlibc: family getrandom -> vlibc"));
	vt_result_free(&r);
}

/* Without --debug, and without VLIBC_DEBUG, the binder says nothing. */
TEST_F(discovery, quiet)
{
	char *argv[] = { build_files()->run, build_files()->probe, NULL };
	struct vt_result r;

	vt_run(&r, argv, probe_env(NULL, NULL));
	check_probe(_metadata, &r, NULL, "vlibc");
	ASSERT_STREQ("", r.err);
	vt_result_free(&r);
}

static void check_toggle(struct __test_metadata *_metadata, const char *var,
			 const char *bound)
{
	char *image = kernel_gives_image() ? NULL : default_image();
	struct vt_result r;

	run_probe(&r, probe_env(build_files()->binder, var, NULL), NULL, NULL);
	check_probe(_metadata, &r, image, bound);
	vt_result_free(&r);
	free(image);
}

TEST_F(discovery, disable)
{
	check_toggle(_metadata, "VLIBC_DISABLE=getrandom", "glibc");
}

TEST_F(discovery, disable_in_list)
{
	check_toggle(_metadata, "VLIBC_DISABLE=strings,getrandom,stdio", "glibc");
}

TEST_F(discovery, disable_other_family)
{
	check_toggle(_metadata, "VLIBC_DISABLE=getrandomx,getrand", "vlibc");
}

TEST_F(discovery, getrandom_glibc)
{
	check_toggle(_metadata, "VLIBC_GETRANDOM=glibc", "glibc");
}

/*
 * getrandom system calls made by "probe loop @n" with @var (NULL: none)
 * in its environment, counted with strace; -1 when strace is missing or
 * may not trace.
 */
static long count_getrandom_syscalls(struct __test_metadata *_metadata,
				     const char *tmp, const char *var, long n)
{
	char *trace = vt_strf("%s/trace", tmp), *count = vt_strf("%ld", n);
	char *preload = vt_strf("LD_PRELOAD=%s", build_files()->binder);
	char *argv[] = { "/usr/bin/strace", "-f", "-qq", "-e", "trace=getrandom",
			 "-o", trace, "-E", preload, build_files()->probe,
			 "loop", count, NULL, NULL, NULL };
	struct vt_result r;
	char *text, *p;
	long calls = 0;

	if (access(argv[0], X_OK))
		return -1;
	if (var) {	/* -E VAR goes before the program */
		memmove(&argv[11], &argv[9], 3 * sizeof(*argv));
		argv[9] = "-E";
		argv[10] = (char *)var;
	}
	vt_run(&r, argv, probe_env(NULL, NULL));
	if (r.status && strstr(r.err, "ptrace"))
		return -1;
	check_probe(_metadata, &r, NULL, "vlibc");
	text = vt_read_file(trace, NULL);
	ASSERT_NE(NULL, text);
	for (p = text; (p = strstr(p, "getrandom(")); p++)
		calls++;
	TH_LOG("%s: %ld getrandom() calls, %ld getrandom system calls",
	       STR_OR(var, "default"), n, calls);
	vt_result_free(&r);
	free(text);
	return calls;
}

TEST_F(discovery, getrandom_syscall)
{
	long calls;

	/* The binder's variant: where libc binds the family, it does not apply. */
	if (vt_libc_binds(VT_FAMILY_getrandom))
		SKIP(return, "the system libc binds getrandom itself (libc mode)");
	calls = count_getrandom_syscalls(_metadata, self->tmp,
					 "VLIBC_GETRANDOM=syscall", 500);
	if (calls < 0)
		SKIP(return, "strace is missing or may not trace");
	ASSERT_LE(500, calls);
}

TEST_F(discovery, getrandom_vdso)
{
	long calls = count_getrandom_syscalls(_metadata, self->tmp,
					      "VLIBC_GETRANDOM=vdso", 2000);

	if (calls < 0)
		SKIP(return, "strace is missing or may not trace");
	/* The warm-up's calls are glibc's: one system call each. */
	ASSERT_GT(VLIBC_GETRANDOM_WARMUP_CALLS + 20, calls);
}

/* vdso is what the family picks when nothing is asked for. */
TEST_F(discovery, getrandom_default)
{
	long calls = count_getrandom_syscalls(_metadata, self->tmp,
					      NULL, 2000);

	if (calls < 0)
		SKIP(return, "strace is missing or may not trace");
	ASSERT_GT(VLIBC_GETRANDOM_WARMUP_CALLS + 20, calls);
}

struct map_line {
	unsigned long	lo, hi, offset, inode;
	char		perms[8], name[512];
};

/* The first "map: " line of @out at or after @from, parsed into @m. */
static const char *next_map_line(const char *from, struct map_line *m)
{
	const char *line = strstr(from, "map: ");
	char buf[1024];
	int name_at;

	for (; line; line = strstr(line + 1, "map: ")) {
		snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(line, "\n"), line);
		*m = (struct map_line){ 0 };
		name_at = 0;
		if (sscanf(buf, "map: %lx-%lx %7s %lx %*s %lu %n", &m->lo, &m->hi,
			   m->perms, &m->offset, &m->inode, &name_at) < 5)
			continue;
		if (name_at)
			snprintf(m->name, sizeof(m->name), "%s", buf + name_at);
		return line;
	}
	return NULL;
}

/* /proc/PID/maps: the image by its path, r-x; its private region after. */
TEST_F(discovery, proc_maps)
{
	char *image = default_image();
	struct map_line text, priv;
	const char *line;
	struct vt_result r;

	SKIP_IF_KERNEL_IMAGE();
	run_probe(&r, probe_env(build_files()->binder, NULL), "maps", NULL);
	check_probe(_metadata, &r, image, "vlibc");
	for (line = next_map_line(r.out, &text); line;
	     line = next_map_line(line + 1, &text))
		if (!strcmp(text.name, image))
			break;
	ASSERT_NE(NULL, line) TH_LOG("no mapping of %s:\n%s", image, r.out);
	ASSERT_STREQ("r-xp", text.perms);
	ASSERT_EQ(0, text.offset);
	ASSERT_NE(NULL, next_map_line(line + 1, &priv));
	ASSERT_EQ(text.hi, priv.lo);
	ASSERT_STREQ("rw-p", priv.perms);
	ASSERT_EQ(0, priv.inode);
	/* Unnamed: naming it takes a prctl() that glibc never makes. */
	ASSERT_STREQ("", priv.name);
	vt_result_free(&r);
}

/* With a kernel that maps the image at exec, the binder takes that one. */
TEST(kernel_image)
{
	char *var = vt_strf("VLIBC_IMAGE=%s", build_files()->image);
	char *argv[] = { build_files()->probe, NULL };
	struct probe_report p;
	struct vt_result r;

	vt_run(&r, argv, probe_env(build_files()->binder, var, NULL));
	report_parse(&p, r.out);
	ASSERT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	ASSERT_NE(NULL, p.at_vlibc);
	if (!strcmp(p.at_vlibc, "0"))
		SKIP(return, "this kernel gives no AT_VLIBC");
	check_probe(_metadata, &r, "[vlibc]", "vlibc");
	vt_result_free(&r);
}

/* --- an image replaced while processes run with it ---------------------- */

/* A probe in "serve" mode: bound calls on request, in a process that stays. */
struct server {
	pid_t	pid;
	FILE	*in, *out;
};

static void server_start(struct __test_metadata *_metadata, struct server *s,
			 char **env)
{
	char *argv[] = { build_files()->probe, "serve", NULL };
	int to[2], from[2];

	ASSERT_EQ(0, pipe2(to, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(from, O_CLOEXEC));
	fflush(NULL);
	s->pid = fork();
	ASSERT_LE(0, s->pid);
	if (s->pid == 0) {
		if (dup2(to[0], 0) < 0 || dup2(from[1], 1) < 0)
			_exit(127);
		alarm(VT_TIMEOUT);
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	s->in = fdopen(to[1], "w");
	s->out = fdopen(from[0], "r");
	ASSERT_NE(NULL, s->in);
	ASSERT_NE(NULL, s->out);
}

/* The probe's report, up to its "end" line (malloc'd; "" if it ended). */
static char *server_report(struct server *s)
{
	char line[1024], *all = vt_strf("%s", "");

	while (fgets(line, sizeof(line), s->out) && strcmp(line, "end\n")) {
		char *more = vt_strf("%s%s", all, line);

		free(all);
		all = more;
	}
	return all;
}

/*
 * Have the server make its bound calls again: 0 if they were sane, with
 * the /proc/self/maps line holding its image in @map.
 */
static int server_ask(struct server *s, char *map, size_t size)
{
	char calls[64];

	map[0] = 0;
	if (fputs("\n", s->in) == EOF || fflush(s->in) ||
	    !fgets(calls, sizeof(calls), s->out) ||
	    !fgets(map, size, s->out))
		return -1;
	return strcmp(calls, "calls=ok\n") ? -1 : 0;
}

/* Close the server's input: its exit status. */
static int server_stop(struct server *s)
{
	int status;

	fclose(s->in);
	fclose(s->out);
	if (waitpid(s->pid, &status, 0) != s->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The inode of a maps line ("imagemap=lo-hi perms offset dev inode path"). */
static unsigned long map_inode(const char *map)
{
	unsigned long ino = 0;

	sscanf(map, "imagemap=%*s %*s %*s %*s %lu", &ino);
	return ino;
}

/* make install of this build into @destdir: make's exit status. */
static int make_install(const char *destdir)
{
	char *argv[] = { "/usr/bin/make", "-s", "-C", getenv("VLIBC_SRC"),
			 vt_strf("O=%s", build_files()->dir),
			 vt_strf("DESTDIR=%s", destdir), "install", NULL };
	struct vt_result r;
	int status;

	vt_run(&r, argv, probe_env(NULL, NULL));
	status = r.status;
	if (status)
		fprintf(stderr, "# make install: %s%s", r.out, r.err);
	vt_result_free(&r);
	return status;
}

/*
 * make install replaces the image while a process runs with it mapped:
 * the process keeps its own (the old file, unlinked) and its bound calls
 * keep working, also once the new file is removed too; a process started
 * afterwards maps the new file.  Written in place, the running process's
 * mapping would show the new file, not a deleted one.
 */
TEST_F(discovery, image_replaced_while_running)
{
	char *dest = vt_strf("%s/dest", self->tmp);
	char *image = vt_strf("%s%s", dest, installed_image_path());
	char *var = vt_strf("VLIBC_IMAGE=%s", image);
	char *want = vt_strf("image=%s\n", image);
	char map[1024], map2[1024];
	struct server old, new;
	unsigned long old_ino;
	struct stat st;
	char *report;

	SKIP_IF_KERNEL_IMAGE();
	if (!getenv("VLIBC_SRC") || access("/usr/bin/make", X_OK))
		SKIP(return, "needs make and $VLIBC_SRC (selftests/run sets it)");
	ASSERT_EQ(0, make_install(dest));
	server_start(_metadata, &old, probe_env(build_files()->binder, var, NULL));
	report = server_report(&old);
	ASSERT_NE(NULL, strstr(report, want)) TH_LOG("%s", report);
	ASSERT_NE(NULL, strstr(report, "getrandom=vlibc\n")) TH_LOG("%s", report);
	ASSERT_EQ(0, server_ask(&old, map, sizeof(map))) TH_LOG("%s", map);
	ASSERT_EQ(0, stat(image, &st));
	old_ino = map_inode(map);
	ASSERT_EQ(st.st_ino, old_ino) TH_LOG("%s", map);

	ASSERT_EQ(0, make_install(dest));
	ASSERT_EQ(0, stat(image, &st));
	EXPECT_NE(old_ino, st.st_ino) TH_LOG("make install wrote the image in place");
	ASSERT_EQ(0, server_ask(&old, map, sizeof(map))) TH_LOG("%s", map);
	EXPECT_EQ(old_ino, map_inode(map)) TH_LOG("%s", map);
	EXPECT_NE(NULL, strstr(map, "(deleted)")) TH_LOG("%s", map);

	server_start(_metadata, &new, probe_env(build_files()->binder, var, NULL));
	report = server_report(&new);
	ASSERT_NE(NULL, strstr(report, "getrandom=vlibc\n")) TH_LOG("%s", report);
	ASSERT_EQ(0, server_ask(&new, map2, sizeof(map2))) TH_LOG("%s", map2);
	EXPECT_EQ(st.st_ino, map_inode(map2)) TH_LOG("%s", map2);

	/* Both files gone: each process still has its own. */
	ASSERT_EQ(0, vt_rm_rf(dest));
	ASSERT_EQ(0, server_ask(&old, map, sizeof(map))) TH_LOG("%s", map);
	ASSERT_EQ(0, server_ask(&new, map2, sizeof(map2))) TH_LOG("%s", map2);
	EXPECT_NE(NULL, strstr(map2, "(deleted)")) TH_LOG("%s", map2);
	EXPECT_EQ(0, server_stop(&old));
	EXPECT_EQ(0, server_stop(&new));
}

/* --- images the binder must refuse, falling back to glibc --------------- */

enum damage {
	GARBAGE, EMPTY, DIRECTORY, TRUNCATED_HEADER, TRUNCATED_TEXT,
	BAD_SONAME, BAD_VERSION_NODE, PRIVATE_HAS_FILESZ, PRIVATE_EXECUTABLE,
	PRIVATE_PAGE_ABOVE, PRIVATE_OVERLAPS_TEXT, PRIVATE_HUGE, PRIVATE_SMALL,
	TEXT_HUGE, PHDRS_MISALIGNED, PHNUM_ZERO, PHNUM_HUGE, DYNAMIC_OUTSIDE,
	DYNAMIC_MISALIGNED, SYMTAB_OUTSIDE, STRTAB_OUTSIDE, STRSZ_HUGE,
	SONAME_OUTSIDE, GNU_HASH_BLOOM_HUGE, HASH_BUCKETS_HUGE, VERDEF_AUX_OUTSIDE,
	FIFO, DEV_ZERO, HUGE_FILE, TEXT_PAST_FILE, TEXT_ZERO_FILL, THIRD_LOAD,
	FUTURE_VERSION, OTHER_MACHINE,
};

FIXTURE(bad_image) {
	char	tmp[PATH_MAX], path[PATH_MAX];
};

FIXTURE_VARIANT(bad_image) {
	enum damage	damage;
	const char	*why;		/* in the binder's "no image:" line */
};

FIXTURE_VARIANT_ADD(bad_image, garbage) { GARBAGE, "not an ELF file" };
FIXTURE_VARIANT_ADD(bad_image, empty) { EMPTY, "smaller than an ELF header" };
FIXTURE_VARIANT_ADD(bad_image, directory) { DIRECTORY, "not a regular file" };
FIXTURE_VARIANT_ADD(bad_image, truncated_header) {
	TRUNCATED_HEADER, "smaller than an ELF header" };
FIXTURE_VARIANT_ADD(bad_image, truncated_text) {
	TRUNCATED_TEXT, "runs past the file" };
FIXTURE_VARIANT_ADD(bad_image, bad_soname) { BAD_SONAME, "SONAME" };
FIXTURE_VARIANT_ADD(bad_image, bad_version_node) {
	BAD_VERSION_NODE, "version node" };
FIXTURE_VARIANT_ADD(bad_image, private_has_filesz) {
	PRIVATE_HAS_FILESZ, "file contents" };
FIXTURE_VARIANT_ADD(bad_image, private_executable) {
	PRIVATE_EXECUTABLE, "not exactly read/write" };
/* The image's code finds its private region right after the text. */
FIXTURE_VARIANT_ADD(bad_image, private_page_above) {
	PRIVATE_PAGE_ABOVE, "private region does not start" };
FIXTURE_VARIANT_ADD(bad_image, private_overlaps_text) {
	PRIVATE_OVERLAPS_TEXT, "private region does not start" };
FIXTURE_VARIANT_ADD(bad_image, private_huge) {
	PRIVATE_HUGE, "private region is not" };
FIXTURE_VARIANT_ADD(bad_image, private_small) {
	PRIVATE_SMALL, "private region is not" };
FIXTURE_VARIANT_ADD(bad_image, text_huge) { TEXT_HUGE, "runs past the file" };
FIXTURE_VARIANT_ADD(bad_image, phdrs_misaligned) {
	PHDRS_MISALIGNED, "not 8-byte aligned" };
FIXTURE_VARIANT_ADD(bad_image, phnum_zero) {
	PHNUM_ZERO, "bad program header table" };
FIXTURE_VARIANT_ADD(bad_image, phnum_huge) {
	PHNUM_HUGE, "bad program header table" };
FIXTURE_VARIANT_ADD(bad_image, dynamic_outside) {
	DYNAMIC_OUTSIDE, "PT_DYNAMIC" };
FIXTURE_VARIANT_ADD(bad_image, dynamic_misaligned) {
	DYNAMIC_MISALIGNED, "PT_DYNAMIC" };
FIXTURE_VARIANT_ADD(bad_image, symtab_outside) {
	SYMTAB_OUTSIDE, "bad dynamic section" };
FIXTURE_VARIANT_ADD(bad_image, strtab_outside) {
	STRTAB_OUTSIDE, "bad dynamic section" };
FIXTURE_VARIANT_ADD(bad_image, strsz_huge) { STRSZ_HUGE, "bad dynamic section" };
FIXTURE_VARIANT_ADD(bad_image, soname_outside) { SONAME_OUTSIDE, "SONAME" };
FIXTURE_VARIANT_ADD(bad_image, gnu_hash_bloom_huge) {
	GNU_HASH_BLOOM_HUGE, "no image:" };
FIXTURE_VARIANT_ADD(bad_image, hash_buckets_huge) {
	HASH_BUCKETS_HUGE, "no image:" };
FIXTURE_VARIANT_ADD(bad_image, verdef_aux_outside) {
	VERDEF_AUX_OUTSIDE, "version node" };

/* A FIFO: the open must not wait for a writer. */
FIXTURE_VARIANT_ADD(bad_image, fifo) { FIFO, "not a regular file" };
/* /dev/zero (through a link): never read for ever. */
FIXTURE_VARIANT_ADD(bad_image, dev_zero) { DEV_ZERO, "not a regular file" };
/* A file (sparse) larger than any image may be. */
FIXTURE_VARIANT_ADD(bad_image, huge_file) { HUGE_FILE, "plausible size" };
/* Enlarged segments: one page past the end of the file, or zero-filled. */
FIXTURE_VARIANT_ADD(bad_image, text_past_file) {
	TEXT_PAST_FILE, "runs past the file" };
FIXTURE_VARIANT_ADD(bad_image, text_zero_fill) { TEXT_ZERO_FILL, "zero-fill" };
/* Images of another version: a future layout, a newer version node. */
FIXTURE_VARIANT_ADD(bad_image, third_load) {
	THIRD_LOAD, "more than two PT_LOAD" };
FIXTURE_VARIANT_ADD(bad_image, future_version) {
	FUTURE_VERSION, "version node" };
FIXTURE_VARIANT_ADD(bad_image, other_machine) {
	OTHER_MACHINE, "not an x86-64 object" };

FIXTURE_SETUP(bad_image)
{
	char *tmp = vt_mkdtemp(NULL);

	ASSERT_NE(NULL, tmp);
	snprintf(self->tmp, sizeof(self->tmp), "%s", tmp);
	snprintf(self->path, sizeof(self->path), "%s/linux-vlibc.so.1", tmp);
	free(tmp);
}

FIXTURE_TEARDOWN_PARENT(bad_image)
{
	vt_rm_rf(self->tmp);
}

/* Change the first byte of every occurrence of @s in the file; count. */
static int corrupt_string(char *file, size_t len, const char *s)
{
	size_t n = strlen(s);
	char *p = file;
	int hits = 0;

	while ((p = memmem(p, len - (p - file), s, n))) {
		*p ^= 0x20;		/* "linux" -> "Linux", "LINUX" -> "linux" */
		p += n;
		hits++;
	}
	return hits;
}

/* The program header of PT_LOAD number @nth (0-based), or NULL. */
static Elf64_Phdr *nth_load(char *file, size_t len, int nth)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
	Elf64_Phdr *ph;
	int i;

	if (len < sizeof(*eh) || eh->e_phoff + eh->e_phnum * sizeof(*ph) > len)
		return NULL;
	ph = (Elf64_Phdr *)(file + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && nth-- == 0)
			return &ph[i];
	return NULL;
}

/* The first PT_DYNAMIC entry tagged @tag, or NULL. */
static Elf64_Dyn *dyn_entry(char *file, size_t len, Elf64_Sxword tag)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
	Elf64_Phdr *ph = (Elf64_Phdr *)(file + eh->e_phoff);
	Elf64_Dyn *d;
	int i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_DYNAMIC || ph[i].p_offset >= len)
			continue;
		for (d = (Elf64_Dyn *)(file + ph[i].p_offset);
		     (char *)(d + 1) <= file + len && d->d_tag != DT_NULL; d++)
			if (d->d_tag == tag)
				return d;
	}
	return NULL;
}

static Elf64_Phdr *phdr_of_type(char *file, Elf64_Word type)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
	Elf64_Phdr *ph = (Elf64_Phdr *)(file + eh->e_phoff);
	int i;

	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == type)
			return &ph[i];
	return NULL;
}

/* Point dynamic entry @tag at @value. */
#define SET_DYN(tag, value)						\
	do {								\
		Elf64_Dyn *d_ = dyn_entry(file, len, (tag));		\
		ASSERT_NE(NULL, d_) TH_LOG("no dynamic entry %d", (int)(tag)); \
		d_->d_un.d_val = (value);				\
	} while (0)

/* Write the damaged image to self->path. */
static void make_bad_image(struct __test_metadata *_metadata,
			   FIXTURE_DATA(bad_image) *self, enum damage damage)
{
	size_t len, i;
	char *file = vt_read_file(build_files()->image, &len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
	Elf64_Phdr *ph;
	Elf64_Dyn *dyn;

	ASSERT_NE(NULL, file);
	ASSERT_NE(NULL, nth_load(file, len, 1));
	switch (damage) {
	case GARBAGE:
		for (i = 0; i < len; i++)
			file[i] = (char)(i * 131 + 7);
		break;
	case EMPTY:
		len = 0;
		break;
	case DIRECTORY:
		ASSERT_EQ(0, mkdir(self->path, 0755));
		free(file);
		return;
	case FIFO:
		ASSERT_EQ(0, mkfifo(self->path, 0644));
		free(file);
		return;
	case DEV_ZERO:
		ASSERT_EQ(0, symlink("/dev/zero", self->path));
		free(file);
		return;
	case HUGE_FILE:
		ASSERT_EQ(0, vt_write_file(self->path, file, len, 0644));
		ASSERT_EQ(0, truncate(self->path, 1L << 40));
		free(file);
		return;
	case TEXT_PAST_FILE:
		ph = nth_load(file, len, 0);
		ph->p_filesz = ph->p_memsz = len + 4096;
		break;
	case TEXT_ZERO_FILL:
		nth_load(file, len, 0)->p_memsz += 4096;
		break;
	case THIRD_LOAD:
		ph = phdr_of_type(file, PT_NOTE);
		ASSERT_NE(NULL, ph);
		ph->p_type = PT_LOAD;
		break;
	case FUTURE_VERSION:
		for (i = 0; i + 13 <= len; i++)
			if (!memcmp(file + i, "LINUX_VLIBC_1", 13))
				file[i + 12] = '2';
		break;
	case OTHER_MACHINE:
		eh->e_machine = EM_AARCH64;
		break;
	case TRUNCATED_HEADER:
		len = sizeof(Elf64_Ehdr) / 2;
		break;
	case TRUNCATED_TEXT:
		len = nth_load(file, len, 0)->p_filesz / 2;
		break;
	case BAD_SONAME:
		ASSERT_LE(1, corrupt_string(file, len, "linux-vlibc.so.1"));
		break;
	case BAD_VERSION_NODE:
		ASSERT_LE(1, corrupt_string(file, len, "LINUX_VLIBC_1"));
		break;
	case PRIVATE_HAS_FILESZ:
		ph = nth_load(file, len, 1);
		ASSERT_EQ(PF_R | PF_W, ph->p_flags);
		ph->p_filesz = 64;	/* 64 bytes of the file as shared data */
		break;
	case PRIVATE_EXECUTABLE:
		ph = nth_load(file, len, 1);
		ph->p_flags |= PF_X;
		break;
	case PRIVATE_PAGE_ABOVE:
		nth_load(file, len, 1)->p_vaddr += 4096;
		break;
	case PRIVATE_OVERLAPS_TEXT:
		nth_load(file, len, 1)->p_vaddr -= 4096;
		break;
	case PRIVATE_HUGE:
		nth_load(file, len, 1)->p_memsz = 1UL << 40;
		break;
	case PRIVATE_SMALL:
		nth_load(file, len, 1)->p_memsz = 4096;
		break;
	case TEXT_HUGE:
		ph = nth_load(file, len, 0);
		ph->p_filesz = ph->p_memsz = 1UL << 40;
		break;
	case PHDRS_MISALIGNED:
		eh->e_phoff += 4;
		break;
	case PHNUM_ZERO:
		eh->e_phnum = 0;
		break;
	case PHNUM_HUGE:
		eh->e_phnum = 0xffff;
		break;
	case DYNAMIC_OUTSIDE:
		ph = phdr_of_type(file, PT_DYNAMIC);
		ph->p_vaddr = ph->p_offset = len + 4096;
		break;
	case DYNAMIC_MISALIGNED:
		ph = phdr_of_type(file, PT_DYNAMIC);
		ph->p_vaddr += 4;
		ph->p_offset += 4;
		break;
	case SYMTAB_OUTSIDE:
		SET_DYN(DT_SYMTAB, 0x40000000);
		break;
	case STRTAB_OUTSIDE:
		SET_DYN(DT_STRTAB, -4096UL);
		break;
	case STRSZ_HUGE:
		SET_DYN(DT_STRSZ, 1UL << 40);
		break;
	case SONAME_OUTSIDE:
		SET_DYN(DT_SONAME, 0x7fffffff);
		break;
	case GNU_HASH_BLOOM_HUGE:
		dyn = dyn_entry(file, len, DT_GNU_HASH);
		ASSERT_NE(NULL, dyn);
		((Elf64_Word *)(file + dyn->d_un.d_ptr))[2] = 0xffffffff;
		SET_DYN(DT_HASH, 0x40000000);	/* no way around it */
		break;
	case HASH_BUCKETS_HUGE:
		dyn = dyn_entry(file, len, DT_HASH);
		ASSERT_NE(NULL, dyn);
		((Elf64_Word *)(file + dyn->d_un.d_ptr))[0] = 0xffffffff;
		SET_DYN(DT_GNU_HASH, 0x40000000);
		break;
	case VERDEF_AUX_OUTSIDE:
		dyn = dyn_entry(file, len, DT_VERDEF);
		ASSERT_NE(NULL, dyn);
		for (i = dyn->d_un.d_ptr; i + sizeof(Elf64_Verdef) <= len;) {
			Elf64_Verdef *vd = (Elf64_Verdef *)(file + i);

			vd->vd_aux = 0x40000000;
			if (!vd->vd_next)
				break;
			i += vd->vd_next;
		}
		break;
	}
	ASSERT_EQ(0, vt_write_file(self->path, file, len, 0644));
	free(file);
}

TEST_F(bad_image, refused)
{
	char *var = vt_strf("VLIBC_IMAGE=%s", self->path);
	struct vt_result r;

	const char *line;

	SKIP_IF_KERNEL_IMAGE();
	make_bad_image(_metadata, self, variant->damage);
	run_probe(&r, probe_env(build_files()->binder, var, "VLIBC_DEBUG=1",
				NULL), NULL, NULL);
	check_probe(_metadata, &r, "none", "glibc");
	line = strstr(r.err, "vlibc: no image:");
	ASSERT_NE(NULL, line) TH_LOG("%s", r.err);
	EXPECT_EQ(NULL, strstr(line + 1, "vlibc: no image:")) TH_LOG("%s", r.err);
	ASSERT_NE(NULL, strstr(r.err, variant->why))
		TH_LOG("refused, but not for \"%s\":\n%s", variant->why, r.err);
	vt_result_free(&r);

	/* Without VLIBC_DEBUG: plain glibc, and not a word on stderr. */
	run_probe(&r, probe_env(build_files()->binder, var, NULL), NULL, NULL);
	check_probe(_metadata, &r, "none", "glibc");
	EXPECT_STREQ("", r.err);
	vt_result_free(&r);
}

TEST_HARNESS_MAIN
