// SPDX-License-Identifier: GPL-2.0
/*
 * The naming convention of the image (issue 13), checked on what is built:
 *
 *  - every global symbol of the image's objects (tools/libc/Kbuild's
 *    vlibc-y, under $VLIBC_BUILD/image, read with nm) is either exported,
 *    in the image's .dynsym, and named __vlibc_*, or hidden and named
 *    vlibc_* or __arch_*; the compiler's own calls (memcpy, memset, ...)
 *    keep their names;
 *  - every global symbol of the binder's objects (the .o files under
 *    $VLIBC_BUILD/binder) is exported by libvlibc.so (a public libc name,
 *    or the documented vlibc_binder_* test interface), or hidden and named
 *    binder_*, or vlibc_* for the code it shares with the image
 *    (tools/libc/lib, vdso-link/image_layout.c);
 *  - the arch hooks, the static inline functions and function-like macros
 *    of the arch headers (tools/libc/arch/<arch>/include/vlibc/arch/), are
 *    __arch_* (they leave no symbol, so their definitions are read from
 *    the source).  An arch's own bodies (arch/<arch>/memcpy/) are not
 *    hooks: their names are their own.
 *
 * Each offender is printed, and fails the test.
 *
 * A test rather than a vlibc-check rule: the linked image no longer tells
 * a hidden global from a static function (ld makes both local), and
 * vlibc-check, which the image build and the kernel build run, refuses
 * what a mapper cannot use; a misnamed symbol is no such thing.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <ftw.h>

#include "kselftest_harness.h"
#include "vl_util.h"

/* Names the compiler emits calls to, even freestanding. */
static const char *const compiler_names[] = {
	"memcpy", "memmove", "memset", "memcmp",
};

struct names {
	char **v;
	size_t n;
};

static void names_add(struct names *s, const char *name)
{
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = strdup(name);
}

static int names_has(const struct names *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return 1;
	return 0;
}

static int in_list(const char *const *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!fnmatch(list[i], name, 0))
			return 1;
	return 0;
}

/* The file at @path as a string, or NULL. */
static char *read_text(const char *path)
{
	size_t size;
	char *text = (char *)vl_read_file(path, &size);

	if (text)
		text[size] = '\0';
	return text;
}

static int is_ident(char c)
{
	return c == '_' || isalnum((unsigned char)c);
}

static int has_prefix(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

/*
 * Defined global symbols of @file per nm -P (@dynamic: its .dynsym),
 * versions stripped; -1 if nm fails.
 */
static int nm_defined(const char *file, int dynamic, struct names *out)
{
	char *argv[] = { "nm", "-P", "--defined-only",
			 dynamic ? "-D" : "-g", (char *)file, NULL };
	char *text, *line, *save = NULL;
	int status = vl_run(argv, &text);

	if (!text)
		return -1;
	if (vl_exit_code(status)) {
		fprintf(stderr, "# nm %s: %s", file, text);
		free(text);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *end = line + strcspn(line, " @");

		*end = '\0';
		if (*line)
			names_add(out, line);
	}
	free(text);
	return 0;
}

/* The objects of vlibc-y in tools/libc/Kbuild, as paths under image/. */
static int kbuild_objects(const char *kbuild, struct names *out)
{
	char *text = read_text(kbuild), *line, *save = NULL;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *word, *wsave = NULL;

		if (line[strspn(line, " \t")] == '#')
			continue;
		for (word = strtok_r(line, " \t\\", &wsave); word;
		     word = strtok_r(NULL, " \t\\", &wsave)) {
			size_t len = strlen(word);

			if (len > 2 && !strcmp(word + len - 2, ".o"))
				names_add(out, word);
		}
	}
	free(text);
	return 0;
}

/* Why @name, a global of the image's objects, breaks the rules, or NULL. */
static const char *misnamed(const char *name, int exported)
{
	if (exported)
		return has_prefix(name, "__vlibc_") ? NULL :
			"exported, but not __vlibc_*";
	if (has_prefix(name, "__vlibc_"))
		return "__vlibc_* but not exported (in no .dynsym)";
	if (has_prefix(name, "vlibc_") || has_prefix(name, "__arch_") ||
	    in_list(compiler_names, ARRAY_SIZE(compiler_names), name))
		return NULL;
	return "hidden, but not vlibc_* or __arch_*";
}

/* Print the offenders (each on its line) and fail if there is one. */
#define JUDGE(offenders, what)						\
	EXPECT_EQ(0, (offenders)) {					\
		TH_LOG("%d %s break the naming convention",		\
		       (offenders), (what));				\
	}

static int report(const char *where, const char *name, const char *why)
{
	fprintf(stderr, "# %s: %s: %s\n", where, name, why);
	return 1;
}

TEST(image_object_globals)
{
	char *image = vl_build("linux-vlibc.so.1");
	char *kbuild = vl_src("tools/libc/Kbuild");
	struct names exported = { 0 }, objs = { 0 };
	int offenders = 0;
	size_t i, j;

	ASSERT_TRUE(image && kbuild) {
		TH_LOG("VLIBC_BUILD or VLIBC_SRC unset: use selftests/run");
	}
	if (access(image, R_OK))
		SKIP(return, "%s is not built", image);
	if (nm_defined(image, 1, &exported))
		SKIP(return, "nm (binutils) cannot read %s", image);
	ASSERT_EQ(0, kbuild_objects(kbuild, &objs));
	ASSERT_LT(0, objs.n);

	for (i = 0; i < objs.n; i++) {
		char *obj = vl_build("image/%s", objs.v[i]);
		struct names globals = { 0 };

		ASSERT_EQ(0, nm_defined(obj, 0, &globals)) {
			TH_LOG("%s: built with make?", obj);
		}
		for (j = 0; j < globals.n; j++) {
			const char *name = globals.v[j];
			const char *why = misnamed(name,
						   names_has(&exported, name));

			if (!why)
				continue;
			offenders += report(objs.v[i], name, why);
		}
		free(obj);
	}
	JUDGE(offenders, "global symbols of the image's objects");
}

/* What -fexceptions (once.c: pthread_once's cleanup) brings in. */
static const char *const unwinder_names[] = {
	"DW.ref.__gcc_personality_v0", "__gcc_personality_v0", "_Unwind_*",
};

/* Why @name, a global of the binder's objects, breaks the rules, or NULL. */
static const char *binder_misnamed(const char *name, int exported)
{
	if (exported || has_prefix(name, "binder_") ||
	    has_prefix(name, "vlibc_") || in_list(unwinder_names,
						   ARRAY_SIZE(unwinder_names), name) ||
	    in_list(compiler_names, ARRAY_SIZE(compiler_names), name))
		return NULL;
	return "hidden, but not binder_* (or shared vlibc_*)";
}

static struct names binder_objects;

static int collect_object(const char *path, const struct stat *st, int type,
			  struct FTW *ftw)
{
	size_t len = strlen(path);

	if (type == FTW_F && len > 2 && !strcmp(path + len - 2, ".o"))
		names_add(&binder_objects, path);
	return 0;
}

TEST(binder_object_globals)
{
	char *binder = vl_build("libvlibc.so");
	char *dir = vl_build("binder");
	struct names exported = { 0 };
	int offenders = 0;
	size_t i, j;

	ASSERT_TRUE(binder && dir) {
		TH_LOG("VLIBC_BUILD unset: use selftests/run");
	}
	if (access(binder, R_OK))
		SKIP(return, "%s is not built", binder);
	if (nm_defined(binder, 1, &exported))
		SKIP(return, "nm (binutils) cannot read %s", binder);
	ASSERT_EQ(0, nftw(dir, collect_object, 16, FTW_PHYS));
	ASSERT_LT(0, binder_objects.n);

	for (i = 0; i < binder_objects.n; i++) {
		struct names globals = { 0 };

		ASSERT_EQ(0, nm_defined(binder_objects.v[i], 0, &globals));
		for (j = 0; j < globals.n; j++) {
			const char *name = globals.v[j];
			const char *why = binder_misnamed(name,
						names_has(&exported, name));

			if (why)
				offenders += report(binder_objects.v[i] +
						    strlen(dir) + 1, name, why);
		}
	}
	JUDGE(offenders, "global symbols of the binder's objects");
}

/*
 * The name defined by @line if it starts a static inline function or a
 * function-like macro, copied into @name; 0 if it defines none.
 */
static int hook_name(const char *line, char *name, size_t size)
{
	const char *p = line, *end;

	if (!strncmp(p, "#define", 7)) {
		p += 7;
		p += strspn(p, " \t");
		for (end = p; is_ident(*end); end++)
			;
		if (*end != '(')
			return 0;	/* object-like: a constant */
	} else if (!strncmp(p, "static", 6) && strstr(p, "inline")) {
		end = strchr(p, '(');
		if (!end)
			return 0;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		p = end;
		while (p > line && is_ident(p[-1]))
			p--;
	} else {
		return 0;
	}
	if (end == p || (size_t)(end - p) >= size)
		return 0;
	memcpy(name, p, end - p);
	name[end - p] = '\0';
	return 1;
}

static struct names arch_headers;

static int collect_header(const char *path, const struct stat *st, int type,
			  struct FTW *ftw)
{
	size_t len = strlen(path);

	if (type == FTW_F && len > 2 && !strcmp(path + len - 2, ".h") &&
	    strstr(path, "/include/vlibc/arch/"))
		names_add(&arch_headers, path);
	return 0;
}

TEST(arch_hooks)
{
	char *arch = vl_src("tools/libc/arch");
	int offenders = 0;
	size_t i;

	ASSERT_NE(NULL, arch) {
		TH_LOG("VLIBC_SRC is not set; run through selftests/run");
	}
	ASSERT_EQ(0, nftw(arch, collect_header, 16, FTW_PHYS));
	for (i = 0; i < arch_headers.n; i++) {
		char *text = read_text(arch_headers.v[i]);
		char *line, *save = NULL, name[128];

		ASSERT_NE(NULL, text);
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (!hook_name(line, name, sizeof(name)) ||
			    has_prefix(name, "__arch_"))
				continue;
			offenders += report(arch_headers.v[i] + strlen(arch) + 1,
					  name, "arch hook, but not __arch_*");
		}
		free(text);
	}
	JUDGE(offenders, "arch hooks");
}

TEST_HARNESS_MAIN
