# tlsrpt-publish: build, test, install.
#
#   make                 build ./tlsrpt-publish
#   make check           install missing Debian packages, build, run every test
#   make demo            install, build, run the sandbox flow (PROVIDER=...)
#   make lint            banned functions, include layering, clang-format
#   make fuzz            long libFuzzer campaign (FUZZ_SECONDS per target)
#   make bench           benchmarks against the emulators (prints figures)
#   make install         PREFIX=/usr/local DESTDIR= (binary and man page)
# Knobs: WERROR=1 (warnings are errors), SANITIZE=1 (ASan + UBSan).

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DESTDIR   ?=
CC        ?= cc
PKG_CONFIG ?= pkg-config
PYTHON    ?= /usr/bin/python3
PROVIDER  ?= cloudflare
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 10

PKGS      = libcurl libcjson libconfig libcares openssl libxml-2.0 libidn2
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
CFLAGS    ?= -O2 -g
XCFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -Iinclude $(WARN) $(PKG_CFLAGS)
XLDLIBS   = $(PKG_LIBS) -lresolv -lpthread -lm
BUILD     = build

ifeq ($(WERROR),1)
XCFLAGS  += -Werror
endif
ifeq ($(SANITIZE),1)
XCFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
BUILD     = build-san
endif

CORE_SRCS  = $(sort $(wildcard core/*.c) $(wildcard providers/*.c) \
             $(wildcard providers/*/*.c))
CMD_SRCS   = $(sort $(wildcard cmd/*.c))
CORE_OBJS  = $(CORE_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS   = $(CMD_SRCS:%.c=$(BUILD)/%.o)
LIB        = $(BUILD)/libtlsrpt.a
UNIT_SRCS  = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS  = $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRCS = $(sort $(wildcard tests/bench/*.c))
BENCH_BINS = $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps check check-run unit e2e fuzz fuzz-smoke demo lint bench \
        memcheck install uninstall clean

all: tlsrpt-publish

$(BUILD)/%.o: %.c $(wildcard include/tlsrpt/*.h) $(wildcard core/*.h) \
              $(wildcard providers/*.h) $(wildcard providers/*/*.h) \
              $(wildcard cmd/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $(CORE_OBJS)

$(BUILD)/tlsrpt-publish: $(CMD_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(LIB) $(XLDLIBS)

# The copy at the top is always the last build asked for (plain or
# sanitized), so demo and hand runs use what was just built.
tlsrpt-publish: $(BUILD)/tlsrpt-publish FORCE
	@cmp -s $< $@ || cp $< $@

FORCE:

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) \
	    $(XLDLIBS) $(CMOCKA_LIBS)

# Benchmark drivers (tests/bench/*.c) link the core library like tests.
$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(XLDLIBS)

deps:
	@scripts/install-deps.sh

# check installs what is missing first, then re-reads pkg-config in a
# fresh make so that flags of just-installed packages are seen.
check: deps
	@$(MAKE) --no-print-directory check-run

check-run: tlsrpt-publish $(UNIT_BINS) $(BENCH_BINS)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) FUZZ_SMOKE_SECONDS=$(FUZZ_SMOKE_SECONDS) \
	    SANITIZE=$(SANITIZE) scripts/run-tests.sh $(UNIT_BINS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do $$t; done

e2e: tlsrpt-publish
	TLSRPT_PUBLISH_BIN=$(CURDIR)/$(BUILD)/tlsrpt-publish $(PYTHON) -m pytest -q tests/e2e

fuzz-smoke:
	@scripts/fuzz.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_SRCS)

fuzz:
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_SRCS)

demo: deps
	@$(MAKE) --no-print-directory tlsrpt-publish
	@PYTHON=$(PYTHON) scripts/demo.sh $(PROVIDER)

bench: deps
	@$(MAKE) --no-print-directory tlsrpt-publish $(BENCH_BINS)
	@PYTHON=$(PYTHON) BUILD=$(BUILD) scripts/bench.sh

memcheck: deps
	@$(MAKE) --no-print-directory tlsrpt-publish $(UNIT_BINS)
	@MEMCHECK=1 BUILD=$(BUILD) PYTHON=$(PYTHON) scripts/run-tests.sh $(UNIT_BINS)

lint:
	@scripts/lint.sh

install: tlsrpt-publish
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 tlsrpt-publish $(DESTDIR)$(BINDIR)/tlsrpt-publish
	install -m 644 docs/tlsrpt-publish.1 $(DESTDIR)$(MANDIR)/man1/tlsrpt-publish.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tlsrpt-publish \
	    $(DESTDIR)$(MANDIR)/man1/tlsrpt-publish.1

clean:
	rm -rf build build-san build-fuzz tlsrpt-publish
