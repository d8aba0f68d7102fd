# SPDX-License-Identifier: GPL-2.0
#
# vlibc: libc function bodies built like the vDSO, bound ahead of glibc.
#
#   make            image, binder, runner, checker, embedder under build/
#   make check      selftests (TAP, closing "N passed, M failed")
#   make check-apps real programs plainly and under vlibc (part of make test)
#   make bench      benchmarks against plain glibc, side by side
#   make demo       unmodified Debian programs with and without vlibc
#   make install    image under /lib/modules/$(uname -r)/vdso, rest /usr/local
#
# One short line per build step ("  CC      build/binder/bind.o"); V=1 prints
# the commands instead (Q and msg: vdso-link/Makefile.image).

O		?= build
CC		?= gcc
HOSTCC		?= $(CC)
PREFIX		?= /usr/local
KRELEASE	?= $(shell uname -r)
DESTDIR		?=
VLIBC_CACHE	?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/vlibc
LINUX_SOURCE_TAR ?= $(firstword $(wildcard /usr/src/linux-source-6.12.tar.xz))

include tools/libc/arch/subarch.include
INCLUDES	:= -Itools/libc/include -Itools/libc/arch/$(VLIBC_ARCH)/include \
		   -Ibinder/arch/$(VLIBC_ARCH)/include -Ivdso-link
WARN		:= -Wall -Wextra -Wno-unused-parameter -Wstrict-prototypes

.DEFAULT_GOAL := all

# --- the image: vdso-link/Makefile.image -----------------------------------
include vdso-link/Makefile.image

# --- host tools and the binder ---------------------------------------------
HOST_CFLAGS	:= -std=gnu11 -O2 -g $(WARN) $(INCLUDES)
BINDER_SRCS	:= $(filter-out binder/memcpy.c,$(wildcard binder/*.c binder/arch/$(VLIBC_ARCH)/*.S)) \
		   tools/libc/lib/elf_dyn.c tools/libc/lib/string.c tools/libc/lib/seccomp.c \
		   tools/libc/lib/futex.c \
		   vdso-link/image_layout.c
BINDER_OBJS	:= $(patsubst %,$(O)/binder/%.o,$(basename $(notdir $(BINDER_SRCS))))
# Start-up decisions read only what the process started with (the initial
# stack, through ld.so's __libc_stack_end), so they give the same answer
# whenever the first bound call comes.  The binder's own system calls are
# raw (binder/sys.h), and no loop is turned into a call to memcpy() or
# memset(): in libvlibc-memcpy.so string.c's loops are those functions.
BINDER_CFLAGS	:= $(HOST_CFLAGS) -fPIC -fvisibility=hidden -fno-stack-protector \
		   -fno-tree-loop-distribute-patterns -pthread
# -z noseparate-code: two PT_LOAD segments, not four (headers and
# read-only data share the code's): every process under the preload makes
# two mmap() calls and takes about three page faults fewer.
BINDER_LDFLAGS	:= -shared -pthread -Wl,-z,now -Wl,-z,relro -Wl,--no-undefined \
		   -Wl,-z,noseparate-code

# libvlibc-memcpy.so: the same binder plus the memcpy family, opt-in (the
# family loses to glibc at small sizes, and binding memcpy at all costs
# every call a jump: see Documentation/userspace-api/vlibc-memcpy.rst).
# It exports memcpy and memset as jump slots; its own copies (struct
# copies the compiler emits) go to string.c's loops, built for it as
# __wrap_memcpy and __wrap_memset.
MEMCPY_BINDER_OBJS := $(patsubst $(O)/binder/%,$(O)/binder-memcpy/%,$(BINDER_OBJS)) \
		      $(O)/binder-memcpy/memcpy.o
MEMCPY_BINDER_CFLAGS = $(BINDER_CFLAGS) -DVLIBC_BINDER_WITH_MEMCPY
MEMCPY_BINDER_LDFLAGS := $(BINDER_LDFLAGS) -Wl,--wrap=memcpy -Wl,--wrap=memset
$(O)/binder-memcpy/string.o: MEMCPY_BINDER_CFLAGS += -Dmemcpy=__wrap_memcpy -Dmemset=__wrap_memset

PROGS		:= $(O)/linux-vlibc.so.1 $(O)/libvlibc.so $(O)/libvlibc-memcpy.so \
		   $(O)/vlibc-run $(O)/vlibc-check $(O)/vlibc2c $(O)/vlibc-image.c \
		   $(O)/vlibc-ab

all: $(PROGS)

vpath %.c binder tools/libc/lib vdso-link
vpath %.S binder/arch/$(VLIBC_ARCH)

# $(call binder_build,DIR,LIBRARY,VAR): one build of the binder, its
# objects under $(O)/DIR, compiled with $(VAR_CFLAGS) and linked from
# $(VAR_OBJS) with $(VAR_LDFLAGS) into LIBRARY.
define binder_build
$$($(3)_OBJS): | $(O)/$(1)
$(O)/$(1)/%.o: %.c
	$$(call msg,CC,$$@)
	$$(Q)$$(CC) $$($(3)_CFLAGS) -MMD -MP -c $$< -o $$@

# pthread_once() runs the application's routine: its cleanup must run when
# a C++ exception leaves the routine too.
$(O)/$(1)/once.o: $(3)_CFLAGS += -fexceptions

$(O)/$(1)/%.o: %.S
	$$(call msg,AS,$$@)
	$$(Q)$$(CC) $$($(3)_CFLAGS) -c $$< -o $$@

$(2): $$($(3)_OBJS)
	$$(call msg,LD,$$@)
	$$(Q)$$(CC) $$($(3)_LDFLAGS) $$^ -o $$@

-include $$($(3)_OBJS:.o=.d)
DIRS		+= $(O)/$(1)
endef

$(eval $(call binder_build,binder,$(O)/libvlibc.so,BINDER))
$(eval $(call binder_build,binder-memcpy,$(O)/libvlibc-memcpy.so,MEMCPY_BINDER))

$(O)/vlibc-run: binder/vlibc-run.in | $(O)
	$(call msg,GEN,$@)
	$(Q)sed 's|@PREFIX@|$(PREFIX)|g' $< > $@
	$(Q)chmod +x $@

# vlibc-ab: A/B runner (tools/vlibc/); finds the binder like vlibc-run.
$(O)/vlibc-ab: tools/vlibc/vlibc-ab.c | $(O)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -DVLIBC_PREFIX='"$(PREFIX)"' $< -o $@

# --- vlibc-stat: a process's counters, read from outside ------------------
VLIBC_STAT_SRCS	:= tools/vlibc/vlibc-stat.c tools/vlibc/stat-read.c

$(O)/vlibc-stat: $(VLIBC_STAT_SRCS) tools/vlibc/stat-read.h \
		 tools/libc/include/vlibc/stat-abi.h tools/libc/include/vlibc/stat-counters.h \
		 tools/libc/include/vlibc/family-list.h | $(O)
	$(call msg,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(VLIBC_STAT_SRCS) -o $@

all: $(O)/vlibc-stat

# --- kselftest headers, taken from Debian's linux-source-6.12 --------------
KSFT_KEY	:= $(notdir $(LINUX_SOURCE_TAR))-$(shell stat -c %s-%Y $(LINUX_SOURCE_TAR) 2>/dev/null)
KSFT_DIR	:= $(VLIBC_CACHE)/ksft/$(KSFT_KEY)

$(KSFT_DIR)/kselftest_harness.h: | $(KSFT_DIR)
	@test -n "$(LINUX_SOURCE_TAR)" || { echo "linux-source-6.12 is not installed: run scripts/bootstrap" >&2; exit 1; }
	$(call msg,TAR,$@)
	$(Q)tar -xJf $(LINUX_SOURCE_TAR) -C $(KSFT_DIR) --strip-components=4 \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h

ksft-headers: $(KSFT_DIR)/kselftest_harness.h
DIRS		+= $(KSFT_DIR)

include selftests/Makefile.inc
-include bench/Makefile.inc
include kernel/Makefile.inc
include glibc/Makefile.inc

# The folders of DIRS, made before what goes in them (order-only
# prerequisites); vdso-link/Makefile.image makes its own (IMAGE_DIRS).
$(filter-out $(IMAGE_DIRS),$(sort $(DIRS))):
	$(Q)mkdir -p $@

# The README's test command: the native suite, then the QEMU suite (kernel
# delivery), and one closing line for both.
test:
	./scripts/test-all

demo: all
	./scripts/demo

# $(call install_file,MODE,FILE,DEST): FILE written beside DEST, then
# renamed over it.  A process starting meanwhile (with the binder in
# /etc/ld.so.preload, every process) finds the old file or the whole new
# one, never a part of one; running processes keep theirs.
install_file = install -D -m $(1) $(2) $(dir $(3)).$(notdir $(3)).new && \
	mv -f $(dir $(3)).$(notdir $(3)).new $(3)

install: all
	$(call install_file,0644,$(O)/linux-vlibc.so.1,$(DESTDIR)/lib/modules/$(KRELEASE)/vdso/linux-vlibc.so.1)
	$(call install_file,0755,$(O)/libvlibc.so,$(DESTDIR)$(PREFIX)/lib/libvlibc.so)
	$(call install_file,0755,$(O)/libvlibc-memcpy.so,$(DESTDIR)$(PREFIX)/lib/libvlibc-memcpy.so)
	$(call install_file,0755,$(O)/vlibc-run,$(DESTDIR)$(PREFIX)/bin/vlibc-run)
	$(call install_file,0755,$(O)/vlibc-ab,$(DESTDIR)$(PREFIX)/bin/vlibc-ab)
	$(call install_file,0755,$(O)/vlibc-stat,$(DESTDIR)$(PREFIX)/bin/vlibc-stat)

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KRELEASE)/vdso/linux-vlibc.so.1 \
	      $(DESTDIR)$(PREFIX)/lib/libvlibc.so $(DESTDIR)$(PREFIX)/lib/libvlibc-memcpy.so \
	      $(DESTDIR)$(PREFIX)/bin/vlibc-run $(DESTDIR)$(PREFIX)/bin/vlibc-ab \
	      $(DESTDIR)$(PREFIX)/bin/vlibc-stat

clean:
	rm -rf $(O)

.PHONY: all check check-apps test bench demo install uninstall clean ksft-headers
.DELETE_ON_ERROR:
