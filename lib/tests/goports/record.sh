#!/bin/sh
# Records what Go prints for each NAME.go here into NAME.expected: the exit
# status, the first line of stderr, then stdout.  Run it by hand with Go
# installed (apt-get install golang-go golang-golang-x-sync-dev); the test
# (lib/tests/goports_test.sh) only reads the recordings and never needs Go.
#   sh lib/tests/goports/record.sh [NAME...]
# A program that needs a newer Go than the one installed says so in its
# first comment ("Go 1.20") and is skipped.
dir=$(cd "$(dirname "$0")" && pwd)
ver=$(go env GOVERSION) || { echo "record.sh: Go is not installed" >&2; exit 1; }
minor=$(echo "$ver" | sed -E 's/^go1\.([0-9]+).*/\1/')
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
names=$*
[ -n "$names" ] || names=$(cd "$dir" && ls *.go | sed 's/\.go$//')
for name in $names; do
    need=$(head -n 3 "$dir/$name.go" | sed -nE 's/.*\(Go 1\.([0-9]+)\).*/\1/p' | head -n 1)
    if [ -n "$need" ] && [ "$minor" -lt "$need" ]; then
        echo "$name: needs Go 1.$need, have $ver: not recorded"
        continue
    fi
    (cd "$tmp" && GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$tmp/$name" "$dir/$name.go") || exit 1
    "$tmp/$name" > "$tmp/out" 2> "$tmp/err"
    status=$?
    {
        echo "exit: $status"
        echo "stderr: $(head -n 1 "$tmp/err")"
        echo "recorded with: $ver"
        cat "$tmp/out"
    } > "$dir/$name.expected"
    echo "$name: exit $status, $(head -n 1 "$tmp/err")"
done
