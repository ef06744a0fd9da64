#!/bin/sh
# Gradescope runs this once, as root, when it builds the autograder's image
# (Ubuntu): the Debian packages chanlings needs, then the workbook.
# Written by `chanlings autograder` from dist/gradescope/setup.sh.
set -eu
cd /autograder/source
# deps.sh installs what is missing with apt-get when run as root; zip and
# python3 are not needed here.
apt-get update -qq
sh scripts/deps.sh
make -j"$(nproc)" lib runner
# Every exercise of the assignment graded once with its solution: proves
# the image can grade, and fills the build cache each submission reuses.
./build/chanlings verify @EXERCISES@ --shipped
# Learner code runs as another user (and, where the container allows it,
# in a jail that sees none of /autograder); the solutions and the graders'
# sources stay unreadable to it even without the jail.
chmod -R go-rwx solutions graders
