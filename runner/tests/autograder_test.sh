#!/bin/sh
# Gradescope for real: `chanlings autograder 1 2 --out` writes
# autograder.zip; it is unpacked at the real /autograder/source inside a
# private mount namespace (unshare -m, bind mounts: nothing of the host
# moves), setup.sh runs there (apt-get stubbed: no network; the build is
# copied in beforehand so its `make` has nothing to do), and
# /autograder/run_autograder grades a correct, a wrong and a hostile
# submission.  Each results.json is checked against Gradescope's fields with
# python3, and its score must equal `chanlings grade`'s on the same files.
# Needs root (mount namespaces) and python3, zip, unzip; says "skipped"
# otherwise.  Last line: "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/chanlings
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${out:-}" ] && printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

for t in python3 zip unzip unshare; do
    command -v $t >/dev/null 2>&1 || { echo "autograder_test: skipped ($t is not installed)"; finish; }
done
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
    echo "autograder_test: skipped (needs root for a mount namespace)"; finish
fi
made_mountpoint=
scratch=$(mktemp -d "${TMPDIR:-/tmp}/chanlings-gradescope.XXXXXX")
cleanup() {
    rm -rf "$scratch"
    [ -n "$made_mountpoint" ] && rmdir /autograder 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
unset CHANLINGS_ROOT
export NO_COLOR=1

# ---- the bundle
out=$(cd "$top" && "$bin" autograder 1 waitgroups --out "$scratch/out" 2>&1) &&
    [ -f "$scratch/out/autograder.zip" ] && ok "autograder 1 waitgroups --out writes autograder.zip" ||
    { bad "chanlings autograder --out"; finish; }
out=$(cd "$top" && "$bin" autograder 99 --out "$scratch/bad" 2>&1)
[ $? -eq 2 ] && ok "an unknown exercise is a usage error" || bad "autograder 99 should exit 2"
ag=$scratch/autograder
mkdir -p "$ag/source" "$ag/submission" &&
    (cd "$ag/source" && unzip -q "$scratch/out/autograder.zip") || { bad "unzip"; finish; }
for f in setup.sh run_autograder Makefile graders/grader_main.c solutions/01-goroutines.c; do
    [ -f "$ag/source/$f" ] && ok "the zip holds $f at its top" || bad "the zip lacks $f"
done
[ -x "$ag/source/run_autograder" ] && [ -x "$ag/source/setup.sh" ] && ok "both scripts are executable" ||
    bad "setup.sh or run_autograder is not executable"
grep -q "autograder 1 2 --grade /autograder/submission" "$ag/source/run_autograder" &&
    ok "run_autograder grades exercises 1 2" || bad "run_autograder's exercises"
# Gradescope copies run_autograder up a level.
cp "$ag/source/run_autograder" "$ag/run_autograder"

# The build setup.sh would make, copied in and newer than the sources, so
# its `make` finds nothing to do (a build from scratch takes minutes here).
# One time stamp for all, a minute ahead: nothing is older than its sources.
stamp=@$(($(date +%s) + 60))
mkdir -p "$ag/source/build" && cp -R "$top/build/lib" "$top/build/runner" "$bin" "$ag/source/build/" &&
    find "$ag/source/build" -exec touch -d "$stamp" {} + || { bad "copying the build"; finish; }
mkdir -p "$scratch/stub"
printf '#!/bin/sh\necho "apt-get $* (stubbed: no network in the test)"\n' > "$scratch/stub/apt-get"
chmod +x "$scratch/stub/apt-get"

[ -d /autograder ] || { mkdir /autograder && made_mountpoint=1; }
# in_autograder CMD: runs CMD with the bundle at /autograder (private mounts).
in_autograder() {
    unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /autograder &&
        mount --bind "$2" /autograder/submission && shift 2 && exec "$@"' \
        sh "$ag" "$ag/submission" "$@"
}
out=$(PATH="$scratch/stub:$PATH" in_autograder sh /autograder/source/setup.sh 2>&1)
if [ $? -eq 0 ]; then ok "setup.sh runs at /autograder/source (deps, make, verify 1 2)"; else bad "setup.sh"; finish; fi
printf '%s\n' "$out" | grep -q "Nothing to be done\|is up to date" && ok "setup.sh's make found the copied build current" ||
    bad "setup.sh rebuilt (the test's copied build was not current)"
[ "$(stat -c %a "$ag/source/solutions")" = 700 ] && ok "setup.sh hides solutions/ from other users" ||
    bad "solutions/ mode $(stat -c %a "$ag/source/solutions")"

# ---- three submissions
subs=$scratch/subs
mkdir -p "$subs/correct/exercises" "$subs/wrong" "$subs/hostile"
cp "$top/solutions/01-goroutines.c" "$subs/correct/01-goroutines.c"
cp "$top/solutions/02-waitgroups.c" "$subs/correct/exercises/waitgroups.c"
mkdir -p "$subs/wrong/exercises"
cp "$top/solutions/01-goroutines.c" "$subs/wrong/exercises/1.c"
patch -s "$subs/wrong/exercises/1.c" < "$top/graders/tests/01-wrong-sequential.patch" || bad "the wrong patch does not apply"
cat > "$subs/hostile/01-goroutines.c" <<'HOSTILE'
/* Tries to forge its grade, to read the hidden solution and to delete a
 * grader, from inside the graded functions; implements nothing. */
#include <goc.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*task_fn)(int index, void *ctx);

static void attack(void)
{
    FILE *f = fopen("/autograder/results/results.json", "w");
    if (f) {
        fputs("{\"score\": 999, \"tests\": []}\n", f);
        fclose(f);
    }
    f = fopen("/autograder/source/solutions/01-goroutines.c", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            printf("LEAK %s", line);
        fclose(f);
    }
    remove("/autograder/source/graders/01-goroutines.c");
    puts("{\"score\": 999, \"tests\": []}");
}

void launch_all(int n, task_fn task, void *ctx)
{
    (void)n, (void)task, (void)ctx;
    attack();
}

void greet_all(const char *const names[], int n)
{
    (void)names, (void)n;
    attack();
}
HOSTILE

# validate FILE: Gradescope's fields and their types, and the score adds up.
validate() {
    python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
vis = {"hidden", "after_due_date", "after_published", "visible"}
assert isinstance(r.get("score"), (int, float)), "score"
assert r.get("visibility", "visible") in vis, "visibility"
assert r.get("stdout_visibility") in vis, "stdout_visibility"
assert isinstance(r.get("tests"), list) and r["tests"], "tests"
total = 0
for t in r["tests"]:
    for k, ty in (("name", str), ("score", (int, float)), ("max_score", (int, float)), ("output", str)):
        assert isinstance(t.get(k), ty), "test field %s: %r" % (k, t)
    assert t.get("visibility") in vis and t.get("status") in ("passed", "failed"), t
    assert 0 <= t["score"] <= t["max_score"], t
    assert (t["status"] == "passed") == (t["score"] == t["max_score"]), t
    total += t["score"]
assert total == r["score"], "score %s is not the sum of the tests' %s" % (r["score"], total)
print(r["score"], sum(t["max_score"] for t in r["tests"]))
PY
}
score_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["score"])' "$1"; }

for s in correct wrong hostile; do
    rm -rf "$ag/results" "$ag/submission" && mkdir -p "$ag/submission" && cp -R "$subs/$s/." "$ag/submission/"
    out=$(in_autograder /autograder/run_autograder 2>&1)
    [ $? -eq 0 ] && ok "$s: run_autograder exits 0" || bad "$s: run_autograder exited $?"
    res=$ag/results/results.json
    if v=$(validate "$res" 2>&1); then ok "$s: results.json has Gradescope's fields ($v)"; else out=$v; bad "$s: results.json"; continue; fi
    set -- $v; eval "score_$s=$1 max_$s=$2"
    # The same files through `chanlings grade`, outside the namespace (grade
    # wants them side by side: a whole workbook keeps them in exercises/).
    mkdir -p "$scratch/flat/$s" && find "$subs/$s" -name '*.c' -exec cp {} "$scratch/flat/$s/" \;
    out=$(CHANLINGS_ROOT="$ag/source" "$bin" grade "$scratch/flat/$s" --format gradescope --out "$scratch/grade-$s" 2>&1)
    g=$(score_of "$scratch/grade-$s/results.json" 2>/dev/null)
    [ "$g" = "$1" ] && ok "$s: score $1 agrees with chanlings grade" || bad "$s: autograder $1, grade ${g:-none}"
done
[ "${score_correct:-0}" = "${max_correct:-x}" ] && ok "correct: full marks ($score_correct/$max_correct)" ||
    bad "correct: ${score_correct:-?}/${max_correct:-?}"
[ "${score_wrong:-99}" -lt "${max_wrong:-0}" ] && ok "wrong: fewer marks (${score_wrong}/${max_wrong})" ||
    bad "wrong: ${score_wrong:-?}/${max_wrong:-?}"
res=$ag/results/results.json
grep -q '"score": 999' "$res" && bad "hostile: forged its score" || ok "hostile: its forged results.json did not survive"
[ "${score_hostile:-999}" -lt "${max_hostile:-0}" ] && ok "hostile: fails (${score_hostile}/${max_hostile})" ||
    bad "hostile: scored ${score_hostile:-?}/${max_hostile:-?}"
# Its forged JSON, printed, is only text in a test's output: proof the
# attack ran (and was contained).
python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if any("\"score\": 999" in t["output"] for t in r["tests"]) else 1)' "$ag/results/results.json" &&
    ok "hostile: the attack ran (its forgery is quoted in a test's output)" ||
    bad "hostile: no trace of the attack in the output: was it run at all?"
[ "${max_hostile:-0}" -gt 2 ] && ok "hostile: it compiled and its tests ran (${max_hostile} entries)" ||
    bad "hostile: refused before running (${max_hostile:-?} entries): the attack was never tried"
grep -q "LEAK" "$res" && { out=$(grep LEAK "$res" | head -3); bad "hostile: the hidden solution leaked into results.json"; } ||
    ok "hostile: no line of the hidden solution in results.json"
grep -q "not handed in\|no file for exercise 2" "$res" && ok "hostile: exercise 2, not handed in, has its failing entry" ||
    bad "hostile: no entry for the missing exercise 2"
[ -f "$ag/source/graders/01-goroutines.c" ] && ok "hostile: the hidden grader is still there" ||
    bad "hostile: deleted a grader"
finish
