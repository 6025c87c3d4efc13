# fuzz/fuzz.mk — fuzz targets; included by the top Makefile, whose CC,
# FINAL_CFLAGS, FINAL_LDFLAGS, PKG_ENV, BSON_PKG, PKG_LIBS, B, LIB_A, LINK and
# QUIET it uses.
#
#   make fuzz-replay   each target's seed corpus through a plain (gcc) driver,
#                      under the same flags (so SANITIZE=… applies)
#   make fuzz          libFuzzer + ASan + UBSan (clang), FUZZ_SECONDS per
#                      target, on a scratch copy of the corpus in
#                      $(B)/fuzz/corpus-<t>; fails on any crash (reproducer:
#                      $(B)/fuzz/<t>-crash-*). FUZZ_SAVE=1 merges new
#                      coverage back into fuzz/corpus/<t>.
#   make fuzz-<t>      one target only (json cookie_header signed_cookie form fcgi)

FUZZ_TARGETS  = json cookie_header signed_cookie form fcgi
FUZZ_SECONDS ?= 60
FUZZ_SAVE    ?=
FUZZ_CLANG   ?= clang
FUZZ_FLAGS   ?= -max_len=4096 -timeout=5 -rss_limit_mb=1024 -print_final_stats=1

# The lib/ sources each libFuzzer binary compiles (instrumented) itself.
FUZZ_SRC_json          = lib/json.c lib/json_write.c lib/utf8.c lib/xalloc.c
FUZZ_SRC_cookie_header = lib/cookie.c lib/crypto.c lib/urlcode.c lib/utf8.c lib/xalloc.c
FUZZ_SRC_signed_cookie = lib/cookie.c lib/crypto.c lib/session_cache.c lib/json.c lib/json_write.c lib/urlcode.c \
                         lib/utf8.c lib/xalloc.c
FUZZ_SRC_form          = lib/form.c lib/urlcode.c lib/utf8.c lib/xalloc.c
FUZZ_SRC_fcgi          = lib/fcgi.c lib/xalloc.c

# The product's libbson (the slim static one unless MONGOC=system), looked up
# on first use, once $(MONGOC_STAMP) is built.
FUZZ_PKG_CFLAGS = $(eval FUZZ_PKG_CFLAGS := $(shell $(PKG_ENV) pkg-config --cflags $(BSON_PKG) libcrypto | sed 's/-I/-isystem /g'))$(FUZZ_PKG_CFLAGS)
FUZZ_PKG_LIBS   = $(eval FUZZ_PKG_LIBS := $(shell $(PKG_ENV) pkg-config --libs $(BSON_PKG) libcrypto))$(FUZZ_PKG_LIBS)
FUZZ_CLANG_FLAGS = -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra \
                   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                   -fno-omit-frame-pointer -Ilib -Ifuzz $(FUZZ_PKG_CFLAGS)

FUZZ_REPLAY_BIN = $(FUZZ_TARGETS:%=$(B)/fuzz/replay_%)
FUZZ_CLANG_BIN  = $(FUZZ_TARGETS:%=$(B)/fuzz/clang/fuzz_%)
FUZZ_RUN        = $(FUZZ_TARGETS:%=fuzz-%)

.PHONY: fuzz fuzz-replay fuzz-build $(FUZZ_RUN)

$(B)/fuzz/replay_%: fuzz/replay.c fuzz/fuzz_%.c fuzz/fuzz.h $(LIB_A) | $(B)/fuzz
	$(LINK) -Ifuzz -o $@ fuzz/replay.c fuzz/fuzz_$*.c $(LIB_A) $(FINAL_LDFLAGS) $(PKG_LIBS)

# Each seed once through the gcc-built library: "N passed, N failed" per target.
fuzz-replay: $(FUZZ_REPLAY_BIN)
	@set -e; for t in $(FUZZ_TARGETS); do \
		printf 'fuzz-replay: %s: ' $$t; $(B)/fuzz/replay_$$t fuzz/corpus/$$t; \
	done

# One explicit rule per target (its own lib/ sources as prerequisites).
define FUZZ_CLANG_RULE
$(B)/fuzz/clang/fuzz_$(1): fuzz/fuzz_$(1).c fuzz/fuzz.h $(FUZZ_SRC_$(1)) $(wildcard lib/*.h) | $(B)/fuzz/clang $(MONGOC_STAMP)
	$$(call QUIET,CLANG)$(FUZZ_CLANG) $$(FUZZ_CLANG_FLAGS) -o $$@ fuzz/fuzz_$(1).c $(FUZZ_SRC_$(1)) $$(FUZZ_PKG_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_CLANG_RULE,$(t))))

fuzz-build: $(FUZZ_CLANG_BIN)

# libFuzzer writes new inputs only into its first corpus directory, the
# scratch copy; the committed seeds are merged into it first.
$(FUZZ_RUN): fuzz-%: $(B)/fuzz/clang/fuzz_%
	@mkdir -p $(B)/fuzz/corpus-$*
	$< -merge=1 $(B)/fuzz/corpus-$* fuzz/corpus/$* 2>$(B)/fuzz/merge-$*.log || \
		{ cat $(B)/fuzz/merge-$*.log >&2; exit 1; }
	$< $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(B)/fuzz/$*- \
		$(if $(wildcard fuzz/$*.dict),-dict=fuzz/$*.dict) \
		$(B)/fuzz/corpus-$* 2>$(B)/fuzz/fuzz-$*.log || \
		{ tail -n 60 $(B)/fuzz/fuzz-$*.log >&2; echo "fuzz-$*: CRASH, reproducer in $(B)/fuzz/$*-crash-* (or -timeout-, -leak-, -oom-)" >&2; exit 1; }
	@grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
		$(B)/fuzz/fuzz-$*.log | sed 's/^/fuzz-$*: /'
ifeq ($(FUZZ_SAVE),1)
	$< -merge=1 fuzz/corpus/$* $(B)/fuzz/corpus-$* 2>>$(B)/fuzz/merge-$*.log
endif

fuzz: $(FUZZ_RUN)

$(B)/fuzz $(B)/fuzz/clang:
	$(Q)mkdir -p $@
