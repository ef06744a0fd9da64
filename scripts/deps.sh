#!/bin/sh
# Makes sure the Debian packages chanlings builds with are installed.
# As root it installs what is missing; otherwise it prints the command.
missing=""
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
command -v make >/dev/null 2>&1 || missing="$missing make"
command -v patch >/dev/null 2>&1 || missing="$missing patch"
have_pc check || missing="$missing check"
have_pc ncursesw || missing="$missing libncurses-dev"
have_pc libcmark || [ -f /usr/include/cmark.h ] || missing="$missing libcmark-dev"
# The jail learner code runs in (runner/src/sandbox.h): bwrap and its
# seccomp filter.  Without them the runner still works and says so.
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
have_pc libseccomp || missing="$missing libseccomp-dev"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "chanlings: installing build dependencies:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || {
        echo "chanlings: apt-get could not install:$missing" >&2; exit 1; }
    exit 0
fi
echo "chanlings needs these Debian packages, which are missing:$missing" >&2
echo "install them with:  sudo apt-get install$missing" >&2
exit 1
