# Every exercise's grader proved without the runner: every solution
# and correct alternative passes, every untouched exercise fails, every
# typical wrong answer fails with its intended message (graders/tests/run.sh),
# plainly, under ThreadSanitizer and under AddressSanitizer+LeakSanitizer.
#
#   make stress   the same under load: two busy loops keep both cores busy
#                 while every solution and alternative passes RUNS times
#                 (default 100) and every stub and wrong answer fails RUNS
#                 times, in all three passes.  Slow (tens of minutes); not
#                 part of make test.
STRESS_RUNS ?= 100

.PHONY: test-graders test-graders-race test-graders-memory stress
test-graders: $(LIBGOC)
	@sh runner/tests/run_sh_tests.sh graders/tests/run.sh
test-graders-race: $(LIBGOC_TSAN)
	@RACE=1 sh runner/tests/run_sh_tests.sh graders/tests/run.sh
test-graders-memory: $(LIBGOC_ASAN)
	@ASAN=1 sh runner/tests/run_sh_tests.sh graders/tests/run.sh
TEST_TARGETS += test-graders test-graders-race test-graders-memory

stress: $(LIBGOC) $(LIBGOC_TSAN) $(LIBGOC_ASAN)
	@sh graders/tests/stress.sh $(STRESS_RUNS)
