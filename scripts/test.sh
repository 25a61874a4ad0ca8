#!/usr/bin/env bash
# Builds (if needed) and runs the whole test suite. BUILD_DIR defaults to ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
[ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake -S . -B "$BUILD_DIR" -G Ninja ${CMAKE_EXTRA_ARGS:-}
cmake --build "$BUILD_DIR" -j"$(nproc)"
# Tests must not use the developer's rule cache or git config.
export XDG_CACHE_HOME
XDG_CACHE_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT
ctest --test-dir "$BUILD_DIR" -j"$(nproc)" --output-on-failure --timeout 600
