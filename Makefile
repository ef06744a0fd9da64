# chanlings — build everything from the top.
#
#   make run     build, then open the workbook at your current exercise
#   make test    every test: libgoc (plain, ThreadSanitizer, AddressSanitizer),
#                the runner, end to end, the view, and `verify` of all exercises
#   make bench   libgoc beside Go (when Go is installed) and the runner's speed
#   make install PREFIX=/usr/local DESTDIR=   the runner, the workbook, libgoc,
#                libgoc.pc and the man pages (dist/install.mk)
#
# Each area keeps its rules in its own fragment (lib/lib.mk, runner/runner.mk);
# this file holds what they share.

CC ?= cc
OPT ?= -O2 -g
CSTD := -std=c11 -D_GNU_SOURCE
WARN := -Wall -Wextra
BUILD := build

PKG_CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
PKG_CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

.PHONY: all run test bench clean deps install
.DEFAULT_GOAL := all

all: deps lib runner

# Checks the Debian packages the build needs and says how to install any
# that are missing (installs them itself when run as root).
deps:
	@sh scripts/deps.sh

include lib/lib.mk
include runner/runner.mk
include graders/graders.mk
include dist/install.mk

# Every fragment adds its test targets to TEST_TARGETS.  Each prints its own
# totals; the last line sums them all.
# The parts run TEST_JOBS at a time (one per CPU by default): most of their
# time is spent waiting (deadlines, settles, child processes), not computing.
# Each part's output is printed whole when it ends (--output-sync).
export BUILD_TALLY := $(abspath $(BUILD))/test-tally
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: deps
	@mkdir -p $(BUILD) && rm -f $(BUILD_TALLY)
	@$(MAKE) --no-print-directory -k -j$(TEST_JOBS) --output-sync=target $(TEST_TARGETS); rc=$$?; \
	  sh scripts/tally.sh $(BUILD_TALLY) && exit $$rc

run: all
	@./$(BUILD)/chanlings

bench: all bench-lib bench-runner

clean:
	rm -rf $(BUILD)
