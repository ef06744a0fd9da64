#!/bin/sh
# make stress: graders/tests/run.sh, RUNS times each, in its plain, race
# and memory passes, while two busy loops keep the machine's cores busy.
# A correct solution must pass every run and a wrong one fail every run
# under load, not only on an idle machine.  Its programs and logs live in
# build/stress/, so `make test` can run beside it.
#   sh graders/tests/stress.sh [RUNS]     (default 100; ONLY="01 02" narrows it, as in run.sh)
cd "$(dirname "$0")/../.." || exit 2
runs=${1:-100}
dir=build/stress
mkdir -p "$dir"
busy() { while :; do :; done; }
busy & b1=$!
busy & b2=$!
trap 'kill $b1 $b2 2>/dev/null' EXIT
trap 'exit 130' INT TERM
rc=0
for pass in plain race memory; do
    start=$(date +%s)
    case $pass in
    plain) flags="" ;;
    race) flags="RACE=1" ;;
    memory) flags="ASAN=1" ;;
    esac
    env $flags GRADERS_TEST_DIR="$dir" RUNS="$runs" sh graders/tests/run.sh >"$dir/$pass.log" 2>&1 || rc=1
    grep '^FAIL' "$dir/$pass.log"
    echo "stress $pass: $(tail -n 1 "$dir/$pass.log") in $(($(date +%s) - start)) s (log: $dir/$pass.log)"
done
exit $rc
