# SPDX-License-Identifier: GPL-2.0
#
# vlibc: libc function bodies built like the vDSO, bound ahead of glibc.
#
#   make            image, binder, runner, checker, embedder under build/
#   make check      selftests (TAP, closing "N passed, M failed")
#   make bench      benchmarks against plain glibc, side by side
#   make demo       unmodified Debian programs with and without vlibc
#   make install    image under /lib/modules/$(uname -r)/vdso, rest /usr/local

O		?= build
CC		?= gcc
HOSTCC		?= $(CC)
PREFIX		?= /usr/local
KRELEASE	?= $(shell uname -r)
DESTDIR		?=
VLIBC_CACHE	?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/vlibc
LINUX_SOURCE_TAR ?= $(firstword $(wildcard /usr/src/linux-source-6.12.tar.xz))

ARCH_DIR	:= tools/libc/arch/x86
INCLUDES	:= -Itools/libc/include -I$(ARCH_DIR)/include -Ivdso-link
WARN		:= -Wall -Wextra -Wno-unused-parameter -Wstrict-prototypes

# --- the image -------------------------------------------------------------
include tools/libc/Kbuild
IMAGE_OBJS	:= $(addprefix $(O)/image/,$(vlibc-y))

IMAGE_CFLAGS	:= -std=gnu11 -O2 -g $(WARN) $(INCLUDES) \
		   -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
		   -idirafter /usr/include/x86_64-linux-gnu -idirafter /usr/include \
		   -ffreestanding -fPIC -fvisibility=hidden \
		   -fno-stack-protector -fno-stack-clash-protection \
		   -fno-tree-loop-distribute-patterns -fcf-protection=none \
		   -fno-common -fno-plt -D__VLIBC_IMAGE__
IMAGE_LDFLAGS	:= -shared -nostdlib -Wl,-T,$(O)/vlibc.lds \
		   -Wl,-soname=linux-vlibc.so.1 -Wl,--hash-style=both \
		   -Wl,--build-id=sha1 -Wl,-Bsymbolic -Wl,--no-undefined \
		   -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096 \
		   -Wl,-z,norelro -Wl,--eh-frame-hdr -Wl,-z,noexecstack

# --- host tools and the binder ---------------------------------------------
HOST_CFLAGS	:= -std=gnu11 -O2 -g $(WARN) $(INCLUDES)
BINDER_SRCS	:= $(wildcard binder/*.c binder/arch/x86/*.S) tools/libc/lib/elf_dyn.c \
		   tools/libc/lib/string.c vdso-link/image_layout.c
BINDER_OBJS	:= $(patsubst %,$(O)/binder/%.o,$(basename $(notdir $(BINDER_SRCS))))
# Start-up decisions read only what the process started with (raw system
# calls, no stack protector, no implicit calls into libc), so they give the
# same answer whenever the first bound call comes.
BINDER_CFLAGS	:= $(HOST_CFLAGS) -fPIC -fvisibility=hidden -fno-stack-protector \
		   -fno-tree-loop-distribute-patterns -pthread
BINDER_LDFLAGS	:= -shared -pthread -Wl,-z,now -Wl,-z,relro -Wl,--no-undefined

PROGS		:= $(O)/linux-vlibc.so.1 $(O)/libvlibc.so $(O)/vlibc-run \
		   $(O)/vlibc-check $(O)/vlibc2c $(O)/vlibc-image.c

all: $(PROGS)

$(O)/vlibc.lds: vdso-link/vlibc.lds.S tools/libc/include/vlibc/abi.h
	@mkdir -p $(@D)
	$(CC) -E -P -x c -D__ASSEMBLY__ $(INCLUDES) $< -o $@

$(O)/image/%.o: tools/libc/%.c
	@mkdir -p $(@D)
	$(CC) $(IMAGE_CFLAGS) -MMD -MP -c $< -o $@

# Linked, then refused unless vlibc-check accepts it.
$(O)/linux-vlibc.so.1: $(IMAGE_OBJS) $(O)/vlibc.lds $(O)/vlibc-check
	$(CC) $(IMAGE_LDFLAGS) $(IMAGE_OBJS) -o $@.tmp
	$(O)/vlibc-check $@.tmp
	mv $@.tmp $@

$(O)/vlibc-check: vdso-link/vlibc-check.c vdso-link/image_layout.c vdso-link/image_layout.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) vdso-link/vlibc-check.c vdso-link/image_layout.c -o $@

$(O)/vlibc2c: vdso-link/vlibc2c.c vdso-link/image_layout.c vdso-link/image_layout.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) vdso-link/vlibc2c.c vdso-link/image_layout.c -o $@

# The C file the kernel build embeds (kernel delivery); built here so the
# embedder is exercised on every build.
$(O)/vlibc-image.c: $(O)/linux-vlibc.so.1 $(O)/vlibc2c
	$(O)/vlibc2c $< $@

vpath %.c binder tools/libc/lib vdso-link
vpath %.S binder/arch/x86
$(O)/binder/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(BINDER_CFLAGS) -MMD -MP -c $< -o $@

$(O)/binder/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(BINDER_CFLAGS) -c $< -o $@

$(O)/libvlibc.so: $(BINDER_OBJS)
	$(CC) $(BINDER_LDFLAGS) $^ -o $@

$(O)/vlibc-run: binder/vlibc-run.in
	@mkdir -p $(@D)
	sed 's|@PREFIX@|$(PREFIX)|g' $< > $@
	chmod +x $@

-include $(IMAGE_OBJS:.o=.d) $(BINDER_OBJS:.o=.d)

# --- kselftest headers, taken from Debian's linux-source-6.12 --------------
KSFT_KEY	:= $(notdir $(LINUX_SOURCE_TAR))-$(shell stat -c %s-%Y $(LINUX_SOURCE_TAR) 2>/dev/null)
KSFT_DIR	:= $(VLIBC_CACHE)/ksft/$(KSFT_KEY)

$(KSFT_DIR)/kselftest_harness.h:
	@test -n "$(LINUX_SOURCE_TAR)" || { echo "linux-source-6.12 is not installed: run scripts/bootstrap" >&2; exit 1; }
	@mkdir -p $(KSFT_DIR)
	tar -xJf $(LINUX_SOURCE_TAR) -C $(KSFT_DIR) --strip-components=4 \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h

ksft-headers: $(KSFT_DIR)/kselftest_harness.h

include selftests/Makefile.inc
-include bench/Makefile.inc

demo: all
	./scripts/demo

install: all
	install -D -m 0644 $(O)/linux-vlibc.so.1 \
		$(DESTDIR)/lib/modules/$(KRELEASE)/vdso/linux-vlibc.so.1
	install -D -m 0755 $(O)/libvlibc.so $(DESTDIR)$(PREFIX)/lib/libvlibc.so
	install -D -m 0755 $(O)/vlibc-run $(DESTDIR)$(PREFIX)/bin/vlibc-run

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KRELEASE)/vdso/linux-vlibc.so.1 \
	      $(DESTDIR)$(PREFIX)/lib/libvlibc.so $(DESTDIR)$(PREFIX)/bin/vlibc-run

clean:
	rm -rf $(O)

.PHONY: all check bench demo install uninstall clean ksft-headers
.DELETE_ON_ERROR:
