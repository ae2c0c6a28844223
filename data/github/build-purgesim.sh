#!/usr/bin/env bash
# Builds purgesim from this source tree and installs it under PREFIX (default ~/.local), for the
# workflows in data/github/: installs the Debian/Ubuntu packages the build needs (with sudo when
# not root), runs make and make install, and puts PREFIX/bin on the job's PATH ($GITHUB_PATH).
# Only the build's packages are installed, not make deps' test tools (chromium, valgrind, ...);
# tests/test-github.sh checks that each one is in the Makefile's DEPS_PKGS.
#
# usage: data/github/build-purgesim.sh [PREFIX]
set -euo pipefail
BUILD_PKGS="libcjson-dev libcsv-dev libplot-dev libpcre2-dev libyaml-dev pkg-config help2man"
prefix=${1:-$HOME/.local}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ "${1:-}" = --print-packages ]; then echo "$BUILD_PKGS"; exit 0; fi
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
missing=""
for p in $BUILD_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "build-purgesim: installing$missing"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086  # one word per package
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
make -j"$(nproc)" PREFIX="$prefix"
make install PREFIX="$prefix"
if [ -n "${GITHUB_PATH:-}" ]; then echo "$prefix/bin" >>"$GITHUB_PATH"; fi
"$prefix/bin/purgesim" --version
