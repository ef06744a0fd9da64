# The graders of exercises 01-03 proved without the runner: every solution
# passes, every untouched exercise fails, every typical wrong answer fails
# with its intended message (graders/tests/run.sh), plainly and under
# ThreadSanitizer.
.PHONY: test-graders test-graders-race
test-graders: $(LIBGOC)
	@sh runner/tests/run_sh_tests.sh graders/tests/run.sh
test-graders-race: $(LIBGOC_TSAN)
	@RACE=1 sh runner/tests/run_sh_tests.sh graders/tests/run.sh
TEST_TARGETS += test-graders test-graders-race
