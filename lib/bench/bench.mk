# libgoc benchmarks: `make bench-lib` prints libgoc with each scheduler
# (thread, M:N) beside Go (lib/bench/go) when a Go toolchain is on PATH, the
# libgoc columns alone otherwise.  Included from lib/lib.mk.

BENCH_SRC := $(wildcard lib/bench/*.c)
# The M:N scheduler has context switches for these machines only.
BENCH_SCHEDS := thread $(if $(filter x86_64 aarch64,$(shell uname -m)),mn)
BENCH_GO_BIN := $(BUILD)/lib/bench/go-bench

# One binary per scheduler, linked with that scheduler's plain flavour.
define BENCH_RULES
$(BUILD)/lib/bench/goc-bench-$(1): $(BENCH_SRC) lib/bench/bench.h $(BUILD)/lib/plain-$(1)/libgoc.a
	@mkdir -p $$(@D)
	$$(CC) $$(LIB_CFLAGS) $$(OPT) -DBENCH_SCHED_$(shell echo $(1) | tr a-z A-Z) -Ilib/bench $(BENCH_SRC) -o $$@ \
		$(BUILD)/lib/plain-$(1)/libgoc.a
endef
$(foreach s,$(BENCH_SCHEDS),$(eval $(call BENCH_RULES,$(s))))
BENCH_BINS := $(BENCH_SCHEDS:%=$(BUILD)/lib/bench/goc-bench-%)

# Built offline: the module has no requirements, and the build cache stays
# under build/ rather than in $HOME.
$(BENCH_GO_BIN): $(wildcard lib/bench/go/*.go) lib/bench/go/go.mod
	@mkdir -p $(@D)
	@if command -v go >/dev/null; then \
	  cd lib/bench/go && GOCACHE=$(abspath $(BUILD))/go-cache GOFLAGS=-mod=mod GOPROXY=off \
	    GOTOOLCHAIN=local go build -o $(abspath $@) . ; \
	else rm -f $@; fi

.PHONY: bench-lib
bench-lib: $(BENCH_BINS) $(BENCH_GO_BIN)
	@sh lib/bench/table.sh "$(BENCH_GO_BIN)" "$(BENCH_FILTER)" $(foreach s,$(BENCH_SCHEDS),$(s)=$(BUILD)/lib/bench/goc-bench-$(s))
