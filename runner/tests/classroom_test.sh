#!/bin/sh
# GitHub Classroom: `chanlings classroom 1 2 --out` in a fresh clone of the
# workbook writes the workflow and autograding.json; with exercise 1
# solved, the commands autograding.json holds (setup, then run) pass for 1
# and fail for 2, the workflow runs the very same commands, and the points
# agree with `chanlings grade` on the same files.  The build is copied into
# the clone ahead of its sources, so the setup's `make` has nothing to do
# (a build from scratch takes minutes here).  Last line: "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/chanlings
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${out:-}" ] && printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

command -v python3 >/dev/null 2>&1 || { echo "classroom_test: skipped (python3 is not installed)"; finish; }
git -C "$top" rev-parse --verify -q HEAD >/dev/null 2>&1 ||
    { echo "classroom_test: skipped (the workbook is not a git checkout to clone)"; finish; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/chanlings-classroom.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' INT TERM HUP
unset CHANLINGS_ROOT
export NO_COLOR=1
clone=$scratch/clone
out=$(git clone -q "$top" "$clone" 2>&1) && ok "a fresh clone" || { bad "git clone"; finish; }
cd "$clone" || finish

out=$("$bin" classroom 1 waitgroups --out . 2>&1) && ok "classroom 1 waitgroups --out . (exit 0)" ||
    { bad "chanlings classroom"; finish; }
out=$("$bin" classroom --out . --points 0 2>&1)
[ $? -eq 2 ] && ok "--points 0 is a usage error" || bad "--points 0 should exit 2"
out=$("$bin" classroom 2>&1)
[ $? -eq 2 ] && ok "no --out is a usage error" || bad "classroom without --out should exit 2"

json=.github/classroom/autograding.json
wf=.github/workflows/classroom.yml
# tests.tsv: name, setup, run, points, one line per test.
out=$(python3 - "$json" "$wf" <<'PY' 2>&1 > "$scratch/tests.tsv"
import json, sys
tests = json.load(open(sys.argv[1]))["tests"]
for t in tests:
    for k, ty in (("name", str), ("setup", str), ("run", str), ("timeout", int), ("points", int)):
        assert isinstance(t.get(k), ty), (k, t)
    print("\t".join([t["name"], t["setup"], t["run"], str(t["points"])]))
try:
    import yaml
except ImportError:
    sys.exit(0)
steps = yaml.safe_load(open(sys.argv[2]))["jobs"]["run-autograding-tests"]["steps"]
graded = [s for s in steps if s.get("uses", "").startswith("education/autograding-command-grader")]
assert [(s["with"]["setup-command"], s["with"]["command"], s["with"]["max-score"]) for s in graded] == \
       [(t["setup"], t["run"], t["points"]) for t in tests], "the workflow runs other commands"
rep = [s for s in steps if s.get("uses", "").startswith("education/autograding-grader-reporter")][0]
assert rep["with"]["runners"].split(",") == [s["id"] for s in graded], "reporter runners"
assert all(("%s_RESULTS" % s["id"].upper()) in rep["env"] for s in graded), "reporter env"
PY
) && ok "autograding.json and the workflow parse, and run the same commands" || bad "autograding.json / workflow"
[ "$(wc -l < "$scratch/tests.tsv")" -eq 2 ] && ok "two tests, exercises 1 and 2" || { out=$(cat "$scratch/tests.tsv"); bad "test count"; }

# The student's work: exercise 1 solved, exercise 2 as shipped.
ex1=$(basename "$(ls exercises/01-*.c)" .c)
ex2=$(basename "$(ls exercises/02-*.c)" .c)
cp "solutions/$ex1.c" "exercises/$ex1.c"
stamp=@$(($(date +%s) + 60))
mkdir -p build && cp -R "$top/build/lib" "$top/build/runner" "$bin" build/ &&
    find build -exec touch -d "$stamp" {} + || { bad "copying the build"; finish; }

earned=0
tab=$(printf '\t')
while IFS="$tab" read -r name setup run points; do
    before=$(stat -c %Y build/chanlings build/lib/plain/libgoc.a)
    out=$(sh -c "$setup" 2>&1) && ok "$name: setup \`$setup\` succeeds" || bad "$name: setup"
    [ "$(stat -c %Y build/chanlings build/lib/plain/libgoc.a)" = "$before" ] ||
        bad "$name: setup rebuilt (the copied build was not current)"
    out=$(sh -c "$run" </dev/null 2>&1); rc=$?
    case "$name:$rc" in
    "$ex1:0") ok "$name: \`$run\` passes (solved)"; earned=$((earned + points)) ;;
    "$ex2:0") bad "$name: \`$run\` passes as shipped" ;;
    "$ex2:1") ok "$name: \`$run\` fails as shipped (exit 1)" ;;
    *) bad "$name: \`$run\` exited $rc" ;;
    esac
done < "$scratch/tests.tsv"

# The same two files through `chanlings grade`.
mkdir -p "$scratch/sub" && cp "exercises/$ex1.c" "exercises/$ex2.c" "$scratch/sub/"
out=$("$bin" grade "$scratch/sub" --format json --out "$scratch/grade" 2>&1)
passed=$(printf '%s\n' "$out" | sed -n 's/^grade: \([0-9]*\) of .*/\1/p')
[ "$passed" = "$earned" ] && ok "points $earned agree with chanlings grade ($passed exercise passed)" ||
    bad "classroom points $earned, grade passed ${passed:-?}"
finish
