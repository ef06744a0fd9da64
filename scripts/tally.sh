#!/bin/sh
# Prints the closing line of `make test` from the totals each part wrote.
tally=$1
[ -f "$tally" ] || { echo "0 passed, 0 failed"; exit 1; }
awk '{p += $1; f += $2} END {printf "%d passed, %d failed\n", p, f; exit (f > 0)}' "$tally"
