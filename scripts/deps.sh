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
have_pc json-c || missing="$missing libjson-c-dev"
# The jail learner code runs in (runner/src/sandbox.h): bwrap and its
# seccomp filter.  Recommended, not required: without them the runner
# still works and says what it falls back to.
recommended=""
command -v bwrap >/dev/null 2>&1 || recommended="$recommended bubblewrap"
have_pc libseccomp || recommended="$recommended libseccomp-dev"
[ -z "$missing$recommended" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "chanlings: installing build dependencies:$missing$recommended"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing $recommended >/dev/null || {
        echo "chanlings: apt-get could not install:$missing$recommended" >&2; [ -z "$missing" ]; exit; }
    exit 0
fi
if [ -z "$missing" ]; then
    echo "chanlings: recommended for the sandbox learner code runs in, and missing:$recommended" >&2
    echo "  install them with:  sudo apt-get install$recommended  (chanlings works without them, unsandboxed)" >&2
    exit 0
fi
echo "chanlings needs these Debian packages, which are missing:$missing" >&2
echo "install them with:  sudo apt-get install$missing" >&2
exit 1
