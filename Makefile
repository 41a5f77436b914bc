# dslab - build, test, run, bench.
#
#   make run     build, install missing packages (as root), replay the default workload,
#                write CSV and PNG under results/default/
#   make test    build and run every Check suite, plain and under ASan+UBSan
#   make bench   benchmarks (numbers quoted in README.md)
#   make bench-libcachesim   only dslab vs libCacheSim (CACHESIM=/path/to/cachesim)
#
# Sources are picked up by directory: core/ and backend/ form libdslab.a, workloads/ and sim/
# form the simulator library, sim/main.c is the dslab command, tests/test_*.c are one Check
# binary each, bench/bench_*.c one benchmark each (and bench/crashcheck.c, the crash test's checker), fuzz/fuzz_*.c one libFuzzer target each.

BUILD    ?= build
CC       ?= cc
OPT      ?= -O2 -g
SAN      ?=
CSTD     := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
INCS     := -Icore -Iworkloads -Isim -Ibackend -I$(BUILD)/gen
PKGS     := check libzstd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libzstd 2>/dev/null || echo -lzstd)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)
# Debian's libcsv-dev ships no .pc file; fall back to -lcsv.
CSV_LIBS   := $(shell pkg-config --libs libcsv 2>/dev/null || echo -lcsv)
CFLAGS   := $(CSTD) $(OPT) $(WARN) $(SAN) $(INCS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS   := $(CSV_LIBS) $(PKG_LIBS) -lpthread -lm

CORE_SRC := $(wildcard core/*.c core/evict/*.c core/iopolicy/*.c) $(wildcard backend/*.c)
SIM_SRC  := $(wildcard workloads/*.c) $(filter-out sim/main.c,$(wildcard sim/*.c))
TEST_SRC := $(wildcard tests/test_*.c)
BENCH_SRC:= $(wildcard bench/bench_*.c) bench/crashcheck.c
HDRS     := $(wildcard core/*.h core/evict/*.h backend/*.h workloads/*.h sim/*.h tests/*.h)

CORE_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRC))
SIM_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(SIM_SRC))
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCH_BIN:= $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
TEST_HELPERS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out $(TEST_SRC),$(wildcard tests/*.c)))

LIBDSLAB := $(BUILD)/libdslab.a
LIBSIM   := $(BUILD)/libdssim.a
DSLAB    := $(BUILD)/dslab

# Keep intermediate objects (tests, benches), so a second make does not rebuild them.
.SECONDARY:

.PHONY: all deps test test-run test-policies test-asan test-tsan test-anywhere check-paths run bench \
	bench-libcachesim clean fuzz format tools

all: $(DSLAB)

deps:
	@scripts/deps.sh

# The commit a calibration names (sim/calibrate.c): rewritten only when it changes, so a
# commit does not rebuild everything.
$(BUILD)/gen/version.h: FORCE
	@mkdir -p $(dir $@)
	@c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	 [ "$$c" = unknown ] || git diff --quiet HEAD -- 2>/dev/null || c="$$c-dirty"; \
	 printf '#define DSLAB_COMMIT "%s"\n' "$$c" > $@.tmp; \
	 cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(BUILD)/obj/sim/calibrate.o: $(BUILD)/gen/version.h
.PHONY: FORCE
FORCE:

$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBDSLAB): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBSIM): $(SIM_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(DSLAB): $(BUILD)/obj/sim/main.o $(LIBSIM) $(LIBDSLAB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_HELPERS) $(LIBSIM) $(LIBDSLAB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIBSIM) $(LIBDSLAB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

tools: $(DSLAB) $(TEST_BIN) $(BENCH_BIN)

# The README's test command: no machine path in the tree, plain build, then ASan+UBSan.
test: deps check-paths
	@$(MAKE) --no-print-directory test-run
	@$(MAKE) --no-print-directory test-policies
	@$(MAKE) --no-print-directory test-asan

# The core suites again under every IO policy but the default (scripts/test-policies.sh).
test-policies: $(DSLAB) $(TEST_BIN)
	@scripts/test-policies.sh $(BUILD)

test-run: $(DSLAB) $(TEST_BIN)
	@scripts/run-tests.sh $(BUILD) $(TESTS)

test-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  test-run

# Threaded mode under ThreadSanitizer: the suites that start threads.
TSAN_TESTS ?= $(notdir $(basename $(wildcard tests/test_backend*.c tests/test_real*.c)))
test-tsan:
	@$(MAKE) --no-print-directory BUILD=build-tsan OPT="-O1 -g" SAN="-fsanitize=thread" \
	  TESTS="$(TSAN_TESTS)" test-run

# No tracked file names an absolute path of one machine (scripts/check-paths.sh says which are
# allowed); the self-test proves the rule still flags one.
check-paths:
	@scripts/check-paths.sh --self-test
	@scripts/check-paths.sh

# The plain suites in a copy of the tracked tree under a temporary directory, with no public
# sample beside it and DSLAB_SAMPLE_DIR unset: what a fresh clone anywhere else sees.
test-anywhere:
	@scripts/test-anywhere.sh

run: deps
	@$(MAKE) --no-print-directory $(DSLAB)
	@scripts/run-default.sh $(DSLAB)

bench: deps
	@$(MAKE) --no-print-directory OPT="-O2 -g -DNDEBUG" BUILD=build-bench tools
	@scripts/bench.sh build-bench

# Only the libCacheSim comparison (needs CACHESIM=/path/to/cachesim; README "Benchmarks").
bench-libcachesim: deps
	@$(MAKE) --no-print-directory OPT="-O2 -g -DNDEBUG" BUILD=build-bench tools
	@scripts/bench-libcachesim.sh build-bench/dslab

fuzz:
	@scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	clang-format -i $(wildcard core/*.[ch] core/evict/*.[ch] core/iopolicy/*.c backend/*.[ch] sim/*.[ch] workloads/*.[ch] \
	  tests/*.[ch] bench/*.c fuzz/*.c)

clean:
	rm -rf build build-asan build-tsan build-bench build-fuzz
