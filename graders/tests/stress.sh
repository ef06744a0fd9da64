#!/bin/sh
# make stress: graders/tests/run.sh, RUNS times each, in its plain, race
# and memory passes, while two busy loops keep the machine's cores busy.
# A correct solution must pass every run and a wrong one fail every run
# under load, not only on an idle machine.
#   sh graders/tests/stress.sh [RUNS]     (default 100; ONLY="01 02" narrows it, as in run.sh)
cd "$(dirname "$0")/../.." || exit 2
runs=${1:-100}
busy() { while :; do :; done; }
busy & b1=$!
busy & b2=$!
trap 'kill $b1 $b2 2>/dev/null' EXIT INT TERM
rc=0
for pass in plain race memory; do
    start=$(date +%s)
    case $pass in
    plain) RUNS=$runs sh graders/tests/run.sh >build/stress-$pass.log 2>&1 ;;
    race) RACE=1 RUNS=$runs sh graders/tests/run.sh >build/stress-$pass.log 2>&1 ;;
    memory) ASAN=1 RUNS=$runs sh graders/tests/run.sh >build/stress-$pass.log 2>&1 ;;
    esac
    s=$?
    [ $s -ne 0 ] && rc=1
    grep '^FAIL' build/stress-$pass.log
    echo "stress $pass: $(tail -n 1 build/stress-$pass.log) in $(($(date +%s) - start)) s (log: build/stress-$pass.log)"
done
exit $rc
