# Sourced by the shell tests: copies the workbook's exercises into a scratch
# directory AS SHIPPED, never with a learner's edits, so `make test` passes
# in a workbook someone is working through.
#   shipped_exercises TOP DEST   (DEST/exercises is created)
# Tracked files come from git HEAD; without git, from TOP/.chanlings/pristine/
# (the copy the runner keeps from the first use); files neither knows (an
# exercise being written) are taken as they are.
shipped_exercises() {
    cp -R "$1/exercises" "$2/" || return 1
    if git -C "$1" rev-parse --verify -q HEAD >/dev/null 2>&1 &&
        git -C "$1" ls-files --error-unmatch exercises >/dev/null 2>&1; then
        git -C "$1" archive HEAD -- exercises | tar -x -C "$2" || return 1
    elif [ -d "$1/.chanlings/pristine" ]; then
        for f in "$1"/.chanlings/pristine/*.c; do
            [ -f "$f" ] && cp "$f" "$2/exercises/"
        done
    fi
    return 0
}

# A scratch copy of the workbook that the runner can grade in: lessons,
# solutions, graders, the public headers, every libgoc flavour the runner
# links (plain, tsan, asan) and the exercises as shipped.
#   scratch_workbook TOP DEST
scratch_workbook() {
    (cd "$1" && cp -R lessons solutions graders "$2"/) &&
        shipped_exercises "$1" "$2" &&
        mkdir -p "$2/lib" "$2/build/lib" &&
        cp -R "$1/lib/include" "$2/lib/" || return 1
    for flavour in plain tsan asan; do
        mkdir -p "$2/build/lib/$flavour" &&
            cp "$1/build/lib/$flavour/libgoc.a" "$2/build/lib/$flavour/" || return 1
    done
}
