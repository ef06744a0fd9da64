#!/bin/sh
# `chanlings quiz`, scripted: scoring, retries, bad answers, progress kept
# and shown, the mastery check, and malformed quizzes pointed at by line.
#
# Runs in scratch workbooks (CHANLINGS_ROOT): a small fixture with known
# quizzes, and a copy of the real lessons for the mastery check over
# whatever lessons exist.  Answers come from --answers or a piped stdin;
# options are shuffled, so the right letters are learnt from one run's
# feedback and replayed with the same --seed.  The last line says
# "N passed, N failed"; the exit status is non-zero on any failure.
#
#   sh runner/tests/quiz_test.sh [path/to/chanlings]   (from the workbook root)

top=$(pwd)
bin=${1:-$top/build/chanlings}
pass=0
fail=0
NO_COLOR=1
COLUMNS=100   # text is filled to this; patterns below assume lines fit
export NO_COLOR COLUMNS

if [ ! -x "$bin" ]; then
    echo "quiz_test: $bin is missing: build it first (make runner)"
    echo "0 passed, 1 failed"
    exit 1
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/chanlings-quiz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 1' INT TERM HUP
# A private copy: a rebuild of build/chanlings during the run cannot
# swap the program between two steps.
cp "$bin" "$scratch/chanlings" && bin=$scratch/chanlings

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() {
    fail=$((fail + 1))
    echo "FAIL - $1"
    echo "  output was:"
    sed 's/^/  | /' "$scratch/out"
}
# has NAME REGEX: the last command's output has a matching line.
has() { if grep -q -E -- "$2" "$scratch/out"; then ok "$1"; else bad "$1 (wanted /$2/)"; fi; }
hasnt() { if grep -q -E -- "$2" "$scratch/out"; then bad "$1 (did not want /$2/)"; else ok "$1"; fi; }
# status NAME WANT: the last command's exit status.
status() { if [ "$rc" -eq "$2" ]; then ok "$1"; else bad "$1 (exit $rc, wanted $2)"; fi; }

# run ROOT ARGS...: chanlings in ROOT with stdin closed; output in $scratch/out.
run() {
    root=$1; shift
    (cd "$root" && CHANLINGS_ROOT="$root" "$bin" "$@" </dev/null) >"$scratch/out" 2>&1
    rc=$?
}
# run_in ROOT INPUT ARGS...: the same, with INPUT piped to stdin.
run_in() {
    root=$1; input=$2; shift 2
    (cd "$root" && printf '%s' "$input" | CHANLINGS_ROOT="$root" "$bin" "$@") \
        >"$scratch/out" 2>&1
    rc=$?
}
# The right answers of a finished round, comma separated, read from its
# feedback: "Right." after an answer means it was right, "Not quite: the
# answer(s) is/are a and c" names them.
learn() {
    awk -v given="$1" '
        BEGIN { n = split(given, g, ",") }
        /^Right\./ { k++; out = out (out ? "," : "") g[k] }
        /^Not quite: the answer/ {
            k++
            s = $0
            sub(/^Not quite: the answers? (is|are) /, "", s)
            sub(/ \(you answered.*/, "", s)
            gsub(/( and |, )/, "", s)
            out = out (out ? "," : "") s
        }
        END { print out }' "$scratch/out"
}
state_line() { grep -E "^quiz[[:space:]]+$2[[:space:]]" "$1/.chanlings/state" 2>/dev/null; }

# ---- fixture workbook --------------------------------------------------
fx=$scratch/fixture
mkdir -p "$fx/lessons" "$fx/exercises"
lesson() {  # lesson NN-slug TITLE CONCEPTS; quiz on stdin
    {
        printf -- '---\ntitle: %s\ndifficulty: beginner\nminutes: 5\n' "$2"
        printf 'concepts: %s\n---\n# %s\n\nText.\n\n## Hints\n1. A hint.\n\n## Quiz\n\n' "$3" "$2"
        cat
    } >"$fx/lessons/$1.md"
    printf '#include <goc.h>\nint main(void) { return 0; }\n' >"$fx/exercises/$1.c"
}
lesson 01-alpha Alpha "first things, second things" <<'EOF'
### Which colour is the sky on a clear day?
- [ ] Green
  > Grass, not sky.
- [x] Blue
- [ ] Red

> Scattering favours short wavelengths.

### Which of these are even?
- [x] 2
- [ ] 3
  > 3 leaves a remainder of 1.
- [x] 4

> Even numbers divide by two.

### What is 1 + 1?
- [ ] 3
- [x] 2

> Counting.
EOF
lesson 02-beta Beta "buffering, closing" <<'EOF'
### Beta one?
- [x] yes
- [ ] no

> Because.

### Beta two?
- [ ] no
- [x] yes

> Because.
EOF
# Quizzes start on line 16 (6 lines of front matter, then "# title",
# blank, text, blank, Hints, hint, blank, Quiz, blank): the bad option
# line below is line 18.
lesson 03-broken Broken "typos" <<'EOF'
### A question?
- [x] fine
* [ ] not an option line

> Explained.
EOF

# ---- a lesson's quiz ---------------------------------------------------
run "$fx" quiz 1 --seed 7 --answers a,a,a
status "quiz with --answers finishes (exit 0)" 0
has "header names the lesson and its file" '^Quiz 01: Alpha \(lessons/01-alpha\.md\), 3 questions\.'
has "a multi-answer question says so" '^Question 2 of 3 \(several answers\)'
has "the explanation is shown after an answer" '^  Even numbers divide by two\.'
has "a score is printed" '^Score: [0-3] of 3 \([0-9]+%\)$'
right=$(learn a,a,a)
case $right in
    *,*,*) ok "right answers learnt from the feedback ($right)" ;;
    *) bad "could not learn the right answers from the feedback ($right)" ;;
esac

run "$fx" quiz 1 --seed 7 --answers "$right"
has "the same seed and the right answers score 3 of 3" '^Score: 3 of 3 \(100%\)$'
hasnt "nothing is reported missed" '^Missed:'
has "the best score is reported" '^Saved\. Your best on this quiz: 3 of 3\.'
if state_line "$fx" 01-alpha | grep -q -E "^quiz[[:space:]]+01-alpha[[:space:]]+3[[:space:]]+3[[:space:]]+3[[:space:]]"; then
    ok "score kept in .chanlings/state (best 3, last 3, of 3)"
else
    bad "score kept in .chanlings/state: got '$(state_line "$fx" 01-alpha)'"
fi

# Every answer wrong: the first option the feedback did not name.
wrong=$(echo "$right" | awk -F, '{ for (i = 1; i <= NF; i++) {
    w = index($i, "a") ? (index($i, "b") ? "c" : "b") : "a"
    printf "%s%s", (i > 1 ? "," : ""), w } }')
run "$fx" quiz 1 --seed 7 --answers "$wrong"
has "all wrong scores 0 of 3" '^Score: 0 of 3 \(0%\)$'
has "missed questions name their lesson" '^  2\. Which of these are even\? \(lesson 01-alpha\)$'
hasnt "missed questions do not point into the lesson file, which holds the answers" 'lessons/01-alpha\.md:'
has "a missed option's explanation is shown" '^     (Grass, not sky\.|3 leaves a remainder of 1\.)$'
has "the best score stays" '^Saved\. Your best on this quiz: 3 of 3\.'
if state_line "$fx" 01-alpha | grep -q -E "^quiz[[:space:]]+01-alpha[[:space:]]+3[[:space:]]+0[[:space:]]+3[[:space:]]"; then
    ok "state keeps best 3 and last 0"
else
    bad "state keeps best 3 and last 0: got '$(state_line "$fx" 01-alpha)'"
fi

run "$fx" progress
has "progress shows the quiz score" '3/3|3 of 3'

# Retry only the missed: miss question 1, then retry it with the answer.
r1=$(echo "$right" | cut -d, -f1)
w1=$(echo "$wrong" | cut -d, -f1)
rest=$(echo "$right" | cut -d, -f2-)
run "$fx" quiz 1 --seed 7 --answers "$w1,$rest,y,$r1"
has "the first round scores 2 of 3" '^Score: 2 of 3 \(67%\)$'
has "a retry is offered" '^Retry the 1 missed question\? \[y/N\] y$'
has "the retry asks only the missed one" '^Retry 1 of 1$'
has "the retry is scored" '^Retry score: 1 of 1 \(100%\)$'
n=$(grep -c -E '^(Question|Retry) [0-9]+ of' "$scratch/out")
if [ "$n" -eq 4 ]; then ok "four questions asked in all"; else bad "four questions asked in all (got $n)"; fi
if state_line "$fx" 01-alpha | grep -q -E "^quiz[[:space:]]+01-alpha[[:space:]]+3[[:space:]]+2[[:space:]]"; then
    ok "a retry does not raise the recorded score (last 2)"
else
    bad "a retry does not raise the recorded score: got '$(state_line "$fx" 01-alpha)'"
fi

# A scripted retry works whatever the seed: the retry keeps the letters of
# round 1, so the right answer learnt there is still right.
retried=0
for seed in 1 2 3 4 5 6; do
    run "$fx" quiz 1 --seed "$seed" --answers a,a,a
    r=$(learn a,a,a)
    s1=${r%%,*} srest=${r#*,}
    case $s1 in *a*) case $s1 in *b*) sw=c ;; *) sw=b ;; esac ;; *) sw=a ;; esac
    run "$fx" quiz 1 --seed "$seed" --answers "$sw,$srest,y,$s1"
    grep -q -E '^Retry score: 1 of 1 \(100%\)$' "$scratch/out" && retried=$((retried + 1))
done
if [ "$retried" -eq 6 ]; then ok "a scripted retry with round 1's letters passes for every seed"
else bad "a scripted retry with round 1's letters passed for $retried of 6 seeds"; fi

# Answers on a piped stdin, one per line, work like --answers.
run_in "$fx" "$(echo "$right" | tr , '\n')
" quiz 1 --seed 7
has "answers from a piped stdin" '^Score: 3 of 3 \(100%\)$'
has "piped answers are echoed" '^Your answer: [a-c]+$'

run "$fx" quiz 1 --seed 7 --answers "z,a,a"
status "an answer that is no option is a usage error (exit 2)" 2
has "the bad answer is named with its question" '^answer "z" to question 1 of 3: .z. is not one of the options'

before=$(state_line "$fx" 01-alpha)
run "$fx" quiz 1 --seed 7 --answers "$r1"
status "running out of answers stops (exit 1)" 1
has "stopping says nothing was recorded" 'stopped at question 2 of 3, so no score was recorded'
if [ "$(state_line "$fx" 01-alpha)" = "$before" ]; then ok "a stopped quiz leaves the state alone"
else bad "a stopped quiz leaves the state alone"; fi

# On a terminal (script(1) gives it one): a typo is explained and asked
# again rather than ending the quiz, and "quit" stops.
if command -v script >/dev/null 2>&1; then
    (cd "$fx" && printf 'e\n\n%s\nquit\n' "$r1" |
        CHANLINGS_ROOT="$fx" script -qec "$bin quiz 1 --seed 7" /dev/null) >"$scratch/out" 2>&1
    has "on a terminal a typo is explained and asked again" \
        "'e' is not one of the options.*\(or \"quit\" to stop\)"
    has "on a terminal an empty answer is asked again" 'no answer given'
    has "on a terminal the right answer after a typo counts" 'Your answer: .*Right\.'
    has "on a terminal \"quit\" stops the quiz" 'stopped at question 2 of 3'
fi

run "$fx" quiz 9 --answers a
status "an unknown exercise is a usage error" 2
has "an unknown exercise is named" 'no exercise "9"'

run "$fx" quiz 1 --bogus
status "an unknown option is a usage error" 2

# ---- malformed quizzes -------------------------------------------------
run "$fx" quiz 3 --answers a
status "a malformed quiz cannot be taken (exit 3)" 3
has "the quiz error points at the line" '^lessons/03-broken\.md:18: this option is not'

run "$fx" verify
has "verify rejects the malformed quiz at its line" 'lessons/03-broken\.md:18: '

# ---- mastery -----------------------------------------------------------
# Every lesson, reached or not; the broken one is left out, saying where.
run "$fx" quiz --mastery --seed 3 --answers a,a,a,a,n
status "mastery finishes past a broken lesson" 0
has "mastery skips the broken lesson, saying where" '^lessons/03-broken\.md:18: '
has "mastery draws 2 from every lesson with a quiz" '^Mastery check 1: 4 questions, up to 2 from each of the 2 lessons with a quiz \(01 to 02\)\.$'
has "mastery asks four questions" '^Question 4 of 4'
has "mastery reports by lesson" '^  01 Alpha: [0-2]/2'
has "both lessons are represented" '^  02 Beta: [0-2]/2'
if grep -q -E '^  0[12] [A-Za-z]+: [01]/2' "$scratch/out"; then
    has "a weak lesson says which file to revisit" '^  0[12] (Alpha|Beta): [01]/2, revisit lessons/0[12]-(alpha|beta)\.md$'
else
    has "a perfect mastery run says so" 'Every lesson holds up'
fi
mline() { grep -E '^mastery[[:space:]]' "$fx/.chanlings/state"; }
if mline | grep -q -E "^mastery	[0-4]	4	[0-4]	4	1	[0-9]+$"; then
    ok "the mastery score is kept in the state (of 4, 1 taken)"
else
    bad "the mastery score is kept in the state: got '$(mline)'"
fi
if state_line "$fx" 01-alpha | grep -q -E "^quiz	01-alpha	3	"; then
    ok "a state written before mastery existed keeps its quiz scores"
else
    bad "the old quiz record survives: got '$(state_line "$fx" 01-alpha)'"
fi

# Which questions rotate: with one per lesson, Alpha's three questions
# come round once each in three checks, whatever the seed.
alpha_q() { grep -A1 -E '^Question [0-9]+ of' "$scratch/out" | grep -o -E 'Which colour is the sky|Which of these are even|What is 1 \+ 1'; }
asked=""
for seed in 5 9 2; do
    run "$fx" quiz --mastery --per-lesson 1 --seed "$seed" --answers a,a,n
    has "one per lesson asks two questions (seed $seed)" '^Mastery check [0-9]+: 2 questions, up to 1 from each'
    asked="$asked$(alpha_q)
"
done
n=$(printf '%s' "$asked" | grep -c .)
d=$(printf '%s' "$asked" | grep . | sort -u | wc -l)
if [ "$n" -eq 3 ] && [ "$d" -eq 3 ]; then ok "three checks ask Alpha's three questions, none twice"
else bad "three checks ask Alpha's three questions, none twice (asked: $(printf '%s' "$asked" | tr '\n' ';'))"; fi
if mline | grep -q -E "^mastery	[0-4]	[24]	[0-2]	2	4	"; then ok "four checks taken, the last out of 2"
else bad "four checks taken, the last out of 2: got '$(mline)'"; fi

# The best is the highest share right; a worse check keeps it.
printf 'chanlings-state 1\nmastery\t4\t4\t1\t4\t2\t1700000000\n' >"$fx/.chanlings/state"
run "$fx" quiz --mastery --seed 3 --answers x
status "a bad answer stops the mastery check (exit 2)" 2
if mline | grep -q -E "^mastery	4	4	1	4	2	1700000000$"; then ok "a stopped mastery check records nothing"
else bad "a stopped mastery check records nothing: got '$(mline)'"; fi
run "$fx" quiz --mastery --seed 3 --answers a,a,a,a,n
has "the third check is numbered" '^Mastery check 3: '
has "the best mastery score is reported" '^Saved\. Your best mastery check: 4 of 4 \(3 taken\)\.$'
if mline | grep -q -E "^mastery	4	4	[0-4]	4	3	[0-9]+$"; then ok "the state keeps best 4 of 4"
else bad "the state keeps best 4 of 4: got '$(mline)'"; fi
run "$fx" progress
has "progress shows the mastery record" '^Mastery check \(every lesson\): best 4/4, last [0-4]/4 on [0-9-]+, 3 taken\.$'

# A damaged mastery line is reported with its line; the rest is kept.
printf 'chanlings-state 1\ndone\t01-alpha\nmastery\t9\t4\t1\t4\t2\t1700000000\n' >"$fx/.chanlings/state"
run "$fx" progress
has "a damaged mastery line is reported at its line" 'state:3: progress file damaged'
if ls "$fx/.chanlings/" | grep -q '^state\.corrupt-'; then ok "the damaged state is kept as state.corrupt-*"
else bad "the damaged state is kept as state.corrupt-*"; fi
if grep -q -E '^done	01-alpha$' "$fx/.chanlings/state"; then ok "the readable rest of a damaged state is kept"
else bad "the readable rest of a damaged state is kept"; fi
has "no mastery record is shown from the damaged line" 'Mastery check \(every lesson\): not taken yet'

run "$fx" quiz --mastery --per-lesson 0
status "--per-lesson 0 is a usage error" 2
run "$fx" quiz 1 --per-lesson 2
status "--per-lesson without --mastery is a usage error" 2
run "$fx" quiz 1 --mastery
status "--mastery with an exercise is a usage error" 2

# Over whatever real lessons exist (lessons added later are picked up).
real=$scratch/real
mkdir -p "$real"
. "$top/runner/tests/shipped.sh"
cp -R "$top/lessons" "$real/" && shipped_exercises "$top" "$real"
nless=$(grep -l -E '^## Quiz' "$real"/lessons/[0-9]*.md 2>/dev/null | wc -l)
if [ "$nless" -gt 0 ]; then
    answers=$(awk -v n="$((2 * nless))" 'BEGIN { for (i = 0; i < n; i++) printf "a,"; print "n" }')
    run "$real" quiz --mastery --seed 11 --answers "$answers"
    status "mastery over the real lessons finishes" 0
    has "mastery over the real lessons asks 2 from each of the $nless" "^Mastery check 1: $((2 * nless)) questions, up to 2 from each of the $nless lessons"
    got=$(grep -c -E '^  [0-9]+ .*: [0-2]/2' "$scratch/out")
    if [ "$got" -eq "$nless" ]; then ok "every real lesson has its line in the report ($got)"
    else bad "every real lesson has its line in the report ($got of $nless)"; fi
    has "mastery over the real lessons scores" '^Score: [0-9]+ of [0-9]+ '
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
