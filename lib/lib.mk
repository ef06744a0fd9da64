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

# Two schedulers behind lib/src/sched.h: `mn` (M:N, the default where its
# context switch exists: x86-64 and aarch64) and `thread` (a thread per
# goroutine, the default elsewhere).  SCHED picks the one in plain/tsan/asan,
# which the runner and graders link; the -thread and -mn flavours hold one
# scheduler whatever SCHED says, so both are tested and benchmarked.
LIB_MN_ARCH := $(filter x86_64 aarch64,$(shell uname -m))
SCHED ?= $(if $(LIB_MN_ARCH),mn,thread)
ifeq ($(filter thread mn,$(SCHED)),)
$(error SCHED=$(SCHED): the schedulers are `mn` (M:N) and `thread`)
endif
# The scheduler that SCHED did not pick: its suites run too (test-lib-mn-*
# or test-lib-thread-*).
LIB_SCHED_OTHER := $(if $(filter mn,$(SCHED)),thread,$(if $(LIB_MN_ARCH),mn))
LIB_SCHED_SRC_thread := lib/src/sched_thread.c
LIB_SCHED_SRC_mn := $(wildcard lib/src/sched_mn*.c)
LIB_SRC := $(filter-out $(LIB_SCHED_SRC_thread) $(LIB_SCHED_SRC_mn),$(wildcard lib/src/*.c))
LIB_HDR := $(wildcard lib/include/*.h lib/include/goc/*.h lib/src/*.h lib/src/arch/*.h)
LIB_CFLAGS := $(CSTD) $(WARN) -Ilib/include -pthread
LIB_TEST_SRC := $(wildcard lib/tests/test_*.c)

# name: flags (and scheduler)
LIB_FLAVOURS := plain tsan asan plain-thread tsan-thread asan-thread plain-mn tsan-mn asan-mn
LIB_FLAGS_plain := $(OPT)
LIB_FLAGS_tsan := -O1 -g -fsanitize=thread
LIB_FLAGS_asan := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
$(foreach f,plain tsan asan,$(eval LIB_SCHED_$(f) := $(SCHED))$(foreach s,thread mn,$(eval LIB_FLAGS_$(f)-$(s) := $$(LIB_FLAGS_$(f)))$(eval LIB_SCHED_$(f)-$(s) := $(s))))
# A stamp named after SCHED, so switching it rebuilds the archives.
LIB_SCHED_STAMP := $(BUILD)/lib/sched-$(SCHED)
$(shell mkdir -p $(BUILD)/lib && { [ -f $(LIB_SCHED_STAMP) ] || { rm -f $(BUILD)/lib/sched-*; touch $(LIB_SCHED_STAMP); }; })
# The scheduler switches stacks under TSan's feet: it is built without
# instrumentation and tells TSan about each switch (fiber API) instead.
$(BUILD)/lib/tsan/sched_mn.o $(BUILD)/lib/tsan-mn/sched_mn.o: LIB_XFLAGS := -fno-sanitize=thread -DSCHED_MN_TSAN
# The trace recorder keeps per-thread state (this thread's buffer, the
# goroutine it runs), which under M:N every goroutine of a worker touches in
# turn; TSan, told that switches order nothing, would call that a race.  It
# holds no learner data, so it is left uninstrumented in every TSan build,
# and so is its writer, which reads those buffers through atomics TSan
# cannot see from the recorder's side (it took the buffer's mmap for a write).
$(foreach f,tsan tsan-mn tsan-thread,$(BUILD)/lib/$(f)/trace.o $(BUILD)/lib/$(f)/trace_write.o): LIB_XFLAGS := -fno-sanitize=thread

OBJCOPY ?= objcopy

LIBGOC := $(BUILD)/lib/plain/libgoc.a
LIBGOC_TSAN := $(BUILD)/lib/tsan/libgoc.a
LIBGOC_ASAN := $(BUILD)/lib/asan/libgoc.a

define LIB_FLAVOUR_RULES
LIB_OBJS_$(1) := $(patsubst lib/src/%.c,$(BUILD)/lib/$(1)/%.o,$(LIB_SRC) $(LIB_SCHED_SRC_$(LIB_SCHED_$(1))))
$(BUILD)/lib/$(1)/%.o: lib/src/%.c $(LIB_HDR) lib/lib.mk
	@mkdir -p $$(@D)
	$$(CC) $$(LIB_CFLAGS) $$(LIB_FLAGS_$(1)) $$(LIB_XFLAGS) -c $$< -o $$@

$(BUILD)/lib/$(1)/libgoc-internal.a: $$(LIB_OBJS_$(1)) $(LIB_SCHED_STAMP)
	@rm -f $$@
	ar rcs $$@ $$(filter %.o,$$^)

$(BUILD)/lib/$(1)/libgoc.a: $$(LIB_OBJS_$(1)) $(LIB_SCHED_STAMP)
	@rm -f $$@ $$(@D)/libgoc.o
	$$(LD) -r $$(filter %.o,$$^) -o $$(@D)/libgoc.o
	$$(OBJCOPY) --wildcard --keep-global-symbol='goc_*' $$(@D)/libgoc.o
	ar rcs $$@ $$(@D)/libgoc.o

$(BUILD)/lib/$(1)/tests/%: lib/tests/%.c $(wildcard lib/tests/*.h) $(BUILD)/lib/$(1)/libgoc-internal.a
	@mkdir -p $$(@D)
	$$(CC) $$(LIB_CFLAGS) $$(LIB_FLAGS_$(1)) -DLIBGOC_SCHED_$(LIB_SCHED_$(1)) $$(PKG_CHECK_CFLAGS) $$< -o $$@ \
		$(BUILD)/lib/$(1)/libgoc-internal.a $$(PKG_CHECK_LIBS)

LIB_TESTS_$(1) := $(LIB_TEST_SRC:lib/tests/%.c=$(BUILD)/lib/$(1)/tests/%)
endef
$(foreach f,$(LIB_FLAVOURS),$(eval $(call LIB_FLAVOUR_RULES,$(f))))

.PHONY: lib lib-all test-lib test-lib-mn test-lib-namespace test-lib-goports test-lib-compile bench-lib
lib: $(LIBGOC) $(LIBGOC_TSAN) $(LIBGOC_ASAN)

# Each test program is a Check suite; scripts/run-tests.sh runs a list of
# them and prints one total line.  The same passes run over the default
# flavours (test-lib-*) and the M:N ones (test-lib-mn-*).
#
# valgrind over the plain build (stress excluded: too slow under valgrind)
# looks for invalid accesses.  Leaks are LeakSanitizer's job in the ASan
# pass: it checks every test that ends normally, while valgrind would also
# count what a death test's child (a deliberate panic) leaves behind.
VALGRIND := valgrind -q --error-exitcode=9 --leak-check=no
# $(1): target prefix, $(2): flavour suffix, $(3): title suffix
define LIB_TEST_RULES
$(1)-plain: $$(LIB_TESTS_plain$(2))
	@sh scripts/run-tests.sh "libgoc$(3)" $$^
$(1)-tsan: $$(LIB_TESTS_tsan$(2))
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66 die_after_fork=0 $$(TSAN_OPTIONS)" sh scripts/run-tests.sh "libgoc$(3) under TSan" $$^
$(1)-asan: $$(LIB_TESTS_asan$(2))
	@ASAN_OPTIONS="detect_leaks=1 $$(ASAN_OPTIONS)" sh scripts/run-tests.sh "libgoc$(3) under ASan" $$^
$(1)-valgrind: $$(filter-out %/test_stress,$$(LIB_TESTS_plain$(2)))
	@if command -v valgrind >/dev/null; then \
	  for t in $$^; do printf '#!/bin/sh\nexec $$(VALGRIND) %s\n' "$$$$(pwd)/$$$$t" > $$$$t.vg; chmod +x $$$$t.vg; done; \
	  CK_TIMEOUT_MULTIPLIER=10 sh scripts/run-tests.sh "libgoc$(3) under valgrind" $$(addsuffix .vg,$$^); \
	else echo "valgrind not installed: skipped"; fi
.PHONY: $(1)-plain $(1)-tsan $(1)-asan $(1)-valgrind
endef
LIB_SCHED_TITLE_thread := thread scheduler
LIB_SCHED_TITLE_mn := M:N scheduler
$(eval $(call LIB_TEST_RULES,test-lib,,))
$(eval $(call LIB_TEST_RULES,test-lib-mn,-mn, ($(LIB_SCHED_TITLE_mn))))
$(eval $(call LIB_TEST_RULES,test-lib-thread,-thread, ($(LIB_SCHED_TITLE_thread))))
test-lib-compile:
	@CC="$(CC)" sh lib/tests/compile_fail_test.sh
# Only goc_ names leave libgoc.a, and a program defining every internal
# name links and runs (each flavour).
LIB_MAIN_FLAVOURS := plain tsan asan
test-lib-namespace: $(LIB_MAIN_FLAVOURS:%=$(BUILD)/lib/%/libgoc.a) $(LIB_MAIN_FLAVOURS:%=$(BUILD)/lib/%/libgoc-internal.a)
	@CC="$(CC)" BUILD="$(BUILD)" sh lib/tests/namespace_test.sh $(foreach f,$(LIB_MAIN_FLAVOURS),$(f):"$(LIB_FLAGS_$(f))")
# Go programs ported to C match Go's recorded stdout, first stderr line
# and exit status (lib/tests/goports/), in the plain and TSan builds.
test-lib-goports: $(LIBGOC) $(LIBGOC_TSAN)
	@CC="$(CC)" BUILD="$(BUILD)" sh lib/tests/goports_test.sh plain:"$(LIB_FLAGS_plain)" tsan:"$(LIB_FLAGS_tsan)"
test-lib: test-lib-plain test-lib-tsan test-lib-asan test-lib-compile test-lib-valgrind test-lib-namespace test-lib-goports
test-lib-mn: test-lib-mn-plain test-lib-mn-tsan test-lib-mn-asan test-lib-mn-valgrind
test-lib-thread: test-lib-thread-plain test-lib-thread-tsan test-lib-thread-asan test-lib-thread-valgrind
TEST_TARGETS += test-lib-compile test-lib-plain test-lib-tsan test-lib-asan test-lib-valgrind test-lib-namespace test-lib-goports
# The other scheduler's suites too, every pass.
ifneq ($(LIB_SCHED_OTHER),)
TEST_TARGETS += $(addprefix test-lib-$(LIB_SCHED_OTHER)-,plain tsan asan valgrind)
endif

# The execution trace: GOC_TRACE over the Go ports, both schedulers and
# TSan; each program behaves as without it and its trace passes
# lib/tests/trace_validate.py (test_trace.c is one of the suites above).
.PHONY: test-lib-trace
test-lib-trace: $(LIBGOC) $(LIBGOC_TSAN) $(if $(LIB_SCHED_OTHER),$(BUILD)/lib/plain-$(LIB_SCHED_OTHER)/libgoc.a)
	@CC="$(CC)" BUILD="$(BUILD)" sh lib/tests/trace_goports_test.sh plain:"$(LIB_FLAGS_plain)" tsan:"$(LIB_FLAGS_tsan)" $(if $(LIB_SCHED_OTHER),plain-$(LIB_SCHED_OTHER):"$(LIB_FLAGS_plain)")
test-lib: test-lib-trace
TEST_TARGETS += test-lib-trace

include lib/bench/bench.mk
