// SPDX-License-Identifier: GPL-2.0
/*
 * vlibc-check accepts the built image and refuses, with the right reason,
 * objects that each carry one defect: fixtures linked for the purpose
 * (selftests/vdso-link/fixtures/), and copies of the good image that this
 * test truncates, fills with garbage or patches in one field.  Mutated
 * copies must never crash the checker.
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "vl_util.h"

/* Run the checker with up to two options before FILE; exit code, output. */
static int run_check(const char *checker, const char *file, const char *opt1,
		     const char *opt2, char **out)
{
	char *argv[6];
	int i = 0;

	argv[i++] = (char *)checker;
	if (opt1)
		argv[i++] = (char *)opt1;
	if (opt2)
		argv[i++] = (char *)opt2;
	argv[i++] = (char *)file;
	argv[i] = NULL;
	return vl_exit_code(vl_run(argv, out));
}

/* Every output line reads "vlibc-check: FILE: <reason>". */
static int lines_well_formed(const char *out, const char *file)
{
	char prefix[4096];
	const char *line = out;
	size_t plen;

	snprintf(prefix, sizeof(prefix), "vlibc-check: %s: ", file);
	plen = strlen(prefix);
	while (*line) {
		const char *nl = strchr(line, '\n');

		if (strncmp(line, prefix, plen) || !nl || nl == line + plen)
			return 0;
		line = nl + 1;
	}
	return 1;
}

FIXTURE(chk) {
	char *dir;
	char *checker;
	char *image;
	char *fixtures;
};

FIXTURE_SETUP(chk)
{
	self->dir = vl_mkdtemp();
	ASSERT_NE(NULL, self->dir);
	self->checker = vl_build("vlibc-check");
	self->image = vl_build("linux-vlibc.so.1");
	self->fixtures = vl_build("selftests/vdso-link/fixtures");
	ASSERT_NE(NULL, self->checker) {
		TH_LOG("VLIBC_BUILD is not set; run through selftests/run");
	}
	ASSERT_EQ(0, access(self->checker, X_OK)) {
		TH_LOG("%s: %s", self->checker, strerror(errno));
	}
}

FIXTURE_TEARDOWN(chk)
{
	vl_rm_rf(self->dir);
}

/* The checker refuses @file with exit code 1 and a line containing @why. */
#define EXPECT_REFUSED(file, why)					\
	do {								\
		char *_out;						\
		int _rc = run_check(self->checker, (file), NULL, NULL,	\
				    &_out);				\
		ASSERT_NE(NULL, _out);					\
		EXPECT_NE('\0', _out[0]);				\
		EXPECT_EQ(1, _rc) {					\
			TH_LOG("%s: exit %d: %s", (file), _rc, _out);	\
		}							\
		EXPECT_NE(NULL, strstr(_out, (why))) {			\
			TH_LOG("%s: no \"%s\" in:\n%s", (file), (why),	\
			       _out);					\
		}							\
		EXPECT_TRUE(lines_well_formed(_out, (file))) {		\
			TH_LOG("badly formed output:\n%s", _out);	\
		}							\
		free(_out);						\
	} while (0)

static char *fixture(FIXTURE_DATA(chk) *self, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", self->fixtures, name) < 0)
		return NULL;
	return p;
}

/* The good image, read into memory (8-byte aligned, from malloc). */
static unsigned char *good_image(struct __test_metadata *_metadata,
				 FIXTURE_DATA(chk) *self, size_t *size)
{
	unsigned char *buf = vl_read_file(self->image, size);

	if (!buf)
		TH_LOG("%s: %s (build it with make first)", self->image,
		       strerror(errno));
	return buf;
}

static char *scratch(FIXTURE_DATA(chk) *self, const char *name,
		     const void *buf, size_t len)
{
	char *p;

	if (asprintf(&p, "%s/%s", self->dir, name) < 0)
		return NULL;
	if (vl_write_file(p, buf, len)) {
		free(p);
		return NULL;
	}
	return p;
}

/* --- ELF access for patching copies of the image (test side) ------------ */

static Elf64_Phdr *phdr_of(unsigned char *buf, size_t size, uint32_t type)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	int i;

	if (size < sizeof(*eh) ||
	    eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) > size)
		return NULL;
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *p = (Elf64_Phdr *)(buf + eh->e_phoff) + i;

		if (p->p_type == type)
			return p;
	}
	return NULL;
}

static Elf64_Dyn *dyn_of(unsigned char *buf, size_t size, int64_t tag)
{
	Elf64_Phdr *p = phdr_of(buf, size, PT_DYNAMIC);
	Elf64_Dyn *d;

	if (!p || p->p_offset + p->p_filesz > size)
		return NULL;
	for (d = (Elf64_Dyn *)(buf + p->p_offset);
	     (unsigned char *)(d + 1) <= buf + p->p_offset + p->p_filesz &&
	     d->d_tag != DT_NULL; d++)
		if (d->d_tag == tag)
			return d;
	return NULL;
}

static Elf64_Shdr *shdr_of(unsigned char *buf, size_t size, uint32_t type)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	int i;

	if (eh->e_shoff + eh->e_shnum * sizeof(Elf64_Shdr) > size)
		return NULL;
	for (i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr *sh = (Elf64_Shdr *)(buf + eh->e_shoff) + i;

		if (sh->sh_type == type)
			return sh;
	}
	return NULL;
}

/* Replace every occurrence of @from by @to (same length) in @buf. */
static int replace_all(unsigned char *buf, size_t size, const char *from,
		       const char *to)
{
	size_t len = strlen(from);
	unsigned char *p = buf;
	int n = 0;

	while ((p = memmem(p, size - (p - buf), from, len))) {
		memcpy(p, to, len);
		p += len;
		n++;
	}
	return n;
}

/* --- the good image and the control ------------------------------------- */

TEST_F(chk, good_image_passes)
{
	char *out;
	int rc;

	ASSERT_EQ(0, access(self->image, R_OK)) {
		TH_LOG("%s: %s (build it with make first)", self->image,
		       strerror(errno));
	}
	rc = run_check(self->checker, self->image, NULL, NULL, &out);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, rc) {
		TH_LOG("exit %d:\n%s", rc, out);
	}
	EXPECT_STREQ("", out);
	free(out);

	rc = run_check(self->checker, self->image, "-q", NULL, &out);
	EXPECT_EQ(0, rc);
	free(out);
}

/* Linked like reloc/undef/needed, minus the defect: must pass. */
TEST_F(chk, control_fixture_passes)
{
	char *f = fixture(self, "control.so"), *out;
	int rc = run_check(self->checker, f, NULL, NULL, &out);

	ASSERT_NE(NULL, out);
	EXPECT_EQ(0, rc) {
		TH_LOG("exit %d:\n%s", rc, out);
	}
	free(out);
	free(f);
}

TEST_F(chk, quiet_prints_nothing)
{
	char *f = fixture(self, "needed.so"), *out;
	int rc = run_check(self->checker, f, "-q", NULL, &out);

	ASSERT_NE(NULL, out);
	EXPECT_EQ(1, rc);
	EXPECT_STREQ("", out);
	free(out);
	free(f);
}

TEST_F(chk, unreadable_file)
{
	char *p;

	ASSERT_LE(0, asprintf(&p, "%s/does-not-exist.so", self->dir));
	EXPECT_REFUSED(p, "No such file");
	free(p);
}

TEST_F(chk, soname_option)
{
	char *out;
	int rc;

	rc = run_check(self->checker, self->image, "--soname",
		       "linux-vlibc.so.2", &out);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(1, rc);
	EXPECT_NE(NULL, strstr(out, "SONAME is \"linux-vlibc.so.1\", expected \"linux-vlibc.so.2\"")) {
		TH_LOG("%s", out);
	}
	free(out);

	rc = run_check(self->checker, self->image, "--soname",
		       "linux-vlibc.so.1", &out);
	EXPECT_EQ(0, rc) {
		TH_LOG("%s", out);
	}
	free(out);
}

/* --- fixtures with one defect each -------------------------------------- */

TEST_F(chk, dynamic_relocation)
{
	char *f = fixture(self, "reloc.so");

	EXPECT_REFUSED(f, "dynamic relocations: DT_RELA table of");
	EXPECT_REFUSED(f, "dynamic relocations: section .rela.dyn (SHT_RELA");
	free(f);
}

TEST_F(chk, undefined_symbol)
{
	char *f = fixture(self, "undef.so");

	EXPECT_REFUSED(f, "undefined symbol 'vlibc_fixture_missing' in .dynsym");
	EXPECT_REFUSED(f, "undefined symbol 'vlibc_fixture_missing' in .symtab");
	free(f);
}

TEST_F(chk, thread_local_storage)
{
	char *f = fixture(self, "tls.so");

	EXPECT_REFUSED(f, "TLS: PT_TLS segment");
	EXPECT_REFUSED(f, "TLS: section .tdata has SHF_TLS");
	EXPECT_REFUSED(f, "TLS: symbol '__vlibc_fixture_tls' in .dynsym is STT_TLS");
	free(f);
}

TEST_F(chk, writable_data)
{
	char *f = fixture(self, "writable.so");

	EXPECT_REFUSED(f, "writable PT_LOAD with file contents");
	free(f);
}

TEST_F(chk, needed_library)
{
	char *f = fixture(self, "needed.so");

	EXPECT_REFUSED(f, "DT_NEEDED libc.so.6");
	free(f);
}

/* --- one-field patches of the good image -------------------------------- */

TEST_F(chk, text_relocations)
{
	unsigned char *buf;
	size_t size;
	Elf64_Dyn *d;
	char *p;

	buf = good_image(_metadata, self, &size);
	ASSERT_NE(NULL, buf);
	/* -Bsymbolic gave the image DT_SYMBOLIC and DT_FLAGS to reuse. */
	d = dyn_of(buf, size, DT_SYMBOLIC);
	ASSERT_NE(NULL, d);
	d->d_tag = DT_TEXTREL;
	p = scratch(self, "textrel.so", buf, size);
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "text relocations (DT_TEXTREL)");
	free(p);

	d->d_tag = DT_SYMBOLIC;
	d = dyn_of(buf, size, DT_FLAGS);
	ASSERT_NE(NULL, d);
	d->d_un.d_val |= DF_TEXTREL;
	p = scratch(self, "df_textrel.so", buf, size);
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "text relocations (DF_TEXTREL in DT_FLAGS)");
	free(p);
	free(buf);
}

TEST_F(chk, interp_and_tls_segments)
{
	unsigned char *buf;
	Elf64_Phdr *note;
	size_t size;
	char *p;

	buf = good_image(_metadata, self, &size);
	ASSERT_NE(NULL, buf);
	note = phdr_of(buf, size, PT_NOTE);
	ASSERT_NE(NULL, note);
	note->p_type = PT_INTERP;
	p = scratch(self, "interp.so", buf, size);
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "PT_INTERP segment");
	free(p);

	note->p_type = PT_TLS;
	p = scratch(self, "pt_tls.so", buf, size);
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "PT_TLS segment");
	free(p);
	free(buf);
}

TEST_F(chk, unversioned_export)
{
	unsigned char *buf;
	Elf64_Half *vs;
	Elf64_Shdr *sh;
	size_t size, i;
	char *p;

	buf = good_image(_metadata, self, &size);
	ASSERT_NE(NULL, buf);
	sh = shdr_of(buf, size, SHT_GNU_versym);
	ASSERT_NE(NULL, sh);
	ASSERT_LE(sh->sh_offset + sh->sh_size, size);
	vs = (Elf64_Half *)(buf + sh->sh_offset);
	for (i = 1; i < sh->sh_size / sizeof(*vs); i++)
		vs[i] = VER_NDX_GLOBAL;
	p = scratch(self, "unversioned.so", buf, size);
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "exported symbol '__vlibc_init' is unversioned");
	free(p);
	free(buf);
}

TEST_F(chk, wrong_version_and_soname)
{
	unsigned char *buf;
	size_t size;
	char *p;

	buf = good_image(_metadata, self, &size);
	ASSERT_NE(NULL, buf);
	ASSERT_LT(0, replace_all(buf, size, "LINUX_VLIBC_1", "LINUX_VLIBC_7"));
	p = scratch(self, "version.so", buf, size);
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "DT_VERDEF does not define version LINUX_VLIBC_1");
	EXPECT_REFUSED(p, "exported symbol '__vlibc_init' has version LINUX_VLIBC_7, expected LINUX_VLIBC_1");
	free(p);
	free(buf);

	buf = good_image(_metadata, self, &size);
	ASSERT_NE(NULL, buf);
	ASSERT_LT(0, replace_all(buf, size, "linux-vlibc.so.1", "linux-vlibc.so.9"));
	p = scratch(self, "soname.so", buf, size);
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "SONAME is \"linux-vlibc.so.9\", expected \"linux-vlibc.so.1\"");
	free(p);
	free(buf);
}

TEST_F(chk, layout_rules)
{
	unsigned char *buf;
	Elf64_Ehdr *eh;
	size_t size;
	char *p;

	buf = good_image(_metadata, self, &size);
	ASSERT_NE(NULL, buf);
	eh = (Elf64_Ehdr *)buf;
	eh->e_type = ET_EXEC;
	p = scratch(self, "exec.so", buf, size);
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "not a shared object (ET_DYN)");
	free(p);

	eh->e_type = ET_DYN;
	eh->e_machine = EM_AARCH64;
	p = scratch(self, "arm.so", buf, size);
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "not an x86-64 object");
	free(p);
	free(buf);
}

/* --- truncated, garbage and mutated files ------------------------------- */

TEST_F(chk, truncated_copies)
{
	size_t size, text, cuts[16], i, n = 0;
	unsigned char *buf;
	Elf64_Phdr *load;
	char *p;

	buf = good_image(_metadata, self, &size);
	ASSERT_NE(NULL, buf);
	load = phdr_of(buf, size, PT_LOAD);
	ASSERT_NE(NULL, load);
	text = load->p_filesz;
	ASSERT_LT(text, size);

	cuts[n++] = 0;
	cuts[n++] = 1;
	cuts[n++] = 16;
	cuts[n++] = sizeof(Elf64_Ehdr) - 1;
	cuts[n++] = sizeof(Elf64_Ehdr);
	cuts[n++] = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 3;
	cuts[n++] = text / 2;
	cuts[n++] = text - 1;
	cuts[n++] = text;
	cuts[n++] = text + (size - text) / 2;
	cuts[n++] = size - 1;

	for (i = 0; i < n; i++) {
		char name[64];

		snprintf(name, sizeof(name), "cut-%zu.so", cuts[i]);
		p = scratch(self, name, buf, cuts[i]);
		ASSERT_NE(NULL, p);
		EXPECT_REFUSED(p, "");
		free(p);
	}
	free(buf);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

TEST_F(chk, garbage_files)
{
	unsigned char buf[8192];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	size_t i;
	char *p;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = rnd();
	p = scratch(self, "random.so", buf, sizeof(buf));
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "not an ELF file");
	free(p);

	memcpy(buf, ELFMAG, SELFMAG);
	p = scratch(self, "magic.so", buf, sizeof(buf));
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "");
	free(p);

	/* Plausible header, tables pointing far outside the file. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	eh->e_phoff = ~0ULL - 8;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 0xffff;
	eh->e_shoff = 1ULL << 62;
	p = scratch(self, "far.so", buf, sizeof(buf));
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "program headers outside the file");
	free(p);

	memset(buf, 0, sizeof(buf));
	p = scratch(self, "zeros.so", buf, sizeof(buf));
	ASSERT_NE(NULL, p);
	EXPECT_REFUSED(p, "not an ELF file");
	free(p);
}

/*
 * Random damage to the tables the checker walks: it must always answer
 * 0 or 1, never die on a signal; and it must notice a good share of it.
 */
TEST_F_TIMEOUT(chk, mutated_copies_never_crash, 300)
{
	size_t size, i, k, refused = 0, rounds = 400;
	unsigned char *good, *buf;
	Elf64_Phdr *dynamic;
	char *p, *out;

	good = good_image(_metadata, self, &size);
	ASSERT_NE(NULL, good);
	buf = malloc(size);
	ASSERT_NE(NULL, buf);
	dynamic = phdr_of(good, size, PT_DYNAMIC);
	ASSERT_NE(NULL, dynamic);
	ASSERT_LE(dynamic->p_offset + dynamic->p_filesz, size);
	ASSERT_LE(0, asprintf(&p, "%s/mutant.so", self->dir));

	for (i = 0; i < rounds; i++) {
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)good;
		uint64_t vals[] = { 0, 1, ~0ULL, size, size - 1, 1ULL << 63,
				    0x7fffffff, rnd() };
		int rc, changes = 1 + rnd() % 4;

		memcpy(buf, good, size);
		for (k = 0; k < (size_t)changes; k++) {
			size_t base, span, off;
			uint64_t v = vals[rnd() % 8];

			switch (rnd() % 4) {
			case 0:		/* ELF and program headers */
				base = 0;
				span = eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr);
				break;
			case 1:		/* the dynamic section */
				base = dynamic->p_offset;
				span = dynamic->p_filesz;
				break;
			case 2:		/* section headers */
				base = eh->e_shoff;
				span = size - eh->e_shoff;
				break;
			default:	/* anywhere in the text */
				base = 0;
				span = phdr_of(good, size, PT_LOAD)->p_filesz;
				break;
			}
			off = base + (rnd() % (span / 8)) * 8;
			if (off + 8 <= size)
				memcpy(buf + off, &v, 8);
			else
				buf[rnd() % size] = rnd();
		}
		ASSERT_EQ(0, vl_write_file(p, buf, size));
		rc = run_check(self->checker, p, NULL, NULL, &out);
		ASSERT_NE(NULL, out);
		ASSERT_TRUE(rc == 0 || rc == 1) {
			TH_LOG("round %zu: exit %d:\n%s", i, rc, out);
		}
		ASSERT_EQ(rc == 0, out[0] == '\0') {
			TH_LOG("round %zu: exit %d but output:\n%s", i, rc,
			       out);
		}
		refused += rc == 1;
		free(out);
	}
	TH_LOG("%zu of %zu mutants refused", refused, rounds);
	EXPECT_LT(rounds / 4, refused);
	free(p);
	free(buf);
	free(good);
}

TEST_HARNESS_MAIN
