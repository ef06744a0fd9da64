# libgoc benchmarks: `make bench-lib` prints libgoc beside Go (lib/bench/go)
# when a Go toolchain is on PATH, the libgoc column alone otherwise.
# Included from lib/lib.mk.

BENCH_SRC := $(wildcard lib/bench/*.c)
BENCH_BIN := $(BUILD)/lib/bench/goc-bench
BENCH_GO_BIN := $(BUILD)/lib/bench/go-bench

$(BENCH_BIN): $(BENCH_SRC) lib/bench/bench.h $(LIBGOC)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(OPT) -Ilib/bench $(BENCH_SRC) -o $@ $(LIBGOC)

# Built offline: the module has no requirements, and the build cache stays
# under build/ rather than in $HOME.
$(BENCH_GO_BIN): $(wildcard lib/bench/go/*.go) lib/bench/go/go.mod
	@mkdir -p $(@D)
	@if command -v go >/dev/null; then \
	  cd lib/bench/go && GOCACHE=$(abspath $(BUILD))/go-cache GOFLAGS=-mod=mod GOPROXY=off \
	    GOTOOLCHAIN=local go build -o $(abspath $@) . ; \
	else rm -f $@; fi

.PHONY: bench-lib
bench-lib: $(BENCH_BIN) $(BENCH_GO_BIN)
	@sh lib/bench/table.sh $(BENCH_BIN) $(BENCH_GO_BIN)
