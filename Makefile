# fcgi-auth — one Makefile. `make` builds, `make run` serves, `make test` tests.
# Switches: SANITIZE=address,undefined  CC=clang  MONGOC=system  CURL=system  V=1 (show commands)
#
# CFLAGS and LDFLAGS (command line or environment) come after the project's own
# flags, as redis composes FINAL_CFLAGS: `make CFLAGS=-O0` keeps -std=c11
# -Werror … and overrides only -O2. OPTIMIZATION=… replaces -O2 outright.
#
# Only `make deps` and the targets that depend on it (run, test, valgrind,
# soak, bench) install packages; plain `make` never does.

CC           ?= cc
OPTIMIZATION ?= -O2
DEBUG        ?= -g

# MONGOC=slim (default): libbson + libmongoc built once by scripts/mongoc.sh from
# Debian's source package without ICU, SASL, compression and client-side
# encryption, linked statically with --gc-sections: ~7 MiB RSS per process
# instead of ~10.5 (README "The slim libmongoc"). MONGOC=system: Debian's shared libmongoc.
# MONGOC_DIR: where the slim build lives (default the shared .deps/mongoc; another
# directory builds its own there, e.g. to try a patch of scripts/mongoc-patches).
MONGOC  ?= slim
MONGOC_DIR ?= .deps/mongoc
ifeq ($(MONGOC),slim)
MONGOC_STAMP = $(MONGOC_DIR)/.stamp
PKG_ENV      = PKG_CONFIG_PATH=$(abspath $(MONGOC_DIR))/lib/pkgconfig
BSON_PKG     = libbson-static-1.0
PKGS         = libmongoc-static-1.0 $(BSON_PKG) libcrypto
SLIM_CFLAGS  = -ffunction-sections -fdata-sections
SLIM_LDFLAGS = -Wl,--gc-sections -Wl,--as-needed
else ifeq ($(MONGOC),system)
BSON_PKG     = libbson-1.0
PKGS         = libmongoc-1.0 $(BSON_PKG) libcrypto
else
$(error MONGOC must be slim or system)
endif
# CURL=slim (default): libcurl for SMTP over OpenSSL only, built once by
# scripts/curl.sh from Debian's source package and linked statically: the
# programs that send mail stay at the others' ~7 MiB RSS instead of ~11 (Debian's
# shared libcurl brings 26 more libraries). CURL=system: Debian's shared libcurl.
CURL     ?= slim
CURL_DIR ?= .deps/curl
ifeq ($(CURL),slim)
CURL_STAMP = $(CURL_DIR)/.stamp
CURL_ENV   = PKG_CONFIG_PATH=$(abspath $(CURL_DIR))/lib/pkgconfig
CURL_PKG   = --static libcurl
else ifeq ($(CURL),system)
CURL_PKG   = libcurl
else
$(error CURL must be slim or system)
endif
# Evaluated once, on first use: after $(MONGOC_STAMP) is built, not at parse time
# (on a fresh machine the libraries arrive during the build).
# -isystem instead of -I, so the libraries' own headers do not trip -Werror.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell { $(PKG_ENV) pkg-config --cflags $(PKGS); $(CURL_ENV) pkg-config --cflags $(CURL_PKG); } | tr '\n' ' ' | sed 's/-I/-isystem /g'))$(PKG_CFLAGS)
# libsodium (scrypt, lib/password.c) is linked statically: only its scrypt code.
# -lm: lib/json_write.c calls floor() (inlined at -O2, a libm call at -O0).
PKG_LIBS   = $(eval PKG_LIBS := $(shell $(CURL_ENV) pkg-config --libs $(CURL_PKG)) $(shell $(PKG_ENV) pkg-config --libs $(PKGS)) -l:libsodium.a -lunistring -lm)$(PKG_LIBS)

STD      = -std=c11 -D_GNU_SOURCE
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
           -Wformat=2 -Wno-format-nonliteral
# _FORTIFY_SOURCE needs an optimising build (glibc #warns otherwise, and -Werror
# makes that fatal): on unless the last -O flag given is -O0.
FORTIFY  = $(if $(filter -O0,$(lastword $(filter -O%,$(OPTIMIZATION) $(CFLAGS)))),,-D_FORTIFY_SOURCE=2)
HARDEN   = -fstack-protector-strong $(FORTIFY)
ifdef SANITIZE
SAN_CFLAGS  = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_LDFLAGS = -fsanitize=$(SANITIZE)
endif
FINAL_CFLAGS  = $(STD) $(WARN) $(OPTIMIZATION) $(DEBUG) $(HARDEN) $(SLIM_CFLAGS) $(SAN_CFLAGS) \
                -Ilib $(PKG_CFLAGS) $(CFLAGS)
# Every link contains libsodium: its scrypt region goes through lib/bigmap.c
# (huge pages; bigmap.h says why). --undefined pulls bigmap.o out of the archive.
BIGMAP_LDFLAGS = -Wl,--wrap=mmap -Wl,--undefined=__wrap_mmap
FINAL_LDFLAGS = $(SLIM_LDFLAGS) $(SAN_LDFLAGS) $(BIGMAP_LDFLAGS) $(LDFLAGS)

# Quiet rules ("  CC  build/lib/json.o"); V=1 prints every command in full.
ifneq ($(V),1)
Q     = @
QUIET = @printf '  %-5s %s\n' $(1) $@;
endif
COMPILE = $(call QUIET,CC)$(CC) $(FINAL_CFLAGS)
LINK    = $(call QUIET,LINK)$(CC) $(FINAL_CFLAGS)

# Sanitizer builds go to their own directory, so objects never mix. The scripts
# and the node tests find the build through FCGI_AUTH_BUILD (default build).
B        = build$(if $(SANITIZE),-san)$(if $(filter system,$(MONGOC)),-sysmongoc)$(if $(filter system,$(CURL)),-syscurl)
LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:lib/%.c=$(B)/lib/%.o)
LIB_A    = $(B)/libfcgiauth.a
CGI_SRC  = $(wildcard cgi-bin/*.c)
CGI_BIN  = $(CGI_SRC:cgi-bin/%.c=$(B)/cgi-bin/%)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_BIN = $(B)/schema-apply $(B)/demo/whoami
TEST_TOOL_BIN = $(B)/tests-tools/mail-send $(B)/tests-tools/metrics-remove
RUN_ENV  = FCGI_AUTH_BUILD=$(B) MONGOC=$(MONGOC)

# With deps among the goals (make test, make run, ...), it runs before anything
# is compiled, even under -j.
DEPS_FIRST = $(filter deps,$(MAKECMDGOALS) $(if $(filter run test valgrind soak bench,$(MAKECMDGOALS)),deps))

.PHONY: all deps run test unit schema clean bench valgrind soak fuzz fuzz-replay lint install
all: $(CGI_BIN) $(UNIT_BIN) $(TOOL_BIN) $(TEST_TOOL_BIN) $(B)/demo/admin

# The slim libmongoc's stamp as a prerequisite: a rebuilt (e.g. newly patched)
# driver recompiles against its headers and relinks every program.
$(B)/lib/%.o: lib/%.c $(wildcard lib/*.h) $(MONGOC_STAMP) $(CURL_STAMP) | $(B)/lib $(DEPS_FIRST)
	$(COMPILE) -c -o $@ $<
$(LIB_A): $(LIB_OBJ)
	$(call QUIET,AR)rm -f $@ && ar rcs $@ $^
$(B)/cgi-bin/%: cgi-bin/%.c $(LIB_A) | $(B)/cgi-bin
	$(LINK) -o $@ $< $(LIB_A) $(FINAL_LDFLAGS) $(PKG_LIBS)
$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB_A) | $(B)/tests
	$(LINK) -Itests/unit -o $@ $< $(FAKE_DB) $(LIB_A) $(FINAL_LDFLAGS) $(TEST_LDFLAGS) $(PKG_LIBS)
# The handlers' tests run on the in-memory store of tests/unit/fake_db.c,
# linked before the archive so that lib/db.o is never pulled in.
FAKE_DB_TESTS = $(addprefix $(B)/tests/,test_app test_handlers test_signup)
$(FAKE_DB_TESTS): FAKE_DB = $(B)/tests/fake_db.o
$(FAKE_DB_TESTS): $(B)/tests/fake_db.o
$(B)/tests/fake_db.o: tests/unit/fake_db.c tests/unit/fake_db.h lib/db.h $(MONGOC_STAMP) | $(B)/tests $(DEPS_FIRST)
	$(COMPILE) -c -o $@ $<
# test_bigmap.c fails madvise(2) on demand (its own __wrap_madvise).
$(B)/tests/test_bigmap: TEST_LDFLAGS = -Wl,--wrap=madvise
SCHEMA_SRC = $(wildcard schema/*.c)
$(B)/schema-apply: $(SCHEMA_SRC) $(wildcard schema/*.h) $(LIB_A)
	$(LINK) -Ischema -o $@ $(SCHEMA_SRC) $(LIB_A) $(FINAL_LDFLAGS) $(PKG_LIBS)
# /demo/admin (the role-protected demo location) is whoami under another name.
$(B)/demo/admin: $(B)/demo/whoami
	$(Q)ln -sf whoami $@
$(B)/demo/%: demo/%.c $(LIB_A) | $(B)/demo
	$(LINK) -o $@ $< $(LIB_A) $(FINAL_LDFLAGS) $(PKG_LIBS)
$(B)/bench/scrypt-rate $(B)/bench/trivial: $(B)/bench/%: bench/%.c $(LIB_A) | $(B)/bench
	$(LINK) -o $@ $< $(LIB_A) $(FINAL_LDFLAGS) $(PKG_LIBS)
$(B)/tests-tools/%: tests/tools/%.c $(LIB_A) | $(B)/tests-tools
	$(LINK) -o $@ $< $(LIB_A) $(FINAL_LDFLAGS) $(PKG_LIBS)
$(B)/lib $(B)/cgi-bin $(B)/tests $(B)/demo $(B)/bench $(B)/tests-tools:
	$(Q)mkdir -p $@
ifdef CURL_STAMP
$(CURL_STAMP): scripts/curl.sh scripts/curl-options.sh | $(DEPS_FIRST)
	@CURL_PREFIX=$(abspath $(CURL_DIR)) ./scripts/curl.sh
endif
ifdef MONGOC_STAMP
$(MONGOC_STAMP): scripts/mongoc.sh scripts/mongoc-options.sh $(wildcard scripts/mongoc-patches/*.patch) | $(DEPS_FIRST)
	@MONGOC_PREFIX=$(abspath $(MONGOC_DIR)) ./scripts/mongoc.sh
endif

deps:
	@./scripts/deps.sh

# libFuzzer targets (make fuzz, FUZZ_SECONDS=60 each) and the corpus replay.
include fuzz/fuzz.mk
# make dist (static musl release tarball) and make test-dist.
include scripts/dist.mk

# The programs into $(PREFIX)/lib/fcgi-auth/, the Apache and lighttpd snippets,
# systemd units and the shared-hosting kit into $(PREFIX)/share/fcgi-auth/,
# under $(DESTDIR) when given (README "Installing").
PREFIX  ?= /usr/local
DESTDIR ?=
install: $(CGI_BIN) $(B)/schema-apply
	@./scripts/install.sh $(B) "$(DESTDIR)" $(PREFIX)

# Unit tests alone (no store, no web server).
unit: $(UNIT_BIN)
	@./tests/run-unit.sh $(UNIT_BIN)

# Everything: deps, build, FerretDB + lighttpd on loopback, unit + end-to-end + interop.
test: deps all $(FUZZ_TARGETS:%=$(B)/fuzz/replay_%)
	@$(RUN_ENV) ./tests/run.sh

# Serve the suite on 127.0.0.1:$${PORT:-8080} until Ctrl-C, through
# SERVER=lighttpd (default), apache (mod_fcgid) or cgi (plain CGI).
SERVER ?= lighttpd
run: deps all
	@$(RUN_ENV) SERVER=$(SERVER) ./scripts/run.sh

# Apply the indexes of schema/ to $$MONGODB_URI / $$MONGODB_DB (idempotent).
schema: $(B)/schema-apply
	@./$(B)/schema-apply

# Unit tests and FastCGI programs under valgrind (slow; not part of `make test`).
valgrind: deps all
	@$(RUN_ENV) ./tests/valgrind.sh

# >= 100 000 mixed requests to long-lived processes; RSS and fds before/after.
soak: deps all
	@$(RUN_ENV) BETTER_AUTH_TELEMETRY=0 node tests/soak/soak.mjs

# fcgi-auth against Better Auth on the same FerretDB (wrk); writes docs/benchmarks.md.
# STORE=postgresql: FerretDB over a private PostgreSQL cluster (bench/run.sh).
STORE ?= sqlite
bench: deps all $(B)/bench/scrypt-rate
	@$(RUN_ENV) STORE=$(STORE) ./bench/run.sh

# cppcheck, then the style of .clang-format (checked, never rewritten here).
# Suppressed: cppcheck 2.10's whole-program null-pointer check, which misses
# an early `if (!p) goto done;` guard, and realloc-or-abort in the replay driver.
LINT_SRC = $(wildcard lib/*.[ch] cgi-bin/*.c tests/unit/*.[ch] schema/*.c demo/*.c bench/*.c fuzz/*.[ch])
lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
		--inline-suppr --suppress=ctunullpointer --suppress=memleakOnRealloc:fuzz/replay.c \
		-DATOMIC_INT_LOCK_FREE=2 -DATOMIC_LONG_LOCK_FREE=2 -DATOMIC_LLONG_LOCK_FREE=2 \
		-D_GNU_SOURCE -Ilib -Itests/unit -Ifuzz $(LINT_SRC)
	clang-format --dry-run --Werror $(LINT_SRC)

clean:
	rm -rf build build-san build-sysmongoc* build-san-sysmongoc* build-syscurl build-san-syscurl build-musl
