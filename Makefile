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

REGRESS      = secagg_catalog secagg_sessions secagg_parallel pine_vectors pine_reject pine_parallel secagg_upgrade
REGRESS_OPTS = --load-extension=pgtap --load-extension=secagg

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

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
	@rc=0; for t in $(UNIT_BINS); do echo "== $$t"; (cd test/unit && ../../$$t) || rc=1; done; exit $$rc

bench-bins: $(BENCH_BINS)

.PHONY: unit bench-bins prove_installcheck

# Mutation testing, slow and not part of scripts/test.sh: applies each entry
# of test/mutations.txt to a scratch copy and runs the suites it names.
#   make mutate                      the whole catalogue
#   make mutate MUTATE='^pg-'        the entries whose id matches a regex
#   make mutate MUTATE=--list        list the catalogue
mutate:
	bash scripts/mutate.sh $(MUTATE)

.PHONY: mutate

EXTRA_CLEAN = $(BUILD) results regression.diffs regression.out
