#!/bin/sh
# PrairieLearn / any container runner: the image's entry point,
# dist/prairielearn/grade, run outside a container with the container's
# paths: a private mount namespace (unshare -m) binds a scratch directory
# at /grade, the student's files at /grade/student.  A correct and a wrong
# submission; results.json must carry PrairieLearn's fields (checked with
# python3) and its points must equal `chanlings grade`'s score on the same
# files.  Needs root and python3; says "skipped" otherwise.
# Last line: "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/chanlings
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${out:-}" ] && printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

command -v python3 >/dev/null 2>&1 || { echo "prairielearn_test: skipped (python3 is not installed)"; finish; }
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
    echo "prairielearn_test: skipped (needs root for a mount namespace)"; finish
fi
made_mountpoint=
scratch=$(mktemp -d "${TMPDIR:-/tmp}/chanlings-prairielearn.XXXXXX")
cleanup() {
    rm -rf "$scratch"
    [ -n "$made_mountpoint" ] && rmdir /grade 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
unset CHANLINGS_ROOT CHANLINGS_GRADE_DIR
export NO_COLOR=1
[ -d /grade ] || { mkdir /grade && made_mountpoint=1; }

subs=$scratch/subs
mkdir -p "$subs/correct" "$subs/wrong/exercises"
cp "$top/solutions/01-goroutines.c" "$top/solutions/02-waitgroups.c" "$subs/correct/"
# A wrong answer whose failures are the same every run (running the tasks
# one after another fails the same tests every time; a missing wait, say,
# fails every time too, but which tests depends on timing): the two scores
# compared below come from two runs.
cp "$top/solutions/01-goroutines.c" "$subs/wrong/exercises/01-goroutines.c"
patch -s "$subs/wrong/exercises/01-goroutines.c" < "$top/graders/tests/01-wrong-sequential.patch" ||
    bad "the wrong patch does not apply"

for s in correct wrong; do
    g=$scratch/grade-$s
    mkdir -p "$g/student" && cp -R "$subs/$s/." "$g/student/"
    out=$(unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" /grade && shift && exec "$@"' \
          sh "$g" "$top/dist/prairielearn/grade" 1 2 2>&1)
    [ $? -eq 0 ] && ok "$s: the entry point exits 0" || bad "$s: the entry point exited $?"
    v=$(python3 - "$g/results/results.json" <<'PY' 2>&1
import json, sys
r = json.load(open(sys.argv[1]))
assert r.get("gradable") is True, "gradable"
assert isinstance(r.get("score"), (int, float)) and 0 <= r["score"] <= 1, "score"
assert isinstance(r.get("message"), str), "message"
pts = mx = 0
for t in r["tests"]:
    for k, ty in (("name", str), ("points", (int, float)), ("max_points", (int, float)),
                  ("message", str), ("output", str)):
        assert isinstance(t.get(k), ty), "test field %s: %r" % (k, t)
    assert 0 <= t["points"] <= t["max_points"], t
    pts += t["points"]; mx += t["max_points"]
assert mx > 0 and abs(r["score"] - pts / mx) < 1e-6, "score %s is not %s/%s" % (r["score"], pts, mx)
print(pts, mx)
PY
)
    if [ $? -eq 0 ]; then ok "$s: results.json has PrairieLearn's fields ($v)"; else out=$v; bad "$s: results.json"; continue; fi
    set -- $v
    mkdir -p "$scratch/flat/$s" && find "$subs/$s" -name '*.c' -exec cp {} "$scratch/flat/$s/" \;
    out=$("$bin" grade "$scratch/flat/$s" --format gradescope --out "$scratch/gs-$s" 2>&1)
    gs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["score"])' "$scratch/gs-$s/results.json" 2>/dev/null)
    [ "$gs" = "$1" ] && ok "$s: points $1 agree with chanlings grade" || bad "$s: points $1, grade ${gs:-none}"
    eval "pts_$s=$1 max_$s=$2"
done
[ "${pts_correct:-0}" = "${max_correct:-x}" ] && ok "correct: every point" || bad "correct: ${pts_correct:-?}/${max_correct:-?}"
[ "${pts_wrong:-99}" -lt "${max_wrong:-0}" ] && ok "wrong: fewer points ($pts_wrong/$max_wrong)" || bad "wrong: ${pts_wrong:-?}/${max_wrong:-?}"
grep -q "no file for exercise 2" "$scratch/grade-wrong/results/results.json" &&
    ok "wrong: exercise 2, not handed in, has its failing entry" || bad "wrong: no entry for the missing exercise 2"
finish
