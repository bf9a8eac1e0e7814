# hvsh: plain GNU make with pkg-config.
#   make             build build/hvsh
#   make demo        install missing packages, build, the dashboard on a demo lab
#   make check       install missing packages, build, run every test
#   make check SANITIZE=1   the same under ASan and UBSan (build-san/)
#   make bench       benchmarks; figures go to docs/BENCHMARKS.md
#   make fuzz        fuzz the parsers of host output (libFuzzer, bounded time)
#   make install     PREFIX=/usr/local DESTDIR=

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
DATADIR	?= $(PREFIX)/share/hvsh
CC	?= cc
PKG_CONFIG ?= pkg-config

PKGS	:= lmdb jansson readline libcrypto libssh ncursesw
# libvirt is loaded at run time by drv-libvirt.c (dlopen): headers only.
DLPKGS	:= libvirt
VERSION	:= 0.1.0

ifeq ($(SANITIZE),1)
B	?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined
else
B	?= build
SANFLAGS :=
endif

OPT	?= -O2 -g
CFLAGS	+= $(OPT) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	   -Iinclude -DHVSH_VERSION='"$(VERSION)"' $(SANFLAGS) \
	   $(shell $(PKG_CONFIG) --cflags $(PKGS) $(DLPKGS) 2>/dev/null)
LDFLAGS	+= $(SANFLAGS)
LDLIBS	+= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lpthread
ifeq ($(SANITIZE),1)
# ASan's interceptors of the xdr_* functions (libvirt's RPC) resolve only
# what is loaded at start; a libvirt opened later would call through null.
LDLIBS	+= $(shell $(PKG_CONFIG) --libs $(DLPKGS) 2>/dev/null)
endif
TEST_LDLIBS := $(shell $(PKG_CONFIG) --libs cmocka $(DLPKGS) 2>/dev/null)

# Every src/*.c but main.c goes into the library that the tests link too.
LIB_SRC	:= $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ	:= $(LIB_SRC:src/%.c=$(B)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

.PHONY: all check unit deps bench fuzz install clean demo
.DELETE_ON_ERROR:

all: $(B)/hvsh

$(B)/obj/%.o: src/%.c $(wildcard include/*.h) | $(B)/obj
	$(CC) $(CFLAGS) -c -o $@ $<

# Where an installed hvsh finds its keymaps when they are not beside it.
$(B)/obj/keymap.o: CFLAGS += -DHVSH_DATADIR='"$(DATADIR)"'

$(B)/libhvsh.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/hvsh: $(B)/obj/main.o $(B)/libhvsh.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libhvsh.a $(wildcard include/*.h) | $(B)/tests
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libhvsh.a $(LDLIBS) $(TEST_LDLIBS)

$(B)/tools/%: tests/tools/%.c $(B)/libhvsh.a $(wildcard include/*.h) | $(B)/tools
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libhvsh.a $(LDLIBS)

$(B)/bench/%: bench/%.c $(B)/libhvsh.a $(wildcard include/*.h) | $(B)/bench
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libhvsh.a $(LDLIBS)

$(B)/obj $(B)/tests $(B)/tools $(B)/bench:
	mkdir -p $@

deps:
	@bash contrib/install-deps.sh

# 'check' installs first, then builds in a second make so that pkg-config
# sees the packages it just installed.
check: deps
	@$(MAKE) --no-print-directory unit
	@HVSH_BUILD=$(B) bash tests/run

unit: $(B)/hvsh $(UNIT_BIN) $(TOOL_BIN)

bench: deps
	@$(MAKE) --no-print-directory $(B)/hvsh $(BENCH_BIN) $(TOOL_BIN)
	@HVSH_BUILD=$(B) bash bench/run

demo: deps
	@$(MAKE) --no-print-directory $(B)/hvsh
	@HVSH_BUILD=$(B) bash contrib/demo.sh

# Each parser of host output under libFuzzer for FUZZ_SECONDS (default 60).
fuzz: deps
	@bash fuzz/run

install: $(B)/hvsh
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(B)/hvsh $(DESTDIR)$(BINDIR)/hvsh
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 contrib/hvsh.bash-completion \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/hvsh
	install -d $(DESTDIR)$(DATADIR)/keymaps
	install -m 0644 keymaps/*.keys $(DESTDIR)$(DATADIR)/keymaps

clean:
	rm -rf build build-san build-fuzz
