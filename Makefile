# strata — build, test, demo, bench.
#   make            strata + libstrata.a
#   make demo       a short tour on an embedded SQLite file
#   make test       unit + end-to-end tests, then the same under ASan+UBSan
#   make bench      benchmarks against the sqlite3/psql floor
#   make bench-long the --single-transaction curve over 10k/30k/100k revisions
# `deps` installs the Debian packages that are missing (as root, or through sudo).

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
SAN     ?=
PKGS    := sqlite3 libcrypto inih libpq libcjson libmariadb
# What libstrata.a itself links against (strata.pc's Requires).
LIB_PKGS := sqlite3 inih libcjson
DEBS    := build-essential pkg-config sqlite3 libsqlite3-dev libssl-dev libinih-dev \
           libcmocka-dev libpq-dev postgresql libcjson-dev python3 \
           python3-sqlalchemy python3-alembic python3-flask-sqlalchemy python3-flask-migrate \
           python3-django python3-psycopg2 libmariadb-dev mariadb-server git
CFLAGS  ?= -O2 -g
STRATA_VER = $(shell sed -n 's/.*STRATA_VERSION "\(.*\)"/\1/p' include/strata.h)
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
ifeq ($(SAN),1)
  SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libpq, libmariadb and libcrypto are compiled against but opened at run time
# (src/backends/postgres/pq.c, src/backends/mariadb/mdb.c, src/util/sha256.c).
PKG_LIBS   = $(shell pkg-config --libs $(filter-out libpq libmariadb libcrypto,$(PKGS)) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -D_DEFAULT_SOURCE -Iinclude -Isrc $(PKG_CFLAGS) -MMD -MP
LDLIBS     = $(PKG_LIBS) -lm -pthread -ldl

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -path 'src/cli/*'))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
# The Python schema providers and history importers, compiled into libstrata.
PROVIDERS := $(sort $(wildcard src/providers/*.py))
LIB_OBJ  += $(BUILD)/gen/embedded.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# The command pages: compiled into strata's help table (not into libstrata) and the man page.
DOC_PAGES := $(sort $(wildcard docs/commands/*.txt))
CLI_OBJ  += $(BUILD)/gen/help.o

.PHONY: all deps demo test test-fast unit e2e asan install bench bench-long valgrind fuzz soak soak-oracle clean
all: $(BUILD)/strata $(BUILD)/libstrata.a $(BUILD)/strata.1

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libstrata.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/strata: $(CLI_OBJ) $(BUILD)/libstrata.a
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libstrata.a $(LDLIBS)

$(BUILD)/gen/help.c: $(DOC_PAGES) tools/gen_help.sh
	@mkdir -p $(dir $@)
	sh tools/gen_help.sh $@ $(DOC_PAGES)

$(BUILD)/gen/help.o: $(BUILD)/gen/help.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/gen/embedded.c: $(PROVIDERS) tools/gen_embed.sh
	@mkdir -p $(dir $@)
	sh tools/gen_embed.sh $@ $(PROVIDERS)

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/strata.1: $(DOC_PAGES) tools/gen_man.sh include/strata.h
	STRATA_VERSION=$(STRATA_VER) sh tools/gen_man.sh $@ $(DOC_PAGES)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libstrata.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libstrata.a $(LDLIBS) -lcmocka

deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

unit: $(UNIT_BIN) $(BUILD)/tests/backend_alone.o

# The installed strata/backend.h must compile on its own: only include/ on the path.
$(BUILD)/tests/backend_alone.o: tests/header/backend_alone.c include/strata/backend.h include/strata.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -pedantic $(CFLAGS) -Iinclude -c $< -o $@

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh $(BUILD)/strata

# One pass: unit tests, then end-to-end scenarios; prints "N passed, M failed".
test-fast: all unit
	@sh tests/run.sh $(BUILD)

# The two builds use every CPU (make -j), unless the caller already asked for jobs.
JOBS := $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 2))

test: deps
	@$(MAKE) --no-print-directory $(JOBS) all unit
	@$(MAKE) --no-print-directory $(JOBS) BUILD=build-asan SAN=1 CFLAGS="-O1 -g" all unit
	@sh tests/run_parallel.sh $(BUILD) build-asan

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/strata
	install -m 0755 $(BUILD)/strata $(DESTDIR)$(PREFIX)/bin/strata
	install -m 0644 $(BUILD)/libstrata.a $(DESTDIR)$(PREFIX)/lib/libstrata.a
	install -m 0644 include/strata.h $(DESTDIR)$(PREFIX)/include/strata.h
	install -m 0644 include/strata/backend.h $(DESTDIR)$(PREFIX)/include/strata/backend.h
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0644 $(BUILD)/strata.1 $(DESTDIR)$(PREFIX)/share/man/man1/strata.1
	install -m 0644 completion/strata.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/strata
	install -m 0644 completion/_strata $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_strata
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/.*STRATA_VERSION "\(.*\)"/\1/p' include/strata.h)|' \
	    -e 's|@REQUIRES@|$(LIB_PKGS)|' strata.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/strata.pc

bench: deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh $(BUILD)/strata

# The curve of --single-transaction over 10,000 / 30,000 / 100,000 revisions (minutes).
bench-long: deps
	@$(MAKE) --no-print-directory all
	@BENCH_ONLY=long BENCH_SLOW_RUNS=$${BENCH_SLOW_RUNS:-1} BENCH_RESULTS=bench/RESULTS-long.md sh bench/run.sh $(BUILD)/strata

fuzz:
	@sh tests/fuzz/run.sh

# Crash-safety soak: SIGKILL at random moments, then check the database (tests/soak/crash.sh;
# trial counts from SOAK_UP, SOAK_PG_UP, ...). Takes 20 minutes or more.
soak: all unit soak-oracle
	@nice sh tests/soak/crash.sh $(BUILD)/strata

# The data oracle over many more random schema pairs (docs/reliability.md):
# SOAK_PAIRS per backend (default 50000; MariaDB, whose DDL is slow: SOAK_MARIADB_PAIRS,
# default 2000), SOAK_SEED (default: from the clock, printed).
soak-oracle: all unit
	@seed=$${SOAK_SEED:-$$(date +%s)}; \
	STRATA_SEED=$$seed STRATA_PAIRS=$${SOAK_PAIRS:-50000} nice $(BUILD)/tests/test_schema_random && \
	STRATA_SEED=$$seed STRATA_PG_PAIRS=$${SOAK_PAIRS:-50000} STRATA_TESTS=test_schema_random_pg \
	  nice sh tests/run.sh $(BUILD) && \
	STRATA_SEED=$$seed STRATA_MARIADB_PAIRS=$${SOAK_MARIADB_PAIRS:-2000} \
	  STRATA_TESTS=test_mariadb_random nice sh tests/run.sh $(BUILD)

valgrind: all unit
	@STRATA_VALGRIND=1 sh tests/run.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
