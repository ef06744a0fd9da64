#!/bin/sh
# hostile_test.sh again, as an ordinary user: the learner's own machine,
# where the runner is not root, cannot switch users and must rely on the
# jail alone.  Run as root, it makes (once) the user cl-hostile, copies
# what the suite needs into a directory that user owns, and runs the
# suite there as that user (runuser or setpriv).  Run as anyone else,
# hostile_test.sh already runs as an ordinary user: nothing to add.
# Last line: "N passed, M failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
if [ "$(id -u)" -ne 0 ]; then
    echo "not root: hostile_test.sh itself runs as an ordinary user here"
    echo "0 passed, 0 failed"
    exit 0
fi
user=cl-hostile
fail() { echo "FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }
if ! id "$user" > /dev/null 2>&1; then
    useradd --create-home --shell /bin/sh "$user" 2>/dev/null || fail "cannot create the user $user (useradd)"
fi
home=$(getent passwd "$user" | cut -d: -f6)
[ -d "$home" ] || fail "$user has no home directory"
# In the user's home, as a learner's workbook would be (under /tmp it would
# sit in the jail's own private /tmp).
copy=$(mktemp -d "$home/workbook-XXXXXX") || fail "mktemp"
[ -n "${KEEP_COPY:-}" ] || trap 'rm -rf "$copy"' EXIT
for path in lib/include build/lib/plain/libgoc.a build/lib/tsan/libgoc.a build/lib/asan/libgoc.a graders/grader_main.c \
            graders/grader.h graders/grader_protocol.h graders/01-goroutines.c solutions/01-goroutines.c runner/src \
            runner/tests/hostile_test.sh runner/tests/fixtures; do
    mkdir -p "$copy/$(dirname "$path")"
    cp -R "$path" "$copy/$path" || fail "cannot copy $path"
done
chown -R "$user:" "$copy"
run_as() {
    if command -v runuser > /dev/null 2>&1; then
        runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" CC="${CC:-cc}" "$@"
    else
        setpriv --reuid="$user" --regid="$user" --init-groups --reset-env "$@"
    fi
}
run_as sh "$copy/runner/tests/hostile_test.sh"
