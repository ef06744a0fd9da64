# libgoc — the library, its tests and its benchmarks.
#
# Three builds of the same sources: plain (what learners link), TSan (race
# pass and the library's own race check) and ASan+UBSan (memory check).
#
# A private namespace: learners link libgoc.a, one relocatable object in
# which every name but goc_* is made local (ld -r joins the objects, so
# internal calls are bound inside it; objcopy then hides the rest).  A
# learner may define chan_lock or sync_die without a clash.  libgoc's own
# white-box tests link libgoc-internal.a, the same objects with nothing
# hidden.

LIB_SRC := $(wildcard lib/src/*.c)
LIB_HDR := $(wildcard lib/include/*.h lib/include/goc/*.h lib/src/*.h)
LIB_CFLAGS := $(CSTD) $(WARN) -Ilib/include -pthread
LIB_TEST_SRC := $(wildcard lib/tests/test_*.c)

# name: flags
LIB_FLAVOURS := plain tsan asan
LIB_FLAGS_plain := $(OPT)
LIB_FLAGS_tsan := -O1 -g -fsanitize=thread
LIB_FLAGS_asan := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

OBJCOPY ?= objcopy

LIBGOC := $(BUILD)/lib/plain/libgoc.a
LIBGOC_TSAN := $(BUILD)/lib/tsan/libgoc.a
LIBGOC_ASAN := $(BUILD)/lib/asan/libgoc.a

define LIB_FLAVOUR_RULES
$(BUILD)/lib/$(1)/%.o: lib/src/%.c $(LIB_HDR)
	@mkdir -p $$(@D)
	$$(CC) $$(LIB_CFLAGS) $$(LIB_FLAGS_$(1)) -c $$< -o $$@

$(BUILD)/lib/$(1)/libgoc-internal.a: $(LIB_SRC:lib/src/%.c=$(BUILD)/lib/$(1)/%.o)
	@rm -f $$@
	ar rcs $$@ $$^

$(BUILD)/lib/$(1)/libgoc.a: $(LIB_SRC:lib/src/%.c=$(BUILD)/lib/$(1)/%.o)
	@rm -f $$@ $$(@D)/libgoc.o
	$$(LD) -r $$^ -o $$(@D)/libgoc.o
	$$(OBJCOPY) --wildcard --keep-global-symbol='goc_*' $$(@D)/libgoc.o
	ar rcs $$@ $$(@D)/libgoc.o

$(BUILD)/lib/$(1)/tests/%: lib/tests/%.c $(wildcard lib/tests/*.h) $(BUILD)/lib/$(1)/libgoc-internal.a
	@mkdir -p $$(@D)
	$$(CC) $$(LIB_CFLAGS) $$(LIB_FLAGS_$(1)) $$(PKG_CHECK_CFLAGS) $$< -o $$@ \
		$(BUILD)/lib/$(1)/libgoc-internal.a $$(PKG_CHECK_LIBS)

LIB_TESTS_$(1) := $(LIB_TEST_SRC:lib/tests/%.c=$(BUILD)/lib/$(1)/tests/%)
endef
$(foreach f,$(LIB_FLAVOURS),$(eval $(call LIB_FLAVOUR_RULES,$(f))))

.PHONY: lib lib-all test-lib test-lib-namespace test-lib-goports test-lib-compile test-lib-valgrind test-lib-plain test-lib-tsan test-lib-asan bench-lib
lib: $(LIBGOC) $(LIBGOC_TSAN) $(LIBGOC_ASAN)

# Each test program is a Check suite; scripts/run-tests.sh runs a list of
# them and prints one total line.
test-lib-plain: $(LIB_TESTS_plain)
	@sh scripts/run-tests.sh "libgoc" $^
test-lib-tsan: $(LIB_TESTS_tsan)
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66 die_after_fork=0 $(TSAN_OPTIONS)" sh scripts/run-tests.sh "libgoc under TSan" $^
test-lib-asan: $(LIB_TESTS_asan)
	@ASAN_OPTIONS="detect_leaks=1 $(ASAN_OPTIONS)" sh scripts/run-tests.sh "libgoc under ASan" $^
test-lib-compile:
	@CC="$(CC)" sh lib/tests/compile_fail_test.sh
# valgrind over the plain build (stress excluded: too slow under valgrind)
# looks for invalid accesses.  Leaks are LeakSanitizer's job in the ASan
# pass: it checks every test that ends normally, while valgrind would also
# count what a death test's child (a deliberate panic) leaves behind.
VALGRIND := valgrind -q --error-exitcode=9 --leak-check=no
test-lib-valgrind: $(filter-out %/test_stress,$(LIB_TESTS_plain))
	@if command -v valgrind >/dev/null; then \
	  for t in $^; do printf '#!/bin/sh\nexec $(VALGRIND) %s\n' "$$(pwd)/$$t" > $$t.vg; chmod +x $$t.vg; done; \
	  CK_TIMEOUT_MULTIPLIER=10 sh scripts/run-tests.sh "libgoc under valgrind" $(addsuffix .vg,$^); \
	else echo "valgrind not installed: skipped"; fi
# Only goc_ names leave libgoc.a, and a program defining every internal
# name links and runs (each flavour).
test-lib-namespace: $(LIB_FLAVOURS:%=$(BUILD)/lib/%/libgoc.a) $(LIB_FLAVOURS:%=$(BUILD)/lib/%/libgoc-internal.a)
	@CC="$(CC)" BUILD="$(BUILD)" sh lib/tests/namespace_test.sh $(foreach f,$(LIB_FLAVOURS),$(f):"$(LIB_FLAGS_$(f))")
# Go programs ported to C match Go's recorded stdout, first stderr line
# and exit status (lib/tests/goports/), in the plain and TSan builds.
test-lib-goports: $(LIBGOC) $(LIBGOC_TSAN)
	@CC="$(CC)" BUILD="$(BUILD)" sh lib/tests/goports_test.sh plain:"$(LIB_FLAGS_plain)" tsan:"$(LIB_FLAGS_tsan)"
test-lib: test-lib-plain test-lib-tsan test-lib-asan test-lib-compile test-lib-valgrind test-lib-namespace test-lib-goports
TEST_TARGETS += test-lib-compile test-lib-plain test-lib-tsan test-lib-asan test-lib-valgrind test-lib-namespace test-lib-goports

include lib/bench/bench.mk
