# purgesim - offline acr purge policy simulator.  Targets: all deps demo test bench clean
# valgrind tsan man install uninstall (fuzz targets: tests/fuzz/fuzz.mk).
# SAN=1 builds everything with ASan+UBSan into build-san/; SAN=thread with TSan into build-tsan/.
#
# make install [PREFIX=/usr/local] [DESTDIR=STAGING] installs PREFIX/bin/purgesim, the price
# table as PREFIX/share/purgesim/pricing/acr-aud.json and the man page as
# PREFIX/share/man/man1/purgesim.1. PREFIX's data directory is compiled into the binary (pricing.o
# is rebuilt when it changes; DESTDIR is not compiled in), and the binary also looks for the table
# relative to itself, so a moved tree works too. `make man` writes $(B)/purgesim.1 with help2man
# from `purgesim --help`, `--version` and each command's --help. `make uninstall` with the same
# PREFIX and DESTDIR removes the files.

CC      ?= cc
# -O3: the replay's per-event loops gain from the wider inlining and unrolling (about 8% of its
# CPU on a 1M-manifest registry, BENCHMARKS.md); floating point is computed the same either way
CFLAGS  ?= -O3 -g
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
# the libraries, and what tests and targets need rather than skip: chromium (browser test), jq
# (bad-input reports), python3 (exporter and browser tests), help2man and man-db (man page,
# install test), valgrind (make valgrind), clang (make fuzz, fuzz-ci)
DEPS_PKGS = libcjson-dev libcsv-dev libplot-dev libpcre2-dev libyaml-dev libcmocka-dev pkg-config chromium \
            jq python3 help2man man-db valgrind clang python3-yaml cmark-gfm

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/purgesim
MANDIR  ?= $(PREFIX)/share/man

PKG_CFLAGS := $(shell pkg-config --cflags libcjson libpcre2-8 yaml-0.1 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libcjson libpcre2-8 yaml-0.1 2>/dev/null || echo -lcjson -lpcre2-8 -lyaml)
CPPFLAGS += -Isim -Ireports -D_GNU_SOURCE -DPCRE2_CODE_UNIT_WIDTH=8 $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lcsv -lplot -lpthread -lm

ifeq ($(SAN),1)
B        = build-san
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
BIN      = $(B)/purgesim
else ifeq ($(SAN),thread)
B        = build-tsan
CFLAGS  += -O1 -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
BIN      = $(B)/purgesim
else
B        = build
BIN      = purgesim
endif
ifeq ($(WERROR),1)
WARN    += -Werror
endif

LIB_SRC  = $(filter-out sim/main.c,$(wildcard sim/*.c)) $(wildcard reports/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
FIXTURE_OBJ = $(patsubst %.c,$(B)/%.o,$(wildcard tests/unit/fixtures.c))

.PHONY: all deps demo test unit cases bench clean valgrind tsan man install uninstall
.SECONDARY:
all: $(BIN)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 $(WARN) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# The data directory is compiled into pricing.o only. The stamp holds the value it was built
# with and is rewritten only when that changes, so a new PREFIX rebuilds pricing.o and relinks.
$(B)/datadir.stamp: FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = '$(DATADIR)' ] || printf '%s\n' '$(DATADIR)' >$@
$(B)/sim/pricing.o: $(B)/datadir.stamp
$(B)/sim/pricing.o: CPPFLAGS += -DPURGESIM_DATADIR='"$(DATADIR)"'
.PHONY: FORCE
FORCE:

$(B)/libpurgesim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(B)/sim/main.o $(B)/libpurgesim.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/unit/%: $(B)/tests/unit/%.o $(FIXTURE_OBJ) $(B)/libpurgesim.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# Installs the Debian packages that are missing (needs root, as on CI); quiet when all are there.
deps:
	@missing=""; for p in $(DEPS_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: deps
	@$(MAKE) --no-print-directory all
	./purgesim dry-run -i data/sample/devreg.json -- \
	  acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged
	@echo
	@echo "# simulate --from 2026-10-01: had the three policies started on 1 October (nothing deleted"
	@echo "# before, retention enabled then), what would October have stored, cost and broken?"
	./purgesim simulate -i data/sample/devreg.json -p data/policies/example.ini --from 2026-10-01 \
	  --events data/sample/devreg-events.json --in-use data/sample/in-use.txt
	@mkdir -p build/demo
	@echo
	@echo "# report --month 2026-10 asks another question: it replays the policies from the start of the"
	@echo "# history (2026-07-07) and accounts October, when they have been deleting for three months"
	@echo "# already; so its October figures are not simulate's above."
	./purgesim report -i data/sample/devreg.json -p data/policies/example.ini --month 2026-10 \
	  --events data/sample/devreg-events.json --in-use data/sample/in-use.txt --html -o build/demo
	@echo
	./purgesim tune -i data/sample/devreg.json --events data/sample/devreg-events.json \
	  --in-use data/sample/in-use.txt

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@B=$(B) BIN=$(BIN) UPDATE=$(UPDATE) bash tests/run-all.sh

# Unit tests and two golden cases under valgrind: no errors, no leaks of our own.
VALGRIND = valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
           --suppressions=tests/valgrind.supp
valgrind: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@command -v valgrind >/dev/null || { echo "valgrind: not installed"; exit 1; }
	@set -e; for t in $(UNIT_BIN); do echo "valgrind $$t"; $(VALGRIND) $$t >/dev/null 2>&1 || { $(VALGRIND) $$t; exit 1; }; done
	@rm -rf build/valgrind-out && mkdir -p build/valgrind-out
	$(VALGRIND) ./purgesim dry-run -i data/sample/devreg.json --format json -o build/valgrind-out/dry.json -- acr purge --filter '.*:.*' --ago 0d --keep 3 --untagged
	$(VALGRIND) ./purgesim simulate -i data/sample/devreg.json -p data/policies/example.ini --format csv -o build/valgrind-out
	@echo "valgrind: clean"

# The threaded parts under ThreadSanitizer: reading a bundle on several threads (test_ingest),
# policies replayed in parallel (test_replay), and the CLI at 1 and 4 threads.
TSAN_UNITS = test_ingest test_replay
tsan: deps
	@$(MAKE) --no-print-directory SAN=thread build-tsan/purgesim $(TSAN_UNITS:%=build-tsan/unit/%)
	@set -e; for t in $(TSAN_UNITS); do echo "tsan $$t"; TSAN_OPTIONS=halt_on_error=1 build-tsan/unit/$$t >/dev/null 2>&1 || \
	  TSAN_OPTIONS=halt_on_error=1 build-tsan/unit/$$t; done
	@rm -rf build/tsan-out && mkdir -p build/tsan-out/j1 build/tsan-out/j4
	@set -e; for j in 1 4; do TSAN_OPTIONS=halt_on_error=1 build-tsan/purgesim simulate -q --jobs $$j \
	  -i data/sample/devreg.json -p data/policies/example.ini --format csv -o build/tsan-out/j$$j; done
	@# PNGs are left out, as in tests/test-determinism.sh: libplot stamps them with the time
	@diff -r -x '*.png' build/tsan-out/j1 build/tsan-out/j4 && echo "tsan: clean"

# Figures measured in one run on this machine (not a test): BENCH_SCALE=tiny|small|medium|large|xl
BENCH_SCALE ?= large
bench: deps
	@$(MAKE) --no-print-directory all
	@BENCH_SCALE=$(BENCH_SCALE) bash tests/tools/bench.sh

# The man page, from what the binary prints (help2man; make deps installs it).
man: $(B)/purgesim.1
$(B)/purgesim.1: $(BIN) man/purgesim.h2m man/commands.sh $(B)/datadir.stamp
	@command -v help2man >/dev/null || { echo "make man: help2man is not installed (make deps installs it)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	sed 's|@DATADIR@|$(DATADIR)|g' man/purgesim.h2m >$(B)/purgesim.h2m
	sh man/commands.sh $(abspath $(BIN)) >$(B)/purgesim-commands.h2m
	LC_ALL=C help2man --no-info --name='offline simulator of Azure Container Registry acr purge policies' \
	  --include=$(B)/purgesim.h2m --include=$(B)/purgesim-commands.h2m --output=$@.tmp $(abspath $(BIN))
	@mv $@.tmp $@

# the price tables: acr-aud.json and the dated acr-aud-YYYY-MM-DD.json (data/pricing/README.md)
PRICING_TABLES = data/pricing/acr-aud.json $(wildcard data/pricing/acr-aud-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].json)
install: $(BIN) $(B)/purgesim.1
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(DATADIR)/pricing' '$(DESTDIR)$(MANDIR)/man1'
	install -m 755 $(BIN) '$(DESTDIR)$(BINDIR)/purgesim'
	install -m 644 $(PRICING_TABLES) '$(DESTDIR)$(DATADIR)/pricing/'
	install -m 644 $(B)/purgesim.1 '$(DESTDIR)$(MANDIR)/man1/purgesim.1'

uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/purgesim' '$(DESTDIR)$(DATADIR)/pricing/acr-aud.json' \
	  '$(DESTDIR)$(DATADIR)/pricing/'acr-aud-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].json \
	  '$(DESTDIR)$(MANDIR)/man1/purgesim.1'
	@rmdir '$(DESTDIR)$(DATADIR)/pricing' '$(DESTDIR)$(DATADIR)' 2>/dev/null || true

clean: fuzz-clean
	rm -rf build build-san build-tsan purgesim

-include $(LIB_OBJ:.o=.d) $(B)/sim/main.d $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%.d) $(FIXTURE_OBJ:.o=.d)

# libFuzzer targets: make fuzz (FUZZ_SECONDS per target), fuzz-ci, fuzz-regress (tests/fuzz/fuzz.mk)
-include tests/fuzz/fuzz.mk
