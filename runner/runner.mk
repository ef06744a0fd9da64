# The chanlings runner (filled in by the runner work).
.PHONY: runner bench-runner
runner:
bench-runner:
