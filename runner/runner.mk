# The chanlings runner: build/chanlings, its tests and its benchmark.
#
# Every runner/src/*.c is part of the program; every runner/tests/test_*.c
# is a Check suite linked with all of them but main.c; every
# runner/tests/*_test.sh is a shell test run from the workbook root whose
# last line is "N passed, N failed".

RUNNER_SRC := $(wildcard runner/src/*.c)
RUNNER_HDR := $(wildcard runner/src/*.h) graders/grader_protocol.h
RUNNER_OBJ := $(RUNNER_SRC:runner/src/%.c=$(BUILD)/runner/%.o)
RUNNER_LIB_OBJ := $(filter-out $(BUILD)/runner/main.o,$(RUNNER_OBJ))
RUNNER_PKG_CFLAGS := $(shell pkg-config --cflags ncursesw libcmark json-c 2>/dev/null)
RUNNER_PKG_LIBS := $(shell pkg-config --libs ncursesw libcmark json-c 2>/dev/null || echo -lncursesw -lcmark -ljson-c)
# libseccomp is optional: without it the sandbox has namespaces but no
# system-call filter (sandbox.h).
RUNNER_SECCOMP_CFLAGS := $(shell pkg-config --exists libseccomp 2>/dev/null && echo -DCL_HAVE_SECCOMP $$(pkg-config --cflags libseccomp))
RUNNER_SECCOMP_LIBS := $(shell pkg-config --libs libseccomp 2>/dev/null)
RUNNER_PKG_CFLAGS += $(RUNNER_SECCOMP_CFLAGS)
RUNNER_PKG_LIBS += $(RUNNER_SECCOMP_LIBS)
RUNNER_CFLAGS := $(CSTD) $(WARN) $(OPT) -Irunner/src -Igraders $(RUNNER_PKG_CFLAGS)
CHANLINGS := $(BUILD)/chanlings

RUNNER_TEST_SRC := $(wildcard runner/tests/test_*.c)
RUNNER_TESTS := $(RUNNER_TEST_SRC:runner/tests/%.c=$(BUILD)/runner/tests/%)
RUNNER_SH_TESTS := $(wildcard runner/tests/*_test.sh)

.PHONY: runner bench-runner test-includes test-runner-unit test-runner-sh test-verify
runner: $(CHANLINGS)

$(BUILD)/runner/%.o: runner/src/%.c $(RUNNER_HDR)
	@mkdir -p $(@D)
	$(CC) $(RUNNER_CFLAGS) -c $< -o $@

$(CHANLINGS): $(RUNNER_OBJ)
	$(CC) $(OPT) -pthread $^ -o $@ $(RUNNER_PKG_LIBS)

$(BUILD)/runner/tests/%: runner/tests/%.c $(RUNNER_LIB_OBJ) $(RUNNER_HDR) $(wildcard runner/tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(RUNNER_CFLAGS) $(PKG_CHECK_CFLAGS) $< $(RUNNER_LIB_OBJ) -o $@ \
		$(RUNNER_PKG_LIBS) $(PKG_CHECK_LIBS) -pthread

test-runner-unit: $(RUNNER_TESTS)
	@sh scripts/run-tests.sh "runner" $^

# Each script's last line carries its totals; they go to the tally too.
test-runner-sh: $(CHANLINGS) lib
	@sh runner/tests/run_sh_tests.sh $(RUNNER_SH_TESTS)

# Every exercise of the real workbook: solutions pass, stubs fail, lessons
# and quizzes parse.  The stubs as shipped (git HEAD, else
# .chanlings/pristine/): a learner's work in exercises/ never fails it.
test-verify: $(CHANLINGS) lib
	@if ./$(CHANLINGS) verify --shipped; then echo "1 0" >> "$${BUILD_TALLY:-/dev/null}"; \
	  else echo "0 1" >> "$${BUILD_TALLY:-/dev/null}"; exit 1; fi

# No two modules of the runner (or of libgoc) include each other in a
# circle (docs/ARCHITECTURE.md draws the layers).  The script is first shown
# a made-up cycle, so a script that never fails cannot pass this test.
test-includes:
	@d=$$(mktemp -d) && printf '#include "b.h"\n' > $$d/a.h && printf '#include "a.h"\n' > $$d/b.c \
	  && : > $$d/b.h && if sh scripts/check-includes.sh $$d >/dev/null; then rm -rf $$d; \
	  echo "check-includes.sh missed a cycle"; echo "0 1" >> "$${BUILD_TALLY:-/dev/null}"; exit 1; fi; rm -rf $$d
	@if sh scripts/check-includes.sh runner/src lib/src; then echo "1 0" >> "$${BUILD_TALLY:-/dev/null}"; \
	  else echo "0 1" >> "$${BUILD_TALLY:-/dev/null}"; exit 1; fi

TEST_TARGETS += test-includes test-runner-unit test-runner-sh test-verify

bench-runner: $(CHANLINGS) lib
	@sh runner/tests/bench_runner.sh ./$(CHANLINGS)
	@if [ -f runner/tests/bench_tui.sh ]; then sh runner/tests/bench_tui.sh; fi
