# tests/fuzz/fuzz.mk - libFuzzer targets and their replay; -included by the top Makefile after
# B, CPPFLAGS, LDLIBS and WARN are set (at its end is simplest).
#
#   make fuzz          build every target with clang + libFuzzer + ASan/UBSan into build-fuzz/,
#                      then run each for FUZZ_SECONDS (60) over build-fuzz/corpus/<target>
#                      (seeded from tests/fuzz/corpus/<target>; the repository's corpus is not
#                      modified). Crashes land in build-fuzz/crashes/<target>/ and fail the run.
#   make fuzz-ci       the same with FUZZ_CI_SECONDS (20) per target: about two minutes in all
#   make fuzz-build    only build the libFuzzer binaries
#   make fuzz-regress  build $(B)/fuzz/replay_<target> with $(CC) (SAN=1 honoured): plain drivers
#                      that replay tests/fuzz/regress/<target>/ and tests/fuzz/corpus/<target>/
#                      (tests/fuzz/run-regress.sh runs them for `make test`)
#   make fuzz-clean    remove build-fuzz/
# FUZZ_TARGETS="purge ingest" limits any of these to some targets. Without clang or libFuzzer,
# fuzz and fuzz-ci say so and succeed.

FUZZ_MK         := $(lastword $(MAKEFILE_LIST))
FUZZ_TOP        := $(firstword $(MAKEFILE_LIST))
FUZZ_TARGETS    ?= ingest command policyfile cron time purge import events inuse cache grid
FUZZ_SECONDS    ?= 60
FUZZ_CI_SECONDS ?= 20
FUZZ_CC         ?= clang
FUZZ_B           = build-fuzz
FUZZ_SAN         = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS      = -g -O1 $(FUZZ_SAN)
FUZZ_LIB_SRC     = $(filter-out sim/main.c,$(wildcard sim/*.c)) $(wildcard reports/*.c)
FUZZ_LIB_OBJ     = $(FUZZ_LIB_SRC:%.c=$(FUZZ_B)/%.o)
FUZZ_ALL         = ingest command policyfile cron time purge import events inuse cache grid
FUZZ_HARNESS_OBJ = $(FUZZ_ALL:%=$(FUZZ_B)/tests/fuzz/fuzz_%.o) $(FUZZ_B)/tests/fuzz/fuzz_common.o
FUZZ_BINS        = $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)
FUZZ_REPLAY      = $(FUZZ_TARGETS:%=$(B)/fuzz/replay_%)
# Links and runs a one-line fuzz target: is libFuzzer (with ASan/UBSan) usable?
FUZZ_PROBE       = mkdir -p $(FUZZ_B) && \
                   printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
                   >$(FUZZ_B)/probe.c && \
                   $(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $(FUZZ_B)/probe $(FUZZ_B)/probe.c >/dev/null 2>&1 && \
                   $(FUZZ_B)/probe -runs=1 >/dev/null 2>&1

_fuzz_default_goal := $(.DEFAULT_GOAL)

.PHONY: fuzz fuzz-ci fuzz-build fuzz-regress fuzz-clean

# make again, reading fuzz.mk too when the top Makefile does not include it (make -f ... -f)
FUZZ_SUBMAKE = $(MAKE) --no-print-directory -f $(FUZZ_TOP) \
               $$(grep -q 'tests/fuzz/fuzz.mk' $(FUZZ_TOP) || echo "-f $(FUZZ_MK)")

fuzz:
	@if $(FUZZ_PROBE); then \
	  $(FUZZ_SUBMAKE) fuzz-build && \
	  FUZZ_B=$(FUZZ_B) bash tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS); \
	else \
	  echo "fuzz: skipped: '$(FUZZ_CC)' cannot build libFuzzer targets (-fsanitize=fuzzer,address,undefined); install clang to fuzz"; \
	fi

fuzz-ci: FUZZ_SECONDS = $(FUZZ_CI_SECONDS)
fuzz-ci: fuzz

fuzz-build: $(FUZZ_BINS)

fuzz-regress: $(FUZZ_REPLAY)

fuzz-clean:
	rm -rf $(FUZZ_B)

# clang objects, instrumented for coverage (fuzzer-no-link) and sanitizers; never gcc's. gcc's
# warnings are the project's gate, so clang's own (e.g. -Wformat-nonliteral on vsnprintf
# wrappers) never fail this build, even under WERROR=1.
$(FUZZ_B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c17 $(filter-out -Werror,$(WARN)) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_B)/libpurgesim.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/tests/fuzz/fuzz_%.o $(FUZZ_B)/tests/fuzz/fuzz_common.o $(FUZZ_B)/libpurgesim.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# replay drivers: the project's compiler and flags (objects from the top Makefile's $(B)/%.o rule)
$(B)/fuzz/replay_%: $(B)/tests/fuzz/fuzz_%.o $(B)/tests/fuzz/fuzz_common.o $(B)/tests/fuzz/replay.o \
                    $(B)/libpurgesim.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_HARNESS_OBJ:.o=.d)
-include $(FUZZ_ALL:%=$(B)/tests/fuzz/fuzz_%.d) $(B)/tests/fuzz/fuzz_common.d $(B)/tests/fuzz/replay.d

# an -include before the top Makefile's first rule must not make `make` mean `make fuzz`
.DEFAULT_GOAL := $(_fuzz_default_goal)
