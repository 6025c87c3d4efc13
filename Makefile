# fcgi-auth — one Makefile. `make` builds, `make run` serves, `make test` tests.
# Switches: SANITIZE=address,undefined  CC=clang  V=1

CC      ?= cc

# MONGOC=slim (default): libbson + libmongoc built once by scripts/mongoc.sh from
# Debian's source package without ICU, SASL, compression and client-side
# encryption, linked statically with --gc-sections: ~7 MiB RSS per process
# instead of ~10.5 (README "The slim libmongoc"). MONGOC=system: Debian's shared libmongoc.
MONGOC  ?= slim
ifeq ($(MONGOC),slim)
MONGOC_STAMP = .deps/mongoc/.stamp
PKG_ENV      = PKG_CONFIG_PATH=$(CURDIR)/.deps/mongoc/lib/pkgconfig
PKGS         = fcgi libmongoc-static-1.0 libbson-static-1.0 libcrypto
SLIM_CFLAGS  = -ffunction-sections -fdata-sections
LDFLAGS_SLIM = -Wl,--gc-sections -Wl,--as-needed
else ifeq ($(MONGOC),system)
PKGS         = fcgi libmongoc-1.0 libbson-1.0 libcrypto
else
$(error MONGOC must be slim or system)
endif
# Evaluated once, on first use: after $(MONGOC_STAMP) is built, not at parse time
# (on a fresh machine the libraries arrive during the build).
# -isystem instead of -I, so the libraries' own headers do not trip -Werror.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell $(PKG_ENV) pkg-config --cflags $(PKGS) | sed 's/-I/-isystem /g'))$(PKG_CFLAGS)
# libsodium (scrypt, lib/password.c) is linked statically: only its scrypt code.
PKG_LIBS   = $(eval PKG_LIBS := $(shell $(PKG_ENV) pkg-config --libs $(PKGS)) -l:libsodium.a -lunistring)$(PKG_LIBS)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wno-format-nonliteral \
           -fstack-protector-strong -D_FORTIFY_SOURCE=2 $(SLIM_CFLAGS) -Ilib $(PKG_CFLAGS)
LDFLAGS ?=
LDFLAGS += $(LDFLAGS_SLIM)
ifdef SANITIZE
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

# Sanitizer builds go to their own directory, so objects never mix.
B        = build$(if $(SANITIZE),-san)$(if $(filter system,$(MONGOC)),-sysmongoc)
LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:lib/%.c=$(B)/lib/%.o)
LIB_A    = $(B)/libfcgiauth.a
CGI_SRC  = $(wildcard cgi-bin/*.c)
CGI_BIN  = $(CGI_SRC:cgi-bin/%.c=$(B)/cgi-bin/%)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_BIN = $(B)/schema-apply $(B)/demo/whoami

.PHONY: all deps run test unit schema clean bench valgrind soak fuzz fuzz-replay
all: $(CGI_BIN) $(UNIT_BIN) $(TOOL_BIN)

$(B)/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(B)/lib $(MONGOC_STAMP)
	$(CC) $(CFLAGS) -c -o $@ $<
$(LIB_A): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
$(B)/cgi-bin/%: cgi-bin/%.c $(LIB_A) | $(B)/cgi-bin
	$(CC) $(CFLAGS) -o $@ $< $(LIB_A) $(LDFLAGS) $(PKG_LIBS)
$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIB_A) | $(B)/tests
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB_A) $(LDFLAGS) $(PKG_LIBS)
$(B)/schema-apply: schema/schema-apply.c $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_A) $(LDFLAGS) $(PKG_LIBS)
$(B)/demo/%: demo/%.c $(LIB_A) | $(B)/demo
	$(CC) $(CFLAGS) -o $@ $< $(LIB_A) $(LDFLAGS) $(PKG_LIBS)
$(B)/bench/scrypt-rate: bench/scrypt-rate.c $(LIB_A) | $(B)/bench
	$(CC) $(CFLAGS) -o $@ $< $(LIB_A) $(LDFLAGS) $(PKG_LIBS)
$(B)/lib $(B)/cgi-bin $(B)/tests $(B)/demo $(B)/bench:
	mkdir -p $@
ifdef MONGOC_STAMP
$(MONGOC_STAMP): scripts/mongoc.sh
	@./scripts/mongoc.sh
endif

deps:
	@./scripts/deps.sh

# libFuzzer targets (make fuzz, FUZZ_SECONDS=60 each) and the corpus replay.
include fuzz/fuzz.mk
# make dist (static musl release tarball) and make test-dist.
include scripts/dist.mk

# Unit tests alone (no store, no web server).
unit: $(UNIT_BIN)
	@./tests/run-unit.sh $(UNIT_BIN)

# Everything: deps, build, FerretDB + lighttpd on loopback, unit + end-to-end + interop.
test: deps all $(FUZZ_TARGETS:%=$(B)/fuzz/replay_%)
	@FCGI_AUTH_BUILD=$(B) ./tests/run.sh

# Serve the suite on 127.0.0.1:$${PORT:-8080} until Ctrl-C, through
# SERVER=lighttpd (default), apache (mod_fcgid) or cgi (plain CGI).
SERVER ?= lighttpd
run: deps all
	@SERVER=$(SERVER) ./scripts/run.sh

# Apply the indexes of schema/ to $$MONGODB_URI / $$MONGODB_DB (idempotent).
schema: $(TOOL_BIN)
	@./$(TOOL_BIN)

# Unit tests and FastCGI programs under valgrind (slow; not part of `make test`).
valgrind: deps all
	@./tests/valgrind.sh

# >= 100 000 mixed requests to long-lived processes; RSS and fds before/after.
soak: deps all
	@BETTER_AUTH_TELEMETRY=0 node tests/soak/soak.mjs

# fcgi-auth against Better Auth on the same FerretDB (wrk); writes docs/benchmarks.md.
bench: deps all $(B)/bench/scrypt-rate
	@FCGI_AUTH_BUILD=$(B) MONGOC=$(MONGOC) ./bench/run.sh

clean:
	rm -rf build build-san build-sysmongoc build-san-sysmongoc build-musl
