# secagg: secure aggregation (Bonawitz et al. 2017) and PINE for PostgreSQL.
#
#   make            build the extension (PGXS)
#   make install    install it into the PostgreSQL that pg_config names
#   make unit       build and run the C core's unit tests (no PostgreSQL)
#   make installcheck   pg_regress suite (sql/ + expected/) against a running server
#   make prove_installcheck   pgTAP suite (test/pgtap/) through pg_prove, in a
#                   fresh database $(TAP_DB) of the running server
#
# scripts/test.sh and scripts/demo.sh do everything, including dependencies
# and a throwaway cluster; see README.md.

EXTENSION   = secagg
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" secagg.control)
MODULE_big  = secagg

CORE_SRCS   = $(sort $(wildcard src/core/*/*.c))
CORE_HDRS   = $(sort $(wildcard src/core/*/*.h))
PG_SRCS     = $(sort $(wildcard src/pg/*.c))
OBJS        = $(CORE_SRCS:.c=.o) $(PG_SRCS:.c=.o)

DATA        = $(sort $(wildcard extension/secagg--*.sql))

PG_CPPFLAGS = -Isrc/core -Isrc/pg
PG_CFLAGS   = -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-declaration-after-statement -Wno-sign-compare
SHLIB_LINK  = -lsodium -lcrypto -lm

REGRESS      = secagg_catalog secagg_sessions secagg_plus secagg_parallel pine_vectors pine_draft pine_reject pine_parallel secagg_upgrade
REGRESS_OPTS = --load-extension=pgtap --load-extension=secagg

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
# The client library (make lib, lib-install, lib-test, lib-vectors) builds
# without PostgreSQL: PGXS is included only when another goal needs it.
LIB_GOALS = lib lib-install lib-test lib-vectors
ifneq ($(MAKECMDGOALS),)
ifeq ($(filter-out $(LIB_GOALS),$(MAKECMDGOALS)),)
LIB_ONLY = 1
endif
endif
ifndef LIB_ONLY
include $(PGXS)
endif

$(OBJS): $(CORE_HDRS) $(wildcard src/pg/*.h)

# Core symbols stay private to secagg.so: they cannot clash with, or be
# interposed by, a same-named symbol of another library in the backend, and
# calls into the core are direct. Only the SQL-callable functions, _PG_init
# and the magic block (src/pg/) are exported.
$(CORE_SRCS:.c=.o): CFLAGS += -fvisibility=hidden

# ---------------------------------------------------------------------------
# The pure C core alone: unit tests, fuzzers and benchmarks link only this.
# ---------------------------------------------------------------------------
CORE_CC      ?= cc
CORE_CFLAGS  ?= -std=c11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter
CORE_LDLIBS   = -lsodium -lcrypto -lpthread -lm
BUILD        ?= build
CORE_OBJS     = $(patsubst src/core/%.c,$(BUILD)/core/%.o,$(CORE_SRCS))
UNIT_BINS     = $(patsubst test/unit/%.c,$(BUILD)/unit/%,$(sort $(wildcard test/unit/test_*.c)))
BENCH_BINS    = $(patsubst bench/%.c,$(BUILD)/bench/%,$(sort $(wildcard bench/bench_*.c)))

$(BUILD)/core/%.o: src/core/%.c $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(CORE_CC) $(CORE_CFLAGS) -Isrc/core -c -o $@ $<

$(BUILD)/libsecagg_core.a: $(CORE_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/unit/%: test/unit/%.c $(BUILD)/libsecagg_core.a $(wildcard test/unit/*.h)
	@mkdir -p $(dir $@)
	$(CORE_CC) $(CORE_CFLAGS) -Isrc/core -Itest/unit -o $@ $< $(BUILD)/libsecagg_core.a $(CORE_LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libsecagg_core.a $(wildcard bench/*.h)
	@mkdir -p $(dir $@)
	$(CORE_CC) $(CORE_CFLAGS) -Isrc/core -Ibench -o $@ $< $(BUILD)/libsecagg_core.a $(CORE_LDLIBS)

TAP_DB ?= secagg_tap
PG_BINDIR = $(shell $(PG_CONFIG) --bindir)
prove_installcheck:
	$(PG_BINDIR)/psql -q -X -d postgres -c "DROP DATABASE IF EXISTS $(TAP_DB)" -c "CREATE DATABASE $(TAP_DB)" >/dev/null
	$(PG_BINDIR)/psql -q -X -d $(TAP_DB) -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION secagg" >/dev/null
	PGDATABASE=$(TAP_DB) pg_prove --ext .sql test/pgtap/

unit: $(UNIT_BINS)
	@rc=0; for t in $(UNIT_BINS); do echo "== $$t"; (cd test/unit && case $$t in /*) $$t;; *) ../../$$t;; esac) || rc=1; done; exit $$rc

bench-bins: $(BENCH_BINS)

# bench_secagg_plus --sql drives the extension through libpq
$(BUILD)/bench/bench_secagg_plus: CORE_CFLAGS += -I$(shell $(PG_CONFIG) --includedir)
$(BUILD)/bench/bench_secagg_plus: CORE_LDLIBS += -lpq

.PHONY: unit bench-bins prove_installcheck

# ---------------------------------------------------------------------------
# libsecagg: the client side as a shared library (lib/; README "Clients
# outside the database: libsecagg"). The core is compiled again with -fPIC
# and hidden visibility into $(LIB_DIR)/core; only the secagg_* functions of
# lib/secagg.h are exported.
#   make lib                     $(LIB_DIR)/libsecagg.so.<version> + soname links
#   make lib-install PREFIX=...  header, library and links, secagg.pc (DESTDIR too)
#   make lib-test                the library's tests (lib/test/), the exported
#                                symbols, and a client built through pkg-config
#   make lib-vectors             rewrite test/vectors/secagg/ from a fixed-randomness run
# ---------------------------------------------------------------------------
LIB_ABI        = 0
LIB_VERSION    = $(EXTVERSION)
LIB_SONAME     = libsecagg.so.$(LIB_ABI)
LIB_DIR        = $(BUILD)/lib
LIB_REAL       = $(LIB_DIR)/libsecagg.so.$(LIB_VERSION)
LIB_SRCS       = $(sort $(wildcard lib/*.c))
LIB_HDRS       = $(wildcard lib/*.h)
LIB_CFLAGS     = $(CORE_CFLAGS) -fPIC -fvisibility=hidden
# a sanitizer runtime lives in the executable: its symbols stay undefined in the .so
LIB_LDFLAGS   ?= $(if $(findstring sanitize,$(CORE_CFLAGS)),,-Wl,--no-undefined)
LIB_CORE_OBJS  = $(patsubst src/core/%.c,$(LIB_DIR)/core/%.o,$(CORE_SRCS))
LIB_OBJS       = $(patsubst lib/%.c,$(LIB_DIR)/obj/%.o,$(LIB_SRCS))
LIB_TESTS      = $(patsubst lib/test/%.c,$(LIB_DIR)/test/%,$(sort $(wildcard lib/test/test_*.c)))
LIB_TEST_HDRS  = $(wildcard lib/test/*.h)
PREFIX        ?= /usr/local
LIBDIR        ?= $(PREFIX)/lib
INCLUDEDIR    ?= $(PREFIX)/include

$(LIB_DIR)/core/%.o: src/core/%.c $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(CORE_CC) $(LIB_CFLAGS) -Isrc/core -c -o $@ $<

$(LIB_DIR)/obj/%.o: lib/%.c $(LIB_HDRS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(CORE_CC) $(LIB_CFLAGS) -Isrc/core -Ilib -c -o $@ $<

$(LIB_REAL): $(LIB_OBJS) $(LIB_CORE_OBJS)
	$(CORE_CC) $(LIB_CFLAGS) -shared -Wl,-soname,$(LIB_SONAME) $(LIB_LDFLAGS) -o $@ $^ $(CORE_LDLIBS)
	ln -sf $(notdir $@) $(LIB_DIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(LIB_DIR)/libsecagg.so

# Tests link the library like a client (-lsecagg, lib/secagg.h); those that
# play the server also link the core (libsecagg_core.a) for it.
$(LIB_DIR)/test/%: lib/test/%.c $(LIB_REAL) $(BUILD)/libsecagg_core.a $(LIB_TEST_HDRS) lib/secagg.h
	@mkdir -p $(dir $@)
	$(CORE_CC) $(CORE_CFLAGS) -Ilib -Isrc/core -Itest/unit -o $@ $< -L$(LIB_DIR) -lsecagg -Wl,-rpath,'$$ORIGIN/..' \
		$(BUILD)/libsecagg_core.a $(CORE_LDLIBS)

lib: $(LIB_REAL)

lib-install: lib
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 lib/secagg.h $(DESTDIR)$(INCLUDEDIR)/secagg.h
	install -m 755 $(LIB_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIB_REAL)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libsecagg.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(LIB_VERSION)|' lib/secagg.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/secagg.pc

lib-test: $(LIB_TESTS) lib
	@rc=0; for t in $(LIB_TESTS); do echo "== $$t"; $$t || rc=1; done; \
	bash lib/test/check_exports.sh $(LIB_REAL) || rc=1; \
	bash lib/test/check_pkgconfig.sh $(abspath $(LIB_DIR)) "$(CORE_CC)" "$(CORE_CFLAGS)" || rc=1; \
	exit $$rc

lib-vectors: $(LIB_DIR)/test/test_lib_vectors
	SECAGG_WRITE_VECTORS=1 $(LIB_DIR)/test/test_lib_vectors

.PHONY: lib lib-install lib-test lib-vectors

# Mutation testing, slow and not part of scripts/test.sh: applies each entry
# of test/mutations.txt to a scratch copy and runs the suites it names.
#   make mutate                      the whole catalogue
#   make mutate MUTATE='^pg-'        the entries whose id matches a regex
#   make mutate MUTATE=--list        list the catalogue
mutate:
	bash scripts/mutate.sh $(MUTATE)

.PHONY: mutate

# ---------------------------------------------------------------------------
# libFuzzer harnesses of the core's decoders (fuzz/, see fuzz/README.md).
#   make fuzz-bins              build every fuzz/fuzz_<name>.c into $(BUILD)/fuzz/
#   make fuzz FUZZ_SECONDS=N    run each harness N seconds (one process, one
#                               core) on a scratch copy of fuzz/corpus/<name>/;
#                               prints executions, exec/s and crashes per
#                               harness and fails if any crashed
#   make fuzz-seeds             regenerate the committed seeds in fuzz/corpus/
# The core is compiled again with clang and the same sanitizers (plus
# coverage instrumentation) in $(BUILD)/fuzz-core, apart from the plain build.
# ---------------------------------------------------------------------------
FUZZ_CC        ?= clang
FUZZ_SAN        = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS    ?= -std=c11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter
FUZZ_CORE_DIR   = $(BUILD)/fuzz-core
FUZZ_OUT        = $(BUILD)/fuzz
FUZZ_CORE_OBJS  = $(patsubst src/core/%.c,$(FUZZ_CORE_DIR)/%.o,$(CORE_SRCS))
FUZZ_NAMES      = $(patsubst fuzz/fuzz_%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_BINS       = $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_NAMES))
FUZZ_HDRS       = $(wildcard fuzz/*.h) test/unit/secagg_sim.h test/unit/vecjson.h
FUZZ_SECONDS   ?= 60

$(FUZZ_CORE_DIR)/%.o: src/core/%.c $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Isrc/core -c -o $@ $<

$(FUZZ_CORE_DIR)/libsecagg_core.a: $(FUZZ_CORE_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_CORE_DIR)/libsecagg_core.a $(FUZZ_HDRS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -Isrc/core -Itest/unit -Ifuzz -o $@ $< \
		$(FUZZ_CORE_DIR)/libsecagg_core.a $(CORE_LDLIBS)

$(FUZZ_OUT)/make_seeds: fuzz/make_seeds.c $(FUZZ_CORE_DIR)/libsecagg_core.a $(FUZZ_HDRS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -Isrc/core -Itest/unit -Ifuzz -o $@ $< \
		$(FUZZ_CORE_DIR)/libsecagg_core.a $(CORE_LDLIBS)

fuzz-bins: $(FUZZ_BINS)

fuzz-seeds: $(FUZZ_OUT)/make_seeds
	$(FUZZ_OUT)/make_seeds fuzz/corpus test/vectors/pine-01

fuzz: fuzz-bins
	@bash fuzz/run.sh $(FUZZ_OUT) $(FUZZ_SECONDS) $(FUZZ_NAMES)

.PHONY: fuzz fuzz-bins fuzz-seeds
# ---------------------------------------------------------------------------
# end of the libFuzzer block
# ---------------------------------------------------------------------------

EXTRA_CLEAN = $(BUILD) results regression.diffs regression.out
