# make dist: dist/fcgi-auth-<VERSION>-linux-x86_64.tar.gz, every program linked
# static-pie against musl and the libraries scripts/musl.sh builds once into
# .deps/musl (no INTERP, no NEEDED: any x86_64 Linux, whatever its libc).
# make test-dist: tests/dist/run.sh on that tarball (an empty chroot per program).
#
# The programs are this Makefile's own targets, made again with B=build-musl, the
# musl compiler and musl's pkg-config, so a program added to cgi-bin/ is in the
# next tarball without a line here. Plain `make` never builds any of this.
MUSL         = .deps/musl
MUSL_STAMP   = $(MUSL)/.stamp
MUSL_B       = build-musl
# libcurl costs nothing while lib/ does not call it (a static archive adds only
# what is referenced), and is there the day it does.
MUSL_PKGS    = libmongoc-static-1.0 libbson-static-1.0 libcurl libssl libcrypto
MUSL_PKG     = PKG_CONFIG_LIBDIR=$(CURDIR)/$(MUSL)/lib/pkgconfig PKG_CONFIG_PATH= pkg-config
MUSL_BIN     = $(patsubst $(B)/%,$(MUSL_B)/%,$(CGI_BIN) $(TOOL_BIN))
DIST_VERSION = $(shell cat VERSION)
DIST_TGZ     = dist/fcgi-auth-$(DIST_VERSION)-linux-x86_64.tar.gz

.PHONY: dist musl-bin test-dist
$(MUSL_STAMP): scripts/musl.sh scripts/debsrc.sh scripts/mongoc-options.sh scripts/need.sh
	@./scripts/musl.sh

# New libraries (a newer stamp): everything of build-musl/ is built again.
$(MUSL_B)/.libs: $(MUSL_STAMP)
	rm -rf $(MUSL_B) && mkdir -p $(MUSL_B) && cp $(MUSL_STAMP) $@

musl-bin: $(MUSL_B)/.libs
	@$(MAKE) --no-print-directory B=$(MUSL_B) MONGOC_STAMP= CURL_STAMP= SANITIZE= CC=$(CURDIR)/$(MUSL)/bin/musl-cc \
		PKG_CFLAGS="$$($(MUSL_PKG) --cflags $(MUSL_PKGS) | sed 's/-I/-isystem /g')" \
		PKG_LIBS="$$($(MUSL_PKG) --static --libs $(MUSL_PKGS)) -l:libsodium.a -lunistring -lm" \
		$(MUSL_BIN)

dist: musl-bin
	@./scripts/dist.sh $(DIST_TGZ) $(MUSL_B) $(MUSL_BIN)

test-dist: dist
	@./tests/dist/run.sh $(DIST_TGZ)
